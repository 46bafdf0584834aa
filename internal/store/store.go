// Package store keeps Truce's records in SQL: SQLite as the embedded default,
// PostgreSQL for deployments that outgrow one machine. One implementation
// serves both; the few places where the engines differ live in dialect.go,
// and the contract tests in storetest hold both to the same behaviour.
package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/ledger"
)

var _ domain.Store = (*DB)(nil)

// DB is a Truce store on SQLite or PostgreSQL.
type DB struct {
	// DSN is a file path or sqlite: URL for SQLite, or a postgres:// URL.
	DSN string
	// Now is the clock used for server-side timestamps; tests replace it.
	Now func() time.Time

	d      dialect
	ledger *ledger.Log // appended to inside every write transaction
	watch  watchers    // this process's subscribers to message changes
	r      *sql.DB     // reads
	w      *sql.DB     // writes; for SQLite a single connection, so writers queue in Go, not on SQLITE_BUSY
}

// New returns a store for dsn; call Open before use.
func New(dsn string) *DB {
	return &DB{DSN: dsn, Now: time.Now}
}

// Open connects, and migrates the schema to the newest version.
func Open(ctx context.Context, dsn string) (*DB, error) {
	db := New(dsn)
	if err := db.Open(ctx); err != nil {
		return nil, err
	}
	return db, nil
}

// IsPostgres reports whether dsn names a PostgreSQL database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open connects to the database and applies pending migrations.
func (db *DB) Open(ctx context.Context) error {
	if err := db.connect(); err != nil {
		db.Close()
		return err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return err
	}
	if err := db.openLedger(ctx); err != nil {
		db.Close()
		return err
	}
	return nil
}

func (db *DB) connect() (err error) {
	if IsPostgres(db.DSN) {
		if db.r, err = sql.Open("pgx", db.DSN); err != nil {
			return fmt.Errorf("open postgres: %w", err)
		}
		db.r.SetMaxOpenConns(32)
		db.r.SetMaxIdleConns(32)
		db.r.SetConnMaxIdleTime(5 * time.Minute)
		db.w = db.r
		var schema string
		if err := db.r.QueryRow(`SELECT COALESCE(current_schema(), '')`).Scan(&schema); err != nil {
			db.d = postgresDialect{}
			return db.d.classify(fmt.Errorf("open postgres: %w", err))
		}
		db.d = postgresDialect{schema: schema}
		return nil
	}
	db.d = sqliteDialect{}
	path := strings.TrimPrefix(strings.TrimPrefix(db.DSN, "sqlite://"), "sqlite:")
	if path == "" {
		return domain.Errorf(domain.EINVALID, "empty database path")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return fmt.Errorf("create database directory: %w", err)
	}
	// WAL lets readers proceed while a batch commits; synchronous(FULL) makes
	// each commit reach the disk before intake acknowledges it.
	pragmas := "?_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=synchronous(FULL)"
	if db.w, err = sql.Open("sqlite", "file:"+path+pragmas+"&_txlock=immediate"); err != nil {
		return fmt.Errorf("open sqlite: %w", err)
	}
	db.w.SetMaxOpenConns(1)
	if db.r, err = sql.Open("sqlite", "file:"+path+pragmas); err != nil {
		return fmt.Errorf("open sqlite: %w", err)
	}
	db.r.SetMaxOpenConns(8)
	// The first connection creates the file and switches it to WAL before
	// readers open theirs.
	if err := db.w.Ping(); err != nil {
		return db.d.classify(fmt.Errorf("open sqlite %s: %w", path, err))
	}
	return nil
}

// Close releases the connections.
func (db *DB) Close() error {
	var err error
	if db.w != nil && db.w != db.r {
		err = db.w.Close()
	}
	if db.r != nil {
		if e := db.r.Close(); err == nil {
			err = e
		}
	}
	return err
}

// Ping reports whether the store can serve requests.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.w.PingContext(ctx); err != nil {
		return db.d.classify(err)
	}
	return nil
}

// Pools returns the read and write connection pools, for their statistics
// (they are the same pool on PostgreSQL).
func (db *DB) Pools() (read, write *sql.DB) { return db.r, db.w }

// Engine names the database engine, "sqlite" or "postgres".
func (db *DB) Engine() string { return db.d.name() }

// now returns the store clock's time in UTC, truncated to what both engines keep.
func (db *DB) now() time.Time { return db.Now().UTC().Truncate(time.Microsecond) }

// inTx runs fn in a write transaction and commits it, mapping engine errors
// to domain codes.
func (db *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return db.d.classify(fmt.Errorf("begin: %w", err))
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		db.forgetLedgerEdge()
		return db.d.classify(err)
	}
	if err := tx.Commit(); err != nil {
		db.forgetLedgerEdge()
		return db.d.classify(fmt.Errorf("commit: %w", err))
	}
	return nil
}

// forgetLedgerEdge makes the next append reload the ledger's edge: a failed
// transaction may have appended leaves that were never stored, and the log
// catches up with other instances by building on its edge.
func (db *DB) forgetLedgerEdge() {
	if db.ledger != nil {
		db.ledger.Invalidate()
	}
}

// queryer is what both *sql.DB and *sql.Tx offer.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}
