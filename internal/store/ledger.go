package store

import (
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/ledger"
)

// The kinds of record the ledger logs. Reference data (gazetteer places,
// administrative regions, published daily series) is not logged: it is
// reloaded from its publishers, not written by the desk.
//
// Verdicts and verdict changes are not logged either: the engine
// (internal/compliance) derives them deterministically from logged records
// (incident and agreement versions, status rows, areas), and each verdict's
// fingerprint names those inputs, so a party checks a verdict by recomputing
// it from verified records. Logging them would add a leaf per incident on
// every recomputation without making anything more checkable.
const (
	KindMessage      = "message"
	KindRepeat       = "message_repeat"
	KindMessageEvent = "message_event"
	KindIncident     = "incident"
	KindSource       = "source"
	KindAgreement    = "agreement"
	KindParty        = "party"
	KindStatus       = "status"
	KindArea         = "area"
	KindArticle      = "article"
	KindStatement    = "statement"
	KindClaim        = "claim"
	KindGradeChange  = "grade_change"
	KindBulletin     = "bulletin"
	// KindCluster logs every version of a cluster proposal: the proposal,
	// then each monitor's decision with the incident merges it holds, which
	// are part of the record because a split deletes them.
	KindCluster = "cluster"
)

// ledgerLockKey serialises appends to the one log across connections and
// instances; SQLite's single writer does it already.
const ledgerLockKey = "truce-ledger"

// ledgerStorage is ledger.Storage over a connection or a transaction.
type ledgerStorage struct {
	q     queryer
	d     dialect
	times map[ledger.Key]time.Time // the instants of the entries being appended
}

var _ ledger.Storage = (*ledgerStorage)(nil)

// Size reads the highest index, which the primary key answers at once;
// COUNT(*) would scan the whole log on every append. Entries are never
// deleted by Truce, so the two agree; a deletion behind its back is what
// verify finds.
func (s *ledgerStorage) Size(ctx context.Context) (uint64, error) {
	var n int64
	err := s.q.QueryRowContext(ctx, `SELECT COALESCE(MAX(idx) + 1, 0) FROM ledger_entries`).Scan(&n)
	return uint64(n), err
}

func (s *ledgerStorage) Append(ctx context.Context, entries []ledger.Entry, nodes []ledger.Node) error {
	// Many rows to a statement: a batch of leaves costs a few statements,
	// not one each.
	const chunk = 200
	for start := 0; start < len(entries); start += chunk {
		part := entries[start:min(start+chunk, len(entries))]
		args := make([]any, 0, 6*len(part))
		var q strings.Builder
		q.WriteString(`INSERT INTO ledger_entries (idx, kind, record_id, version, at, leaf_hash) VALUES `)
		valuesList(s.d, &q, len(part), 6)
		for _, e := range part {
			at, ok := s.times[e.Key]
			if !ok {
				return fmt.Errorf("ledger: no time for %s", e.Key)
			}
			args = append(args, int64(e.Index), e.Key.Kind, e.Key.ID, e.Key.Version, s.d.t(at), e.Hash)
		}
		if _, err := s.q.ExecContext(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("ledger entries from %d: %w", part[0].Index, err)
		}
	}
	for _, n := range nodes {
		if _, err := s.q.ExecContext(ctx, `INSERT INTO ledger_nodes (level, idx, hash) VALUES ($1, $2, $3)`,
			int64(n.Level), int64(n.Index), n.Hash); err != nil {
			return fmt.Errorf("ledger node %d/%d: %w", n.Level, n.Index, err)
		}
	}
	return nil
}

