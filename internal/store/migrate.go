package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
)

//go:embed migrations
var migrations embed.FS

func (db *DB) provider() (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations/"+db.d.name())
	if err != nil {
		return nil, err
	}
	// Parts of the schema land from parallel work as separate migrations;
	// a database that is ahead on one may still lack an older-numbered one.
	opts := []goose.ProviderOption{goose.WithAllowOutofOrder(true)}
	dialect := goose.DialectSQLite3
	if db.d.name() == "postgres" {
		dialect = goose.DialectPostgres
		// Instances starting together must not migrate twice: the first
		// takes a session advisory lock, the others wait for it.
		opts = append(opts, goose.WithSessionLocker(migrationLocker{id: db.d.(postgresDialect).lockID("truce-migrate")}))
	}
	return goose.NewProvider(dialect, db.w, sub, opts...)
}

// Migrate applies every pending migration.
func (db *DB) Migrate(ctx context.Context) error {
	p, err := db.provider()
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return db.d.classify(fmt.Errorf("migrate %s: %w", db.d.name(), err))
	}
	return nil
}

// SchemaVersion returns the current and the newest known migration versions.
func (db *DB) SchemaVersion(ctx context.Context) (current, newest int64, err error) {
	p, err := db.provider()
	if err != nil {
		return 0, 0, err
	}
	if current, err = p.GetDBVersion(ctx); err != nil {
		return 0, 0, err
	}
	srcs := p.ListSources()
	if len(srcs) > 0 {
		newest = srcs[len(srcs)-1].Version
	}
	return current, newest, nil
}

// migrationLocker is goose's session lock, but scoped to the store's schema
// and waiting inside PostgreSQL: goose's own locker takes one lock for the
// whole database and polls for it every five seconds, so stores in other
// schemas of the same database queued behind each other's migrations.
type migrationLocker struct{ id int64 }

func (l migrationLocker) SessionLock(ctx context.Context, conn *sql.Conn) error {
	_, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, l.id)
	return err
}

func (l migrationLocker) SessionUnlock(ctx context.Context, conn *sql.Conn) error {
	_, err := conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, l.id)
	return err
}
