package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"mime"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/trucedesk/truce/internal/domain"
)

// ETOOMANY is the code of a rate-limit refusal; the web package maps it to
// 429 Too Many Requests.
const ETOOMANY = "too_many_requests"

// LimitError is a refusal by a rate limiter. It reads as an ETOOMANY
// domain error and says when to retry.
type LimitError struct{ RetryAfter time.Duration }

func (e *LimitError) Error() string { return "rate limited: retry after " + e.RetryAfter.String() }

func (e *LimitError) Unwrap() error {
	return domain.Errorf(ETOOMANY, "too many requests; try again in %d seconds", retrySeconds(e.RetryAfter))
}

func retrySeconds(d time.Duration) int { return int(math.Ceil(d.Seconds())) }

// Authenticator establishes who is making each request (session cookie or
// API token), enforces the policy per route, checks CSRF tokens, logs users
// in and out and issues tokens. Construct it with New and adjust fields
// before serving.
type Authenticator struct {
	Store  Store
	Policy *Policy
	Now    func() time.Time
	Logger *slog.Logger
	// Params are the argon2id costs for new hashes; logins rehash
	// passwords stored with other costs.
	Params Params
	// SessionTTL is a session's absolute lifetime, SessionIdle how long it
	// survives without a request.
	SessionTTL, SessionIdle time.Duration
	// InsecureCookies drops the Secure flag and the __Host- prefix, for
	// development over plain HTTP only.
	InsecureCookies bool
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed.
	TrustedProxies []netip.Prefix
	// LoginByAddress and LoginByAccount slow password guessing: the first
	// bounds one client's attempts on any accounts, the second every
	// client's attempts on one account.
	LoginByAddress, LoginByAccount *Limiter
	// Audit, when set, records logins, failed logins, logouts and tokens.
	Audit *Recorder
	// Error writes a refusal; the web server sets its own so that auth
	// errors look like every other error. The default writes plain text.
	Error func(w http.ResponseWriter, r *http.Request, err error)
	// MaxFormBytes and MaxMultipartBytes bound a form body read to find
	// its CSRF token.
	MaxFormBytes, MaxMultipartBytes int64

	// hashing bounds concurrent argon2 runs: each takes Params.Memory, and
	// a burst of logins must not take the server's memory with it.
	hashing   chan struct{}
	dummyOnce sync.Once
	dummy     string
}

// New returns an Authenticator with Truce's defaults: argon2id at
// DefaultParams, sessions of 12 hours (30 minutes idle), ten login attempts
// a minute per client and five, then two a minute, per account.
func New(s Store, now func() time.Time) *Authenticator {
	return &Authenticator{
		Store:          s,
		Policy:         DefaultPolicy,
		Now:            now,
		Logger:         slog.Default(),
		Params:         DefaultParams,
		SessionTTL:     DefaultSessionTTL,
		SessionIdle:    DefaultSessionIdle,
		LoginByAddress: NewLimiter(6*time.Second, 10, now),
		LoginByAccount: NewLimiter(30*time.Second, 5, now),
		Audit:          &Recorder{Store: s, Now: now},
		MaxFormBytes:   1 << 20,
		// Room for a message with every attachment intake accepts.
		MaxMultipartBytes: domain.MaxAttachments*domain.MaxAttachmentBytes + 1<<20,
		hashing:           make(chan struct{}, 2),
	}
}

func (a *Authenticator) now() time.Time { return a.Now().UTC().Truncate(time.Microsecond) }

// hash and verify run argon2 under the concurrency bound.
func (a *Authenticator) hash(ctx context.Context, pw string) (string, error) {
	if err := a.acquire(ctx); err != nil {
		return "", err
	}
	defer a.release()
	return HashPassword(pw, a.Params)
}

func (a *Authenticator) verify(ctx context.Context, pw, encoded string) (bool, error) {
	if err := a.acquire(ctx); err != nil {
		return false, err
	}
	defer a.release()
	return VerifyPassword(pw, encoded)
}

