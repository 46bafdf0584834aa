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

// verdictLockKey serialises verdict writes across connections and
// instances, so that the old outcome a change records is the one it
// replaced; SQLite's single writer does it already.
const verdictLockKey = "truce-verdicts"

const verdictColumns = `incident_id, agreement_id, incident_version, agreement_version, outcome, reason,
	outcomes, views, sentence, fingerprint, computed_at`

func scanVerdict(row interface{ Scan(...any) error }) (*domain.Verdict, error) {
	var v domain.Verdict
	var outcomes, views string
	if err := row.Scan(&v.IncidentID, &v.AgreementID, &v.IncidentVersion, &v.AgreementVersion, &v.Outcome,
		&v.Reason, &outcomes, &views, &v.Sentence, &v.Fingerprint, ts{&v.ComputedAt}); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(outcomes), &v.Outcomes); err != nil {
		return nil, fmt.Errorf("verdict %d/%d outcomes: %w", v.IncidentID, v.AgreementID, err)
	}
	v.Views = json.RawMessage(views)
	return &v, nil
}

// validVerdict checks what the store relies on: a base view that matches
// the outcome columns, and views that are JSON.
func validVerdict(v *domain.Verdict) error {
	switch {
	case v.IncidentID == 0 || v.AgreementID == 0:
		return domain.Errorf(domain.EINVALID, "a verdict needs an incident and an agreement")
	case len(v.Outcomes) == 0:
		return domain.Errorf(domain.EINVALID, "verdict on incident %d has no views", v.IncidentID)
	case v.Outcomes[0].Outcome != v.Outcome || v.Outcomes[0].Reason != v.Reason:
		return domain.Errorf(domain.EINVALID, "verdict on incident %d: outcome differs from its first view", v.IncidentID)
	case !json.Valid(v.Views):
		return domain.Errorf(domain.EINVALID, "verdict on incident %d: views are not JSON", v.IncidentID)
	}
	return nil
}

