// Package storetest is the contract every Truce store must meet. The same
// tests run against SQLite and PostgreSQL, so the engines cannot drift apart.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/trucedesk/truce/internal/store"
)

// PostgresEnv names the variable holding the URL of a PostgreSQL server for
// tests; when it is empty the PostgreSQL runs are skipped (CI always sets it).
const PostgresEnv = "TRUCE_TEST_POSTGRES"

// OpenSQLite opens a migrated store in a fresh temporary directory.
func OpenSQLite(tb testing.TB) *store.DB {
	tb.Helper()
	db, err := store.Open(context.Background(), tb.TempDir()+"/truce.db")
	if err != nil {
		tb.Fatalf("open sqlite: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// PostgresURL returns a URL for a fresh, empty schema on the test server,
// dropped when the test ends, or skips the test if no server is configured.
func PostgresURL(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		tb.Skipf("%s is not set; skipping PostgreSQL", PostgresEnv)
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "truce_test_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatalf("open postgres: %v", err)
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		tb.Fatalf("create schema (is PostgreSQL running at %s?): %v", base, err)
	}
	tb.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema
}

// OpenPostgres opens a migrated store in a fresh schema of the test server.
func OpenPostgres(tb testing.TB) *store.DB {
	tb.Helper()
	db, err := store.Open(context.Background(), PostgresURL(tb))
	if err != nil {
		tb.Fatalf("open postgres: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// Engine names a store engine and opens a fresh, migrated store on it.
type Engine struct {
	Name string
	Open func(testing.TB) *store.DB
}

// Engines are both engines, for tests: on PostgreSQL, Open skips the test
// when no server is configured.
func Engines() []Engine {
	return []Engine{{"sqlite", OpenSQLite}, {"postgres", OpenPostgres}}
}

// BenchEngines are SQLite and, when a PostgreSQL server is configured,
// PostgreSQL: a benchmark leaves out what it cannot run rather than report
// a skip among its results.
func BenchEngines() []Engine {
	if os.Getenv(PostgresEnv) == "" {
		return Engines()[:1]
	}
	return Engines()
}
