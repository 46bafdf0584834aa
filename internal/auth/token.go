package auth

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/trucedesk/truce/internal/domain"
)

// Scope limits what an API token may do, whatever its owner's role allows:
// a gateway that only forwards SMS reports holds an intake token, and a
// leaked copy of it cannot read the inbox.
type Scope string

// The scopes.
const (
	ScopeIntake Scope = "intake" // submit messages
	ScopeRead   Scope = "read"   // read the published record, messages and the audit trail
	ScopeTriage Scope = "triage" // triage messages, create and grade incidents
	ScopeAdmin  Scope = "admin"  // everything the owner's role allows
)

// Scopes lists every scope.
var Scopes = []Scope{ScopeIntake, ScopeRead, ScopeTriage, ScopeAdmin}

// scopeActions is what each scope admits; admin admits everything.
var scopeActions = map[Scope][]Action{
	ScopeIntake: {ActSubmitMessage},
	ScopeRead:   {ActReadPublished, ActReadPublishedData, ActReadIncidents, ActReadOwnPartyMessages, ActReadOwnPartyRecords, ActReadMessages, ActReadAudit},
	ScopeTriage: {ActTriage, ActCreateIncident},
}

// Admits reports whether the scope covers act.
func (s Scope) Admits(act Action) bool {
	if s == ScopeAdmin {
		return true
	}
	for _, a := range scopeActions[s] {
		if a == act {
			return true
		}
	}
	return false
}

// Valid reports whether s is a known scope.
func (s Scope) Valid() bool {
	for _, x := range Scopes {
		if s == x {
			return true
		}
	}
	return false
}

// ParseScopes reads a comma-separated list such as "intake,read".
func ParseScopes(s string) ([]Scope, error) {
	var out []Scope
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		sc := Scope(f)
		if !sc.Valid() {
			return nil, domain.FieldErrorf("scopes", "unknown scope %q: want intake, read, triage or admin", f)
		}
		out = append(out, sc)
	}
	if len(out) == 0 {
		return nil, domain.FieldErrorf("scopes", "a token needs at least one scope")
	}
	return out, nil
}

// Token lifetimes: every token expires, so a forgotten one stops working.
const (
	DefaultTokenTTL = 90 * 24 * time.Hour
	MaxTokenTTL     = 366 * 24 * time.Hour
)

// TokenPrefix starts every API token, so that secret scanners and people
// recognise one in a log or a paste.
const TokenPrefix = "truce_"

// Token is an API credential. Its secret is shown once, at creation; the
// store keeps its SHA-256 and the first characters, to tell tokens apart in
// a listing.
type Token struct {
	ID         int64     `json:"id"`
	UserID     int64     `json:"user_id"`
	Name       string    `json:"name"` // what it is for: "sms-gateway"
	Prefix     string    `json:"prefix"`
	Hash       string    `json:"-"`
	Scopes     []Scope   `json:"scopes"`
	CreatedAt  time.Time `json:"created_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	LastUsedAt time.Time `json:"last_used_at,omitzero"`
	RevokedAt  time.Time `json:"revoked_at,omitzero"`
}

// Live reports whether t may be used at now.
func (t *Token) Live(now time.Time) bool {
	return t.RevokedAt.IsZero() && now.Before(t.ExpiresAt)
}

// Validate checks a token before it is stored.
func (t *Token) Validate() error {
	if err := checkText("name", t.Name, true); err != nil {
		return err
	}
	if len(t.Scopes) == 0 {
		return domain.FieldErrorf("scopes", "a token needs at least one scope")
	}
	for _, s := range t.Scopes {
		if !s.Valid() {
			return domain.FieldErrorf("scopes", "unknown scope %q", s)
		}
	}
	switch {
	case t.UserID == 0:
		return domain.FieldErrorf("user_id", "a token belongs to a user")
	case len(t.Hash) != 64:
		return domain.FieldErrorf("hash", "is not a SHA-256 digest")
	case !utf8.ValidString(t.Prefix) || len(t.Prefix) > 16:
		return domain.FieldErrorf("prefix", "is too long")
	case t.CreatedAt.IsZero() || !t.ExpiresAt.After(t.CreatedAt):
		return domain.FieldErrorf("expires_at", "must be after the creation time")
	case t.ExpiresAt.Sub(t.CreatedAt) > MaxTokenTTL:
		return domain.FieldErrorf("expires_at", "a token may live at most a year")
	}
	return nil
}