func (a *Authenticator) acquire(ctx context.Context) error {
	if a.hashing == nil {
		return nil
	}
	select {
	case a.hashing <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (a *Authenticator) release() {
	if a.hashing != nil {
		<-a.hashing
	}
}

// HashPassword checks pw against the password rules and hashes it with the
// Authenticator's parameters.
func (a *Authenticator) HashPassword(ctx context.Context, pw string) (string, error) {
	if err := CheckPassword(pw); err != nil {
		return "", err
	}
	return a.hash(ctx, pw)
}

// LoginRequest is a password login attempt.
type LoginRequest struct {
	Name      string
	Password  string
	Address   string
	UserAgent string
}

var errBadLogin = domain.Errorf(domain.EUNAUTHORIZED, "wrong name or password")

// Login checks a name and password and opens a session. It returns the
// session secret, which goes in the cookie and nowhere else.
//
// Every failure reads the same ("wrong name or password") and takes about
// as long, whether the account exists, is disabled, or the password is
// wrong, so that logins do not reveal who has an account.
func (a *Authenticator) Login(ctx context.Context, req LoginRequest) (string, *Session, *User, error) {
	if ok, wait := a.allow(a.LoginByAddress, "addr:"+LimitKey(req.Address)); !ok {
		return "", nil, nil, &LimitError{wait}
	}
	if ok, wait := a.allow(a.LoginByAccount, "user:"+NameKey(req.Name)); !ok {
		a.record(ctx, &Principal{Name: clip(req.Name), Role: RolePublic, Address: req.Address},
			"session.login_limited", "user", nil)
		return "", nil, nil, &LimitError{wait}
	}
	u, err := a.Store.UserByName(ctx, req.Name)
	if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
		return "", nil, nil, err
	}
	hash := a.dummyHash()
	if u != nil && u.PasswordHash != "" {
		hash = u.PasswordHash
	}
	ok, err := a.verify(ctx, req.Password, hash)
	if err != nil {
		// A stored hash we cannot read is a bug or tampering, not a
		// wrong password; say so in the log, not to the client.
		a.Logger.Error("unreadable password hash", "user", req.Name, "err", err)
		ok = false
	}
	if u == nil || u.Disabled || u.PasswordHash == "" || !ok {
		p := &Principal{Name: clip(req.Name), Role: RolePublic, Address: req.Address}
		if u != nil {
			p.UserID, p.Name, p.Role = u.ID, u.Name, u.Role
		}
		a.record(ctx, p, "session.login_failed", "user", nil)
		return "", nil, nil, errBadLogin
	}
	if NeedsRehash(u.PasswordHash, a.Params) {
		if h, err := a.hash(ctx, req.Password); err == nil {
			if err := a.Store.SetPasswordHash(ctx, u.ID, h, a.now()); err != nil {
				a.Logger.Warn("rehash password", "user", u.Name, "err", err)
			} else {
				u.PasswordHash = h
			}
		}
	}
	secret, s, err := a.openSession(ctx, u, req.Address, req.UserAgent)
	if err != nil {
		return "", nil, nil, err
	}
	a.record(ctx, principalOf(u, "session", req.Address), "session.login", "user", u.ID)
	return secret, s, u, nil
}

func (a *Authenticator) openSession(ctx context.Context, u *User, addr, agent string) (string, *Session, error) {
	now := a.now()
	secret := newSecret()
	s := &Session{
		Hash: HashSecret(secret), UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(a.SessionTTL),
		LastSeenAt: now, Address: clip(addr), UserAgent: clip(agent),
	}
	if err := a.Store.CreateSession(ctx, s); err != nil {
		return "", nil, fmt.Errorf("create session: %w", err)
	}
	return secret, s, nil
}

// dummyHash is verified against when there is no real hash, so that a
// login for a missing account costs what a real one does.
func (a *Authenticator) dummyHash() string {
	a.dummyOnce.Do(func() {
		a.dummy, _ = HashPassword(newSecret(), a.Params)
	})
	return a.dummy
}

// clip bounds client-supplied text kept in sessions and the audit trail.
func clip(s string) string {
	if strings.TrimSpace(s) == "" {
		return "(no name)" // the audit trail needs an actor even for a blank login
	}
	s = strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD")
	if len(s) > 200 {
		s = strings.ToValidUTF8(s[:200], "")
	}
	return s
}

func (a *Authenticator) allow(l *Limiter, key string) (bool, time.Duration) {
	if l == nil {
		return true, 0
	}
	return l.Allow(key)
}

// Logout ends the session whose secret is given.
func (a *Authenticator) Logout(ctx context.Context, secret string) error {
	if secret == "" {
		return nil
	}
	return a.Store.DeleteSession(ctx, HashSecret(secret))
}

// StartSession logs in from a login form: it checks the credentials, opens
// a session and sets its cookie. The caller redirects on success and
// re-renders the form on error.
func (a *Authenticator) StartSession(w http.ResponseWriter, r *http.Request, name, password string) (*User, error) {
	// A login from a browser that already has a session replaces it.
	if prev := FromContext(r.Context()).sessionSecret; prev != "" {
		if err := a.Logout(r.Context(), prev); err != nil {
			return nil, err
		}
	}
	secret, s, u, err := a.Login(r.Context(), LoginRequest{
		Name: name, Password: password, Address: ClientAddress(r, a.TrustedProxies), UserAgent: r.UserAgent(),
	})
	if err != nil {
		var le *LimitError
		if errors.As(err, &le) {
			w.Header().Set("Retry-After", strconv.Itoa(retrySeconds(le.RetryAfter)))
		}
		return nil, err
	}
	a.SetSessionCookie(w, secret, s)
	return u, nil
}

// EndSession logs out the request's session and clears its cookie.
func (a *Authenticator) EndSession(w http.ResponseWriter, r *http.Request) error {
	a.ClearSessionCookie(w)
	p := FromContext(r.Context())
	if p.sessionSecret == "" {
		return nil
	}
	if err := a.Logout(r.Context(), p.sessionSecret); err != nil {
		return err
	}
	a.record(r.Context(), p, "session.logout", "user", p.UserID)
	return nil
}

// IssueToken creates an API token for u and returns its secret, which is
// shown once and never again.
func (a *Authenticator) IssueToken(ctx context.Context, u *User, name string, scopes []Scope, ttl time.Duration) (string, *Token, error) {
	if ttl <= 0 {
		ttl = DefaultTokenTTL
	}
	now := a.now()
	secret := TokenPrefix + newSecret()
	t := &Token{
		UserID: u.ID, Name: name, Prefix: secret[:len(TokenPrefix)+4], Hash: HashSecret(secret),
		Scopes: scopes, CreatedAt: now, ExpiresAt: now.Add(ttl),
	}
	if err := t.Validate(); err != nil {
		return "", nil, err
	}
	if err := a.Store.CreateToken(ctx, t); err != nil {
		return "", nil, err
	}
	a.record(ctx, FromContext(ctx), "token.create", "token", t.ID, nil, t)
	return secret, t, nil
}

// RevokeToken revokes a token at once.
func (a *Authenticator) RevokeToken(ctx context.Context, id int64) error {
	if err := a.Store.RevokeToken(ctx, id, a.now()); err != nil {
		return err
	}
	a.record(ctx, FromContext(ctx), "token.revoke", "token", id)
	return nil
}

// record appends to the audit trail as p; a failure is logged, since it
// must not turn a login into an error page.
func (a *Authenticator) record(ctx context.Context, p *Principal, action, kind string, id any, oldNew ...any) {
	if a.Audit == nil {
		return
	}
	var old, new any
	if len(oldNew) == 2 {
		old, new = oldNew[0], oldNew[1]
	}
	if err := a.Audit.Record(WithPrincipal(ctx, p), action, kind, id, old, new); err != nil {
		a.Logger.Error("audit", "action", action, "err", err)
	}
}

func principalOf(u *User, via, addr string) *Principal {
	return &Principal{UserID: u.ID, Name: u.Name, Role: u.Role, PartyID: u.PartyID, Via: via, Address: addr}
}

// Authenticate establishes the request's principal and puts it in the
// context for FromContext: from an "Authorization: Bearer" API token, else
// from the session cookie, else the anonymous public. A bad bearer token is
// refused outright (an API client should hear that its token is wrong); a
// stale cookie just makes the request anonymous and is cleared.
func (a *Authenticator) Authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		addr := ClientAddress(r, a.TrustedProxies)
		var p *Principal
		var err error
		if h := r.Header.Get("Authorization"); h != "" {
			p, err = a.fromToken(r.Context(), h, addr)
		} else if c, cerr := r.Cookie(a.CookieName()); cerr == nil && c.Value != "" {
			p, err = a.fromSession(r.Context(), c.Value, addr)
			if err == nil && p == nil {
				a.ClearSessionCookie(w)
			}
		}
		if err != nil {
			if domain.ErrorCode(err) == domain.EUNAUTHORIZED {
				w.Header().Set("WWW-Authenticate", `Bearer realm="truce", error="invalid_token"`)
			}
			a.fail(w, r, err)
			return
		}
		if p == nil {
			anon := *Anonymous
			anon.Address = addr
			p = &anon
		}
		next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), p)))
	})
}

