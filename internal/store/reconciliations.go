package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/ledger"
)

// KindReconciliation logs every version of a reconciliation agreement with
// its signatories and its whole status timeline, so a changed party, term
// or status row shows as an edited record.
const KindReconciliation = "reconciliation"

// futureSlack is how far ahead of the store's clock a reported instant may
// be: clocks differ, but an agreement is not signed tomorrow.
const futureSlack = time.Hour

const reconciliationColumns = `id, agreement_id, settlement, COALESCE(geoname_id, 0), lat, lon, admin1, admin2,
	signed_at, time_precision, terms, sources, summary, state, created_at, created_by, updated_at, version`

func scanReconciliation(row interface{ Scan(...any) error }) (*domain.Reconciliation, error) {
	var rc domain.Reconciliation
	var lat, lon sql.NullFloat64
	var terms, sources string
	if err := row.Scan(&rc.ID, &rc.AgreementID, &rc.Settlement, &rc.GeonameID, &lat, &lon, &rc.Admin1, &rc.Admin2,
		ts{&rc.SignedAt}, &rc.TimePrecision, &terms, &sources, &rc.Summary, &rc.State, ts{&rc.CreatedAt},
		&rc.CreatedBy, ts{&rc.UpdatedAt}, &rc.Version); err != nil {
		return nil, err
	}
	if lat.Valid && lon.Valid {
		rc.Point = &domain.Point{Lat: lat.Float64, Lon: lon.Float64}
	}
	if err := json.Unmarshal([]byte(terms), &rc.Terms); err != nil {
		return nil, fmt.Errorf("reconciliation %d terms: %w", rc.ID, err)
	}
	if err := json.Unmarshal([]byte(sources), &rc.Sources); err != nil {
		return nil, fmt.Errorf("reconciliation %d sources: %w", rc.ID, err)
	}
	if len(rc.Terms) == 0 {
		rc.Terms = nil
	}
	if len(rc.Sources) == 0 {
		rc.Sources = nil
	}
	return &rc, nil
}