// PutVerdicts stores verdicts and appends a change for each whose outcomes
// differ from the stored ones, comparing inside the transaction.
func (db *DB) PutVerdicts(ctx context.Context, vs []*domain.Verdict, cause domain.Cause) ([]*domain.VerdictChange, error) {
	for _, v := range vs {
		if err := validVerdict(v); err != nil {
			return nil, err
		}
	}
	if cause.Kind == "" || cause.Actor == "" {
		return nil, domain.Errorf(domain.EINVALID, "a verdict change needs a cause and an actor")
	}
	if cause.At.IsZero() {
		cause.At = db.now()
	}
	cause.At = utc(cause.At)
	var changes []*domain.VerdictChange
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		changes = changes[:0]
		if err := db.d.lock(ctx, tx, verdictLockKey); err != nil {
			return fmt.Errorf("verdict lock: %w", err)
		}
		for _, v := range vs {
			c, err := db.putVerdict(ctx, tx, v, cause)
			if err != nil {
				return err
			}
			if c != nil {
				changes = append(changes, c)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return changes, nil
}

func (db *DB) putVerdict(ctx context.Context, tx *sql.Tx, v *domain.Verdict, cause domain.Cause) (*domain.VerdictChange, error) {
	var old []domain.ViewOutcome
	var oldOutcome, oldRaw string
	err := tx.QueryRowContext(ctx, `SELECT outcome, outcomes FROM verdicts WHERE incident_id = $1 AND agreement_id = $2`,
		v.IncidentID, v.AgreementID).Scan(&oldOutcome, &oldRaw)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return nil, fmt.Errorf("read verdict %d: %w", v.IncidentID, err)
	default:
		if err := json.Unmarshal([]byte(oldRaw), &old); err != nil {
			return nil, fmt.Errorf("verdict %d outcomes: %w", v.IncidentID, err)
		}
	}
	if v.ComputedAt.IsZero() {
		v.ComputedAt = cause.At
	}
	v.ComputedAt = utc(v.ComputedAt)
	outcomes, err := json.Marshal(v.Outcomes)
	if err != nil {
		return nil, err
	}
	disputed := 0
	if v.Disputed() {
		disputed = 1
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO verdicts (incident_id, agreement_id, incident_version, agreement_version,
		outcome, reason, disputed, outcomes, views, sentence, fingerprint, computed_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
		ON CONFLICT (incident_id, agreement_id) DO UPDATE SET incident_version = excluded.incident_version,
			agreement_version = excluded.agreement_version, outcome = excluded.outcome, reason = excluded.reason,
			disputed = excluded.disputed, outcomes = excluded.outcomes, views = excluded.views,
			sentence = excluded.sentence, fingerprint = excluded.fingerprint, computed_at = excluded.computed_at`,
		v.IncidentID, v.AgreementID, v.IncidentVersion, v.AgreementVersion, v.Outcome, v.Reason, disputed,
		string(outcomes), string(v.Views), v.Sentence, v.Fingerprint, db.d.t(v.ComputedAt))
	if isForeignKey(db.d.classify(err)) {
		return nil, domain.Errorf(domain.EINVALID, "incident %d or agreement %d does not exist", v.IncidentID, v.AgreementID)
	} else if err != nil {
		return nil, fmt.Errorf("store verdict %d: %w", v.IncidentID, err)
	}
	if oldRaw != "" && domain.SameOutcomes(old, v.Outcomes) {
		return nil, nil
	}
	c := &domain.VerdictChange{
		IncidentID: v.IncidentID, AgreementID: v.AgreementID, OldOutcome: oldOutcome, NewOutcome: v.Outcome,
		Old: nonNil(old), New: v.Outcomes, Cause: cause,
	}
	oldViews, _ := json.Marshal(c.Old)
	err = tx.QueryRowContext(ctx, `INSERT INTO verdict_changes (incident_id, agreement_id, old_outcome, new_outcome,
		old_views, new_views, cause_kind, cause_id, cause, at, actor)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		c.IncidentID, c.AgreementID, c.OldOutcome, c.NewOutcome, string(oldViews), string(outcomes),
		cause.Kind, cause.ID, cause.Text, db.d.t(cause.At), cause.Actor).Scan(&c.ID)
	if err != nil {
		return nil, fmt.Errorf("log verdict change %d: %w", v.IncidentID, err)
	}
	return c, nil
}

// Verdict returns the verdict on an incident under an agreement.
func (db *DB) Verdict(ctx context.Context, incidentID, agreementID int64) (*domain.Verdict, error) {
	v, err := scanVerdict(db.r.QueryRowContext(ctx, `SELECT `+verdictColumns+` FROM verdicts
		WHERE incident_id = $1 AND agreement_id = $2`, incidentID, agreementID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.ENOTFOUND, "incident %d has no verdict under agreement %d", incidentID, agreementID)
	}
	return v, db.d.classify(err)
}

// IncidentVerdicts returns an incident's verdicts under every agreement.
func (db *DB) IncidentVerdicts(ctx context.Context, incidentID int64) ([]*domain.Verdict, error) {
	return queryAll(ctx, db, `SELECT `+verdictColumns+` FROM verdicts WHERE incident_id = $1 ORDER BY agreement_id`,
		[]any{incidentID}, scanVerdict)
}

// VerdictsOf returns the stored verdicts of the given incidents under one
// agreement, in incident order.
func (db *DB) VerdictsOf(ctx context.Context, agreementID int64, incidentIDs []int64) ([]*domain.Verdict, error) {
	var out []*domain.Verdict
	const chunk = 500 // well under both engines' limits on parameters
	for len(incidentIDs) > 0 {
		n := min(chunk, len(incidentIDs))
		args := []any{agreementID}
		ph := make([]string, n)
		for i, id := range incidentIDs[:n] {
			args = append(args, id)
			ph[i] = fmt.Sprintf("$%d", i+2)
		}
		page, err := queryAll(ctx, db, `SELECT `+verdictColumns+` FROM verdicts WHERE agreement_id = $1
			AND incident_id IN (`+strings.Join(ph, ",")+`) ORDER BY incident_id`, args, scanVerdict)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		incidentIDs = incidentIDs[n:]
	}
	return out, nil
}

// verdictWhere builds the WHERE clause of a verdict filter, page aside.
func (db *DB) verdictWhere(ctx context.Context, f domain.VerdictFilter) (string, []any, error) {
	inner := f.IncidentFilter
	inner.AfterID = 0
	published, err := db.publishedSpans(ctx, inner)
	if err != nil {
		return "", nil, err
	}
	where, args := db.incidentWhere(inner, published)
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	var conds []string
	if where != "" {
		conds = append(conds, "incident_id IN (SELECT id FROM incidents"+where+")")
	}
	if f.AgreementID != 0 {
		conds = append(conds, "agreement_id = "+arg(f.AgreementID))
	}
	if f.Outcome != "" {
		conds = append(conds, "outcome = "+arg(f.Outcome))
	}
	if f.Reason != "" {
		conds = append(conds, "reason = "+arg(f.Reason))
	}
	if f.Disputed {
		conds = append(conds, "disputed = 1")
	}
	if len(conds) == 0 {
		return "", args, nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args, nil
}

// Verdicts lists verdicts by incident ID, filtered by the incident
// filters and the verdict's own.
func (db *DB) Verdicts(ctx context.Context, f domain.VerdictFilter) ([]*domain.Verdict, error) {
	where, args, err := db.verdictWhere(ctx, f)
	if err != nil {
		return nil, err
	}
	if f.AfterID != 0 {
		args = append(args, f.AfterID)
		if where == "" {
			where = " WHERE"
		} else {
			where += " AND"
		}
		where += fmt.Sprintf(" incident_id > $%d", len(args))
	}
	args = append(args, limit(f.Limit))
	return queryAll(ctx, db, `SELECT `+verdictColumns+` FROM verdicts`+where+
		fmt.Sprintf(" ORDER BY incident_id, agreement_id LIMIT $%d", len(args)), args, scanVerdict)
}

// CountVerdicts counts the verdicts a filter selects, ignoring its page.
func (db *DB) CountVerdicts(ctx context.Context, f domain.VerdictFilter) (int, error) {
	where, args, err := db.verdictWhere(ctx, f)
	if err != nil {
		return 0, err
	}
	var n int
	err = db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM verdicts`+where, args...).Scan(&n)
	return n, db.d.classify(err)
}

// VerdictChanges returns an incident's verdict changes, oldest first.
func (db *DB) VerdictChanges(ctx context.Context, incidentID int64) ([]*domain.VerdictChange, error) {
	return queryAll(ctx, db, `SELECT id, incident_id, agreement_id, old_outcome, new_outcome, old_views, new_views,
		cause_kind, cause_id, cause, at, actor FROM verdict_changes WHERE incident_id = $1 ORDER BY id`,
		[]any{incidentID}, func(row interface{ Scan(...any) error }) (*domain.VerdictChange, error) {
			var c domain.VerdictChange
			var old, new string
			if err := row.Scan(&c.ID, &c.IncidentID, &c.AgreementID, &c.OldOutcome, &c.NewOutcome, &old, &new,
				&c.Cause.Kind, &c.Cause.ID, &c.Cause.Text, ts{&c.Cause.At}, &c.Cause.Actor); err != nil {
				return nil, err
			}
			if err := json.Unmarshal([]byte(old), &c.Old); err != nil {
				return nil, err
			}
			if err := json.Unmarshal([]byte(new), &c.New); err != nil {
				return nil, err
			}
			return &c, nil
		})
}

// AffectedIncidents lists the incidents an AffectedFilter selects, by ID,
// with their parties: one query for a change that touches several parties
// and areas at once, instead of one per party.
func (db *DB) AffectedIncidents(ctx context.Context, f domain.AffectedFilter) ([]*domain.Incident, error) {
	var where, any_ []string
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if !f.Since.IsZero() {
		where = append(where, "occurred_at >= "+arg(db.d.t(f.Since)))
	}
	if !f.Until.IsZero() {
		where = append(where, "occurred_at < "+arg(db.d.t(f.Until)))
	}
	if f.AfterID != 0 {
		where = append(where, "id > "+arg(f.AfterID))
	}
	if len(f.PartyIDs) > 0 {
		ph := make([]string, len(f.PartyIDs))
		for i, id := range f.PartyIDs {
			ph[i] = arg(id)
		}
		any_ = append(any_, "id IN (SELECT incident_id FROM incident_parties WHERE party_id IN ("+strings.Join(ph, ",")+"))")
	}
	for _, b := range f.Boxes {
		any_ = append(any_, fmt.Sprintf("(lon >= %s AND lon <= %s AND lat >= %s AND lat <= %s)",
			arg(b.MinLon), arg(b.MaxLon), arg(b.MinLat), arg(b.MaxLat)))
	}
	if len(any_) > 0 {
		where = append(where, "("+strings.Join(any_, " OR ")+")")
	}
	q := `SELECT ` + incidentColumns + ` FROM incidents`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id LIMIT " + arg(limit(f.Limit))
	out, err := queryAll(ctx, db, q, args, scanIncident)
	if err != nil {
		return nil, err
	}
	return out, db.loadParties(ctx, db.r, out)
}

// UpdateTerms replaces an agreement's terms if the version it carries is
// current, and logs the new version in the ledger.
func (db *DB) UpdateTerms(ctx context.Context, a *domain.Agreement) error {
	if err := a.Validate(); err != nil {
		return err
	}
	acts, _ := json.Marshal(nonNil(a.ProhibitedActs))
	scope, _ := json.Marshal(nonNil(a.Scope))
	now := db.now()
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var slug string
		res, err := tx.ExecContext(ctx, `UPDATE agreements SET name = $1, time_zone = $2, start_at = $3, end_at = $4,
			commit_by = $5, prohibited_acts = $6, country = $7, scope = $8, exclusion_authority = $9,
			grace_seconds = $10, text = $11, source = $12, version = version + 1
			WHERE id = $13 AND version = $14`,
			a.Name, a.TimeZone, db.d.t(a.Start), db.d.t(a.End), db.d.t(a.CommitBy), string(acts), a.Country,
			string(scope), a.ExclusionAuthority, int64(a.Grace/time.Second), a.Text, a.Source, a.ID, a.Version)
		if err != nil {
			return fmt.Errorf("update terms: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			var cur int
			err := tx.QueryRowContext(ctx, `SELECT version, slug FROM agreements WHERE id = $1`, a.ID).Scan(&cur, &slug)
			if errors.Is(err, sql.ErrNoRows) {
				return domain.Errorf(domain.ENOTFOUND, "agreement %d not found", a.ID)
			} else if err != nil {
				return err
			}
			return domain.Errorf(domain.ECONFLICT, "agreement %s changed since you read it (version %d, you had %d)", slug, cur, a.Version)
		}
		if err := tx.QueryRowContext(ctx, `SELECT slug FROM agreements WHERE id = $1`, a.ID).Scan(&a.Slug); err != nil {
			return err
		}
		a.Version++
		rec, err := agreementRecord(a, now)
		if err != nil {
			return err
		}
		return db.logRecords(ctx, tx, rec)
	})
}

// ImportAreas stores control areas in one transaction, so an import that
// fails half way leaves nothing behind.
func (db *DB) ImportAreas(ctx context.Context, areas []*domain.Area) error {
	for i, a := range areas {
		switch {
		case a.ControllerID == 0:
			return domain.FieldErrorf("controller_id", "area %d: is required", i)
		case a.ValidFrom.IsZero():
			return domain.FieldErrorf("valid_from", "area %d: is required", i)
		case !a.ValidTo.IsZero() && !a.ValidTo.After(a.ValidFrom):
			return domain.FieldErrorf("valid_to", "area %d: must come after valid_from", i)
		case !json.Valid(a.Geometry):
			return domain.FieldErrorf("geometry", "area %d: is not valid JSON", i)
		}
	}
	now := db.now()
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		recs := make([]ledger.Record, 0, len(areas))
		for i, a := range areas {
			a.ValidFrom, a.ValidTo = utc(a.ValidFrom), utc(a.ValidTo)
			err := tx.QueryRowContext(ctx, `INSERT INTO areas (name, controller_id, valid_from, valid_to, geometry, source)
				VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
				a.Name, a.ControllerID, db.d.t(a.ValidFrom), db.d.t(a.ValidTo), string(a.Geometry), a.Source).Scan(&a.ID)
			if isForeignKey(db.d.classify(err)) {
				return domain.FieldErrorf("controller_id", "area %d: party %d does not exist", i, a.ControllerID)
			} else if err != nil {
				return fmt.Errorf("insert area %d: %w", i, err)
			}
			rec, err := areaRecord(a, now)
			if err != nil {
				return err
			}
			recs = append(recs, rec)
		}
		return db.logRecords(ctx, tx, recs...)
	})
	if err != nil {
		for _, a := range areas {
			a.ID = 0 // rolled back: nothing was stored
		}
	}
	return err
}