func (s *ledgerStorage) Hashes(ctx context.Context, level uint, begin, end uint64) ([][]byte, error) {
	q := `SELECT idx, leaf_hash FROM ledger_entries WHERE idx >= $1 AND idx < $2 ORDER BY idx`
	args := []any{int64(begin), int64(end)}
	if level > 0 {
		q = `SELECT idx, hash FROM ledger_nodes WHERE level = $3 AND idx >= $1 AND idx < $2 ORDER BY idx`
		args = append(args, int64(level))
	}
	rows, err := s.q.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([][]byte, 0, end-begin)
	for rows.Next() {
		var idx int64
		var h []byte
		if err := rows.Scan(&idx, &h); err != nil {
			return nil, err
		}
		if uint64(idx) != begin+uint64(len(out)) {
			return nil, fmt.Errorf("ledger: hash %d/%d missing", level, begin+uint64(len(out)))
		}
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if uint64(len(out)) != end-begin {
		return nil, fmt.Errorf("ledger: hashes %d/[%d,%d) incomplete", level, begin, end)
	}
	return out, nil
}

func (s *ledgerStorage) Entries(ctx context.Context, begin, end uint64) ([]ledger.Entry, error) {
	entries, _, err := s.entries(ctx, begin, end)
	return entries, err
}

func (s *ledgerStorage) entries(ctx context.Context, begin, end uint64) ([]ledger.Entry, []time.Time, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT idx, kind, record_id, version, at, leaf_hash FROM ledger_entries
		WHERE idx >= $1 AND idx < $2 ORDER BY idx`, int64(begin), int64(end))
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var out []ledger.Entry
	var times []time.Time
	for rows.Next() {
		var e ledger.Entry
		var idx int64
		var at time.Time
		if err := rows.Scan(&idx, &e.Key.Kind, &e.Key.ID, &e.Key.Version, ts{&at}, &e.Hash); err != nil {
			return nil, nil, err
		}
		e.Index = uint64(idx)
		out = append(out, e)
		times = append(times, at)
	}
	return out, times, rows.Err()
}

// logRecords appends records to the ledger inside tx, so a write and its
// leaf commit or roll back together. It must be the last statement of tx: on
// PostgreSQL it takes the ledger lock, held until commit.
func (db *DB) logRecords(ctx context.Context, tx *sql.Tx, recs ...ledger.Record) error {
	if len(recs) == 0 {
		return nil
	}
	if err := db.d.lock(ctx, tx, ledgerLockKey); err != nil {
		return fmt.Errorf("ledger lock: %w", err)
	}
	st := &ledgerStorage{q: tx, d: db.d, times: make(map[ledger.Key]time.Time, len(recs))}
	for i := range recs {
		recs[i].Time = recs[i].Time.UTC().Truncate(time.Microsecond)
		st.times[recs[i].Key()] = recs[i].Time
	}
	if _, err := db.ledger.AppendTo(ctx, st, recs); err != nil {
		return fmt.Errorf("ledger append: %w", err) // inTx forgets the log's edge
	}
	return nil
}

// openLedger loads the log's right edge after migrations, and logs the
// rows an upgrade left unlogged.
func (db *DB) openLedger(ctx context.Context) error {
	l, err := ledger.Open(ctx, &ledgerStorage{q: db.r, d: db.d})
	if err != nil {
		return db.d.classify(fmt.Errorf("open ledger: %w", err))
	}
	db.ledger = l
	return db.adoptUnlogged(ctx)
}

// Ledger returns the log as it stands now, for roots, proofs and
// checkpoints. It reads through the store's read pool and is opened afresh
// each time, since another instance may have appended; the store alone
// appends, inside its writes.
func (db *DB) Ledger(ctx context.Context) (*ledger.Log, error) {
	l, err := ledger.Open(ctx, &ledgerStorage{q: db.r, d: db.d})
	return l, db.d.classify(err)
}

// LedgerEntries returns the stored log entries in [begin, end) with the
// instant of each write.
func (db *DB) LedgerEntries(ctx context.Context, begin, end uint64) ([]ledger.Entry, []time.Time, error) {
	st := &ledgerStorage{q: db.r, d: db.d}
	return st.entries(ctx, begin, end)
}

// SaveCheckpoint keeps a signed checkpoint note.
func (db *DB) SaveCheckpoint(ctx context.Context, size uint64, note []byte) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO ledger_checkpoints (size, note, created_at) VALUES ($1, $2, $3)
			ON CONFLICT (size) DO NOTHING`, int64(size), string(note), db.d.t(db.now()))
		return err
	})
}

// LatestCheckpoint returns the newest saved checkpoint note, or ENOTFOUND.
func (db *DB) LatestCheckpoint(ctx context.Context) ([]byte, error) {
	var note string
	err := db.r.QueryRowContext(ctx, `SELECT note FROM ledger_checkpoints ORDER BY size DESC LIMIT 1`).Scan(&note)
	if err == sql.ErrNoRows {
		return nil, domain.Errorf(domain.ENOTFOUND, "no checkpoint has been signed yet")
	}
	return []byte(note), db.d.classify(err)
}