// checkReconciliation applies the rules that need the store: its clock,
// the gazetteer and the messages named as sources.
func (db *DB) checkReconciliation(ctx context.Context, tx *sql.Tx, rc *domain.Reconciliation) error {
	if rc.SignedAt.After(db.now().Add(futureSlack)) {
		return domain.FieldErrorf("signed_at", "%s is in the future", rc.SignedAt.Format(time.RFC3339))
	}
	if strings.TrimSpace(rc.CreatedBy) == "" {
		return domain.FieldErrorf("created_by", "is required")
	}
	if rc.GeonameID != 0 {
		var lat, lon float64
		err := tx.QueryRowContext(ctx, `SELECT lat, lon FROM places WHERE geoname_id = $1`, rc.GeonameID).Scan(&lat, &lon)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.FieldErrorf("geoname_id", "no place %d in the gazetteer", rc.GeonameID)
		} else if err != nil {
			return fmt.Errorf("read place: %w", err)
		}
		if rc.Point == nil {
			rc.Point = &domain.Point{Lat: lat, Lon: lon}
		}
	}
	for _, s := range rc.Sources {
		if s.MessageID == 0 {
			continue
		}
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM messages WHERE id = $1`, s.MessageID).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.FieldErrorf("sources.message_id", "message %d does not exist", s.MessageID)
		} else if err != nil {
			return fmt.Errorf("read message: %w", err)
		}
	}
	return nil
}

// CreateReconciliation stores a new reconciliation, its signatories and the
// first row of its timeline: signed, at SignedAt.
func (db *DB) CreateReconciliation(ctx context.Context, rc *domain.Reconciliation) error {
	if err := rc.Validate(); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		rec, err := db.insertReconciliation(ctx, tx, rc, db.now())
		if err != nil {
			return err
		}
		return db.logRecords(ctx, tx, rec)
	})
}

// insertReconciliation stores a validated new reconciliation inside tx and
// returns the record the ledger must log for it.
func (db *DB) insertReconciliation(ctx context.Context, tx *sql.Tx, rc *domain.Reconciliation, now time.Time) (ledger.Record, error) {
	rc.SignedAt, rc.CreatedAt, rc.UpdatedAt = utc(rc.SignedAt), now, now
	rc.State, rc.Version = domain.ReconciliationSigned, 1
	rc.Statuses = []domain.ReconciliationStatus{{State: domain.ReconciliationSigned, At: rc.SignedAt,
		RecordedAt: now, RecordedBy: rc.CreatedBy}}
	terms, _ := json.Marshal(nonNil(rc.Terms))
	sources, _ := json.Marshal(nonNil(rc.Sources))
	if err := db.checkReconciliation(ctx, tx, rc); err != nil {
		return ledger.Record{}, err
	}
	lat, lon := point(rc.Point)
	err := tx.QueryRowContext(ctx, `INSERT INTO reconciliations (agreement_id, settlement, geoname_id, lat, lon,
		admin1, admin2, signed_at, time_precision, terms, sources, summary, state, created_at, created_by,
		updated_at, version)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 1) RETURNING id`,
		rc.AgreementID, rc.Settlement, nullID(rc.GeonameID), lat, lon, rc.Admin1, rc.Admin2, db.d.t(rc.SignedAt),
		rc.TimePrecision, string(terms), string(sources), rc.Summary, rc.State, db.d.t(now), rc.CreatedBy,
		db.d.t(now)).Scan(&rc.ID)
	if isForeignKey(db.d.classify(err)) {
		return ledger.Record{}, domain.FieldErrorf("agreement_id", "agreement %d does not exist", rc.AgreementID)
	} else if err != nil {
		return ledger.Record{}, fmt.Errorf("insert reconciliation: %w", err)
	}
	if err := db.putSignatories(ctx, tx, rc); err != nil {
		return ledger.Record{}, err
	}
	if err := db.addReconciliationStatus(ctx, tx, rc.ID, &rc.Statuses[0]); err != nil {
		return ledger.Record{}, err
	}
	return reconciliationRecord(rc, now)
}

func (db *DB) putSignatories(ctx context.Context, tx *sql.Tx, rc *domain.Reconciliation) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM reconciliation_parties WHERE reconciliation_id = $1`, rc.ID); err != nil {
		return err
	}
	for i, s := range rc.Signatories {
		_, err := tx.ExecContext(ctx, `INSERT INTO reconciliation_parties (reconciliation_id, position, party_id, name, role)
			VALUES ($1, $2, $3, $4, $5)`, rc.ID, i, nullID(s.PartyID), s.Name, s.Role)
		if isForeignKey(db.d.classify(err)) {
			return domain.FieldErrorf("signatories.party_id", "party %d does not exist", s.PartyID)
		} else if err != nil {
			return fmt.Errorf("store signatory: %w", err)
		}
	}
	return nil
}

func (db *DB) addReconciliationStatus(ctx context.Context, tx *sql.Tx, id int64, s *domain.ReconciliationStatus) error {
	s.At, s.RecordedAt = utc(s.At), utc(s.RecordedAt)
	err := tx.QueryRowContext(ctx, `INSERT INTO reconciliation_statuses (reconciliation_id, state, at, note,
		recorded_at, recorded_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		id, s.State, db.d.t(s.At), s.Note, db.d.t(s.RecordedAt), s.RecordedBy).Scan(&s.ID)
	if err != nil {
		return fmt.Errorf("add reconciliation status: %w", err)
	}
	return nil
}

// Reconciliation returns a reconciliation with its signatories and timeline.
func (db *DB) Reconciliation(ctx context.Context, id int64) (*domain.Reconciliation, error) {
	return db.reconciliation(ctx, db.r, id)
}

func (db *DB) reconciliation(ctx context.Context, q queryer, id int64) (*domain.Reconciliation, error) {
	rc, err := scanReconciliation(q.QueryRowContext(ctx, `SELECT `+reconciliationColumns+` FROM reconciliations WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.ENOTFOUND, "reconciliation %d not found", id)
	} else if err != nil {
		return nil, db.d.classify(fmt.Errorf("read reconciliation: %w", err))
	}
	if err := db.loadReconciliationParts(ctx, q, []*domain.Reconciliation{rc}); err != nil {
		return nil, err
	}
	return rc, nil
}

