package store_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trucedesk/truce/internal/auth"
	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/ledger"
	"github.com/trucedesk/truce/internal/store"
	"github.com/trucedesk/truce/internal/store/storetest"
)

// TestLedgerTamper writes through the store, signs a checkpoint, then edits,
// inserts and deletes rows behind the store's back with plain SQL; the
// verifier must name exactly those rows.
func TestLedgerTamper(t *testing.T) {
	engines := map[string]func(t *testing.T) (dsn string, driver string){
		"sqlite":   func(t *testing.T) (string, string) { return t.TempDir() + "/truce.db", "sqlite" },
		"postgres": func(t *testing.T) (string, string) { return storetest.PostgresURL(t), "pgx" },
	}
	for name, open := range engines {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			dsn, driver := open(t)
			db, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			ids := populate(t, db)

			signer, err := ledger.GenerateKey(rand.Reader, "test.truce/cochair")
			if err != nil {
				t.Fatal(err)
			}
			verify := func() []string {
				t.Helper()
				got, _ := verifyProblems(t, db)
				return got
			}
			if got := verify(); len(got) != 0 {
				t.Fatalf("untouched store: problems %v", got)
			}
			// The checkpoint is signed and opens with the public key.
			l, _ := db.Ledger(ctx)
			cp, _ := l.Checkpoint(ctx, "test.truce/log")
			note, err := cp.Sign(signer)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := ledger.OpenCheckpoint(note, "test.truce/log", []*ledger.PublicKey{signer.PublicKey()}); err != nil {
				t.Fatalf("open signed checkpoint: %v", err)
			}

			raw, err := sql.Open(driver, map[string]string{"sqlite": "file:" + dsn, "pgx": dsn}[driver])
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			// The audit trail's own guards are triggers, which the table's
			// owner can drop or disable; the log must catch what follows.
			unguard := map[string][]string{
				"sqlite":   {`DROP TRIGGER audit_events_no_update`, `DROP TRIGGER audit_events_no_delete`},
				"postgres": {`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change`},
			}[name]
			for _, q := range append(unguard, []string{
				fmt.Sprintf(`UPDATE messages SET body = 'nothing happened' WHERE id = %d`, ids.message),
				fmt.Sprintf(`UPDATE incidents SET fatalities_best = 0, fatalities_low = 0 WHERE id = %d`, ids.incident),
				`INSERT INTO parties (slug, name, kind, aliases, sponsor, version) VALUES ('ghost', 'Ghost Brigade', 'armed_group', '[]', '', 1)`,
				fmt.Sprintf(`DELETE FROM party_statuses WHERE id = %d`, ids.status),
				fmt.Sprintf(`UPDATE grade_changes SET note = 'graded on a whim' WHERE id = %d`, ids.gradeChange),
				fmt.Sprintf(`DELETE FROM bulletins WHERE id = %d`, ids.bulletin),
				fmt.Sprintf(`INSERT INTO incident_merges (incident_id, into_id, cluster_id, at, actor)
					VALUES (%d, %d, %d, '2016-02-28T00:00:00.000000Z', 'm')`, ids.unmerged, ids.survivor, ids.splitCluster),
				fmt.Sprintf(`UPDATE reconciliation_statuses SET note = 'never broken' WHERE reconciliation_id = %d AND state = 'broken'`, ids.reconciliation),
				fmt.Sprintf(`UPDATE reconciliations SET state = 'in_force' WHERE id = %d`, ids.signedReconciliation),
				// A message's link moved, and a link taken out of a history.
				fmt.Sprintf(`UPDATE messages SET reconciliation_id = %d WHERE id = %d`, ids.signedReconciliation, ids.linkedMessage),
				fmt.Sprintf(`UPDATE message_events SET reconciliation_id = NULL WHERE id = %d`, ids.linkEvent),
				fmt.Sprintf(`UPDATE audit_events SET actor = 'someone else' WHERE id = %d`, ids.auditEdited),
				fmt.Sprintf(`UPDATE audit_events SET new_value = '{"grade":"fair"' WHERE id = %d`, ids.auditBroken),
				fmt.Sprintf(`DELETE FROM audit_events WHERE id = %d`, ids.auditDeleted),
				`INSERT INTO audit_events (at, actor, role, action, record_kind, record_id)
					VALUES ('2016-02-28T00:00:00.000000Z', 'cochair', 'co-chair', 'incident.delete', 'incident', '1')`,
			}...) {
				if _, err := raw.Exec(q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			var ghost, forged int64
			raw.QueryRow(`SELECT id FROM parties WHERE slug = 'ghost'`).Scan(&ghost)
			raw.QueryRow(`SELECT id FROM audit_events WHERE action = 'incident.delete'`).Scan(&forged)
			want := []string{
				fmt.Sprintf("deleted status/%d", ids.status),
				fmt.Sprintf("edited incident/%d", ids.incident),
				fmt.Sprintf("edited message/%d", ids.message),
				fmt.Sprintf("inserted party/%d", ghost),
				fmt.Sprintf("edited grade_change/%d", ids.gradeChange),
				fmt.Sprintf("deleted bulletin/%d", ids.bulletin),
				fmt.Sprintf("edited cluster/%d", ids.splitCluster),                // a merge it never made
				fmt.Sprintf("edited reconciliation/%d", ids.reconciliation),       // its timeline
				fmt.Sprintf("edited reconciliation/%d", ids.signedReconciliation), // its state
				fmt.Sprintf("edited message/%d", ids.linkedMessage),               // its reconciliation
				fmt.Sprintf("edited message_event/%d", ids.linkEvent),
				fmt.Sprintf("edited audit_event/%d", ids.auditEdited),
				fmt.Sprintf("edited audit_event/%d", ids.auditBroken), // no longer JSON
				fmt.Sprintf("deleted audit_event/%d", ids.auditDeleted),
				fmt.Sprintf("inserted audit_event/%d", forged),
			}
			slices.Sort(want)
			if got := verify(); !slices.Equal(got, want) {
				t.Errorf("problems = %v\nwant       %v", got, want)
			}

			// Emptying the trail, as TRUNCATE by the table's owner does
			// (SQLite has none: a DELETE of every row), deletes every
			// logged event.
			empty := map[string]string{"sqlite": `DELETE FROM audit_events`, "postgres": `TRUNCATE audit_events`}[name]
			if _, err := raw.Exec(empty); err != nil {
				t.Fatalf("%s: %v", empty, err)
			}
			want = slices.DeleteFunc(want, func(p string) bool { return strings.Contains(p, "audit_event/") })
			for _, id := range ids.audit {
				want = append(want, fmt.Sprintf("deleted audit_event/%d", id))
			}
			slices.Sort(want)
			if got := verify(); !slices.Equal(got, want) {
				t.Errorf("after emptying audit_events: problems = %v\nwant       %v", got, want)
			}
		})
	}
}

