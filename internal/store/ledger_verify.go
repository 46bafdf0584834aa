package store

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/ledger"
)

// LedgerSnapshot is what an offline verifier needs: the stored log and the
// rows as they are now, each rebuilt into the record the ledger logged for it.
type LedgerSnapshot struct {
	Entries []ledger.Entry
	Records []ledger.Record
	// Adoptions are the kinds whose rows were written before the ledger
	// logged them, and appended to it at an upgrade: the log vouches for
	// those rows only from their adoption on.
	Adoptions []*LedgerAdoption
}

// Snapshot reads the whole log and every logged kind of row, directly from
// the tables, for `truce verify`. It holds everything in memory.
func (db *DB) Snapshot(ctx context.Context) (*LedgerSnapshot, error) {
	entries, times, err := db.LedgerEntries(ctx, 0, 1<<62)
	if err != nil {
		return nil, db.d.classify(fmt.Errorf("read ledger: %w", err))
	}
	// A row's leaf has the instant of the write that logged its current
	// version; a row with no entry (inserted behind the desk's back) gets
	// the epoch, and its leaf matches nothing.
	at := make(map[ledger.Key]time.Time, len(entries))
	for i, e := range entries {
		at[e.Key] = times[i]
	}
	when := func(kind string, id int64, version int) time.Time {
		if t, ok := at[ledger.Key{Kind: kind, ID: id, Version: int64(version)}]; ok {
			return t
		}
		return time.Unix(0, 0).UTC()
	}
	snap := &LedgerSnapshot{Entries: entries}
	add := func(rec ledger.Record, err error) error {
		if err != nil {
			return err
		}
		snap.Records = append(snap.Records, rec)
		return nil
	}

	msgs, err := queryAll(ctx, db, `SELECT `+messageColumns+` FROM messages ORDER BY id`, nil, scanMessage)
	if err != nil {
		return nil, err
	}
	for _, m := range msgs {
		if err := add(messageRecord(m, when(KindMessage, m.ID, m.Version))); err != nil {
			return nil, err
		}
	}
	type repeat struct {
		id, messageID int64
		at            time.Time
		ch            domain.Channel
	}
	repeats, err := queryAll(ctx, db, `SELECT id, message_id, received_at, channel FROM message_repeats ORDER BY id`, nil,
		func(row interface{ Scan(...any) error }) (repeat, error) {
			var r repeat
			return r, row.Scan(&r.id, &r.messageID, ts{&r.at}, &r.ch)
		})
	if err != nil {
		return nil, err
	}
	for _, r := range repeats {
		if err := add(repeatRecord(r.id, r.messageID, r.at, r.ch)); err != nil {
			return nil, err
		}
	}
	events, err := queryAll(ctx, db, `SELECT `+eventColumns+` FROM message_events ORDER BY id`, nil, scanEvent)
	if err != nil {
		return nil, err
	}
	for _, e := range events {
		if err := add(eventRecord(e)); err != nil {
			return nil, err
		}
	}
	for after := int64(0); ; {
		page, err := db.Incidents(ctx, domain.IncidentFilter{AfterID: after, Limit: 1000})
		if err != nil {
			return nil, err
		}
		for _, in := range page {
			if err := add(incidentRecord(in, when(KindIncident, in.ID, in.Version))); err != nil {
				return nil, err
			}
		}
		if len(page) < 1000 {
			break
		}
		after = page[len(page)-1].ID
	}
	type source struct {
		incidentID int64
		s          domain.Source
	}
	sources, err := queryAll(ctx, db, `SELECT incident_id, id, kind, COALESCE(message_id, 0), url, publisher, note,
		added_at, added_by FROM sources ORDER BY id`, nil, func(row interface{ Scan(...any) error }) (source, error) {
		var s source
		return s, row.Scan(&s.incidentID, &s.s.ID, &s.s.Kind, &s.s.MessageID, &s.s.URL, &s.s.Publisher, &s.s.Note,
			ts{&s.s.AddedAt}, &s.s.AddedBy)
	})
	if err != nil {
		return nil, err
	}
	for _, s := range sources {
		if err := add(sourceRecord(s.incidentID, &s.s)); err != nil {
			return nil, err
		}
	}
	agreements, err := db.Agreements(ctx)
	if err != nil {
		return nil, err
	}
	for _, a := range agreements {
		if err := add(agreementRecord(a, when(KindAgreement, a.ID, a.Version))); err != nil {
			return nil, err
		}
		statuses, err := db.PartyStatuses(ctx, a.ID)
		if err != nil {
			return nil, err
		}
		for _, s := range statuses {
			if err := add(statusRecord(s)); err != nil {
				return nil, err
			}
		}
	}
	parties, err := db.Parties(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range parties {
		if err := add(partyRecord(p, when(KindParty, p.ID, p.Version))); err != nil {
			return nil, err
		}
	}
	areas, err := db.Areas(ctx)
	if err != nil {
		return nil, err
	}
	for _, a := range areas {
		if err := add(areaRecord(a, when(KindArea, a.ID, 1))); err != nil {
			return nil, err
		}
	}
	if err := db.snapshotNews(ctx, when, add); err != nil {
		return nil, err
	}
	if err := db.snapshotDecisions(ctx, when, add); err != nil {
		return nil, err
	}
	if err := db.snapshotReconciliations(ctx, when, add); err != nil {
		return nil, err
	}
	if snap.Adoptions, err = db.snapshotAudit(ctx, add); err != nil {
		return nil, err
	}
	return snap, nil
}

// snapshotDecisions rebuilds the records of grade changes, published
// bulletins, and cluster proposals and decisions with their merges.
func (db *DB) snapshotDecisions(ctx context.Context, when func(string, int64, int) time.Time,
	add func(ledger.Record, error) error) error {
	grades, err := queryAll(ctx, db, `SELECT id, incident_id, from_grade, to_grade, note, actor, at, version
		FROM grade_changes ORDER BY id`, nil, func(row interface{ Scan(...any) error }) (*domain.GradeChange, error) {
		var g domain.GradeChange
		return &g, row.Scan(&g.ID, &g.IncidentID, &g.From, &g.To, &g.Note, &g.Actor, ts{&g.At}, &g.Version)
	})
	if err != nil {
		return err
	}
	for _, g := range grades {
		if err := add(gradeChangeRecord(g)); err != nil {
			return err
		}
	}
	// Bulletins are hashed row by row, so their renderings are not all
	// held at once.
	bulletins, err := queryAll(ctx, db, `SELECT `+bulletinMeta+`, report, html, markdown, pdf FROM bulletins ORDER BY id`, nil,
		func(row interface{ Scan(...any) error }) (ledger.Record, error) {
			var b domain.Bulletin
			var report, html, md string
			if err := row.Scan(append(scanBulletinMeta(&b), &report, &html, &md, &b.PDF)...); err != nil {
				return ledger.Record{}, err
			}
			b.Report, b.HTML, b.Markdown = []byte(report), []byte(html), []byte(md)
			return bulletinRecord(&b)
		})
	if err != nil {
		return err
	}
	for _, rec := range bulletins {
		if err := add(rec, nil); err != nil {
			return err
		}
	}
	clusters, err := queryAll(ctx, db, `SELECT `+clusterColumns+` FROM clusters ORDER BY id`, nil, scanCluster)
	if err != nil {
		return err
	}
	for chunk := range slices.Chunk(clusters, 500) {
		if err := db.loadMembers(ctx, db.r, chunk); err != nil {
			return err
		}
	}
	merges, err := db.clusterMerges(ctx, db.r, nil)
	if err != nil {
		return err
	}
	for _, p := range clusters {
		if err := add(clusterRecord(p, merges[p.ID], when(KindCluster, p.ID, p.Version))); err != nil {
			return err
		}
		delete(merges, p.ID)
	}
	// Merges naming a cluster that has no row (possible with foreign keys
	// off) show as a cluster at version 0, which the log never holds.
	orphans := slices.Sorted(maps.Keys(merges))
	for _, id := range orphans {
		p := &domain.ClusterProposal{ID: id}
		if err := add(clusterRecord(p, merges[id], when(KindCluster, id, 0))); err != nil {
			return err
		}
	}
	return nil
}

// snapshotNews rebuilds the records of articles, statements and claims.
func (db *DB) snapshotNews(ctx context.Context, when func(string, int64, int) time.Time,
	add func(ledger.Record, error) error) error {
	articles, err := queryAll(ctx, db, `SELECT `+articleColumns+`, body FROM articles ORDER BY id`, nil,
		func(row interface{ Scan(...any) error }) (*domain.Article, error) { return scanArticle(row, true) })
	if err != nil {
		return err
	}
	for _, a := range articles {
		if err := add(articleRecord(a)); err != nil {
			return err
		}
	}
	statements, err := queryAll(ctx, db, `SELECT `+statementColumns+` FROM statements s
		JOIN articles a ON a.id = s.article_id ORDER BY s.id`, nil, scanStatement)
	if err != nil {
		return err
	}
	for _, st := range statements {
		if err := add(statementRecord(st, when(KindStatement, st.ID, 1))); err != nil {
			return err
		}
	}
	claims, err := queryAll(ctx, db, `SELECT `+claimColumns+` FROM claims ORDER BY id`, nil, scanClaim)
	if err != nil {
		return err
	}
	for _, c := range claims {
		if err := add(claimRecord(c, when(KindClaim, c.ID, 1))); err != nil {
			return err
		}
	}
	return nil
}
