package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trucedesk/truce/internal/auth"
	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/store"
	"github.com/trucedesk/truce/internal/store/storetest"
	"github.com/trucedesk/truce/internal/web"
)

// authzRole is one caller of the authorization matrix: a role, the party a
// liaison is bound to, its API token and the principal the policy sees.
type authzRole struct {
	role      auth.Role
	party     int64
	token     string
	principal *auth.Principal
}

// authzFixture is a desk with two parties, a message in each one's name,
// and a caller of every role; the liaison belongs to the first party.
type authzFixture struct {
	db         *store.DB
	url        string
	agreement  *domain.Agreement
	own, other *domain.Party
	messages   map[int64]*domain.Message // by party
	roles      []authzRole
	// unpublished is incident 1, on a day no bulletin covers; its location
	// is unpublishedMark, which no answer to a liaison or an observer may
	// carry. published is on a day a published bulletin covers.
	unpublished, published *domain.Incident
}

// unpublishedMark is the location of the fixture's unpublished incident.
const unpublishedMark = "Unpublished-Hamlet"

func newAuthzFixture(t *testing.T, open func(testing.TB) *store.DB, set ...func(*web.Server)) *authzFixture {
	t.Helper()
	db := open(t)
	ts := newServerWith(t, db, db, 256, func(s *web.Server) {
		for _, f := range set {
			f(s)
		}
	})
	ctx := context.Background()
	fx := &authzFixture{db: db, url: ts.URL, messages: map[int64]*domain.Message{},
		own:   &domain.Party{Slug: "own", Name: "Own Brigade", Kind: domain.KindArmedGroup},
		other: &domain.Party{Slug: "other", Name: "Other Brigade", Kind: domain.KindArmedGroup}}
	fx.agreement = &domain.Agreement{Slug: "matrix-truce", Name: "Matrix truce", TimeZone: "Asia/Damascus",
		Start: time.Date(2016, 2, 26, 22, 0, 0, 0, time.UTC), Country: "SY", ExclusionAuthority: "UN Security Council",
		ProhibitedActs: []string{domain.SubShelling}}
	if err := db.CreateAgreement(ctx, fx.agreement); err != nil {
		t.Fatal(err)
	}
	// Local days in Damascus (UTC+2): 5 March is not published, 4 March is.
	fx.unpublished = &domain.Incident{SubEventType: domain.SubShelling, OccurredAt: time.Date(2016, 3, 5, 8, 0, 0, 0, time.UTC),
		Location: unpublishedMark, Admin1: "Hama", CreatedBy: "test"}
	fx.published = &domain.Incident{SubEventType: domain.SubShelling, OccurredAt: time.Date(2016, 3, 4, 8, 0, 0, 0, time.UTC),
		Location: "Published-Town", Admin1: "Hama", CreatedBy: "test"}
	for _, in := range []*domain.Incident{fx.unpublished, fx.published} {
		if err := db.CreateIncident(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	if fx.unpublished.ID != 1 {
		t.Fatalf("the unpublished incident is %d; routes are called with ID 1", fx.unpublished.ID)
	}
	if err := db.PublishBulletin(ctx, &domain.Bulletin{AgreementID: fx.agreement.ID, Day: "2016-03-04", Title: "Daily bulletin",
		Report: []byte(`{}`), HTML: []byte("<p>"), Markdown: []byte("-"), PDF: []byte("%PDF"), PublishedBy: "co-chair"}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []*domain.Party{fx.own, fx.other} {
		if err := db.CreateParty(ctx, p); err != nil {
			t.Fatal(err)
		}
		m := storetest.NewMessage("from the liaison of "+p.Name, time.Now())
		m.Sender = domain.Sender{Kind: domain.SenderLiaison, Name: p.Slug + "-liaison", PartyID: p.ID}
		m.SenderKey = m.Sender.Key("x")
		rs, err := db.SubmitMessages(ctx, []domain.Submission{{Message: m}})
		if err != nil {
			t.Fatal(err)
		}
		fx.messages[p.ID] = rs[0].Message
	}
	a := auth.New(db, time.Now)
	for _, r := range []struct {
		role  auth.Role
		party int64
	}{{auth.RoleCoChair, 0}, {auth.RoleMonitor, 0}, {auth.RoleLiaison, fx.own.ID}, {auth.RoleObserver, 0}} {
		u := &auth.User{Name: string(r.role) + "-user", Role: r.role, PartyID: r.party}
		if err := db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		secret, _, err := a.IssueToken(ctx, u, "test", []auth.Scope{auth.ScopeAdmin}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		fx.roles = append(fx.roles, authzRole{r.role, r.party, secret,
			&auth.Principal{UserID: u.ID, Name: u.Name, Role: r.role, PartyID: r.party}})
	}
	fx.roles = append(fx.roles, authzRole{role: auth.RolePublic, principal: auth.Anonymous})
	return fx
}

// call sends one request as r and returns the status and up to 64 KiB of
// the body (enough for the stream route, which never ends by itself).
func (fx *authzFixture) call(t *testing.T, r authzRole, method, path, body string) (int, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, method, fx.url+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		return resp.StatusCode, nil
	}
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, data
}

// bound is a route's request with its path parameters filled in for one
// party. party is the party the addressed resource belongs to, 0 when it
// belongs to none; then the route's guard alone decides, and the answer
// must not depend on the caller's party.
type bound struct {
	path, body string
	party      int64
	// did reports, for a request the policy refuses but the handler may
	// answer in another way (a liaison's message is filed under its own
	// party whatever it names), whether the request acted on the party's
	// resource anyway. nil means a refusal is a 401, 403 or, for a party's
	// resource, 404.
	did func(status int, body []byte) bool
}

var pathParam = regexp.MustCompile(`\{[^}]+\}`)

// bind fills in a route's pattern for a request about party: a party's
// messages are addressed by ID, by tracking number and by the inbox's
// party filter, and sent in its name; everything else is a record of no
// party, and gets ID 1 (an unknown ID must still be refused before it is
// looked up).
func (fx *authzFixture) bind(t *testing.T, method, pattern string, party *domain.Party) bound {
	m := fx.messages[party.ID]
	b := bound{body: `{}`}
	b.path = pathParam.ReplaceAllStringFunc(pattern, func(p string) string {
		switch {
		case p == "{$}":
			return ""
		case p == "{tracking}":
			return m.Tracking
		case p == "{id}" && strings.HasPrefix(pattern, "/api/v1/inbox/"):
			b.party = party.ID
			return strconv.FormatInt(m.ID, 10)
		case p == "{slug}" && strings.Contains(pattern, "/parties/"):
			return party.Slug
		case p == "{file}":
			return "2016-02-28.json"
		case p == "{date}":
			return "2016-02-28"
		}
		return "1"
	})
	if strings.HasSuffix(b.path, "/") && b.path != "/" {
		b.path += "truce.css"
	}
	switch method + " " + pattern {
	case "GET /api/v1/inbox":
		b.party = party.ID
		b.path += "?party=" + strconv.FormatInt(party.ID, 10)
		b.did = func(status int, body []byte) bool {
			var page struct{ Messages []domain.Message }
			json.Unmarshal(body, &page)
			for _, m := range page.Messages {
				if m.Sender.PartyID != party.ID {
					t.Errorf("GET %s listed message %d of party %d", b.path, m.ID, m.Sender.PartyID)
				}
			}
			return status == http.StatusOK
		}
	case "POST /api/v1/agreements/{slug}/commitments":
		b.party = party.ID
		b.path = "/api/v1/agreements/" + fx.agreement.Slug + "/commitments"
		b.body = fmt.Sprintf(`{"party":%q,"through":"Russia","valid_from":"2016-02-26T10:00:00Z"}`, party.Slug)
		b.did = func(status int, body []byte) bool { return status == http.StatusCreated }
	case "POST /desk/parties/{slug}/commitments":
		// The party page's form: the party is the path's.
		b.party = party.ID
	case "POST /api/v1/messages":
		b.party = party.ID
		b.body = fmt.Sprintf(`{"sender":{"kind":"liaison","party_id":%d},"body":"matrix %d"}`, party.ID, len(fx.messages)+int(party.ID))
		b.did = func(status int, body []byte) bool {
			var rc struct{ Tracking string }
			json.Unmarshal(body, &rc)
			m, err := fx.db.MessageByTracking(context.Background(), rc.Tracking)
			return status < 300 && err == nil && m.Sender.PartyID == party.ID
		}
	}
	return b
}

// TestAuthorizationMatrix is generated from the route table: every route is
// called by every role about a resource of the caller's own party and of
// another party, and must be refused exactly when the policy refuses that
// role that action on that resource. A route added without a declared
// action fails here (and refuses to start the server, see
// TestUndeclaredRouteRefusesToStart).
func TestAuthorizationMatrix(t *testing.T) {
	fx := newAuthzFixture(t, storetest.OpenSQLite)
	s := &web.Server{}
	for _, rt := range s.Routes() {
		if rt.Access == web.Undeclared || !rt.Access.Known() {
			t.Errorf("route %q declares no known action (%q)", rt.Pattern, rt.Access)
			continue
		}
		method, pattern, _ := strings.Cut(rt.Pattern, " ")
		for _, r := range fx.roles {
			for _, whose := range []struct {
				name  string
				party *domain.Party
			}{{"own", fx.own}, {"other", fx.other}} {
				b := fx.bind(t, method, pattern, whose.party)
				name := fmt.Sprintf("%s %s as %s about %s party", method, b.path, r.role, whose.name)
				t.Run(name, func(t *testing.T) {
					// The route's guard asks whether the role may act on some
					// resource; a party's resource narrows that to this one.
					allowed := auth.DefaultPolicy.Permits(r.principal, rt.Access)
					if b.party != 0 {
						allowed = auth.DefaultPolicy.Allow(r.principal, rt.Access, auth.Resource{PartyID: b.party})
					}
					status, body := fx.call(t, r, method, b.path, b.body)
					var e apiError
					json.Unmarshal(body, &e)
					refused := status == 401 || status == 403 || (b.party != 0 && status == 404)
					if allowed && status == 401 && !strings.Contains(e.Error.Message, "this needs") {
						refused = false // a wrong password at the login route, not the policy
					}
					did := !refused
					if b.did != nil {
						did = b.did(status, body)
					}
					// Whoever may not read every incident never gets the
					// unpublished one, from any route, in any format.
					if !auth.DefaultPolicy.Permits(r.principal, auth.ActReadIncidents) && strings.Contains(string(body), unpublishedMark) {
						t.Errorf("%s got the unpublished incident: %d %.300s", r.role, status, body)
					}
					switch {
					case allowed && (refused || !did):
						t.Errorf("%s may %s on party %d's resource but got %d %.200s", r.role, rt.Access, b.party, status, body)
					case !allowed && did:
						t.Errorf("%s may not %s on party %d's resource but got %d %.200s", r.role, rt.Access, b.party, status, body)
					}
				})
			}
		}
	}
}

// TestAuthorizationPinned pins routes to the action DESIGN.md's roles table
// names for them, so that a route declared with a broader action shows up
// here: only co-chairs publish bulletins; liaisons neither grade nor merge.
func TestAuthorizationPinned(t *testing.T) {
	fx := newAuthzFixture(t, storetest.OpenSQLite)
	role := func(want auth.Role) authzRole {
		for _, r := range fx.roles {
			if r.role == want {
				return r
			}
		}
		t.Fatalf("no %s", want)
		return authzRole{}
	}
	for _, tt := range []struct {
		role         auth.Role
		method, path string
		status       int
	}{
		{auth.RoleMonitor, "POST", "/api/v1/bulletins/2016-02-28/publish", 403},
		{auth.RoleLiaison, "POST", "/api/v1/incidents/1/grade", 403},
		{auth.RoleLiaison, "POST", "/api/v1/clusters/1/accept", 403},
		{auth.RoleLiaison, "POST", "/api/v1/imports", 403},
		{auth.RoleLiaison, "GET", "/api/v1/incidents/1/grades", 403},
		{auth.RoleObserver, "GET", "/api/v1/incidents/1/merged-sources", 403},
		{auth.RolePublic, "GET", "/api/v1/incidents", 401},
		{auth.RolePublic, "GET", "/api/v1/exports/incidents.csv", 401},
		{auth.RolePublic, "GET", "/api/v1/series/incidents", 401},
		// Incident 1 is unpublished: not found, as if it did not exist.
		{auth.RoleObserver, "GET", "/api/v1/incidents/1", 404},
		{auth.RoleLiaison, "GET", "/api/v1/incidents/1", 404},
		{auth.RoleMonitor, "GET", "/api/v1/incidents/1", 200},
		{auth.RoleObserver, "GET", "/api/v1/incidents/2", 200},
		{auth.RoleLiaison, "GET", "/api/v1/map/incidents", 403},
		{auth.RoleLiaison, "GET", "/api/v1/statements", 403},
		{auth.RoleObserver, "GET", "/api/v1/inbox", 403},
		{auth.RoleMonitor, "POST", "/api/v1/log/checkpoints", 403},
		{auth.RoleObserver, "GET", "/api/v1/audit", 403},
		// The desk's published record and incident page, like the API.
		{auth.RoleObserver, "GET", "/desk/incidents/1", 404},
		{auth.RoleObserver, "GET", "/desk/incidents/2", 200},
		{auth.RoleObserver, "GET", "/desk/published", 200},
		{auth.RolePublic, "GET", "/desk/published", 401},
		{auth.RoleObserver, "GET", "/desk/messages", 403},
		{auth.RoleLiaison, "GET", "/desk/messages", 200},
		{auth.RoleLiaison, "GET", "/desk", 403},
		{auth.RoleLiaison, "GET", "/desk/parties/own", 403},
	} {
		if got, _ := fx.call(t, role(tt.role), tt.method, tt.path, `{}`); got != tt.status {
			t.Errorf("%s %s %s = %d, want %d", tt.role, tt.method, tt.path, got, tt.status)
		}
	}
}

// TestRepeatsStayWithinParty sends, as the public and as another party's
// liaison, a copy of a party's message under the name its liaison used:
// repeat detection must not take it for that message, which would hand the
// sender its tracking number (and confirm what another party reported)
// and count the copy in that party's name.
func TestRepeatsStayWithinParty(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			fx := newAuthzFixture(t, e.Open)
			theirs := fx.messages[fx.other.ID]
			for _, r := range fx.roles {
				if r.role != auth.RolePublic && r.role != auth.RoleLiaison {
					continue
				}
				body, _ := json.Marshal(map[string]any{"sender": map[string]any{"name": theirs.Sender.Name}, "body": theirs.Body})
				status, data := fx.call(t, r, "POST", "/api/v1/messages", string(body))
				var rc struct {
					Tracking string
					Repeat   bool
				}
				json.Unmarshal(data, &rc)
				if status != http.StatusCreated || rc.Repeat || rc.Tracking == theirs.Tracking {
					t.Errorf("%s resending party %d's message: %d %s; want a new message of its own", r.role, fx.other.ID, status, data)
				}
			}
			if m, _ := fx.db.Message(context.Background(), theirs.ID); m.Repeats != 0 {
				t.Errorf("party %d's message counts %d repeats sent by others", fx.other.ID, m.Repeats)
			}
			// Its own liaison's repeat is still one.
			liaison := fx.roles[2]
			mine := fx.messages[fx.own.ID]
			body, _ := json.Marshal(map[string]any{"sender": map[string]any{"name": mine.Sender.Name}, "body": mine.Body})
			if _, data := fx.call(t, liaison, "POST", "/api/v1/messages", string(body)); !strings.Contains(string(data), mine.Tracking) {
				t.Errorf("the liaison's own repeat = %s, want a repeat of %s", data, mine.Tracking)
			}
		})
	}
}

// TestLiaisonInbox checks the liaison's own view end to end: its inbox
// lists only its party's message, and it cannot speak for another party.
func TestLiaisonInbox(t *testing.T) {
	fx := newAuthzFixture(t, storetest.OpenSQLite)
	liaison := fx.roles[2]
	_, data := fx.call(t, liaison, "GET", "/api/v1/inbox", "")
	var page struct{ Messages []domain.Message }
	json.Unmarshal(data, &page)
	if mine := fx.messages[fx.own.ID]; len(page.Messages) != 1 || page.Messages[0].ID != mine.ID {
		t.Errorf("liaison inbox = %+v, want only message %d", page.Messages, mine.ID)
	}
	status, _ := fx.call(t, liaison, "POST", "/api/v1/messages", fmt.Sprintf(`{"sender":{"kind":"liaison","party_id":%d},"body":"we commit"}`, fx.other.ID))
	if got, _ := fx.db.Messages(context.Background(), domain.MessageFilter{PartyID: fx.other.ID}); len(got) != 1 {
		t.Errorf("a liaison's message landed in another party's name (%d messages, status %d)", len(got), status)
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
	want := []string{"monitor-1 message.transition message", "monitor-1 party.create party"}
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