// loadReconciliationParts fills the signatories and timelines of a page.
func (db *DB) loadReconciliationParts(ctx context.Context, q queryer, rcs []*domain.Reconciliation) error {
	if len(rcs) == 0 {
		return nil
	}
	byID := make(map[int64]*domain.Reconciliation, len(rcs))
	ph := make([]string, len(rcs))
	args := make([]any, len(rcs))
	for i, rc := range rcs {
		byID[rc.ID] = rc
		rc.Signatories, rc.Statuses = []domain.Signatory{}, []domain.ReconciliationStatus{}
		ph[i] = fmt.Sprintf("$%d", i+1)
		args[i] = rc.ID
	}
	in := strings.Join(ph, ",")
	rows, err := q.QueryContext(ctx, `SELECT reconciliation_id, COALESCE(party_id, 0), name, role
		FROM reconciliation_parties WHERE reconciliation_id IN (`+in+`) ORDER BY reconciliation_id, position`, args...)
	if err != nil {
		return db.d.classify(fmt.Errorf("read signatories: %w", err))
	}
	for rows.Next() {
		var id int64
		var s domain.Signatory
		if err := rows.Scan(&id, &s.PartyID, &s.Name, &s.Role); err != nil {
			rows.Close()
			return err
		}
		byID[id].Signatories = append(byID[id].Signatories, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return db.d.classify(err)
	}
	rows, err = q.QueryContext(ctx, `SELECT reconciliation_id, id, state, at, note, recorded_at, recorded_by
		FROM reconciliation_statuses WHERE reconciliation_id IN (`+in+`) ORDER BY reconciliation_id, at, id`, args...)
	if err != nil {
		return db.d.classify(fmt.Errorf("read reconciliation statuses: %w", err))
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var s domain.ReconciliationStatus
		if err := rows.Scan(&id, &s.ID, &s.State, ts{&s.At}, &s.Note, ts{&s.RecordedAt}, &s.RecordedBy); err != nil {
			return err
		}
		byID[id].Statuses = append(byID[id].Statuses, s)
	}
	return db.d.classify(rows.Err())
}

func (db *DB) reconciliationWhere(f domain.ReconciliationFilter) (string, []any) {
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if f.AgreementID != 0 {
		where = append(where, "agreement_id = "+arg(f.AgreementID))
	}
	if f.Admin1 != "" {
		where = append(where, "admin1 = "+arg(f.Admin1))
	}
	if f.PartyID != 0 {
		where = append(where, "id IN (SELECT reconciliation_id FROM reconciliation_parties WHERE party_id = "+arg(f.PartyID)+")")
	}
	if !f.Since.IsZero() {
		where = append(where, "signed_at >= "+arg(db.d.t(f.Since)))
	}
	if !f.Until.IsZero() {
		where = append(where, "signed_at < "+arg(db.d.t(f.Until)))
	}
	switch {
	case !f.AsOf.IsZero() && f.State != "":
		// The timeline's newest row before AsOf, as StateBefore reads it.
		where = append(where, `(SELECT s.state FROM reconciliation_statuses s WHERE s.reconciliation_id = reconciliations.id
			AND s.at < `+arg(db.d.t(f.AsOf))+` ORDER BY s.at DESC, s.id DESC LIMIT 1) = `+arg(f.State))
	case !f.AsOf.IsZero():
		where = append(where, "signed_at < "+arg(db.d.t(f.AsOf)))
	case f.State != "":
		where = append(where, "state = "+arg(f.State))
	}
	if f.AfterID != 0 {
		where = append(where, "id > "+arg(f.AfterID))
	}
	if len(where) == 0 {
		return "", args
	}
	return " WHERE " + strings.Join(where, " AND "), args
}

// Reconciliations lists reconciliations in ID order, with their signatories
// and timelines.
func (db *DB) Reconciliations(ctx context.Context, f domain.ReconciliationFilter) ([]*domain.Reconciliation, error) {
	where, args := db.reconciliationWhere(f)
	args = append(args, limit(f.Limit))
	out, err := queryAll(ctx, db, `SELECT `+reconciliationColumns+` FROM reconciliations`+where+
		fmt.Sprintf(` ORDER BY id LIMIT $%d`, len(args)), args, scanReconciliation)
	if err != nil {
		return nil, err
	}
	return out, db.loadReconciliationParts(ctx, db.r, out)
}

// CountReconciliations counts the reconciliations a filter selects,
// ignoring its page.
func (db *DB) CountReconciliations(ctx context.Context, f domain.ReconciliationFilter) (int, error) {
	f.AfterID = 0
	where, args := db.reconciliationWhere(f)
	var n int
	err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM reconciliations`+where, args...).Scan(&n)
	return n, db.d.classify(err)
}

// UpdateReconciliation replaces a reconciliation's fields and signatories if
// the version it carries is current. The timeline is changed only by
// ChangeReconciliationState, but its first row, the signing, follows a
// corrected SignedAt, which must stay before the later rows.
func (db *DB) UpdateReconciliation(ctx context.Context, rc *domain.Reconciliation) error {
	if err := rc.Validate(); err != nil {
		return err
	}
	now := db.now()
	rc.SignedAt = utc(rc.SignedAt)
	return db.inTx(ctx, func(tx *sql.Tx) error {
		cur, err := db.reconciliation(ctx, tx, rc.ID)
		if err != nil {
			return err
		}
		if cur.Version != rc.Version {
			return domain.Errorf(domain.ECONFLICT, "reconciliation %d changed since you read it (version %d, you had %d)", rc.ID, cur.Version, rc.Version)
		}
		if cur.AgreementID != rc.AgreementID {
			return domain.FieldErrorf("agreement_id", "a reconciliation stays with its agreement; record a new one")
		}
		rc.CreatedAt, rc.CreatedBy = cur.CreatedAt, cur.CreatedBy
		if err := db.checkReconciliation(ctx, tx, rc); err != nil {
			return err
		}
		if len(cur.Statuses) > 1 && rc.SignedAt.After(cur.Statuses[1].At) {
			return domain.FieldErrorf("signed_at", "must come before the timeline's %s status of %s",
				cur.Statuses[1].State, cur.Statuses[1].At.Format(time.RFC3339))
		}
		terms, _ := json.Marshal(nonNil(rc.Terms))
		sources, _ := json.Marshal(nonNil(rc.Sources))
		lat, lon := point(rc.Point)
		res, err := tx.ExecContext(ctx, `UPDATE reconciliations SET settlement = $1, geoname_id = $2, lat = $3,
			lon = $4, admin1 = $5, admin2 = $6, signed_at = $7, time_precision = $8, terms = $9, sources = $10,
			summary = $11, updated_at = $12, version = version + 1 WHERE id = $13 AND version = $14`,
			rc.Settlement, nullID(rc.GeonameID), lat, lon, rc.Admin1, rc.Admin2, db.d.t(rc.SignedAt), rc.TimePrecision,
			string(terms), string(sources), rc.Summary, db.d.t(now), rc.ID, rc.Version)
		if err != nil {
			return fmt.Errorf("update reconciliation: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return domain.Errorf(domain.ECONFLICT, "reconciliation %d changed since you read it", rc.ID)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE reconciliation_statuses SET at = $1 WHERE id = $2`,
			db.d.t(rc.SignedAt), cur.Statuses[0].ID); err != nil {
			return fmt.Errorf("update signing: %w", err)
		}
		if err := db.putSignatories(ctx, tx, rc); err != nil {
			return err
		}
		rc.State, rc.Statuses = cur.State, cur.Statuses
		rc.Statuses[0].At = rc.SignedAt
		rc.UpdatedAt, rc.Version = now, cur.Version+1
		rec, err := reconciliationRecord(rc, now)
		if err != nil {
			return err
		}
		return db.logRecords(ctx, tx, rec)
	})
}

