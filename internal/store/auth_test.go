package store_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/trucedesk/truce/internal/auth"
	"github.com/trucedesk/truce/internal/store"
	"github.com/trucedesk/truce/internal/store/storetest"
)

func TestAuthSQLite(t *testing.T) {
	storetest.RunAuth(t, func(tb testing.TB) storetest.AuthStore { return storetest.OpenSQLite(tb) })
}

func TestAuthPostgres(t *testing.T) {
	storetest.RunAuth(t, func(tb testing.TB) storetest.AuthStore { return storetest.OpenPostgres(tb) })
}

// TestAuditAppendOnly checks that the engines themselves refuse to edit or
// delete audit rows, whatever SQL a future bug might send.
func TestAuditAppendOnly(t *testing.T) {
	engines := []struct {
		name string
		open func(testing.TB) (*store.DB, *sql.DB)
	}{
		{"sqlite", func(tb testing.TB) (*store.DB, *sql.DB) {
			path := tb.TempDir() + "/truce.db"
			return openBoth(tb, path, "sqlite", "file:"+path)
		}},
		{"postgres", func(tb testing.TB) (*store.DB, *sql.DB) {
			url := storetest.PostgresURL(tb)
			return openBoth(tb, url, "pgx", url)
		}},
	}
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			db, raw := e.open(t)
			ctx := context.Background()
			ev := &auth.AuditEvent{Actor: "amira", Role: auth.RoleMonitor, Action: "message.transition"}
			if err := db.AppendAudit(ctx, ev); err != nil {
				t.Fatal(err)
			}
			for _, q := range []string{
				`UPDATE audit_events SET actor = 'mallory'`,
				`DELETE FROM audit_events`,
			} {
				if _, err := raw.ExecContext(ctx, q); err == nil {
					t.Errorf("%s: succeeded, want the engine to refuse", q)
				}
			}
			got, err := db.AuditEvents(ctx, auth.AuditFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].Actor != "amira" {
				t.Errorf("audit trail after refused edits = %+v, want the one original event", got)
			}
		})
	}
}

func openBoth(tb testing.TB, dsn, driver, rawDSN string) (*store.DB, *sql.DB) {
	tb.Helper()
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	raw, err := sql.Open(driver, rawDSN)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { raw.Close() })
	return db, raw
}
