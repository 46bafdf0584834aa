package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/trucedesk/truce/internal/auth"
	"github.com/trucedesk/truce/internal/domain"
)

var _ auth.Store = (*DB)(nil)

const userColumns = `id, name, full_name, role, COALESCE(party_id, 0), disabled, password_hash,
	created_at, updated_at, version`

func scanUser(row interface{ Scan(...any) error }) (*auth.User, error) {
	var u auth.User
	err := row.Scan(&u.ID, &u.Name, &u.FullName, &u.Role, &u.PartyID, &u.Disabled, &u.PasswordHash,
		ts{&u.CreatedAt}, ts{&u.UpdatedAt}, &u.Version)
	return &u, err
}

// CreateUser stores a new user.
func (db *DB) CreateUser(ctx context.Context, u *auth.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	now := db.now()
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO users (name, name_key, full_name, role, party_id, disabled,
			password_hash, created_at, updated_at, version)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, 1) RETURNING id`,
			u.Name, auth.NameKey(u.Name), u.FullName, u.Role, nullID(u.PartyID), u.Disabled, u.PasswordHash,
			db.d.t(now)).Scan(&u.ID)
	})
	if err != nil {
		return userError(u, err)
	}
	u.CreatedAt, u.UpdatedAt, u.Version = now, now, 1
	return nil
}

// userError turns constraint violations into messages about the fields.
func userError(u *auth.User, err error) error {
	switch {
	case isUnique(err):
		return domain.FieldErrorf("name", "a user %q already exists", u.Name)
	case isForeignKey(err):
		return domain.FieldErrorf("party_id", "party %d does not exist", u.PartyID)
	}
	return err
}

// User returns the user with the given ID.
func (db *DB) User(ctx context.Context, id int64) (*auth.User, error) {
	return db.user(ctx, db.r, "id = $1", id)
}

// UserByName returns the user with the given login name, in any letter case.
func (db *DB) UserByName(ctx context.Context, name string) (*auth.User, error) {
	return db.user(ctx, db.r, "name_key = $1", auth.NameKey(name))
}

func (db *DB) user(ctx context.Context, q queryer, where string, arg any) (*auth.User, error) {
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.ENOTFOUND, "user %v not found", arg)
	} else if err != nil {
		return nil, db.d.classify(fmt.Errorf("read user: %w", err))
	}
	return u, nil
}

// Users lists every user by name.
func (db *DB) Users(ctx context.Context) ([]*auth.User, error) {
	return queryAll(ctx, db, `SELECT `+userColumns+` FROM users ORDER BY name_key, id`, nil, scanUser)
}

// UpdateUser replaces a user's name, full name, role, party and disabled
// flag if u.Version is current.
func (db *DB) UpdateUser(ctx context.Context, u *auth.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	now := db.now()
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET name = $1, name_key = $2, full_name = $3, role = $4,
			party_id = $5, disabled = $6, updated_at = $7, version = version + 1
			WHERE id = $8 AND version = $9`,
			u.Name, auth.NameKey(u.Name), u.FullName, u.Role, nullID(u.PartyID), u.Disabled, db.d.t(now),
			u.ID, u.Version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			cur, err := db.user(ctx, tx, "id = $1", u.ID)
			if err != nil {
				return err
			}
			return domain.Errorf(domain.ECONFLICT, "user %s changed since you read it (version %d, you had %d)", cur.Name, cur.Version, u.Version)
		}
		return nil
	})
	if err != nil {
		return userError(u, err)
	}
	u.UpdatedAt = now
	u.Version++
	return nil
}

