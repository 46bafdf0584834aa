package store

import (
	"context"
	"database/sql"
	"fmt"
)

// RunOnce runs fn if no other instance is running the job of the same name,
// and reports whether it ran. On PostgreSQL a session advisory lock, held on
// one connection for the length of fn, makes background work (signing
// checkpoints, clearing expired sessions) run once across all instances; on
// SQLite there is only one instance.
func (db *DB) RunOnce(ctx context.Context, job string, fn func(ctx context.Context) error) (bool, error) {
	if db.d.name() != "postgres" {
		return true, fn(ctx)
	}
	key := db.d.(postgresDialect).lockID("truce-job:" + job)
	conn, err := db.r.Conn(ctx)
	if err != nil {
		return false, db.d.classify(fmt.Errorf("job %s: %w", job, err))
	}
	defer conn.Close()
	var got bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&got); err != nil {
		return false, db.d.classify(fmt.Errorf("job %s: %w", job, err))
	}
	if !got {
		return false, nil
	}
	defer unlock(conn, key)
	return true, fn(ctx)
}

func unlock(conn *sql.Conn, key int64) {
	// A fresh context: the job's may be cancelled, and a lock left held
	// would stop every instance from running the job until this
	// connection closes.
	conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock($1)`, key)
}
