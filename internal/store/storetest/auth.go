package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trucedesk/truce/internal/auth"
	"github.com/trucedesk/truce/internal/domain"
)

// AuthStore is what the auth contract needs: the auth store, and parties to
// bind liaisons to.
type AuthStore interface {
	auth.Store
	CreateParty(ctx context.Context, p *domain.Party) error
}

// RunAuth runs the contract for users, sessions, tokens and the audit
// trail; open returns a fresh, empty, migrated store.
func RunAuth(t *testing.T, open func(testing.TB) AuthStore) {
	tests := []struct {
		name string
		fn   func(*testing.T, AuthStore)
	}{
		{"Users", testAuthUsers},
		{"UserRules", testAuthUserRules},
		{"UserConflict", testAuthUserConflict},
		{"HostileUserText", testAuthHostileUsers},
		{"Sessions", testAuthSessions},
		{"Tokens", testAuthTokens},
		{"Audit", testAuthAudit},
		{"HostileAuditText", testAuthHostileAudit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open(t)) })
	}
}

// Hostile holds strings that would do harm if a store ever spliced them
// into SQL, or a page into HTML, instead of passing them as parameters and
// escaping them. Stores must keep them verbatim.
var Hostile = []string{
	`'; DROP TABLE users; --`,
	`Robert'); DELETE FROM audit_events WHERE ('1'='1`,
	`" OR "1"="1`,
	`1; SELECT pg_sleep(10); --`,
	`$1 $2 ? :name @p1`,
	`/* comment */ UNION SELECT password_hash FROM users`,
	`<script>alert("xss")</script>`,
	`"><img src=x onerror=alert(1)>`,
	`javascript:alert(document.cookie)`,
	`{{.Secret}} ${7*7} %s %n %!`,
	`\'; \"; \\`,
	`=HYPERLINK("http://evil.example/","x")`,
	`قصف 'مدفعي' "على" <b>تلبيسة</b>`,
	`Ωmega ∅ 😀 \u0000 literal`,
}

// authCmp compares times as instants.
var authCmp = cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })

func authParty(t *testing.T, s AuthStore, slug string) int64 {
	t.Helper()
	p := &domain.Party{Slug: slug, Name: slug, Kind: domain.KindArmedGroup}
	if err := s.CreateParty(ctx, p); err != nil {
		t.Fatalf("CreateParty(%s): %v", slug, err)
	}
	return p.ID
}

// testHash is a syntactically valid argon2id hash; the store does not
// verify passwords, so it need not be of anything.
const testHash = "$argon2id$v=19$m=65536,t=1,p=2$c2FsdHNhbHRzYWx0c2FsdA$MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI"

func mustUser(t *testing.T, s AuthStore, u *auth.User) *auth.User {
	t.Helper()
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatalf("CreateUser(%q): %v", u.Name, err)
	}
	return u
}