// ChangeReconciliationState appends a status to a reconciliation's timeline.
// A stale version or a move the states do not allow (broken back to in
// force) is a conflict; a date before the timeline's last is invalid.
func (db *DB) ChangeReconciliationState(ctx context.Context, c domain.ReconciliationChange) (*domain.Reconciliation, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	now := db.now()
	c.At = utc(c.At)
	if c.At.After(now.Add(futureSlack)) {
		return nil, domain.FieldErrorf("at", "%s is in the future", c.At.Format(time.RFC3339))
	}
	if strings.TrimSpace(c.Actor) == "" {
		return nil, domain.FieldErrorf("actor", "is required")
	}
	var rc *domain.Reconciliation
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if rc, err = db.reconciliation(ctx, tx, c.ID); err != nil {
			return err
		}
		if rc.Version != c.Version {
			return domain.Errorf(domain.ECONFLICT, "reconciliation %d changed since you read it (version %d, you had %d)", c.ID, rc.Version, c.Version)
		}
		if !rc.State.CanMove(c.State) {
			return domain.Errorf(domain.ECONFLICT, "a reconciliation that is %s cannot become %s", rc.State, c.State)
		}
		if last := rc.Statuses[len(rc.Statuses)-1]; c.At.Before(last.At) {
			return domain.FieldErrorf("at", "%s is before the timeline's last status (%s on %s)",
				c.At.Format(time.RFC3339), last.State, last.At.Format(time.RFC3339))
		}
		// The version in the WHERE clause holds against a concurrent change
		// made after the read above.
		res, err := tx.ExecContext(ctx, `UPDATE reconciliations SET state = $1, updated_at = $2, version = version + 1
			WHERE id = $3 AND version = $4`, c.State, db.d.t(now), rc.ID, c.Version)
		if err != nil {
			return fmt.Errorf("update reconciliation state: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return domain.Errorf(domain.ECONFLICT, "reconciliation %d changed since you read it", rc.ID)
		}
		s := domain.ReconciliationStatus{State: c.State, At: c.At, Note: c.Note, RecordedAt: now, RecordedBy: c.Actor}
		if err := db.addReconciliationStatus(ctx, tx, rc.ID, &s); err != nil {
			return err
		}
		rc.Statuses = append(rc.Statuses, s)
		rc.State, rc.UpdatedAt, rc.Version = c.State, now, rc.Version+1
		rec, err := reconciliationRecord(rc, now)
		if err != nil {
			return err
		}
		return db.logRecords(ctx, tx, rec)
	})
	if err != nil {
		return nil, err
	}
	return rc, nil
}