var errBadToken = domain.Errorf(domain.EUNAUTHORIZED, "the API token is invalid, expired or revoked")

func (a *Authenticator) fromToken(ctx context.Context, header, addr string) (*Principal, error) {
	scheme, secret, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
		return nil, domain.Errorf(domain.EUNAUTHORIZED, "the Authorization header must be \"Bearer <token>\"")
	}
	t, err := a.Store.TokenByHash(ctx, HashSecret(strings.TrimSpace(secret)))
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, errBadToken
	} else if err != nil {
		return nil, err
	}
	now := a.now()
	if !t.Live(now) {
		return nil, errBadToken
	}
	u, err := a.Store.User(ctx, t.UserID)
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, errBadToken
	}
	if now.Sub(t.LastUsedAt) >= touchEvery {
		if err := a.Store.TouchToken(ctx, t.ID, now); err != nil {
			a.Logger.Warn("touch token", "token", t.ID, "err", err)
		}
	}
	p := principalOf(u, "token", addr)
	p.Scopes, p.TokenID = t.Scopes, t.ID
	return p, nil
}

// fromSession returns nil, nil for a cookie that names no live session.
func (a *Authenticator) fromSession(ctx context.Context, secret, addr string) (*Principal, error) {
	hash := HashSecret(secret)
	s, err := a.Store.SessionByHash(ctx, hash)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	now := a.now()
	if !s.Live(now, a.SessionIdle) {
		if err := a.Store.DeleteSession(ctx, hash); err != nil {
			a.Logger.Warn("delete expired session", "err", err)
		}
		return nil, nil
	}
	u, err := a.Store.User(ctx, s.UserID)
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, nil
	}
	if now.Sub(s.LastSeenAt) >= touchEvery {
		if err := a.Store.TouchSession(ctx, hash, now); err != nil {
			a.Logger.Warn("touch session", "err", err)
		}
	}
	p := principalOf(u, "session", addr)
	p.sessionSecret = secret
	return p, nil
}

