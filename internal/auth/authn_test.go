package auth_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/trucedesk/truce/internal/auth"
	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/store"
	"github.com/trucedesk/truce/internal/store/storetest"
)

const goodPassword = "correct horse battery staple"

// fixture is an Authenticator on a real SQLite store with a settable clock.
type fixture struct {
	a     *auth.Authenticator
	db    *store.DB
	clock *clock
	party int64
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db := storetest.OpenSQLite(t)
	c := newClock()
	db.Now = c.Now
	a := auth.New(db, c.Now)
	a.Params = cheap
	p := &domain.Party{Slug: "fsa-south", Name: "Southern Front", Kind: domain.KindArmedGroup}
	if err := db.CreateParty(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	return &fixture{a: a, db: db, clock: c, party: p.ID}
}

func (f *fixture) user(t *testing.T, name string, role auth.Role) *auth.User {
	t.Helper()
	h, err := auth.HashPassword(goodPassword, cheap)
	if err != nil {
		t.Fatal(err)
	}
	u := &auth.User{Name: name, Role: role, PasswordHash: h}
	if role == auth.RoleLiaison {
		u.PartyID = f.party
	}
	if err := f.db.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	return u
}

func (f *fixture) login(t *testing.T, name string) string {
	t.Helper()
	secret, _, _, err := f.a.Login(context.Background(), auth.LoginRequest{Name: name, Password: goodPassword, Address: "192.0.2.1"})
	if err != nil {
		t.Fatalf("Login(%s): %v", name, err)
	}
	return secret
}

// handler stacks Authenticate and CSRF around inner, the way the web
// server does.
func (f *fixture) handler(inner http.Handler) http.Handler {
	return f.a.Authenticate(f.a.CSRF(inner))
}

// whoami answers with the principal's name, role and how it was established.
var whoami = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	p := auth.FromContext(r.Context())
	w.Write([]byte(p.Name + " " + string(p.Role) + " " + p.Via))
})