// reconciliationRecord logs one version of a reconciliation with its
// signatories and timeline.
func reconciliationRecord(rc *domain.Reconciliation, at time.Time) (ledger.Record, error) {
	c := *rc
	c.SignedAt, c.CreatedAt, c.UpdatedAt = utc(rc.SignedAt), utc(rc.CreatedAt), utc(rc.UpdatedAt)
	if rc.Point != nil {
		// SQLite keeps -0 as 0; the leaf must not see the sign.
		c.Point = &domain.Point{Lat: plusZero(rc.Point.Lat), Lon: plusZero(rc.Point.Lon)}
	}
	c.Signatories, c.Terms, c.Sources = nonNil(rc.Signatories), nonNil(rc.Terms), nonNil(rc.Sources)
	c.Statuses = make([]domain.ReconciliationStatus, len(rc.Statuses))
	for i, s := range rc.Statuses {
		s.At, s.RecordedAt = utc(s.At), utc(s.RecordedAt)
		c.Statuses[i] = s
	}
	return record(KindReconciliation, rc.ID, rc.Version, at, c)
}

// snapshotReconciliations rebuilds the record of every reconciliation from
// its rows, for the offline verifier.
func (db *DB) snapshotReconciliations(ctx context.Context, when func(string, int64, int) time.Time,
	add func(ledger.Record, error) error) error {
	for after := int64(0); ; {
		page, err := db.Reconciliations(ctx, domain.ReconciliationFilter{AfterID: after, Limit: 1000})
		if err != nil {
			return err
		}
		for _, rc := range page {
			if err := add(reconciliationRecord(rc, when(KindReconciliation, rc.ID, rc.Version))); err != nil {
				return err
			}
		}
		if len(page) < 1000 {
			return nil
		}
		after = page[len(page)-1].ID
	}
}
