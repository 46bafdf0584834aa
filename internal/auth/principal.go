package auth

import (
	"context"
	"slices"
)

// Principal is who is making a request, as the policy sees it.
type Principal struct {
	UserID  int64  `json:"user_id,omitempty"`
	Name    string `json:"name"`
	Role    Role   `json:"role"`
	PartyID int64  `json:"party_id,omitempty"`
	// Scopes limit a token's principal; for a browser session they are
	// nil and the role alone decides.
	Scopes []Scope `json:"scopes,omitempty"`
	// Via says how the principal was established: "session", "token", or
	// "" for the anonymous public.
	Via     string `json:"via,omitempty"`
	TokenID int64  `json:"token_id,omitempty"`
	// Address is the client address, for rate limits and the audit trail.
	Address string `json:"address,omitempty"`

	sessionSecret string // for the CSRF token; never leaves the request
}

// Anonymous is the principal of a request with no credentials.
var Anonymous = &Principal{Name: "public", Role: RolePublic}

// Anonymous reports whether p has no account behind it.
func (p *Principal) Anonymous() bool { return p.UserID == 0 }

// admits reports whether p's scopes cover act. A token principal is
// always limited by its scopes, so one with none may do nothing.
func (p *Principal) admits(act Action) bool {
	if p.Scopes == nil && p.Via != "token" {
		return true
	}
	return slices.ContainsFunc(p.Scopes, func(s Scope) bool { return s.Admits(act) })
}

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the request's principal, or Anonymous: code that
// forgets to authenticate gets the least power, not a nil pointer.
func FromContext(ctx context.Context) *Principal {
	if p, ok := ctx.Value(principalKey{}).(*Principal); ok && p != nil {
		return p
	}
	return Anonymous
}

// Actor returns the name to record as the actor of a change: the user's
// login name, or "public".
func Actor(ctx context.Context) string { return FromContext(ctx).Name }

// CSRFToken returns the token a form must echo back in its csrf_token
// field, or "" when the request has no session (then none is needed).
// Templates put it in a hidden input on every form that POSTs.
func CSRFToken(ctx context.Context) string {
	p := FromContext(ctx)
	if p.sessionSecret == "" {
		return ""
	}
	return csrfToken(p.sessionSecret)
}
