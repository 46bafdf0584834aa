package store_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/trucedesk/truce/internal/auth"
	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/ledger"
	"github.com/trucedesk/truce/internal/store"
	"github.com/trucedesk/truce/internal/store/storetest"
)

// ledgerEngines opens a fresh database on each engine by its DSN, so a test
// can open a second store on it, and a plain connection for tampering.
var ledgerEngines = []struct {
	name string
	dsn  func(t *testing.T) (dsn, driver, rawDSN string)
}{
	{"sqlite", func(t *testing.T) (string, string, string) {
		p := t.TempDir() + "/truce.db"
		return p, "sqlite", "file:" + p + "?_pragma=busy_timeout(10000)"
	}},
	{"postgres", func(t *testing.T) (string, string, string) {
		u := storetest.PostgresURL(t)
		return u, "pgx", u
	}},
}

func openRaw(t *testing.T, driver, dsn string) *sql.DB {
	t.Helper()
	raw, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

func openStore(t *testing.T, dsn string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// verifyProblems checks the store against a checkpoint of its own log, as
// `truce verify` does, and returns the problems as "kind key-kind/id".
func verifyProblems(t *testing.T, db *store.DB) ([]string, *store.LedgerSnapshot) {
	t.Helper()
	ctx := context.Background()
	l, err := db.Ledger(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := l.Checkpoint(ctx, "test.truce/log")
	if err != nil {
		t.Fatal(err)
	}
	snap, err := db.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := (&ledger.Verifier{LatestOnly: true}).Verify(cp, snap.Entries, snap.Records)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range rep.Problems {
		got = append(got, fmt.Sprintf("%s %s/%d", p.Kind, p.Key.Kind, p.Key.ID))
	}
	slices.Sort(got)
	return got, snap
}

func count(t *testing.T, raw *sql.DB, table string) int {
	t.Helper()
	var n int
	if err := raw.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func auditEvent(action string) *auth.AuditEvent {
	return &auth.AuditEvent{At: time.Date(2016, 2, 27, 9, 0, 0, 0, time.UTC), ActorID: 7, Actor: "amira",
		Role: auth.RoleMonitor, Address: "198.51.100.4", Action: action, Kind: "incident", RecordID: "42",
		Old: json.RawMessage(`{"grade":"fair"}`), New: json.RawMessage(`{"grade": "confirmed"}`)}
}

// TestAuditLeafAtomic checks that an audit event and its leaf commit or
// fail together: when either insert fails neither is stored, and the next
// event is logged as if nothing had happened. A second store on the same
// database appends in between, as another instance would.
func TestAuditLeafAtomic(t *testing.T) {
	refuse := map[string]struct{ setup, on, off string }{
		"sqlite": {"", `CREATE TRIGGER refuse_%[1]s BEFORE INSERT ON %[1]s BEGIN SELECT RAISE(ABORT, 'refused'); END`,
			`DROP TRIGGER refuse_%[1]s`},
		"postgres": {`CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$`,
			`CREATE TRIGGER refuse_%[1]s BEFORE INSERT ON %[1]s FOR EACH ROW EXECUTE FUNCTION refuse()`,
			`DROP TRIGGER refuse_%[1]s ON %[1]s`},
	}
	for _, e := range ledgerEngines {
		t.Run(e.name, func(t *testing.T) {
			ctx := context.Background()
			dsn, driver, rawDSN := e.dsn(t)
			db, other := openStore(t, dsn), openStore(t, dsn)
			raw := openRaw(t, driver, rawDSN)
			sqlFor := refuse[e.name]
			if sqlFor.setup != "" {
				if _, err := raw.Exec(sqlFor.setup); err != nil {
					t.Fatal(err)
				}
			}
			must(t, db.AppendAudit(ctx, auditEvent("incident.grade")))

			tests := []struct {
				name    string
				refused string // the table whose insert fails, if any
				event   *auth.AuditEvent
			}{
				{"the audit row is refused", "audit_events", auditEvent("incident.grade")},
				{"the log entry is refused", "ledger_entries", auditEvent("incident.grade")},
				// Valid JSON, but a leaf's canonical JSON has no duplicate
				// keys: the leaf fails after the row was inserted.
				{"the leaf does not encode", "", &auth.AuditEvent{At: time.Now(), Actor: "amira", Action: "incident.grade",
					Old: json.RawMessage(`{"grade":"fair","grade":"good"}`)}},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					rows, leaves := count(t, raw, "audit_events"), count(t, raw, "ledger_entries")
					if tt.refused != "" {
						if _, err := raw.Exec(fmt.Sprintf(sqlFor.on, tt.refused)); err != nil {
							t.Fatal(err)
						}
					}
					err := db.AppendAudit(ctx, tt.event)
					if tt.refused != "" {
						if _, err := raw.Exec(fmt.Sprintf(sqlFor.off, tt.refused)); err != nil {
							t.Fatal(err)
						}
					}
					if err == nil {
						t.Fatal("AppendAudit succeeded, want an error")
					}
					if tt.event.ID != 0 {
						t.Errorf("a refused event keeps ID %d", tt.event.ID)
					}
					if got := count(t, raw, "audit_events"); got != rows {
						t.Errorf("audit rows %d → %d after a failed append", rows, got)
					}
					if got := count(t, raw, "ledger_entries"); got != leaves {
						t.Errorf("log entries %d → %d after a failed append", leaves, got)
					}
					// Another instance appends; then this one must build
					// on that, not on what it tried to append.
					must(t, other.AppendAudit(ctx, auditEvent("message.transition")))
					ok := auditEvent("incident.grade")
					must(t, db.AppendAudit(ctx, ok))
					if got := count(t, raw, "ledger_entries"); got != leaves+2 {
						t.Errorf("log entries %d → %d after two appends, want +2", leaves, got)
					}
					if problems, _ := verifyProblems(t, db); len(problems) != 0 {
						t.Errorf("after a failed append: problems %v", problems)
					}
				})
			}
		})
	}
}

// TestAuditAdoption upgrades a database whose audit trail was written
// before audit events were logged: the first start logs every old event
// once, and an adoption record saying so; verify then guards those rows
// like any other, and a pending adoption added by hand is refused.
func TestAuditAdoption(t *testing.T) {
	for _, e := range ledgerEngines {
		t.Run(e.name, func(t *testing.T) {
			ctx := context.Background()
			dsn, driver, rawDSN := e.dsn(t)
			raw := openRaw(t, driver, rawDSN)

			// A fresh database has nothing to adopt and no adoption leaf.
			db := openStore(t, dsn)
			if problems, snap := verifyProblems(t, db); len(problems) != 0 || len(snap.Adoptions) != 0 {
				t.Fatalf("fresh store: problems %v, adoptions %v", problems, snap.Adoptions)
			}
			// The older release: schema 10, audit rows without leaves,
			// other writes logged.
			must(t, db.MigrateDownTo(ctx, 10))
			must(t, db.CreateParty(ctx, &domain.Party{Slug: "ypg", Name: "YPG", Kind: domain.KindArmedGroup}))
			for i, action := range []string{"party.create", "session.login_failed", "incident.grade"} {
				if _, err := raw.Exec(`INSERT INTO audit_events (at, actor, role, action, record_kind, record_id, new_value)
					VALUES ($1, 'amira', 'monitor', $2, 'party', 'ypg', '{"n": 1.50}')`,
					time.Date(2016, 2, 27, 9, i, 0, 0, time.UTC).Format("2006-01-02T15:04:05.000000Z"), action); err != nil {
					t.Fatal(err)
				}
			}
			db.Close()
			leaves := count(t, raw, "ledger_entries")

			// Two instances of the new release start together: one adopts.
			// (SQLite serves one instance, which migrates alone.)
			var wg sync.WaitGroup
			dbs := make([]*store.DB, 2)
			errs := make([]error, 2)
			for i := range dbs {
				wg.Go(func() { dbs[i], errs[i] = store.Open(ctx, dsn) })
				if e.name == "sqlite" {
					wg.Wait()
				}
			}
			wg.Wait()
			for i := range dbs {
				must(t, errs[i])
				t.Cleanup(func() { dbs[i].Close() })
			}
			db = dbs[0]
			if got := count(t, raw, "ledger_entries"); got != leaves+4 {
				t.Errorf("log entries %d → %d at the upgrade, want 3 events and 1 adoption", leaves, got)
			}
			problems, snap := verifyProblems(t, db)
			if len(problems) != 0 {
				t.Errorf("after the upgrade: problems %v", problems)
			}
			if len(snap.Adoptions) != 1 {
				t.Fatalf("adoptions = %v, want one", snap.Adoptions)
			}
			if a := snap.Adoptions[0]; a.Kind != store.KindAuditEvent || a.ThroughID != 3 || a.Rows != 3 || a.AdoptedAt.IsZero() {
				t.Errorf("adoption = %+v, want audit events through 3, 3 rows, with a time", a)
			}
			// A restart adopts nothing more; new events are logged as made.
			db2 := openStore(t, dsn)
			must(t, db2.AppendAudit(ctx, auditEvent("incident.grade")))
			if got := count(t, raw, "ledger_entries"); got != leaves+5 {
				t.Errorf("log entries after a restart and one event = %d, want %d", got, leaves+5)
			}

			// Adopted rows are guarded like the rest, and an adoption made
			// pending again, to slip a forged row into the log at the next
			// start, is not honoured.
			unguard := map[string]string{
				"sqlite":   `DROP TRIGGER audit_events_no_update`,
				"postgres": `ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change`,
			}[e.name]
			for _, q := range []string{
				unguard,
				`UPDATE audit_events SET actor = 'boris' WHERE id = 2`,
				`INSERT INTO audit_events (at, actor, role, action) VALUES ('2016-02-27T10:00:00.000000Z', 'boris', 'monitor', 'party.delete')`,
				`UPDATE ledger_adoptions SET through_id = 1000, adopted_at = NULL`,
			} {
				if _, err := raw.Exec(q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			before := count(t, raw, "ledger_entries")
			db3 := openStore(t, dsn)
			if got := count(t, raw, "ledger_entries"); got != before {
				t.Errorf("a forged adoption appended %d entries", got-before)
			}
			want := []string{"edited adoption/1", "edited audit_event/2", "inserted audit_event/5"}
			if problems, _ := verifyProblems(t, db3); !slices.Equal(problems, want) {
				t.Errorf("problems = %v\nwant       %v", problems, want)
			}
		})
	}
}

// BenchmarkAppendAudit measures one audit event a transaction, as the desk
// records them, now that each also appends its leaf.
//
//	go test ./internal/store -run '^$' -bench AppendAudit -benchtime 2000x
func BenchmarkAppendAudit(b *testing.B) {
	for _, e := range storetest.BenchEngines() {
		b.Run(e.Name, func(b *testing.B) {
			db := e.Open(b)
			ctx := context.Background()
			for b.Loop() {
				if err := db.AppendAudit(ctx, auditEvent("incident.grade")); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
