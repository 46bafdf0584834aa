package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/trucedesk/truce/internal/domain"
)

const agreementColumns = `id, slug, name, time_zone, start_at, end_at, commit_by, prohibited_acts, country,
	scope, exclusion_authority, grace_seconds, text, source, version`

func scanAgreement(row interface{ Scan(...any) error }) (*domain.Agreement, error) {
	var a domain.Agreement
	var acts, scope string
	var grace int64
	if err := row.Scan(&a.ID, &a.Slug, &a.Name, &a.TimeZone, ts{&a.Start}, ts{&a.End}, ts{&a.CommitBy},
		&acts, &a.Country, &scope, &a.ExclusionAuthority, &grace, &a.Text, &a.Source, &a.Version); err != nil {
		return nil, err
	}
	a.Grace = time.Duration(grace) * time.Second
	if err := json.Unmarshal([]byte(acts), &a.ProhibitedActs); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(scope), &a.Scope); err != nil {
		return nil, err
	}
	if len(a.Scope) == 0 {
		a.Scope = nil
	}
	return &a, nil
}

// CreateAgreement stores a new agreement.
func (db *DB) CreateAgreement(ctx context.Context, a *domain.Agreement) error {
	if err := a.Validate(); err != nil {
		return err
	}
	acts, _ := json.Marshal(nonNil(a.ProhibitedActs))
	scope, _ := json.Marshal(nonNil(a.Scope))
	a.Version = 1
	return db.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO agreements (slug, name, time_zone, start_at, end_at, commit_by,
			prohibited_acts, country, scope, exclusion_authority, grace_seconds, text, source, version)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1) RETURNING id`,
			a.Slug, a.Name, a.TimeZone, db.d.t(a.Start), db.d.t(a.End), db.d.t(a.CommitBy), string(acts), a.Country,
			string(scope), a.ExclusionAuthority, int64(a.Grace/time.Second), a.Text, a.Source).Scan(&a.ID)
		if isUnique(db.d.classify(err)) {
			return domain.FieldErrorf("slug", "an agreement %q already exists", a.Slug)
		} else if err != nil {
			return err
		}
		rec, err := agreementRecord(a, db.now())
		if err != nil {
			return err
		}
		return db.logRecords(ctx, tx, rec)
	})
}

// Agreement returns the agreement with the given ID.
func (db *DB) Agreement(ctx context.Context, id int64) (*domain.Agreement, error) {
	return db.agreement(ctx, "id = $1", id)
}

// AgreementBySlug returns the agreement with the given slug.
func (db *DB) AgreementBySlug(ctx context.Context, slug string) (*domain.Agreement, error) {
	return db.agreement(ctx, "slug = $1", slug)
}

func (db *DB) agreement(ctx context.Context, where string, arg any) (*domain.Agreement, error) {
	a, err := scanAgreement(db.r.QueryRowContext(ctx, `SELECT `+agreementColumns+` FROM agreements WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.ENOTFOUND, "agreement %v not found", arg)
	}
	return a, db.d.classify(err)
}

// Agreements lists every agreement, oldest first.
func (db *DB) Agreements(ctx context.Context) ([]*domain.Agreement, error) {
	return queryAll(ctx, db, `SELECT `+agreementColumns+` FROM agreements ORDER BY id`, nil, scanAgreement)
}

const partyColumns = `id, slug, name, kind, aliases, COALESCE(parent_id, 0), sponsor, version`

func scanParty(row interface{ Scan(...any) error }) (*domain.Party, error) {
	var p domain.Party
	var aliases string
	if err := row.Scan(&p.ID, &p.Slug, &p.Name, &p.Kind, &aliases, &p.ParentID, &p.Sponsor, &p.Version); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(aliases), &p.Aliases); err != nil {
		return nil, err
	}
	if len(p.Aliases) == 0 {
		p.Aliases = nil
	}
	return &p, nil
}