func testAuthUsers(t *testing.T, s AuthStore) {
	party := authParty(t, s, "fsa-south")
	chair := mustUser(t, s, &auth.User{Name: "Chair", FullName: "ISSG co-chair", Role: auth.RoleCoChair, PasswordHash: testHash})
	liaison := mustUser(t, s, &auth.User{Name: "liaison-south", Role: auth.RoleLiaison, PartyID: party})
	if chair.ID == 0 || chair.Version != 1 || chair.CreatedAt.IsZero() {
		t.Fatalf("CreateUser did not fill ID, Version, CreatedAt: %+v", chair)
	}

	got, err := s.User(ctx, chair.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(chair, got, authCmp); diff != "" {
		t.Errorf("User(%d) (-want +got):\n%s", chair.ID, diff)
	}
	for _, name := range []string{"Chair", "chair", "CHAIR", " chair "} {
		got, err := s.UserByName(ctx, name)
		if err != nil {
			t.Fatalf("UserByName(%q): %v", name, err)
		}
		if got.ID != chair.ID {
			t.Errorf("UserByName(%q) = user %d, want %d", name, got.ID, chair.ID)
		}
	}
	_, err = s.UserByName(ctx, "nobody")
	wantCode(t, err, domain.ENOTFOUND)
	_, err = s.User(ctx, 9999)
	wantCode(t, err, domain.ENOTFOUND)

	all, err := s.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]*auth.User{chair, liaison}, all, authCmp); diff != "" {
		t.Errorf("Users (-want +got):\n%s", diff)
	}

	liaison.Disabled = true
	liaison.FullName = "Liaison, southern front"
	if err := s.UpdateUser(ctx, liaison); err != nil {
		t.Fatal(err)
	}
	if liaison.Version != 2 {
		t.Errorf("version after update = %d, want 2", liaison.Version)
	}
	got, err = s.User(ctx, liaison.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(liaison, got, authCmp); diff != "" {
		t.Errorf("after UpdateUser (-want +got):\n%s", diff)
	}

	const newHash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI"
	if err := s.SetPasswordHash(ctx, chair.ID, newHash, t0); err != nil {
		t.Fatal(err)
	}
	got, err = s.User(ctx, chair.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.PasswordHash != newHash || got.Version != chair.Version {
		t.Errorf("after SetPasswordHash: hash %q version %d, want %q version %d", got.PasswordHash, got.Version, newHash, chair.Version)
	}
	wantCode(t, s.SetPasswordHash(ctx, 9999, newHash, t0), domain.ENOTFOUND)
	wantCode(t, s.SetPasswordHash(ctx, chair.ID, "plaintext", t0), domain.EINVALID)
}

func testAuthUserRules(t *testing.T, s AuthStore) {
	party := authParty(t, s, "ypg")
	mustUser(t, s, &auth.User{Name: "Alice", Role: auth.RoleMonitor})
	tests := []struct {
		name  string
		user  auth.User
		field string
	}{
		{"same name in another case", auth.User{Name: "ALICE", Role: auth.RoleMonitor}, "name"},
		{"empty name", auth.User{Name: "", Role: auth.RoleMonitor}, "name"},
		{"padded name", auth.User{Name: " bob", Role: auth.RoleMonitor}, "name"},
		{"control character", auth.User{Name: "bob\x07", Role: auth.RoleMonitor}, "name"},
		{"too long", auth.User{Name: strings.Repeat("n", auth.MaxUserNameBytes+1), Role: auth.RoleMonitor}, "name"},
		{"unknown role", auth.User{Name: "bob", Role: "admin"}, "role"},
		{"public account", auth.User{Name: "bob", Role: auth.RolePublic}, "role"},
		{"liaison without party", auth.User{Name: "bob", Role: auth.RoleLiaison}, "party_id"},
		{"monitor with party", auth.User{Name: "bob", Role: auth.RoleMonitor, PartyID: party}, "party_id"},
		{"missing party", auth.User{Name: "bob", Role: auth.RoleLiaison, PartyID: party + 100}, "party_id"},
		{"plaintext password", auth.User{Name: "bob", Role: auth.RoleMonitor, PasswordHash: "hunter2"}, "password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := tt.user
			err := s.CreateUser(ctx, &u)
			wantCode(t, err, domain.EINVALID)
			if got := domain.ErrorField(err); got != tt.field {
				t.Errorf("field = %q, want %q (%v)", got, tt.field, err)
			}
		})
	}
	users, err := s.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 1 {
		t.Errorf("%d users stored, want only Alice", len(users))
	}
}