func (f *fixture) do(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func (f *fixture) withCookie(r *http.Request, secret string) *http.Request {
	r.AddCookie(&http.Cookie{Name: f.a.CookieName(), Value: secret})
	return r
}

func TestLogin(t *testing.T) {
	f := newFixture(t)
	f.user(t, "amira", auth.RoleMonitor)
	off := f.user(t, "gone", auth.RoleMonitor)
	off.Disabled = true
	if err := f.db.UpdateUser(context.Background(), off); err != nil {
		t.Fatal(err)
	}
	f.a.LoginByAccount, f.a.LoginByAddress = nil, nil // tested on their own below
	tests := []struct {
		name, user, pw string
		ok             bool
	}{
		{"right", "amira", goodPassword, true},
		{"any letter case", "AMIRA", goodPassword, true},
		{"wrong password", "amira", "correct horse battery stapler", false},
		{"empty password", "amira", "", false},
		{"no such user", "boris", goodPassword, false},
		{"disabled", "gone", goodPassword, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			secret, s, u, err := f.a.Login(context.Background(), auth.LoginRequest{Name: tt.user, Password: tt.pw, Address: "192.0.2.1"})
			if !tt.ok {
				// Every failure reads the same, so logins do not reveal who has an account.
				if domain.ErrorCode(err) != domain.EUNAUTHORIZED || domain.ErrorMessage(err) != "wrong name or password" {
					t.Fatalf("Login = %v, want EUNAUTHORIZED \"wrong name or password\"", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if u.Name != "amira" || len(secret) < 43 {
				t.Fatalf("Login returned user %q, secret of %d characters", u.Name, len(secret))
			}
			// The store keeps the digest, never the secret.
			if s.Hash != auth.HashSecret(secret) || s.Hash == secret {
				t.Errorf("session hash %q is not SHA-256 of the secret", s.Hash)
			}
			if _, err := f.db.SessionByHash(context.Background(), secret); domain.ErrorCode(err) != domain.ENOTFOUND {
				t.Errorf("the raw secret finds a session: %v", err)
			}
			if want := f.clock.Now().Add(auth.DefaultSessionTTL); !s.ExpiresAt.Equal(want) {
				t.Errorf("ExpiresAt = %v, want %v", s.ExpiresAt, want)
			}
		})
	}
	events, err := f.db.AuditEvents(context.Background(), auth.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range events {
		actions = append(actions, e.Actor+":"+e.Action)
	}
	want := "amira:session.login amira:session.login amira:session.login_failed amira:session.login_failed " +
		"boris:session.login_failed gone:session.login_failed"
	if got := strings.Join(actions, " "); got != want {
		t.Errorf("audit trail:\n got %s\nwant %s", got, want)
	}
}

func TestLoginRehashes(t *testing.T) {
	f := newFixture(t)
	u := f.user(t, "amira", auth.RoleMonitor) // hashed with cheap
	stronger := cheap
	stronger.Time = 2
	f.a.Params = stronger
	f.login(t, "amira")
	got, err := f.db.User(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if auth.NeedsRehash(got.PasswordHash, stronger) {
		t.Errorf("after login the hash %q still has the old parameters", got.PasswordHash)
	}
	if ok, _ := auth.VerifyPassword(goodPassword, got.PasswordHash); !ok {
		t.Error("the rehashed password does not verify")
	}
	f.login(t, "amira")
}

func TestLoginRateLimits(t *testing.T) {
	f := newFixture(t)
	f.user(t, "amira", auth.RoleMonitor)
	try := func(pw, addr string) error {
		_, _, _, err := f.a.Login(context.Background(), auth.LoginRequest{Name: "amira", Password: pw, Address: addr})
		return err
	}
	// Five wrong guesses from five addresses use up the account's burst…
	for i := range 5 {
		if err := try("wrong password!", "198.51.100."+string(rune('1'+i))); domain.ErrorCode(err) != domain.EUNAUTHORIZED {
			t.Fatalf("guess %d: %v, want EUNAUTHORIZED", i, err)
		}
	}
	// …so even the right password is refused until the bucket refills.
	err := try(goodPassword, "192.0.2.1")
	if domain.ErrorCode(err) != auth.ETOOMANY {
		t.Fatalf("sixth attempt: %v, want %s", err, auth.ETOOMANY)
	}
	f.clock.Advance(30 * time.Second)
	if err := try(goodPassword, "192.0.2.1"); err != nil {
		t.Fatalf("after the refill: %v", err)
	}

	// One address guessing at many accounts is limited too.
	for range 10 {
		try("wrong password!", "203.0.113.5")
	}
	_, _, _, err = f.a.Login(context.Background(), auth.LoginRequest{Name: "someone-else", Password: "x", Address: "203.0.113.5"})
	if domain.ErrorCode(err) != auth.ETOOMANY {
		t.Errorf("eleventh attempt from one address: %v, want %s", err, auth.ETOOMANY)
	}
}

func TestSessionLifecycle(t *testing.T) {
	f := newFixture(t)
	u := f.user(t, "amira", auth.RoleMonitor)
	h := f.handler(whoami)
	get := func(secret string) string {
		return f.do(h, f.withCookie(httptest.NewRequest("GET", "/", nil), secret)).Body.String()
	}

	secret := f.login(t, "amira")
	if got := get(secret); got != "amira monitor session" {
		t.Fatalf("with a fresh session: %q", got)
	}
	if got := get("forged" + secret[6:]); got != "public public " {
		t.Errorf("with a forged cookie: %q, want the public", got)
	}

	// Activity keeps an idle session alive…
	for range 5 {
		f.clock.Advance(20 * time.Minute)
		if got := get(secret); got != "amira monitor session" {
			t.Fatalf("after 20 idle minutes: %q", got)
		}
	}
	// …but not past thirty idle minutes.
	f.clock.Advance(31 * time.Minute)
	w := f.do(h, f.withCookie(httptest.NewRequest("GET", "/", nil), secret))
	if got := w.Body.String(); got != "public public " {
		t.Errorf("after 31 idle minutes: %q, want the public", got)
	}
	if c := w.Result().Cookies(); len(c) != 1 || c[0].MaxAge >= 0 {
		t.Errorf("an expired session's cookie is not cleared: %v", c)
	}
	if _, err := f.db.SessionByHash(context.Background(), auth.HashSecret(secret)); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("the expired session is still stored: %v", err)
	}

	// No amount of activity extends a session past its absolute expiry.
	secret = f.login(t, "amira")
	for elapsed := time.Duration(0); elapsed < auth.DefaultSessionTTL-20*time.Minute; elapsed += 20 * time.Minute {
		f.clock.Advance(20 * time.Minute)
		if got := get(secret); got != "amira monitor session" {
			t.Fatalf("active session died after %v: %q", elapsed, got)
		}
	}
	f.clock.Advance(20 * time.Minute)
	if got := get(secret); got != "public public " {
		t.Errorf("after %v: %q, want the public", auth.DefaultSessionTTL, got)
	}

	// Revocation: logging out, logging out everywhere, and disabling.
	s1, s2 := f.login(t, "amira"), f.login(t, "amira")
	if err := f.a.Logout(context.Background(), s1); err != nil {
		t.Fatal(err)
	}
	if got := get(s1); got != "public public " {
		t.Errorf("after logout: %q", got)
	}
	if got := get(s2); got != "amira monitor session" {
		t.Errorf("logout ended another session: %q", got)
	}
	if _, err := f.db.DeleteUserSessions(context.Background(), u.ID); err != nil {
		t.Fatal(err)
	}
	if got := get(s2); got != "public public " {
		t.Errorf("after logging out everywhere: %q", got)
	}
	s3 := f.login(t, "amira")
	u, _ = f.db.User(context.Background(), u.ID)
	u.Disabled = true
	if err := f.db.UpdateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	if got := get(s3); got != "public public " {
		t.Errorf("a disabled user's session still works: %q", got)
	}
}

func TestSessionCookie(t *testing.T) {
	f := newFixture(t)
	f.user(t, "amira", auth.RoleMonitor)
	w := httptest.NewRecorder()
	r := httptest.NewRequest("POST", "/login", nil)
	if _, err := f.a.StartSession(w, r, "amira", goodPassword); err != nil {
		t.Fatal(err)
	}
	cs := w.Result().Cookies()
	if len(cs) != 1 {
		t.Fatalf("StartSession set %d cookies, want 1", len(cs))
	}
	c := cs[0]
	if c.Name != "__Host-truce_session" || !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode ||
		c.Path != "/" || c.Domain != "" || c.MaxAge != int(auth.DefaultSessionTTL/time.Second) {
		t.Errorf("cookie = %+v; want __Host-, Secure, HttpOnly, SameSite=Lax, Path=/, no Domain, 12 h", c)
	}
	// Logging in again from the same browser replaces the old session.
	old := c.Value
	f.do(f.a.Authenticate(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := f.a.StartSession(w, r, "amira", goodPassword); err != nil {
			t.Fatal(err)
		}
	})), f.withCookie(httptest.NewRequest("POST", "/login", nil), old))
	if _, err := f.db.SessionByHash(context.Background(), auth.HashSecret(old)); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("the replaced session survives: %v", err)
	}

	f.a.InsecureCookies = true
	if f.a.CookieName() != "truce_session" {
		t.Errorf("insecure cookie name = %q", f.a.CookieName())
	}
}

func TestTokens(t *testing.T) {
	f := newFixture(t)
	u := f.user(t, "sms-gateway", auth.RoleMonitor)
	ctx := context.Background()
	intake, tok, err := f.a.IssueToken(ctx, u, "sms", []auth.Scope{auth.ScopeIntake}, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(intake, auth.TokenPrefix) || tok.Hash != auth.HashSecret(intake) || !strings.HasPrefix(intake, tok.Prefix) {
		t.Fatalf("token %q: prefix %q, hash %q", intake, tok.Prefix, tok.Hash)
	}
	reader, _, err := f.a.IssueToken(ctx, u, "dashboard", []auth.Scope{auth.ScopeRead}, 0)
	if err != nil {
		t.Fatal(err)
	}

	routes := http.NewServeMux()
	for pattern, act := range map[string]auth.Action{
		"POST /submit": auth.ActSubmitMessage,
		"GET /inbox":   auth.ActReadMessages,
	} {
		h, err := f.a.Guard(pattern, act, whoami)
		if err != nil {
			t.Fatal(err)
		}
		routes.Handle(pattern, h)
	}
	h := f.handler(routes)
	call := func(method, path, authz string) int {
		r := httptest.NewRequest(method, path, nil)
		if authz != "" {
			r.Header.Set("Authorization", authz)
		}
		return f.do(h, r).Code
	}
	tests := []struct {
		name, method, path, authz string
		want                      int
	}{
		{"intake token submits", "POST", "/submit", "Bearer " + intake, 200},
		{"scheme in any case", "POST", "/submit", "bearer " + intake, 200},
		{"intake token cannot read", "GET", "/inbox", "Bearer " + intake, 403},
		{"read token reads", "GET", "/inbox", "Bearer " + reader, 200},
		{"read token cannot submit", "POST", "/submit", "Bearer " + reader, 403},
		{"no token: log in", "GET", "/inbox", "", 401},
		{"unknown token", "GET", "/inbox", "Bearer truce_nonsense", 401},
		{"basic auth", "GET", "/inbox", "Basic YTpi", 401},
		{"empty bearer", "GET", "/inbox", "Bearer ", 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := call(tt.method, tt.path, tt.authz); got != tt.want {
				t.Errorf("%s %s with %q = %d, want %d", tt.method, tt.path, tt.authz, got, tt.want)
			}
		})
	}

	stored, err := f.db.TokenByHash(ctx, tok.Hash)
	if err != nil {
		t.Fatal(err)
	}
	if !stored.LastUsedAt.Equal(f.clock.Now()) {
		t.Errorf("LastUsedAt = %v, want %v", stored.LastUsedAt, f.clock.Now())
	}

	f.clock.Advance(24 * time.Hour)
	if got := call("POST", "/submit", "Bearer "+intake); got != 401 {
		t.Errorf("expired token: %d, want 401", got)
	}
	if got := call("GET", "/inbox", "Bearer "+reader); got != 200 {
		t.Errorf("90-day token after a day: %d, want 200", got)
	}
	_, rtok, _ := f.a.IssueToken(ctx, u, "to-revoke", []auth.Scope{auth.ScopeRead}, 0)
	if err := f.a.RevokeToken(ctx, rtok.ID); err != nil {
		t.Fatal(err)
	}
	toks, _ := f.db.Tokens(ctx, u.ID)
	for _, x := range toks {
		if x.ID == rtok.ID && x.RevokedAt.IsZero() {
			t.Error("RevokeToken did not mark the token revoked")
		}
	}
	if err := f.db.RevokeToken(ctx, stored.ID, f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	u.Disabled = true
	if err := f.db.UpdateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if got := call("GET", "/inbox", "Bearer "+reader); got != 401 {
		t.Errorf("token of a disabled user: %d, want 401", got)
	}
}

func TestIssueTokenRules(t *testing.T) {
	f := newFixture(t)
	u := f.user(t, "amira", auth.RoleMonitor)
	for _, tt := range []struct {
		name   string
		scopes []auth.Scope
		ttl    time.Duration
	}{
		{"no scopes", nil, time.Hour},
		{"unknown scope", []auth.Scope{"root"}, time.Hour},
		{"forever", []auth.Scope{auth.ScopeRead}, 10 * 365 * 24 * time.Hour},
	} {
		if _, _, err := f.a.IssueToken(context.Background(), u, tt.name, tt.scopes, tt.ttl); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("%s: %v, want EINVALID", tt.name, err)
		}
	}
}

func TestCSRF(t *testing.T) {
	f := newFixture(t)
	amira := f.user(t, "amira", auth.RoleMonitor)
	f.user(t, "boris", auth.RoleMonitor)
	secret := f.login(t, "amira")
	otherSecret := f.login(t, "boris")

	// The page that renders the form learns the token from the context.
	var token string
	f.do(f.handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token = auth.CSRFToken(r.Context())
	})), f.withCookie(httptest.NewRequest("GET", "/form", nil), secret))
	var otherToken string
	f.do(f.handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		otherToken = auth.CSRFToken(r.Context())
	})), f.withCookie(httptest.NewRequest("GET", "/form", nil), otherSecret))
	if token == "" || token == otherToken || strings.Contains(token, secret) {
		t.Fatalf("CSRF tokens %q and %q: want distinct, non-empty, not the secret", token, otherToken)
	}

	bearer, _, err := f.a.IssueToken(context.Background(), amira, "api", []auth.Scope{auth.ScopeAdmin}, 0)
	if err != nil {
		t.Fatal(err)
	}

	form := func(v string) *http.Request {
		r := httptest.NewRequest("POST", "/transition", strings.NewReader(url.Values{"csrf_token": {v}, "to": {"triaged"}}.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return r
	}
	tests := []struct {
		name string
		req  func() *http.Request
		want int
	}{
		{"GET needs no token", func() *http.Request {
			return f.withCookie(httptest.NewRequest("GET", "/x", nil), secret)
		}, 200},
		{"form with the token", func() *http.Request { return f.withCookie(form(token), secret) }, 200},
		{"header with the token", func() *http.Request {
			r := f.withCookie(httptest.NewRequest("POST", "/x", strings.NewReader(`{}`)), secret)
			r.Header.Set("X-CSRF-Token", token)
			return r
		}, 200},
		{"form without a token", func() *http.Request { return f.withCookie(form(""), secret) }, 403},
		{"form with a wrong token", func() *http.Request { return f.withCookie(form(flipLast(token)), secret) }, 403},
		{"form with another session's token", func() *http.Request { return f.withCookie(form(otherToken), secret) }, 403},
		{"form with the session secret itself", func() *http.Request { return f.withCookie(form(secret), secret) }, 403},
		{"JSON without a token", func() *http.Request {
			return f.withCookie(httptest.NewRequest("POST", "/x", strings.NewReader(`{}`)), secret)
		}, 403},
		{"cross-site with the token", func() *http.Request {
			r := f.withCookie(form(token), secret)
			r.Header.Set("Sec-Fetch-Site", "cross-site")
			return r
		}, 403},
		{"same-origin with the token", func() *http.Request {
			r := f.withCookie(form(token), secret)
			r.Header.Set("Sec-Fetch-Site", "same-origin")
			return r
		}, 200},
		{"API token needs no CSRF token", func() *http.Request {
			r := httptest.NewRequest("POST", "/x", strings.NewReader(`{}`))
			r.Header.Set("Authorization", "Bearer "+bearer)
			return r
		}, 200},
		{"anonymous post needs none", func() *http.Request { return form("") }, 200},
		{"anonymous cross-site post refused", func() *http.Request {
			r := form("")
			r.Header.Set("Origin", "https://evil.example")
			r.Host = "desk.example"
			return r
		}, 403},
	}
	h := f.handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "POST" && r.Header.Get("Content-Type") != "" && r.PostFormValue("to") != "triaged" {
			t.Error("the handler lost the form the CSRF check parsed")
		}
	}))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := f.do(h, tt.req()).Code; got != tt.want {
				t.Errorf("status %d, want %d", got, tt.want)
			}
		})
	}
}