// record builds a ledger record from a value's JSON content. Every kind's
// content is built by one function from the domain value, used both when
// writing and when verifying, so the two give the same leaf.
func record(kind string, id int64, version int, at time.Time, content any) (ledger.Record, error) {
	b, err := json.Marshal(content)
	if err != nil {
		return ledger.Record{}, err
	}
	return ledger.Record{Kind: kind, ID: id, Version: int64(version), Time: at, Content: b}, nil
}

func utc(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Microsecond)
}

func messageRecord(m *domain.Message, at time.Time) (ledger.Record, error) {
	// Repeats are logged as their own records, so the count is left out.
	c := *m
	c.Repeats, c.ReceivedAt, c.UpdatedAt = 0, utc(m.ReceivedAt), utc(m.UpdatedAt)
	c.Attachments = nonNil(m.Attachments)
	return record(KindMessage, m.ID, m.Version, at, struct {
		domain.Message
		SenderKey string `json:"sender_key"`
	}{c, m.SenderKey})
}

func repeatRecord(id, messageID int64, at time.Time, ch domain.Channel) (ledger.Record, error) {
	return record(KindRepeat, id, 1, at, map[string]any{"message_id": messageID, "received_at": utc(at), "channel": ch})
}

func eventRecord(e *domain.MessageEvent) (ledger.Record, error) {
	c := *e
	c.At = utc(e.At)
	return record(KindMessageEvent, e.ID, 1, c.At, c)
}

func incidentRecord(in *domain.Incident, at time.Time) (ledger.Record, error) {
	c := *in
	c.Sources = nil // logged as their own records
	c.OccurredAt, c.CreatedAt, c.UpdatedAt = utc(in.OccurredAt), utc(in.CreatedAt), utc(in.UpdatedAt)
	c.Perpetrators, c.Targets = nonNil(in.Perpetrators), nonNil(in.Targets)
	return record(KindIncident, in.ID, in.Version, at, c)
}

func sourceRecord(incidentID int64, s *domain.Source) (ledger.Record, error) {
	c := *s
	c.AddedAt = utc(s.AddedAt)
	return record(KindSource, s.ID, 1, c.AddedAt, struct {
		IncidentID int64 `json:"incident_id"`
		domain.Source
	}{incidentID, c})
}

func agreementRecord(a *domain.Agreement, at time.Time) (ledger.Record, error) {
	c := *a
	c.Start, c.End, c.CommitBy = utc(a.Start), utc(a.End), utc(a.CommitBy)
	c.ProhibitedActs, c.Scope = nonNil(a.ProhibitedActs), nonNil(a.Scope)
	return record(KindAgreement, a.ID, a.Version, at, c)
}

func partyRecord(p *domain.Party, at time.Time) (ledger.Record, error) {
	c := *p
	c.Aliases = nonNil(p.Aliases)
	return record(KindParty, p.ID, p.Version, at, c)
}

func statusRecord(s *domain.PartyStatus) (ledger.Record, error) {
	c := *s
	c.ValidFrom, c.RecordedAt = utc(s.ValidFrom), utc(s.RecordedAt)
	return record(KindStatus, s.ID, 1, c.RecordedAt, c)
}

func areaRecord(a *domain.Area, at time.Time) (ledger.Record, error) {
	c := *a
	c.ValidFrom, c.ValidTo = utc(a.ValidFrom), utc(a.ValidTo)
	var g any
	if err := json.Unmarshal(a.Geometry, &g); err != nil {
		return ledger.Record{}, err
	}
	c.Geometry = nil
	return record(KindArea, a.ID, 1, at, struct {
		domain.Area
		Geometry any `json:"geometry"`
	}{c, g})
}

func articleRecord(a *domain.Article) (ledger.Record, error) {
	c := *a
	c.Statements, c.Claims = nil, nil // logged as their own records
	c.Date, c.IngestedAt = utc(a.Date), utc(a.IngestedAt)
	c.Warnings = nonNil(a.Warnings)
	return record(KindArticle, a.ID, 1, c.IngestedAt, c)
}

func statementRecord(st *domain.Statement, at time.Time) (ledger.Record, error) {
	c := *st
	c.Date = utc(st.Date)
	c.Quotes = nonNil(st.Quotes)
	return record(KindStatement, st.ID, 1, at, c)
}

// claimRecord logs a claim as stated; its check is derived from the
// incidents and may be redone, so it is left out.
func claimRecord(cl *domain.StoredClaim, at time.Time) (ledger.Record, error) {
	c := *cl
	c.Check, c.Statement = nil, 0
	c.WindowStart, c.WindowEnd = utc(cl.WindowStart), utc(cl.WindowEnd)
	return record(KindClaim, cl.ID, 1, at, c)
}

