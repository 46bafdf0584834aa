package auth

import (
	"context"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/trucedesk/truce/internal/domain"
)

// Role is what a user is at the desk; the policy table grants actions to
// roles, never to individual users, so a user's powers can be read off one
// table.
type Role string

// The roles, from DESIGN.md.
const (
	RoleCoChair  Role = "co-chair" // a guarantor: sees everything, sets terms, publishes, administers users
	RoleMonitor  Role = "monitor"  // triages messages, creates and grades incidents
	RoleLiaison  Role = "liaison"  // a party's officer: own party's messages and the published record
	RoleObserver Role = "observer" // an NGO or the press: the published record
	RolePublic   Role = "public"   // anyone without an account
)

// Roles lists every role, most powerful first.
var Roles = []Role{RoleCoChair, RoleMonitor, RoleLiaison, RoleObserver, RolePublic}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// MaxUserNameBytes bounds login and display names.
const MaxUserNameBytes = 100

// User is an account at the desk.
type User struct {
	ID int64 `json:"id"`
	// Name is the login name; unique regardless of letter case, so that
	// "Alice" cannot pass for "alice" in the audit trail.
	Name     string `json:"name"`
	FullName string `json:"full_name,omitempty"`
	Role     Role   `json:"role"`
	// PartyID binds a liaison to the party it speaks for; only liaisons
	// have one.
	PartyID  int64 `json:"party_id,omitempty"`
	Disabled bool  `json:"disabled"`
	// PasswordHash is an argon2id PHC string, or empty for an account that
	// cannot log in with a password (a gateway that only uses tokens).
	PasswordHash string    `json:"-"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	Version      int       `json:"version"`
}

// NameKey is the form of a login name used for uniqueness and lookup.
func NameKey(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

// Validate checks a user before it is stored.
func (u *User) Validate() error {
	if err := checkText("name", u.Name, true); err != nil {
		return err
	}
	if err := checkText("full_name", u.FullName, false); err != nil {
		return err
	}
	switch {
	case !u.Role.Valid():
		return domain.FieldErrorf("role", "unknown role %q: want co-chair, monitor, liaison or observer", u.Role)
	case u.Role == RolePublic:
		return domain.FieldErrorf("role", "the public needs no account")
	case u.Role == RoleLiaison && u.PartyID == 0:
		return domain.FieldErrorf("party_id", "a liaison must be bound to a party")
	case u.Role != RoleLiaison && u.PartyID != 0:
		// A monitor with a party would read as partial in the audit trail,
		// and the policy ignores it anyway.
		return domain.FieldErrorf("party_id", "only a liaison is bound to a party")
	}
	if u.PasswordHash != "" {
		if _, err := ParsePHC(u.PasswordHash); err != nil {
			return domain.FieldErrorf("password", "the stored hash is not an argon2id PHC string")
		}
	}
	return nil
}

// checkText accepts any printable UTF-8: names come in many scripts, and
// quotes or angle brackets are harmless because every query takes them as
// parameters and every page escapes them.
func checkText(field, v string, required bool) error {
	switch {
	case !utf8.ValidString(v):
		return domain.FieldErrorf(field, "is not valid UTF-8")
	case required && strings.TrimSpace(v) == "":
		return domain.FieldErrorf(field, "is required")
	case v != strings.TrimSpace(v):
		return domain.FieldErrorf(field, "must not begin or end with spaces")
	case len(v) > MaxUserNameBytes:
		return domain.FieldErrorf(field, "is longer than %d bytes", MaxUserNameBytes)
	}
	for _, r := range v {
		if unicode.IsControl(r) {
			return domain.FieldErrorf(field, "must not contain control characters")
		}
	}
	return nil
}

// UserStore keeps accounts.
type UserStore interface {
	// CreateUser stores a new user and fills ID, CreatedAt, UpdatedAt and
	// Version. A name already taken (in any letter case) is EINVALID.
	CreateUser(ctx context.Context, u *User) error
	User(ctx context.Context, id int64) (*User, error)
	// UserByName finds a user by login name, in any letter case.
	UserByName(ctx context.Context, name string) (*User, error)
	Users(ctx context.Context) ([]*User, error)
	// UpdateUser replaces name, full name, role, party and disabled flag if
	// Version is current (else ECONFLICT), and bumps Version.
	UpdateUser(ctx context.Context, u *User) error
	// SetPasswordHash replaces a user's password hash.
	SetPasswordHash(ctx context.Context, userID int64, hash string, at time.Time) error
}

// SessionStore keeps browser sessions, by the SHA-256 of their secret.
type SessionStore interface {
	CreateSession(ctx context.Context, s *Session) error
	// SessionByHash returns the session, expired or not: expiry is the
	// Authenticator's decision, made with its clock.
	SessionByHash(ctx context.Context, hash string) (*Session, error)
	Sessions(ctx context.Context, userID int64) ([]*Session, error)
	TouchSession(ctx context.Context, hash string, at time.Time) error
	DeleteSession(ctx context.Context, hash string) error
	// DeleteUserSessions logs a user out everywhere.
	DeleteUserSessions(ctx context.Context, userID int64) (int, error)
	// DeleteExpiredSessions removes sessions whose absolute expiry is
	// before now.
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error)
}

// TokenStore keeps API tokens, by the SHA-256 of their secret.
type TokenStore interface {
	CreateToken(ctx context.Context, t *Token) error
	// TokenByHash returns the token, revoked or expired or not.
	TokenByHash(ctx context.Context, hash string) (*Token, error)
	// Tokens lists a user's tokens, newest first; userID 0 lists all.
	Tokens(ctx context.Context, userID int64) ([]*Token, error)
	TouchToken(ctx context.Context, id int64, at time.Time) error
	// RevokeToken marks a token revoked at the given instant; revoking a
	// revoked token keeps the first instant.
	RevokeToken(ctx context.Context, id int64, at time.Time) error
}

// AuditStore keeps the audit trail. It only appends: the schema refuses
// updates and deletes of audit rows.
type AuditStore interface {
	AppendAudit(ctx context.Context, e *AuditEvent) error
	AuditEvents(ctx context.Context, f AuditFilter) ([]*AuditEvent, error)
}

// Store is everything auth keeps.
type Store interface {
	UserStore
	SessionStore
	TokenStore
	AuditStore
}