func TestGuard(t *testing.T) {
	f := newFixture(t)
	for _, tt := range []struct {
		act auth.Action
		ok  bool
	}{
		{"", false},
		{"read_everything", false},
		{auth.ActAnyone, true},
		{auth.ActReadMessages, true},
	} {
		_, err := f.a.Guard("GET /x", tt.act, whoami)
		if (err == nil) != tt.ok {
			t.Errorf("Guard(%q) error = %v, want ok %v", tt.act, err, tt.ok)
		}
	}
	// An unknown action refuses everyone, even a co-chair.
	f.user(t, "chair", auth.RoleCoChair)
	secret := f.login(t, "chair")
	h := f.handler(f.a.Require("read_everything")(whoami))
	if got := f.do(h, f.withCookie(httptest.NewRequest("GET", "/", nil), secret)).Code; got != 403 {
		t.Errorf("Require(unknown) let a co-chair through: %d", got)
	}
}

func TestLiaisonAccess(t *testing.T) {
	f := newFixture(t)
	f.user(t, "liaison", auth.RoleLiaison)
	secret := f.login(t, "liaison")
	routes := map[auth.Action]int{
		auth.ActReadPublished:        200,
		auth.ActSubmitMessage:        200,
		auth.ActReadOwnPartyMessages: 200,
		auth.ActReadMessages:         403,
		auth.ActTriage:               403,
		auth.ActAdminUsers:           403,
	}
	for act, want := range routes {
		h, err := f.a.Guard("GET /x", act, whoami)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.do(f.handler(h), f.withCookie(httptest.NewRequest("GET", "/", nil), secret)).Code; got != want {
			t.Errorf("liaison on a %s route: %d, want %d", act, got, want)
		}
		if got := f.do(f.handler(h), httptest.NewRequest("GET", "/", nil)).Code; act != auth.ActReadPublished && act != auth.ActSubmitMessage && got != 401 {
			t.Errorf("public on a %s route: %d, want 401", act, got)
		}
	}
}

