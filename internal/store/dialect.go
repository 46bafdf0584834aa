package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"hash/fnv"
	"net"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/trucedesk/truce/internal/domain"
)

// dialect holds what differs between the engines. The SQL itself is shared:
// both accept $n placeholders, RETURNING, ON CONFLICT and partial indexes.
type dialect interface {
	name() string
	// t encodes a time for a parameter; the zero time becomes NULL.
	t(time.Time) any
	// lock serialises transactions on key until commit: the dedup check and
	// insert of intake must not interleave across connections or instances.
	lock(ctx context.Context, tx *sql.Tx, key string) error
	// classify maps an engine error to a domain error code where one fits.
	classify(error) error
	// ph is the placeholder of the nth argument of a statement whose
	// arguments appear once each, in order.
	ph(n int) string
}

// timeLayout is how SQLite stores instants: fixed-width UTC, so text order is
// time order and SQLite's own date functions can read it.
const timeLayout = "2006-01-02T15:04:05.000000Z"

type sqliteDialect struct{}

func (sqliteDialect) name() string { return "sqlite" }

// ph is a bare "?": SQLite looks "$n" up by name for every argument it
// binds, which costs time quadratic in the number of arguments.
func (sqliteDialect) ph(int) string { return "?" }

func (sqliteDialect) t(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(timeLayout)
}

// lock is a no-op: SQLite has one writer at a time and we begin immediate.
func (sqliteDialect) lock(context.Context, *sql.Tx, string) error { return nil }

func (sqliteDialect) classify(err error) error {
	var se *sqlite.Error
	if err == nil || !errors.As(err, &se) {
		return err
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR,
		sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PROTOCOL:
		return &unavailable{err}
	case sqlite3.SQLITE_CONSTRAINT:
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return &constraint{err: err, unique: true}
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return &constraint{err: err}
		}
	}
	return err
}

// postgresDialect carries the schema the store works in: advisory locks and
// NOTIFY channels are database-wide, so deployments (or tests) sharing one
// database in separate schemas must not queue behind each other's locks or
// hear each other's announcements.
type postgresDialect struct{ schema string }

// scoped names key within the store's schema. The default schema keeps the
// bare key, so instances of older versions still share locks with newer ones.
func (d postgresDialect) scoped(key string) string {
	if d.schema == "" || d.schema == "public" {
		return key
	}
	return d.schema + "." + key
}

// lockID is the advisory lock number for key within the store's schema.
func (d postgresDialect) lockID(key string) int64 {
	h := fnv.New64a()
	h.Write([]byte(d.scoped(key)))
	return int64(h.Sum64())
}

func (postgresDialect) name() string { return "postgres" }

func (postgresDialect) ph(n int) string { return "$" + strconv.Itoa(n) }

func (postgresDialect) t(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

func (d postgresDialect) lock(ctx context.Context, tx *sql.Tx, key string) error {
	_, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", d.lockID(key))
	return err
}

func (postgresDialect) classify(err error) error {
	if err == nil {
		return nil
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "23505":
			return &constraint{err: err, unique: true}
		case pe.Code == "23503":
			return &constraint{err: err}
		case pe.Code[:2] == "08", pe.Code[:2] == "53", pe.Code[:2] == "57", pe.Code == "40001", pe.Code == "40P01":
			// connection lost, out of resources, shut down, serialization
			// failure or deadlock: retrying later may work.
			return &unavailable{err}
		}
		return err
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, driver.ErrBadConn) || pgconn.SafeToRetry(err) || pgconn.Timeout(err) {
		return &unavailable{err}
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return &unavailable{err}
	}
	return err
}

// unavailable wraps an engine error that means "try again later"; it reads as
// domain.EUNAVAILABLE to callers and keeps the cause for the logs.
type unavailable struct{ err error }

func (u *unavailable) Error() string { return "store unavailable: " + u.err.Error() }
func (u *unavailable) Unwrap() []error {
	return []error{u.err, domain.Errorf(domain.EUNAVAILABLE, "the store is unavailable; try again shortly")}
}

// constraint wraps a unique or foreign-key violation.
type constraint struct {
	err    error
	unique bool
}

func (c *constraint) Error() string { return fmt.Sprintf("constraint: %v", c.err) }
func (c *constraint) Unwrap() error { return c.err }

func isUnique(err error) bool {
	var c *constraint
	return errors.As(err, &c) && c.unique
}

func isForeignKey(err error) bool {
	var c *constraint
	return errors.As(err, &c) && !c.unique
}

// ts scans an instant from either engine: SQLite hands back text, PostgreSQL
// a time.Time.
type ts struct{ t *time.Time }

func (s ts) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*s.t = time.Time{}
	case time.Time:
		*s.t = v.UTC()
	case string:
		return s.parse(v)
	case []byte:
		return s.parse(string(v))
	default:
		return fmt.Errorf("scan time: unexpected %T", v)
	}
	return nil
}

func (s ts) parse(v string) error {
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return fmt.Errorf("scan time %q: %w", v, err)
	}
	*s.t = t.UTC()
	return nil
}