func gradeChangeRecord(g *domain.GradeChange) (ledger.Record, error) {
	c := *g
	c.At = utc(g.At)
	return record(KindGradeChange, g.ID, 1, c.At, c)
}

// bulletinRecord logs a published version by the hashes of what was
// published: the figures and each rendering, which are too large for a
// leaf, and the stored content hash readers are shown.
func bulletinRecord(b *domain.Bulletin) (ledger.Record, error) {
	hash := func(b []byte) string {
		sum := sha256.Sum256(b)
		return hex.EncodeToString(sum[:])
	}
	at := utc(b.PublishedAt)
	return record(KindBulletin, b.ID, 1, at, struct {
		AgreementID int64     `json:"agreement_id"`
		Day         string    `json:"day"`
		Version     int       `json:"version"`
		Title       string    `json:"title"`
		ContentHash string    `json:"content_hash"`
		Report      string    `json:"report_sha256"`
		HTML        string    `json:"html_sha256"`
		Markdown    string    `json:"markdown_sha256"`
		PDF         string    `json:"pdf_sha256"`
		Note        string    `json:"note"`
		PublishedAt time.Time `json:"published_at"`
		PublishedBy string    `json:"published_by"`
	}{b.AgreementID, b.Day, b.Version, b.Title, b.ContentHash, hash(b.Report), hash(b.HTML), hash(b.Markdown),
		hash(b.PDF), b.Note, at, b.PublishedBy})
}

// clusterMerge is one incident_merges row, logged within its cluster.
type clusterMerge struct {
	IncidentID int64     `json:"incident_id"`
	IntoID     int64     `json:"into_id"`
	At         time.Time `json:"at"`
	Actor      string    `json:"actor"`
}

// clusterRecord logs one version of a cluster with the merges that name it,
// in incident order.
func clusterRecord(p *domain.ClusterProposal, merges []clusterMerge, at time.Time) (ledger.Record, error) {
	c := *p
	c.CreatedAt, c.DecidedAt = utc(p.CreatedAt), utc(p.DecidedAt)
	c.Reasons = nonNil(p.Reasons)
	// SQLite stores -0 as the integer 0, so the sign of a zero is dropped
	// before the leaf sees it.
	c.Score = plusZero(p.Score)
	c.Members = make([]domain.ClusterMember, len(p.Members))
	for i, m := range p.Members {
		m.DistanceKm, m.GapHours = plusZero(m.DistanceKm), plusZero(m.GapHours)
		c.Members[i] = m
	}
	ms := make([]clusterMerge, len(merges))
	for i, m := range merges {
		m.At = utc(m.At)
		ms[i] = m
	}
	slices.SortFunc(ms, func(a, b clusterMerge) int { return cmp.Compare(a.IncidentID, b.IncidentID) })
	return record(KindCluster, p.ID, p.Version, at, struct {
		domain.ClusterProposal
		Merges []clusterMerge `json:"merges"`
	}{c, ms})
}

func plusZero(x float64) float64 {
	if x == 0 {
		return 0
	}
	return x
}

// clusterMerges reads the merges of the given clusters, or of every cluster
// for nil, by cluster.
func (db *DB) clusterMerges(ctx context.Context, q queryer, ids []int64) (map[int64][]clusterMerge, error) {
	query := `SELECT cluster_id, incident_id, into_id, at, actor FROM incident_merges`
	var args []any
	if ids != nil {
		if len(ids) == 0 {
			return map[int64][]clusterMerge{}, nil
		}
		ph := make([]string, len(ids))
		for i, id := range ids {
			ph[i] = fmt.Sprintf("$%d", i+1)
			args = append(args, id)
		}
		query += ` WHERE cluster_id IN (` + strings.Join(ph, ",") + `)`
	}
	rows, err := q.QueryContext(ctx, query+` ORDER BY cluster_id, incident_id`, args...)
	if err != nil {
		return nil, db.d.classify(fmt.Errorf("read merges: %w", err))
	}
	defer rows.Close()
	out := make(map[int64][]clusterMerge)
	for rows.Next() {
		var cid int64
		var m clusterMerge
		if err := rows.Scan(&cid, &m.IncidentID, &m.IntoID, ts{&m.At}, &m.Actor); err != nil {
			return nil, err
		}
		out[cid] = append(out[cid], m)
	}
	return out, db.d.classify(rows.Err())
}