func TestRateLimitMiddleware(t *testing.T) {
	f := newFixture(t)
	l := auth.NewLimiter(time.Minute, 2, f.clock.Now)
	h := f.a.RateLimit(l)(whoami)
	req := func(addr string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("POST", "/api/v1/messages", nil)
		r.RemoteAddr = addr
		return f.do(h, r)
	}
	for i, tt := range []struct {
		addr  string
		want  int
		retry string
	}{
		{"192.0.2.1:1", 200, ""},
		{"192.0.2.1:2", 200, ""},
		{"192.0.2.1:3", 429, "60"},
		{"192.0.2.2:1", 200, ""},
		{"[2001:db8::1]:1", 200, ""},
		{"[2001:db8::2]:1", 200, ""},
		{"[2001:db8::3]:1", 429, "60"}, // the same /64
	} {
		w := req(tt.addr)
		if w.Code != tt.want || w.Header().Get("Retry-After") != tt.retry {
			t.Errorf("request %d from %s: %d Retry-After %q, want %d %q", i, tt.addr, w.Code, w.Header().Get("Retry-After"), tt.want, tt.retry)
		}
	}
}

// flipLast changes the last character of s, whatever it is.
func flipLast(s string) string {
	last := "A"
	if strings.HasSuffix(s, "A") {
		last = "B"
	}
	return s[:len(s)-1] + last
}
