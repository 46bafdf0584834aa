package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/trucedesk/truce/internal/auth"
	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/store/storetest"
	"github.com/trucedesk/truce/internal/web"
)

// TestAuthorizationMatrix is generated from the route table: every route is
// called by every role, and a route the policy does not permit to a role
// must answer 401 or 403, while one it permits must not. A route added
// without a declared action fails here (and refuses to start the server).
func TestAuthorizationMatrix(t *testing.T) {
	db := storetest.OpenSQLite(t)
	ts := newServer(t, db)
	ctx := context.Background()
	own := &domain.Party{Slug: "own", Name: "Own Brigade", Kind: domain.KindArmedGroup}
	other := &domain.Party{Slug: "other", Name: "Other Brigade", Kind: domain.KindArmedGroup}
	for _, p := range []*domain.Party{own, other} {
		if err := db.CreateParty(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	a := auth.New(db, time.Now)
	roles := []struct {
		role  auth.Role
		party int64
	}{{auth.RoleCoChair, 0}, {auth.RoleMonitor, 0}, {auth.RoleLiaison, own.ID}, {auth.RoleObserver, 0}, {auth.RolePublic, 0}}
	tokens := map[auth.Role]string{}
	principals := map[auth.Role]*auth.Principal{auth.RolePublic: auth.Anonymous}
	for _, r := range roles[:4] {
		u := &auth.User{Name: string(r.role) + "-user", Role: r.role, PartyID: r.party}
		if err := db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		secret, _, err := a.IssueToken(ctx, u, "test", []auth.Scope{auth.ScopeAdmin}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		tokens[r.role] = secret
		principals[r.role] = &auth.Principal{UserID: u.ID, Name: u.Name, Role: r.role, PartyID: r.party}
	}

	s := &web.Server{}
	param := regexp.MustCompile(`\{[^}]+\}`)
	for _, rt := range s.Routes() {
		if rt.Access == web.Undeclared || !rt.Access.Known() {
			t.Errorf("route %q declares no known action (%q)", rt.Pattern, rt.Access)
			continue
		}
		method, path, _ := strings.Cut(rt.Pattern, " ")
		path = strings.TrimSuffix(param.ReplaceAllString(path, "1"), "{$}")
		if strings.HasSuffix(path, "/") && path != "/" {
			path += "truce.css"
		}
		for _, r := range roles {
			permitted := auth.DefaultPolicy.Permits(principals[r.role], rt.Access)
			t.Run(fmt.Sprintf("%s %s as %s", method, path, r.role), func(t *testing.T) {
				req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader(`{}`))
				req.Header.Set("Content-Type", "application/json")
				if tok := tokens[r.role]; tok != "" {
					req.Header.Set("Authorization", "Bearer "+tok)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				var body apiError
				json.NewDecoder(resp.Body).Decode(&body)
				resp.Body.Close()
				refused := resp.StatusCode == 401 || resp.StatusCode == 403
				if permitted && resp.StatusCode == 401 && !strings.Contains(body.Error.Message, "this needs") {
					refused = false // a wrong password at the login route, not the policy
				}
				if permitted && refused {
					t.Errorf("%s may %s but got %d", r.role, rt.Access, resp.StatusCode)
				}
				if !permitted && !refused {
					t.Errorf("%s may not %s but got %d", r.role, rt.Access, resp.StatusCode)
				}
			})
		}
	}

	// Own party against other party: a liaison sees its party's messages
	// and no other's, not even that they exist.
	mine := storetest.NewMessage("from our liaison", time.Now())
	mine.Sender = domain.Sender{Kind: domain.SenderLiaison, PartyID: own.ID}
	theirs := storetest.NewMessage("from theirs", time.Now())
	theirs.Sender = domain.Sender{Kind: domain.SenderLiaison, PartyID: other.ID}
	for _, m := range []*domain.Message{mine, theirs} {
		m.SenderKey = m.Sender.Key("x")
		if _, err := db.SubmitMessages(ctx, []domain.Submission{{Message: m}}); err != nil {
			t.Fatal(err)
		}
	}
	get := func(role auth.Role, path string) (int, string) {
		req, _ := http.NewRequest("GET", ts.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+tokens[role])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b strings.Builder
		json.NewDecoder(resp.Body).Decode(&struct{}{})
		return resp.StatusCode, b.String()
	}
	tests := []struct {
		role   auth.Role
		path   string
		status int
	}{
		{auth.RoleLiaison, fmt.Sprintf("/api/v1/inbox/%d", mine.ID), 200},
		{auth.RoleLiaison, fmt.Sprintf("/api/v1/inbox/%d", theirs.ID), 404},
		{auth.RoleLiaison, fmt.Sprintf("/api/v1/inbox?party=%d", other.ID), 403},
		{auth.RoleMonitor, fmt.Sprintf("/api/v1/inbox/%d", theirs.ID), 200},
		{auth.RoleObserver, fmt.Sprintf("/api/v1/inbox/%d", mine.ID), 403},
	}
	for _, tt := range tests {
		if got, _ := get(tt.role, tt.path); got != tt.status {
			t.Errorf("%s GET %s = %d, want %d", tt.role, tt.path, got, tt.status)
		}
	}
	// Routes pinned to the action DESIGN.md's roles table names for them,
	// so a route declared with a broader action shows up here: only
	// co-chairs publish bulletins; liaisons neither grade nor merge.
	for _, tt := range []struct {
		role auth.Role
		path string
	}{
		{auth.RoleMonitor, "/api/v1/bulletins/2016-02-28/publish"},
		{auth.RoleLiaison, "/api/v1/incidents/1/grade"},
		{auth.RoleLiaison, "/api/v1/clusters/1/accept"},
		{auth.RoleLiaison, "/api/v1/imports"},
	} {
		req, _ := http.NewRequest("POST", ts.URL+tt.path, strings.NewReader(`{}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tokens[tt.role])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 403 {
			t.Errorf("%s POST %s = %d, want 403", tt.role, tt.path, resp.StatusCode)
		}
	}

	// The liaison's inbox lists only its own party's message.
	req, _ := http.NewRequest("GET", ts.URL+"/api/v1/inbox", nil)
	req.Header.Set("Authorization", "Bearer "+tokens[auth.RoleLiaison])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var page struct{ Messages []domain.Message }
	json.NewDecoder(resp.Body).Decode(&page)
	resp.Body.Close()
	if len(page.Messages) != 1 || page.Messages[0].ID != mine.ID {
		t.Errorf("liaison inbox = %+v, want only message %d", page.Messages, mine.ID)
	}
	// A liaison cannot speak for another party.
	req, _ = http.NewRequest("POST", ts.URL+"/api/v1/messages", strings.NewReader(fmt.Sprintf(`{"sender":{"kind":"liaison","party_id":%d},"body":"we commit"}`, other.ID)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+tokens[auth.RoleLiaison])
	resp, _ = http.DefaultClient.Do(req)
	resp.Body.Close()
	if got, _ := db.Messages(ctx, domain.MessageFilter{PartyID: other.ID}); len(got) != 1 {
		t.Errorf("a liaison's message landed in another party's name (%d messages, status %d)", len(got), resp.StatusCode)
	}
}

// TestAuditTrail checks that changes are recorded with who, what and from
// where, and that the trail exports as CSV.
func TestAuditTrail(t *testing.T) {
	db := storetest.OpenSQLite(t)
	ts := newServer(t, db)
	_, data := do(t, "POST", ts.URL+"/api/v1/messages", "application/json", []byte(`{"body":"shelling"}`), false)
	var rc struct{ Tracking string }
	json.Unmarshal(data, &rc)
	m, _ := db.MessageByTracking(context.Background(), rc.Tracking)
	do(t, "POST", ts.URL+fmt.Sprintf("/api/v1/inbox/%d/transitions", m.ID), "application/json", []byte(`{"to":"triaged","version":1}`), true)
	do(t, "POST", ts.URL+"/api/v1/parties", "application/json", []byte(`{"slug":"jaish","name":"Jaish al-Islam","kind":"armed_group"}`), true)
	resp, data := do(t, "GET", ts.URL+"/api/v1/audit", "", nil, true)
	var trail struct{ Events []auth.AuditEvent }
	json.Unmarshal(data, &trail)
	var got []string
	for _, e := range trail.Events {
		got = append(got, e.Actor+" "+e.Action+" "+e.Kind)
	}
	want := []string{"monitor-1 message.transition message", "monitor-1 POST /api/v1/parties party"}
	for _, w := range want {
		if !strings.Contains(strings.Join(got, "\n"), w) {
			t.Errorf("audit trail %q lacks %q (status %d)", got, w, resp.StatusCode)
		}
	}
	resp, data = do(t, "GET", ts.URL+"/api/v1/audit?format=csv", "", nil, true)
	if resp.StatusCode != 200 || !strings.HasPrefix(string(data), "id,at,actor_id,actor") {
		t.Errorf("audit CSV = %d %.200s", resp.StatusCode, data)
	}
	if resp, _ := do(t, "GET", ts.URL+"/api/v1/audit", "", nil, false); resp.StatusCode != 401 {
		t.Errorf("anonymous audit read = %d, want 401", resp.StatusCode)
	}
}