type populated struct {
	message, incident, status int64
	gradeChange, bulletin     int64
	// splitCluster was accepted, merging unmerged into survivor, then split.
	splitCluster, unmerged, survivor int64
	// reconciliation went into force and broke; signedReconciliation did not.
	reconciliation, signedReconciliation int64
	// linkedMessage was linked to reconciliation by hand; linkEvent is the
	// link of the message signedReconciliation was recorded from.
	linkedMessage, linkEvent int64
	// audit holds every audit event written; three of them are tampered with.
	audit                                  []int64
	auditEdited, auditBroken, auditDeleted int64
}

// populate makes one write of every logged kind.
func populate(t *testing.T, db *store.DB) populated {
	t.Helper()
	ctx := context.Background()
	t0 := time.Date(2016, 2, 27, 6, 40, 0, 123456789, time.FixedZone("Damascus", 2*3600))
	a := &domain.Agreement{Slug: "coh", Name: "CoH", TimeZone: "Asia/Damascus", Start: t0, Country: "Syria",
		ProhibitedActs: []string{domain.SubShelling}, ExclusionAuthority: "UN Security Council"}
	must(t, db.CreateAgreement(ctx, a))
	p := &domain.Party{Slug: "ypg", Name: "YPG", Kind: domain.KindArmedGroup, Aliases: []domain.Alias{{Name: "وحدات حماية الشعب", Lang: "ar"}}}
	must(t, db.CreateParty(ctx, p))
	st := &domain.PartyStatus{AgreementID: a.ID, PartyID: p.ID, Kind: domain.StatusDesignated, Designator: "Turkey", ValidFrom: t0, RecordedBy: "cochair"}
	must(t, db.AddPartyStatus(ctx, st))
	must(t, db.CreateArea(ctx, &domain.Area{Name: "Afrin", ControllerID: p.ID, ValidFrom: t0,
		Geometry: []byte(`{"type":"Polygon","coordinates":[[[36.8,36.5],[36.9,36.5],[36.9,36.6],[36.8,36.5]]]}`)}))
	m := storetest.NewMessage("قصف على عفرين", t0)
	rs, err := db.SubmitMessages(ctx, []domain.Submission{{Message: m, RepeatWindow: time.Hour}, {Message: storetest.NewMessage("قصف على عفرين", t0.Add(time.Minute)), RepeatWindow: time.Hour}})
	must(t, err)
	in := &domain.Incident{SubEventType: domain.SubShelling, OccurredAt: t0, Targets: []int64{p.ID}, CreatedBy: "m",
		Fatalities: domain.Fatalities{Best: 2, Low: 1, High: 3}, Point: &domain.Point{Lat: 36.51, Lon: 36.87},
		Sources: []domain.Source{{Kind: domain.SourceMedia, URL: "https://example.org/a", AddedBy: "m"}}}
	must(t, db.CreateIncident(ctx, in))
	tr, err := db.TransitionMessage(ctx, domain.Transition{MessageID: rs[0].Message.ID, Version: 1, To: domain.StateTriaged, Actor: "m"})
	must(t, err)
	_, err = db.TransitionMessage(ctx, domain.Transition{MessageID: tr.ID, Version: tr.Version, To: domain.StateLinked, IncidentID: in.ID, Actor: "m"})
	must(t, err)
	in.Grade = domain.GradeFair
	must(t, db.UpdateIncident(ctx, in))
	// A dataset import, then a re-import that changes a row and adds a
	// source: its many-row statements log exactly what they stored.
	imported := func(id string, best int, urls ...string) *domain.Incident {
		in := &domain.Incident{SubEventType: domain.SubShelling, OccurredAt: t0, Perpetrators: []int64{p.ID}, CreatedBy: "import",
			Fatalities: domain.Fatalities{Best: best, Low: best, High: best}, Origin: "acled", OriginID: id}
		for _, u := range urls {
			in.Sources = append(in.Sources, domain.Source{Kind: domain.SourceMedia, URL: u})
		}
		return in
	}
	_, err = db.ImportIncidents(ctx, []*domain.Incident{imported("SYR1", 1, "https://example.org/1", "https://example.org/2"), imported("SYR2", 0)})
	must(t, err)
	_, err = db.ImportIncidents(ctx, []*domain.Incident{imported("SYR1", 4, "https://example.org/3"), imported("SYR3", 2, "https://example.org/4")})
	must(t, err)

	// A grade change with its note, and a bulletin with its correction.
	graded, err := db.GradeIncident(ctx, domain.GradeChange{IncidentID: in.ID, To: domain.GradeConfirmed,
		Note: "  the belligerent accepts responsibility ", Version: in.Version, Actor: "m"})
	must(t, err)
	hist, err := db.GradeHistory(ctx, graded.ID)
	must(t, err)
	publish := func(report, note string) *domain.Bulletin {
		b := &domain.Bulletin{AgreementID: a.ID, Day: "2016-02-27", Title: "Daily bulletin", Report: []byte(report),
			HTML: []byte("<p>" + report + "</p>"), Markdown: []byte(report), PDF: []byte("%PDF-1.4 " + report),
			Note: note, PublishedBy: "cochair"}
		must(t, db.PublishBulletin(ctx, b))
		return b
	}
	first := publish(`{"incidents":1}`, "")
	publish(`{"incidents":2}`, "one incident was missing")

	// Cluster proposals: one accepted (a merge), one accepted then split
	// (its merge is undone), and one left open.
	newIncident := func(lat float64) int64 {
		in := &domain.Incident{SubEventType: domain.SubShelling, OccurredAt: t0, CreatedBy: "m", Point: &domain.Point{Lat: lat, Lon: 36.87}}
		must(t, db.CreateIncident(ctx, in))
		return in.ID
	}
	inc := []int64{newIncident(36.51), newIncident(36.52), newIncident(36.6), newIncident(36.61), newIncident(36.7), newIncident(36.71)}
	member := func(id int64) domain.ClusterMember {
		return domain.ClusterMember{Kind: domain.MemberIncident, ID: id, Place: "Afrin", DistanceKm: 1.1, GapHours: 0.5}
	}
	saved, err := db.SaveClusterProposals(ctx, []*domain.ClusterProposal{
		{Score: 0.9, Reasons: []string{"1.1 km apart"}, Members: []domain.ClusterMember{member(inc[0]), member(inc[1])}},
		{Score: 0.8, Members: []domain.ClusterMember{member(inc[2]), member(inc[3]),
			{Kind: domain.MemberMessage, ID: rs[0].Message.ID, Place: "عفرين"}}},
		{Score: 0.7, Note: "not stored", Members: []domain.ClusterMember{member(inc[4]), member(inc[5])}},
	})
	must(t, err)
	if len(saved) != 3 {
		t.Fatalf("saved %d proposals, want 3", len(saved))
	}
	_, err = db.DecideCluster(ctx, domain.ClusterDecision{ID: saved[0].ID, To: domain.ClusterAccepted, Version: 1, Actor: "m"})
	must(t, err)
	split, err := db.DecideCluster(ctx, domain.ClusterDecision{ID: saved[1].ID, To: domain.ClusterAccepted, SurvivorID: inc[2],
		Note: "same shelling", Version: 1, Actor: "m"})
	must(t, err)
	_, err = db.DecideCluster(ctx, domain.ClusterDecision{ID: split.ID, To: domain.ClusterSplit, Note: "two streets apart",
		Version: split.Version, Actor: "cochair"})
	must(t, err)

	// Reconciliations: one taken through its timeline, one left signed.
	rc := storetest.NewReconciliation(a.ID, p.ID, "Testville", "Aleppo", t0)
	rc.Sources = []domain.RecordLink{{MessageID: rs[0].Message.ID}}
	must(t, db.CreateReconciliation(ctx, rc))
	rc, err = db.ChangeReconciliationState(ctx, domain.ReconciliationChange{ID: rc.ID, Version: 1, State: domain.ReconciliationInForce,
		At: t0.Add(time.Hour), Actor: "m"})
	must(t, err)
	rc, err = db.ChangeReconciliationState(ctx, domain.ReconciliationChange{ID: rc.ID, Version: 2, State: domain.ReconciliationBroken,
		At: t0.Add(48 * time.Hour), Note: "shelling resumed", Actor: "m"})
	must(t, err)
	// Messages linked to them: one recorded as a reconciliation from the
	// inbox (triaged and linked with it), one linked by hand.
	reported := submit(t, db, storetest.NewMessage("وقّع وجهاء تستبورغ اتفاق مصالحة", t0.Add(2*time.Minute)))
	signed := storetest.NewReconciliation(a.ID, p.ID, "Testburg", "Aleppo", t0)
	signed.Point = &domain.Point{Lat: 36.2, Lon: 37.1}
	signed.Sources = []domain.RecordLink{{MessageID: reported.ID}}
	_, moves, err := db.CreateReconciliationFromMessage(ctx, signed, domain.Transition{MessageID: reported.ID, Version: 1, Actor: "m"})
	must(t, err)
	byHand := submit(t, db, storetest.NewMessage("Testville's checkpoints reopened", t0.Add(3*time.Minute)))
	byHand, err = db.TransitionMessage(ctx, domain.Transition{MessageID: byHand.ID, Version: 1, To: domain.StateTriaged, Actor: "m"})
	must(t, err)
	_, err = db.TransitionMessage(ctx, domain.Transition{MessageID: byHand.ID, Version: byHand.Version, To: domain.StateLinked,
		ReconciliationID: rc.ID, Actor: "m"})
	must(t, err)

	// The audit trail: who did the above, one event a change.
	var audit []int64
	for i, e := range []*auth.AuditEvent{
		{ActorID: 1, Actor: "m", Role: auth.RoleMonitor, Address: "198.51.100.4", Action: "incident.grade", Kind: "incident",
			RecordID: fmt.Sprint(in.ID), Old: json.RawMessage(`{"grade": "fair"}`), New: json.RawMessage(`{"grade":"confirmed","n":1.50}`)},
		{ActorID: 2, Actor: "cochair", Role: auth.RoleCoChair, Action: "bulletin.publish", Kind: "bulletin", RecordID: "2016-02-27",
			New: json.RawMessage(`{"title":"Daily bulletin","note":"قصف"}`)},
		{Actor: "public", Role: auth.RolePublic, Address: "203.0.113.9", Action: "session.login_failed", Kind: "user"},
		{ActorID: 1, Actor: "m", Role: auth.RoleMonitor, Action: "cluster.split", Kind: "cluster", RecordID: fmt.Sprint(split.ID)},
	} {
		e.At = t0.Add(time.Duration(i) * time.Minute)
		must(t, db.AppendAudit(ctx, e))
		audit = append(audit, e.ID)
	}
	return populated{message: rs[0].Message.ID, incident: in.ID, status: st.ID,
		gradeChange: hist[len(hist)-1].ID, bulletin: first.ID,
		splitCluster: split.ID, unmerged: inc[3], survivor: inc[2],
		reconciliation: rc.ID, signedReconciliation: signed.ID,
		linkedMessage: byHand.ID, linkEvent: moves[1].ID,
		audit: audit, auditEdited: audit[0], auditBroken: audit[1], auditDeleted: audit[2]}
}

// submit stores one message and returns it.
func submit(t *testing.T, db *store.DB, m *domain.Message) *domain.Message {
	t.Helper()
	rs, err := db.SubmitMessages(context.Background(), []domain.Submission{{Message: m}})
	must(t, err)
	return rs[0].Message
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