func testAuthUserConflict(t *testing.T, s AuthStore) {
	u := mustUser(t, s, &auth.User{Name: "monitor-1", Role: auth.RoleMonitor})
	a, b := *u, *u
	a.FullName = "first edit"
	if err := s.UpdateUser(ctx, &a); err != nil {
		t.Fatal(err)
	}
	b.Role = auth.RoleObserver
	wantCode(t, s.UpdateUser(ctx, &b), domain.ECONFLICT)
	got, err := s.User(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Role != auth.RoleMonitor || got.FullName != "first edit" {
		t.Errorf("stale update changed the user: %+v", got)
	}
	missing := *u
	missing.ID = 9999
	wantCode(t, s.UpdateUser(ctx, &missing), domain.ENOTFOUND)

	other := mustUser(t, s, &auth.User{Name: "monitor-2", Role: auth.RoleMonitor})
	other.Name = "MONITOR-1"
	wantCode(t, s.UpdateUser(ctx, other), domain.EINVALID)
}

func testAuthHostileUsers(t *testing.T, s AuthStore) {
	var want []*auth.User
	for i, h := range Hostile {
		u := mustUser(t, s, &auth.User{Name: h, FullName: h, Role: auth.RoleObserver})
		want = append(want, u)
		got, err := s.UserByName(ctx, h)
		if err != nil {
			t.Fatalf("UserByName(%q): %v", h, err)
		}
		if diff := cmp.Diff(u, got, authCmp); diff != "" {
			t.Errorf("hostile user %d (-want +got):\n%s", i, diff)
		}
	}
	all, err := s.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(Hostile) {
		t.Errorf("Users returned %d users, want %d: a hostile name changed the query", len(all), len(Hostile))
	}
	// The hostile names must not have dropped or emptied anything.
	if _, err := s.AuditEvents(ctx, auth.AuditFilter{}); err != nil {
		t.Errorf("audit table damaged: %v", err)
	}
}

func newSession(userID int64, hash string, created time.Time) *auth.Session {
	return &auth.Session{Hash: hash, UserID: userID, CreatedAt: created, ExpiresAt: created.Add(12 * time.Hour),
		LastSeenAt: created, Address: "192.0.2.7", UserAgent: "Mozilla/5.0"}
}

func hashOf(s string) string { return auth.HashSecret(s) }

func testAuthSessions(t *testing.T, s AuthStore) {
	a := mustUser(t, s, &auth.User{Name: "a", Role: auth.RoleMonitor})
	b := mustUser(t, s, &auth.User{Name: "b", Role: auth.RoleMonitor})
	s1 := newSession(a.ID, hashOf("one"), t0)
	s2 := newSession(a.ID, hashOf("two"), t0.Add(time.Hour))
	s3 := newSession(b.ID, hashOf("three"), t0.Add(-13*time.Hour)) // already expired at t0
	s3.Address, s3.UserAgent = Hostile[0], Hostile[6]
	for _, x := range []*auth.Session{s1, s2, s3} {
		if err := s.CreateSession(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	wantCode(t, s.CreateSession(ctx, newSession(9999, hashOf("four"), t0)), domain.EINVALID)
	wantCode(t, s.CreateSession(ctx, &auth.Session{Hash: "short", UserID: a.ID, CreatedAt: t0, ExpiresAt: t0}), domain.EINVALID)

	got, err := s.SessionByHash(ctx, s3.Hash)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(s3, got, authCmp); diff != "" {
		t.Errorf("SessionByHash (-want +got):\n%s", diff)
	}
	_, err = s.SessionByHash(ctx, hashOf("nope"))
	wantCode(t, err, domain.ENOTFOUND)

	seen := t0.Add(90*time.Minute + 123456*time.Microsecond)
	if err := s.TouchSession(ctx, s2.Hash, seen); err != nil {
		t.Fatal(err)
	}
	got, err = s.SessionByHash(ctx, s2.Hash)
	if err != nil {
		t.Fatal(err)
	}
	if !got.LastSeenAt.Equal(seen) {
		t.Errorf("LastSeenAt = %v, want %v", got.LastSeenAt, seen)
	}
	wantCode(t, s.TouchSession(ctx, hashOf("nope"), seen), domain.ENOTFOUND)

	list, err := s.Sessions(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	s2.LastSeenAt = seen
	if diff := cmp.Diff([]*auth.Session{s2, s1}, list, authCmp); diff != "" {
		t.Errorf("Sessions (-want +got):\n%s", diff)
	}

	n, err := s.DeleteExpiredSessions(ctx, t0)
	if err != nil || n != 1 {
		t.Fatalf("DeleteExpiredSessions = %d, %v; want 1", n, err)
	}
	_, err = s.SessionByHash(ctx, s3.Hash)
	wantCode(t, err, domain.ENOTFOUND)

	if err := s.DeleteSession(ctx, s1.Hash); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSession(ctx, s1.Hash); err != nil {
		t.Errorf("second DeleteSession: %v, want nil", err)
	}
	_, err = s.SessionByHash(ctx, s1.Hash)
	wantCode(t, err, domain.ENOTFOUND)

	if err := s.CreateSession(ctx, newSession(b.ID, hashOf("five"), t0)); err != nil {
		t.Fatal(err)
	}
	n, err = s.DeleteUserSessions(ctx, a.ID)
	if err != nil || n != 1 {
		t.Fatalf("DeleteUserSessions = %d, %v; want 1", n, err)
	}
	if list, _ := s.Sessions(ctx, b.ID); len(list) != 1 {
		t.Errorf("user b has %d sessions after logging out user a, want 1", len(list))
	}
}

func testAuthTokens(t *testing.T, s AuthStore) {
	u := mustUser(t, s, &auth.User{Name: "gateway", Role: auth.RoleMonitor})
	newToken := func(name string, scopes ...auth.Scope) *auth.Token {
		return &auth.Token{UserID: u.ID, Name: name, Prefix: "truce_abcd", Hash: hashOf(name), Scopes: scopes,
			CreatedAt: t0, ExpiresAt: t0.Add(auth.DefaultTokenTTL)}
	}
	sms := newToken("sms-gateway", auth.ScopeIntake)
	reader := newToken(Hostile[1], auth.ScopeRead, auth.ScopeTriage)
	for _, tok := range []*auth.Token{sms, reader} {
		if err := s.CreateToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
		if tok.ID == 0 {
			t.Fatal("CreateToken did not set ID")
		}
	}
	wantCode(t, s.CreateToken(ctx, newToken("sms-gateway", auth.ScopeIntake)), domain.ECONFLICT)
	for _, bad := range []*auth.Token{
		newToken("no-scopes"),
		newToken("bad-scope", "root"),
		func() *auth.Token {
			x := newToken("forever", auth.ScopeRead)
			x.ExpiresAt = t0.AddDate(5, 0, 0)
			return x
		}(),
		func() *auth.Token { x := newToken("nobody", auth.ScopeRead); x.UserID = 9999; return x }(),
	} {
		wantCode(t, s.CreateToken(ctx, bad), domain.EINVALID)
	}

	got, err := s.TokenByHash(ctx, reader.Hash)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(reader, got, authCmp); diff != "" {
		t.Errorf("TokenByHash (-want +got):\n%s", diff)
	}
	_, err = s.TokenByHash(ctx, hashOf("nope"))
	wantCode(t, err, domain.ENOTFOUND)

	used := t0.Add(time.Minute)
	if err := s.TouchToken(ctx, sms.ID, used); err != nil {
		t.Fatal(err)
	}
	revoked := t0.Add(2 * time.Minute)
	if err := s.RevokeToken(ctx, sms.ID, revoked); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeToken(ctx, sms.ID, revoked.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.RevokeToken(ctx, 9999, revoked), domain.ENOTFOUND)
	wantCode(t, s.TouchToken(ctx, 9999, revoked), domain.ENOTFOUND)

	list, err := s.Tokens(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	sms.LastUsedAt, sms.RevokedAt = used, revoked
	if diff := cmp.Diff([]*auth.Token{reader, sms}, list, authCmp); diff != "" {
		t.Errorf("Tokens (-want +got):\n%s", diff)
	}
	if all, err := s.Tokens(ctx, 0); err != nil || len(all) != 2 {
		t.Errorf("Tokens(0) = %d tokens, %v; want 2", len(all), err)
	}
	if list, _ := s.Tokens(ctx, 9999); len(list) != 0 {
		t.Errorf("Tokens of a missing user = %d, want 0", len(list))
	}
}

func audit(t *testing.T, s AuthStore, e *auth.AuditEvent) *auth.AuditEvent {
	t.Helper()
	if err := s.AppendAudit(ctx, e); err != nil {
		t.Fatalf("AppendAudit: %v", err)
	}
	return e
}

func testAuthAudit(t *testing.T, s AuthStore) {
	ev := func(at time.Duration, actorID int64, actor, action, kind, id string) *auth.AuditEvent {
		return audit(t, s, &auth.AuditEvent{At: t0.Add(at), ActorID: actorID, Actor: actor, Role: auth.RoleMonitor,
			Address: "198.51.100.4", Action: action, Kind: kind, RecordID: id,
			Old: json.RawMessage(`{"state":"received"}`), New: json.RawMessage(`{"state": "triaged", "n": 1.50}`)})
	}
	e1 := ev(0, 1, "amira", "message.transition", "message", "17")
	e2 := ev(time.Hour, 2, "boris", "incident.create", "incident", "3")
	e3 := ev(2*time.Hour, 1, "amira", "message.transition", "message", "18")
	e4 := audit(t, s, &auth.AuditEvent{At: t0.Add(3 * time.Hour), Actor: "public", Role: auth.RolePublic,
		Action: "session.login_failed", Kind: "user"})
	if e1.ID == 0 || e4.ID <= e3.ID {
		t.Fatalf("IDs not ascending: %d, %d, %d, %d", e1.ID, e2.ID, e3.ID, e4.ID)
	}

	tests := []struct {
		name   string
		filter auth.AuditFilter
		want   []*auth.AuditEvent
	}{
		{"all", auth.AuditFilter{}, []*auth.AuditEvent{e1, e2, e3, e4}},
		{"actor", auth.AuditFilter{Actor: "amira"}, []*auth.AuditEvent{e1, e3}},
		{"actor ID", auth.AuditFilter{ActorID: 2}, []*auth.AuditEvent{e2}},
		{"kind", auth.AuditFilter{Kind: "message"}, []*auth.AuditEvent{e1, e3}},
		{"record", auth.AuditFilter{Kind: "message", RecordID: "18"}, []*auth.AuditEvent{e3}},
		{"window", auth.AuditFilter{Since: t0.Add(time.Hour), Until: t0.Add(3 * time.Hour)}, []*auth.AuditEvent{e2, e3}},
		{"after", auth.AuditFilter{AfterID: e2.ID}, []*auth.AuditEvent{e3, e4}},
		{"limit", auth.AuditFilter{Limit: 2}, []*auth.AuditEvent{e1, e2}},
		{"nothing", auth.AuditFilter{Actor: "nobody"}, nil},
		{"action", auth.AuditFilter{Action: "message.transition"}, []*auth.AuditEvent{e1, e3}},
		{"action is exact", auth.AuditFilter{Action: "message"}, nil},
		{"before", auth.AuditFilter{BeforeID: e3.ID}, []*auth.AuditEvent{e1, e2}},
		{"newest", auth.AuditFilter{Newest: true}, []*auth.AuditEvent{e4, e3, e2, e1}},
		{"newest page", auth.AuditFilter{Newest: true, Limit: 2}, []*auth.AuditEvent{e4, e3}},
		{"newest next page", auth.AuditFilter{Newest: true, BeforeID: e3.ID, Limit: 2}, []*auth.AuditEvent{e2, e1}},
		{"newest of an actor", auth.AuditFilter{Newest: true, Actor: "amira", Action: "message.transition"}, []*auth.AuditEvent{e3, e1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.AuditEvents(ctx, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, authCmp); diff != "" {
				t.Errorf("AuditEvents(%+v) (-want +got):\n%s", tt.filter, diff)
			}
		})
	}

	for _, bad := range []*auth.AuditEvent{
		{At: t0, Action: "x"},
		{At: t0, Actor: "x"},
		{At: t0, Actor: "x", Action: "x", Old: json.RawMessage(`{not json`)},
		{At: t0, Actor: "x\x00y", Action: "x"},
		{At: t0, Actor: strings.Repeat("x", 501), Action: "x"},
	} {
		wantCode(t, s.AppendAudit(ctx, bad), domain.EINVALID)
	}
}

func testAuthHostileAudit(t *testing.T, s AuthStore) {
	var want []*auth.AuditEvent
	for i, h := range Hostile {
		js, err := json.Marshal(map[string]string{"name": h})
		if err != nil {
			t.Fatal(err)
		}
		e := audit(t, s, &auth.AuditEvent{At: t0.Add(time.Duration(i) * time.Second), ActorID: int64(i + 1),
			Actor: h, Role: auth.Role(h), Address: h, Action: h, Kind: h, RecordID: h,
			Old: js, New: json.RawMessage(fmt.Sprintf(`[%q]`, h))})
		want = append(want, e)
	}
	got, err := s.AuditEvents(ctx, auth.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got, authCmp); diff != "" {
		t.Errorf("hostile audit text did not come back verbatim (-want +got):\n%s", diff)
	}
	for i, h := range Hostile {
		got, err := s.AuditEvents(ctx, auth.AuditFilter{Actor: h, Kind: h, RecordID: h})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].ID != want[i].ID {
			t.Errorf("filter by hostile text %q found %d events, want exactly event %d", h, len(got), want[i].ID)
		}
	}
}