// SetPasswordHash replaces a user's password hash. It does not bump the
// version: a password change must not make an administrator's pending edit
// of the same account fail.
func (db *DB) SetPasswordHash(ctx context.Context, userID int64, hash string, at time.Time) error {
	if hash != "" {
		if _, err := auth.ParsePHC(hash); err != nil {
			return domain.FieldErrorf("password", "the hash is not an argon2id PHC string")
		}
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3`,
			hash, db.d.t(at), userID)
		return mustAffect(res, err, "user", userID)
	})
}

// mustAffect turns "no row changed" into ENOTFOUND.
func mustAffect(res sql.Result, err error, kind string, id any) error {
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return domain.Errorf(domain.ENOTFOUND, "%s %v not found", kind, id)
	}
	return nil
}

const sessionColumns = `hash, user_id, created_at, expires_at, last_seen_at, address, user_agent`

func scanSession(row interface{ Scan(...any) error }) (*auth.Session, error) {
	var s auth.Session
	err := row.Scan(&s.Hash, &s.UserID, ts{&s.CreatedAt}, ts{&s.ExpiresAt}, ts{&s.LastSeenAt}, &s.Address, &s.UserAgent)
	return &s, err
}

// CreateSession stores a new session.
func (db *DB) CreateSession(ctx context.Context, s *auth.Session) error {
	if len(s.Hash) != 64 || s.UserID == 0 || s.CreatedAt.IsZero() || s.ExpiresAt.IsZero() {
		return domain.Errorf(domain.EINVALID, "a session needs a hash, a user, and creation and expiry times")
	}
	if s.LastSeenAt.IsZero() {
		s.LastSeenAt = s.CreatedAt
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (`+sessionColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			s.Hash, s.UserID, db.d.t(s.CreatedAt), db.d.t(s.ExpiresAt), db.d.t(s.LastSeenAt), s.Address, s.UserAgent)
		if isForeignKey(db.d.classify(err)) {
			return domain.FieldErrorf("user_id", "user %d does not exist", s.UserID)
		}
		return err
	})
}

// SessionByHash returns the session with the given secret digest.
func (db *DB) SessionByHash(ctx context.Context, hash string) (*auth.Session, error) {
	s, err := scanSession(db.r.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE hash = $1`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		// The digest is a credential's stand-in: keep it out of messages.
		return nil, domain.Errorf(domain.ENOTFOUND, "session not found")
	} else if err != nil {
		return nil, db.d.classify(fmt.Errorf("read session: %w", err))
	}
	return s, nil
}

// Sessions lists a user's sessions, newest first.
func (db *DB) Sessions(ctx context.Context, userID int64) ([]*auth.Session, error) {
	return queryAll(ctx, db, `SELECT `+sessionColumns+` FROM sessions WHERE user_id = $1
		ORDER BY created_at DESC, hash`, []any{userID}, scanSession)
}

// TouchSession records that a session was used at the given instant.
func (db *DB) TouchSession(ctx context.Context, hash string, at time.Time) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE hash = $2`, db.d.t(at), hash)
		return mustAffect(res, err, "session", "")
	})
}

// DeleteSession ends a session; ending one already gone is not an error,
// so logging out twice is harmless.
func (db *DB) DeleteSession(ctx context.Context, hash string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE hash = $1`, hash)
		return err
	})
}

// DeleteUserSessions ends every session of a user.
func (db *DB) DeleteUserSessions(ctx context.Context, userID int64) (int, error) {
	return db.deleteSessions(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID)
}

// DeleteExpiredSessions removes sessions past their absolute expiry.
func (db *DB) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	return db.deleteSessions(ctx, `DELETE FROM sessions WHERE expires_at <= $1`, db.d.t(now))
}

func (db *DB) deleteSessions(ctx context.Context, q string, arg any) (int, error) {
	var n int64
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, q, arg)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

const tokenColumns = `id, user_id, name, prefix, hash, scopes, created_at, expires_at, last_used_at, revoked_at`

func scanToken(row interface{ Scan(...any) error }) (*auth.Token, error) {
	var t auth.Token
	var scopes string
	if err := row.Scan(&t.ID, &t.UserID, &t.Name, &t.Prefix, &t.Hash, &scopes, ts{&t.CreatedAt},
		ts{&t.ExpiresAt}, ts{&t.LastUsedAt}, ts{&t.RevokedAt}); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(scopes), &t.Scopes); err != nil {
		return nil, fmt.Errorf("token %d scopes: %w", t.ID, err)
	}
	return &t, nil
}

// CreateToken stores a new API token.
func (db *DB) CreateToken(ctx context.Context, t *auth.Token) error {
	if err := t.Validate(); err != nil {
		return err
	}
	scopes, _ := json.Marshal(t.Scopes)
	return db.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO api_tokens (user_id, name, prefix, hash, scopes, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			t.UserID, t.Name, t.Prefix, t.Hash, string(scopes), db.d.t(t.CreatedAt), db.d.t(t.ExpiresAt)).Scan(&t.ID)
		switch err := db.d.classify(err); {
		case isForeignKey(err):
			return domain.FieldErrorf("user_id", "user %d does not exist", t.UserID)
		case isUnique(err):
			return domain.Errorf(domain.ECONFLICT, "a token with this secret already exists")
		default:
			return err
		}
	})
}

// TokenByHash returns the token with the given secret digest.
func (db *DB) TokenByHash(ctx context.Context, hash string) (*auth.Token, error) {
	t, err := scanToken(db.r.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE hash = $1`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.ENOTFOUND, "token not found")
	} else if err != nil {
		return nil, db.d.classify(fmt.Errorf("read token: %w", err))
	}
	return t, nil
}