// Require returns middleware that lets a request through only if its
// principal may do act to some resource. An anonymous caller is told to
// log in (401), a logged-in one that it may not (403). An unknown action
// refuses everything: a typo must fail closed.
func (a *Authenticator) Require(act Action) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p := FromContext(r.Context())
			if !act.Known() || !a.Policy.Permits(p, act) {
				if p.Anonymous() {
					w.Header().Set("WWW-Authenticate", `Bearer realm="truce"`)
				}
				a.fail(w, r, denied(p, act))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// Guard wraps a route's handler in Require(act). It fails for a route that
// declares no action or an unknown one, so that the server refuses to start
// rather than serve a route nobody thought about. ActAnyone passes the
// handler through unchanged.
func (a *Authenticator) Guard(pattern string, act Action, h http.Handler) (http.Handler, error) {
	switch {
	case act == "":
		return nil, fmt.Errorf("route %q declares no access action", pattern)
	case !act.Known():
		return nil, fmt.Errorf("route %q declares unknown access action %q", pattern, act)
	case act == ActAnyone:
		return h, nil
	}
	return a.Require(act)(h), nil
}

// CSRF refuses state-changing requests forged by another site. It goes
// inside Authenticate, around the whole mux. Safe methods (GET, HEAD,
// OPTIONS) pass: they must change nothing. Requests with an API token pass:
// a browser never attaches an Authorization header on its own, so another
// site cannot make it send one. Everything else must pass Go's
// cross-origin check (Sec-Fetch-Site, Origin), and a request with a session
// must also carry the session's synchronizer token, in the X-CSRF-Token
// header or the csrf_token form field (see CSRFToken).
//
// Anonymous posts (the public report form) need no token: there is no
// session to ride, and the cross-origin check still applies.
func (a *Authenticator) CSRF(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			next.ServeHTTP(w, r)
			return
		}
		p := FromContext(r.Context())
		if p.Via == "token" {
			next.ServeHTTP(w, r)
			return
		}
		if err := cop.Check(r); err != nil {
			a.fail(w, r, domain.Errorf(domain.EFORBIDDEN, "cross-origin request refused"))
			return
		}
		if p.sessionSecret != "" && !validCSRF(p.sessionSecret, a.formToken(w, r)) {
			a.fail(w, r, domain.Errorf(domain.EFORBIDDEN, "the form has expired or did not come from this site; reload the page and try again"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// formToken finds the CSRF token in the header or the form body. A
// urlencoded body is parsed (bounded by MaxFormBytes) and stays parsed for
// the handler; so is a multipart one, with files spooled to disk as
// ParseMultipartForm does.
func (a *Authenticator) formToken(w http.ResponseWriter, r *http.Request) string {
	if t := r.Header.Get("X-CSRF-Token"); t != "" {
		return t
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/x-www-form-urlencoded":
		r.Body = http.MaxBytesReader(w, r.Body, a.MaxFormBytes)
		if err := r.ParseForm(); err != nil {
			return ""
		}
	case "multipart/form-data":
		r.Body = http.MaxBytesReader(w, r.Body, a.MaxMultipartBytes)
		if err := r.ParseMultipartForm(32 << 10); err != nil {
			return ""
		}
	default:
		return ""
	}
	return r.PostFormValue("csrf_token")
}

// RateLimit returns middleware that limits requests per client address
// (IPv6 by /64), answering 429 with Retry-After when the bucket is empty.
// Put it on the public intake routes and the login form.
func (a *Authenticator) RateLimit(l *Limiter) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if ok, wait := l.Allow(LimitKey(ClientAddress(r, a.TrustedProxies))); !ok {
				w.Header().Set("Retry-After", strconv.Itoa(retrySeconds(wait)))
				a.fail(w, r, &LimitError{wait})
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// defaultStatuses is used only when no Error writer is set.
var defaultStatuses = map[string]int{
	domain.EUNAUTHORIZED: http.StatusUnauthorized,
	domain.EFORBIDDEN:    http.StatusForbidden,
	domain.EINVALID:      http.StatusBadRequest,
	domain.EUNAVAILABLE:  http.StatusServiceUnavailable,
	ETOOMANY:             http.StatusTooManyRequests,
}

func (a *Authenticator) fail(w http.ResponseWriter, r *http.Request, err error) {
	if a.Error != nil {
		a.Error(w, r, err)
		return
	}
	status, ok := defaultStatuses[domain.ErrorCode(err)]
	if !ok {
		status = http.StatusInternalServerError
		a.Logger.Error("auth", "path", r.URL.Path, "err", err)
	}
	http.Error(w, domain.ErrorMessage(err), status)
}