// CreateParty stores a new party.
func (db *DB) CreateParty(ctx context.Context, p *domain.Party) error {
	if err := p.Validate(); err != nil {
		return err
	}
	aliases, _ := json.Marshal(nonNil(p.Aliases))
	p.Version = 1
	return db.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO parties (slug, name, kind, aliases, parent_id, sponsor, version)
			VALUES ($1, $2, $3, $4, $5, $6, 1) RETURNING id`,
			p.Slug, p.Name, p.Kind, string(aliases), nullID(p.ParentID), p.Sponsor).Scan(&p.ID)
		switch err := db.d.classify(err); {
		case isUnique(err):
			return domain.FieldErrorf("slug", "a party %q already exists", p.Slug)
		case isForeignKey(err):
			return domain.FieldErrorf("parent_id", "party %d does not exist", p.ParentID)
		case err != nil:
			return err
		}
		rec, err := partyRecord(p, db.now())
		if err != nil {
			return err
		}
		return db.logRecords(ctx, tx, rec)
	})
}

// Party returns the party with the given ID.
func (db *DB) Party(ctx context.Context, id int64) (*domain.Party, error) {
	return db.party(ctx, "id = $1", id)
}

// PartyBySlug returns the party with the given slug.
func (db *DB) PartyBySlug(ctx context.Context, slug string) (*domain.Party, error) {
	return db.party(ctx, "slug = $1", slug)
}

func (db *DB) party(ctx context.Context, where string, arg any) (*domain.Party, error) {
	p, err := scanParty(db.r.QueryRowContext(ctx, `SELECT `+partyColumns+` FROM parties WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.ENOTFOUND, "party %v not found", arg)
	}
	return p, db.d.classify(err)
}

// Parties lists every party by name.
func (db *DB) Parties(ctx context.Context) ([]*domain.Party, error) {
	return queryAll(ctx, db, `SELECT `+partyColumns+` FROM parties ORDER BY name, id`, nil, scanParty)
}

// AddPartyStatus appends a row to a party's status timeline. Rows are never
// edited: a change of status is a new row from a new instant.
func (db *DB) AddPartyStatus(ctx context.Context, s *domain.PartyStatus) error {
	if s.RecordedAt.IsZero() {
		s.RecordedAt = db.now()
	}
	s.RecordedAt, s.ValidFrom = utc(s.RecordedAt), utc(s.ValidFrom)
	if err := s.Validate(); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO party_statuses (agreement_id, party_id, kind, designator,
			valid_from, source, note, recorded_at, recorded_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			s.AgreementID, s.PartyID, s.Kind, s.Designator, db.d.t(s.ValidFrom), s.Source, s.Note,
			db.d.t(s.RecordedAt), s.RecordedBy).Scan(&s.ID)
		if isForeignKey(db.d.classify(err)) {
			return domain.Errorf(domain.EINVALID, "agreement %d or party %d does not exist", s.AgreementID, s.PartyID)
		} else if err != nil {
			return err
		}
		rec, err := statusRecord(s)
		if err != nil {
			return err
		}
		return db.logRecords(ctx, tx, rec)
	})
}

// PartyStatuses returns an agreement's status rows in timeline order.
func (db *DB) PartyStatuses(ctx context.Context, agreementID int64) ([]*domain.PartyStatus, error) {
	return queryAll(ctx, db, `SELECT id, agreement_id, party_id, kind, designator, valid_from, source, note,
		recorded_at, recorded_by FROM party_statuses WHERE agreement_id = $1 ORDER BY valid_from, id`,
		[]any{agreementID}, func(row interface{ Scan(...any) error }) (*domain.PartyStatus, error) {
			var s domain.PartyStatus
			err := row.Scan(&s.ID, &s.AgreementID, &s.PartyID, &s.Kind, &s.Designator, ts{&s.ValidFrom},
				&s.Source, &s.Note, ts{&s.RecordedAt}, &s.RecordedBy)
			return &s, err
		})
}

// queryAll runs a read query and scans every row.
func queryAll[T any](ctx context.Context, db *DB, q string, args []any, scan func(interface{ Scan(...any) error }) (T, error)) ([]T, error) {
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, db.d.classify(fmt.Errorf("query: %w", err))
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, db.d.classify(rows.Err())
}