// Tokens lists a user's tokens, or everyone's for userID 0, newest first.
func (db *DB) Tokens(ctx context.Context, userID int64) ([]*auth.Token, error) {
	if userID == 0 {
		return queryAll(ctx, db, `SELECT `+tokenColumns+` FROM api_tokens ORDER BY id DESC`, nil, scanToken)
	}
	return queryAll(ctx, db, `SELECT `+tokenColumns+` FROM api_tokens WHERE user_id = $1 ORDER BY id DESC`,
		[]any{userID}, scanToken)
}

// TouchToken records that a token was used at the given instant.
func (db *DB) TouchToken(ctx context.Context, id int64, at time.Time) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE id = $2`, db.d.t(at), id)
		return mustAffect(res, err, "token", id)
	})
}

// RevokeToken marks a token revoked; a second revocation keeps the first
// instant, which is the one that matters to an investigation.
func (db *DB) RevokeToken(ctx context.Context, id int64, at time.Time) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2`,
			db.d.t(at), id)
		return mustAffect(res, err, "token", id)
	})
}

const auditColumns = `id, at, COALESCE(actor_id, 0), actor, role, address, action, record_kind, record_id,
	old_value, new_value`

func scanAudit(row interface{ Scan(...any) error }) (*auth.AuditEvent, error) {
	var e auth.AuditEvent
	var old, new sql.NullString
	if err := row.Scan(&e.ID, ts{&e.At}, &e.ActorID, &e.Actor, &e.Role, &e.Address, &e.Action, &e.Kind,
		&e.RecordID, &old, &new); err != nil {
		return nil, err
	}
	if old.Valid {
		e.Old = json.RawMessage(old.String)
	}
	if new.Valid {
		e.New = json.RawMessage(new.String)
	}
	return &e, nil
}

// AppendAudit appends an event to the audit trail and its leaf to the
// ledger, in one transaction: an event the log does not hold is never
// stored, and a leaf is never logged for an event that was not.
func (db *DB) AppendAudit(ctx context.Context, e *auth.AuditEvent) error {
	if e.At.IsZero() {
		e.At = db.now()
	}
	e.At = e.At.UTC().Truncate(time.Microsecond)
	if err := e.Validate(); err != nil {
		return err
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO audit_events (at, actor_id, actor, role, address, action,
			record_kind, record_id, old_value, new_value)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			db.d.t(e.At), nullID(e.ActorID), e.Actor, e.Role, e.Address, e.Action, e.Kind, e.RecordID,
			nullJSON(e.Old), nullJSON(e.New)).Scan(&e.ID); err != nil {
			return fmt.Errorf("insert audit event: %w", err)
		}
		rec, err := auditRecord(e)
		if err != nil {
			return err
		}
		return db.logRecords(ctx, tx, rec)
	})
	if err != nil {
		e.ID = 0 // rolled back: the ID names no row
	}
	return err
}

func nullJSON(v json.RawMessage) any {
	if len(v) == 0 {
		return nil
	}
	return string(v)
}

// AuditEvents lists audit events oldest first, or newest first with f.Newest.
func (db *DB) AuditEvents(ctx context.Context, f auth.AuditFilter) ([]*auth.AuditEvent, error) {
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if f.ActorID != 0 {
		where = append(where, "actor_id = "+arg(f.ActorID))
	}
	if f.Actor != "" {
		where = append(where, "actor = "+arg(f.Actor))
	}
	if f.Action != "" {
		where = append(where, "action = "+arg(f.Action))
	}
	if f.Kind != "" {
		where = append(where, "record_kind = "+arg(f.Kind))
	}
	if f.RecordID != "" {
		where = append(where, "record_id = "+arg(f.RecordID))
	}
	if !f.Since.IsZero() {
		where = append(where, "at >= "+arg(db.d.t(f.Since)))
	}
	if !f.Until.IsZero() {
		where = append(where, "at < "+arg(db.d.t(f.Until)))
	}
	if f.AfterID != 0 {
		where = append(where, "id > "+arg(f.AfterID))
	}
	if f.BeforeID != 0 {
		where = append(where, "id < "+arg(f.BeforeID))
	}
	q := `SELECT ` + auditColumns + ` FROM audit_events`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	order := " ORDER BY id"
	if f.Newest {
		order += " DESC"
	}
	q += order + " LIMIT " + arg(limit(f.Limit))
	return queryAll(ctx, db, q, args, scanAudit)
}
