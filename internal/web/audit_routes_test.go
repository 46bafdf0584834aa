package web_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/trucedesk/truce/internal/auth"
	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/ledger"
	"github.com/trucedesk/truce/internal/store"
	"github.com/trucedesk/truce/internal/store/storetest"
	"github.com/trucedesk/truce/internal/web"
)

// auditRequest is one request of the audit test. It goes with the
// co-chair's API token unless client is set (a browser with a session).
type auditRequest struct {
	path, contentType, body string
	client                  *http.Client
	header                  http.Header
	as                      auth.Role // another role's token; "" for the co-chair
}

// auditCase is how the audit test exercises one write route: a request that
// succeeds and the event it must record, and one the route refuses.
type auditCase struct {
	// ok prepares what the request acts on (its own records are made
	// before the trail is read) and returns the request.
	ok func(t *testing.T, fx *auditFixture) auditRequest
	// action is the one event ok must record; "" for a route that
	// changes nothing and so records nothing.
	action string
	// update: the event must show a field before and after, changed.
	update bool
	// more are the further events, in order, of a request that changes
	// several records (each change is audited under its own record).
	more []auditCase
	// bad is a request the route refuses with a 4xx; badAction is the
	// refusal it records, "" for none.
	bad       func(t *testing.T, fx *auditFixture) auditRequest
	badAction string
}

// auditFixture is the authorization matrix's desk with a signing key, and
// a co-chair who logs in with a password.
type auditFixture struct {
	*authzFixture
	chair authzRole
	n     int // for unique names
}

const auditPassword = "a co-chair's long password"

func newAuditFixture(t *testing.T, open func(testing.TB) *store.DB) *auditFixture {
	var db *store.DB
	signer, err := ledger.GenerateKey(rand.Reader, "truce.example.org/audit")
	if err != nil {
		t.Fatal(err)
	}
	sign := func(s *web.Server) {
		// The test logs in a dozen times from one address.
		s.Auth.LoginByAccount, s.Auth.LoginByAddress = nil, nil
		s.Checkpoint = func(ctx context.Context) ([]byte, error) {
			l, err := db.Ledger(ctx)
			if err != nil {
				return nil, err
			}
			cp, err := l.Checkpoint(ctx, "truce.example.org/audit")
			if err != nil {
				return nil, err
			}
			note, err := cp.Sign(signer)
			if err != nil {
				return nil, err
			}
			return note, db.SaveCheckpoint(ctx, cp.Size, note)
		}
	}
	fx := &auditFixture{authzFixture: newAuthzFixture(t, func(tb testing.TB) *store.DB { db = open(tb); return db }, sign)}
	for _, r := range fx.roles {
		if r.role == auth.RoleCoChair {
			fx.chair = r
		}
	}
	hash, err := auth.HashPassword(auditPassword, auth.DefaultParams)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CreateUser(context.Background(), &auth.User{Name: "chair", Role: auth.RoleCoChair, PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	return fx
}

func (fx *auditFixture) unique(prefix string) string {
	fx.n++
	return fmt.Sprintf("%s-%d", prefix, fx.n)
}

// send performs a request as the co-chair (or rq's client or role) and
// returns the status and body.
func (fx *auditFixture) send(t *testing.T, method string, rq auditRequest) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, fx.url+rq.path, strings.NewReader(rq.body))
	if rq.contentType != "" {
		req.Header.Set("Content-Type", rq.contentType)
	}
	for k, v := range rq.header {
		req.Header[k] = v
	}
	client := rq.client
	if client == nil {
		client = noRedirects
		role := fx.chair
		for _, r := range fx.roles {
			if rq.as != "" && r.role == rq.as {
				role = r
			}
		}
		req.Header.Set("Authorization", "Bearer "+role.token)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, data
}

// must performs a request that prepares a case, and decodes its answer.
func (fx *auditFixture) must(t *testing.T, method, path, body string, v any) {
	t.Helper()
	status, data := fx.send(t, method, auditRequest{path: path, contentType: "application/json", body: body})
	if status >= 300 {
		t.Fatalf("%s %s = %d %.300s", method, path, status, data)
	}
	if v != nil {
		if err := json.Unmarshal(data, v); err != nil {
			t.Fatalf("%s %s: %v in %.300s", method, path, err, data)
		}
	}
}

// browser logs the password co-chair in and returns its client and the
// session's CSRF token.
func (fx *auditFixture) browser(t *testing.T) (*http.Client, string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: noRedirects.CheckRedirect}
	body := fmt.Sprintf(`{"name":"chair","password":%q}`, auditPassword)
	resp, err := c.Post(fx.url+"/api/v1/session", "application/json", strings.NewReader(body))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("log in: %v %v", resp, err)
	}
	resp.Body.Close()
	resp, err = c.Get(fx.url + "/api/v1/session")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var who struct {
		CSRF string `json:"csrf_token"`
	}
	json.NewDecoder(resp.Body).Decode(&who)
	return c, who.CSRF
}

func (fx *auditFixture) incidentVersion(t *testing.T, id int64) int {
	in, err := fx.db.Incident(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return in.Version
}

// reconciliation records a reconciliation to act on.
func (fx *auditFixture) reconciliation(t *testing.T) *domain.Reconciliation {
	var rc domain.Reconciliation
	fx.must(t, "POST", "/api/v1/reconciliations", fmt.Sprintf(`{"agreement":"matrix-truce","settlement":%q,"admin1":"Hama",
		"signed_at":"2016-02-28T10:00:00Z","signatories":[{"name":"elders","role":"community"},{"party_id":%d,"name":"own","role":"armed_group"}],
		"terms":[{"kind":"other","text":"calm"}],"sources":[{"url":"https://example.org/r"}]}`, fx.unique("Town"), fx.own.ID), &rc)
	return &rc
}

// received stores a message to act on, at version 1.
func (fx *auditFixture) received(t *testing.T) *domain.Message {
	t.Helper()
	rs, err := fx.db.SubmitMessages(context.Background(), []domain.Submission{{Message: storetest.NewMessage(fx.unique("the notables of Talbiseh signed"), time.Now())}})
	if err != nil {
		t.Fatal(err)
	}
	return rs[0].Message
}

// triaged stores a message and triages it, behind the trail's back.
func (fx *auditFixture) triaged(t *testing.T) *domain.Message {
	t.Helper()
	m := fx.received(t)
	m, err := fx.db.TransitionMessage(context.Background(), domain.Transition{MessageID: m.ID, Version: m.Version, To: domain.StateTriaged, Actor: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// reconciliationForm is the desk's form recording a reconciliation from m,
// linked to it at version.
func (fx *auditFixture) reconciliationForm(m *domain.Message, version int) url.Values {
	return url.Values{"agreement": {"matrix-truce"}, "settlement": {fx.unique("Rastan")}, "admin1": {"Homs"},
		"signed_on": {"2016-02-28"}, "signatory_party": {"", fmt.Sprint(fx.own.ID)}, "signatory_name": {"elders", "own"},
		"signatory_role": {"community", "armed_group"}, "term_kind": {"other"}, "term_text": {"calm"},
		"source_message": {fmt.Sprint(m.ID)}, "message": {fmt.Sprint(m.ID)}, "message_version": {fmt.Sprint(version)},
		"link_message": {"on"}}
}

// proposal makes two reports of one shelling, on a day of their own, and
// scans that day: the proposal that groups them.
func (fx *auditFixture) proposal(t *testing.T) *domain.ClusterProposal {
	day := time.Date(2016, 6, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, fx.n)
	fx.n++
	for range 2 {
		fx.must(t, "POST", "/api/v1/incidents", fmt.Sprintf(`{"sub_event_type":"Shelling/artillery/missile attack",
			"occurred_at":%q,"location":"Kafr Nabl","admin1":"Idleb","point":{"lat":35.61,"lon":36.56}}`, day.Add(9*time.Hour).Format(time.RFC3339)), nil)
	}
	var scan struct{ Proposed []*domain.ClusterProposal }
	fx.must(t, "POST", "/api/v1/clusters/scan", fmt.Sprintf(`{"since":%q,"until":%q}`,
		day.Format(time.RFC3339), day.AddDate(0, 0, 1).Format(time.RFC3339)), &scan)
	if len(scan.Proposed) != 1 {
		t.Fatalf("the scan of %s proposed %d clusters, want 1", day.Format(time.DateOnly), len(scan.Proposed))
	}
	return scan.Proposed[0]
}

// noRedirects answers a desk form's redirect itself: the page it leads to
// is a GET, which records nothing.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// jsonRequest and formRequest are requests as the co-chair's token.
func jsonRequest(path, body string) auditRequest {
	return auditRequest{path: path, contentType: "application/json", body: body}
}

func formRequest(path string, v url.Values) auditRequest {
	return auditRequest{path: path, contentType: "application/x-www-form-urlencoded", body: v.Encode()}
}

func fixed(rq auditRequest) func(*testing.T, *auditFixture) auditRequest {
	return func(*testing.T, *auditFixture) auditRequest { return rq }
}

const (
	auditIncident = `{"sub_event_type":"Shelling/artillery/missile attack","occurred_at":"2016-02-28T09:00:00Z","location":"Kafr Nabl","point":{"lat":35.61,"lon":36.56}}`
	auditArea     = `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"controller":"%s","valid_from":"2016-01-01"},
		"geometry":{"type":"Polygon","coordinates":[[[38,35],[39,35],[39,36],[38,35]]]}}]}`
	acledHeader = "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,source_scale,notes,fatalities,tags,timestamp\n"
	acledRow    = `SYR9002,2016-02-24,2016,1,Political violence,Explosions/Remote violence,Shelling/artillery/missile attack,Military Forces of Syria (2000-),,1,Jaish al Islam,,2,12,,760,Middle East,Syria,Deir-ez-Zor,Deir-ez-Zor,Deir-ez-Zor,Deir ez Zor - Al Jorah,35.3454,40.1473,3,SOHR,National,"Shelling reported in Al Jorah.",1,,1458007200` + "\n"
)

// auditCases holds a case for every route that is not a GET, by pattern.
var auditCases = map[string]auditCase{
	"POST /api/v1/messages": {
		ok:     fixed(jsonRequest("/api/v1/messages", `{"body":"shelling reported in the audit test"}`)),
		action: "message.submit",
		bad:    fixed(jsonRequest("/api/v1/messages", `{"body":""}`)),
	},
	"POST /api/v1/session": {
		ok:        fixed(auditRequest{path: "/api/v1/session", contentType: "application/json", client: &http.Client{}, body: `{"name":"chair","password":"` + auditPassword + `"}`}),
		action:    "session.login",
		bad:       fixed(auditRequest{path: "/api/v1/session", contentType: "application/json", client: &http.Client{}, body: `{"name":"chair","password":"wrong password"}`}),
		badAction: "session.login_failed",
	},
	"DELETE /api/v1/session": {
		ok: func(t *testing.T, fx *auditFixture) auditRequest {
			c, csrf := fx.browser(t)
			return auditRequest{path: "/api/v1/session", client: c, header: http.Header{"X-Csrf-Token": {csrf}}}
		},
		action: "session.logout",
		bad: func(t *testing.T, fx *auditFixture) auditRequest {
			c, _ := fx.browser(t)
			return auditRequest{path: "/api/v1/session", client: c} // no CSRF token
		},
	},
	"POST /api/v1/inbox/{id}/transitions": {
		// A triaged message linked to a reconciliation.
		ok: func(t *testing.T, fx *auditFixture) auditRequest {
			m := fx.triaged(t)
			return jsonRequest(fmt.Sprintf("/api/v1/inbox/%d/transitions", m.ID),
				fmt.Sprintf(`{"to":"linked","version":%d,"reconciliation_id":%d}`, m.Version, fx.reconciliation(t).ID))
		},
		action: "message.transition", update: true,
		bad: func(t *testing.T, fx *auditFixture) auditRequest {
			m := fx.triaged(t)
			return jsonRequest(fmt.Sprintf("/api/v1/inbox/%d/transitions", m.ID),
				fmt.Sprintf(`{"to":"linked","version":%d,"reconciliation_id":999999}`, m.Version))
		},
	},
	"POST /api/v1/incidents": {
		ok:     fixed(jsonRequest("/api/v1/incidents", auditIncident)),
		action: "incident.create",
		bad:    fixed(jsonRequest("/api/v1/incidents", `{"sub_event_type":"not a type","occurred_at":"2016-02-28T09:00:00Z"}`)),
	},
	"POST /report": {
		ok:     fixed(formRequest("/report", url.Values{"name": {"Amira"}, "body": {"shelling near the mill"}})),
		action: "message.submit",
		bad:    fixed(formRequest("/report", url.Values{"name": {"Amira"}, "body": {""}})),
	},
	"POST /desk/login": {
		ok: fixed(auditRequest{path: "/desk/login", contentType: "application/x-www-form-urlencoded",
			client: noRedirects, body: url.Values{"name": {"chair"}, "password": {auditPassword}}.Encode()}),
		action: "session.login",
		bad: fixed(auditRequest{path: "/desk/login", contentType: "application/x-www-form-urlencoded", client: &http.Client{},
			body: url.Values{"name": {"chair"}, "password": {"wrong password"}}.Encode()}),
		badAction: "session.login_failed",
	},
	"POST /desk/logout": {
		ok: func(t *testing.T, fx *auditFixture) auditRequest {
			c, csrf := fx.browser(t)
			return auditRequest{path: "/desk/logout", client: c, contentType: "application/x-www-form-urlencoded",
				body: url.Values{"csrf_token": {csrf}}.Encode()}
		},
		action: "session.logout",
		bad: func(t *testing.T, fx *auditFixture) auditRequest {
			c, _ := fx.browser(t)
			return auditRequest{path: "/desk/logout", client: c, contentType: "application/x-www-form-urlencoded"}
		},
	},
	"POST /desk/incidents/{id}/grade": {
		ok: func(t *testing.T, fx *auditFixture) auditRequest {
			id := fx.published.ID
			return formRequest(fmt.Sprintf("/desk/incidents/%d/grade", id), url.Values{"grade": {"fair"}, "note": {"two sources"},
				"version": {fmt.Sprint(fx.incidentVersion(t, id))}})
		},
		action: "incident.grade", update: true,
		bad: func(t *testing.T, fx *auditFixture) auditRequest {
			return formRequest(fmt.Sprintf("/desk/incidents/%d/grade", fx.published.ID), url.Values{"grade": {"weak"}, "note": {"x"}, "version": {"99"}})
		},
	},
	"POST /desk/parties/{slug}/commitments": {
		ok: func(t *testing.T, fx *auditFixture) auditRequest {
			return formRequest("/desk/parties/"+fx.own.Slug+"/commitments", url.Values{"agreement": {"matrix-truce"},
				"through": {"Russia"}, "valid_on": {"2016-02-27"}, "valid_time": {"00:00"}})
		},
		action: "party.commit",
		bad: func(t *testing.T, fx *auditFixture) auditRequest {
			return formRequest("/desk/parties/"+fx.own.Slug+"/commitments", url.Values{"agreement": {"no-such-truce"}, "valid_on": {"2016-02-27"}})
		},
	},
	"POST /api/v1/claims/check": {
		ok: fixed(jsonRequest("/api/v1/claims/check?agreement=matrix-truce", `{"actor":"Atlantis","metric":"strikes","direction":"down",
			"window_start":"2016-02-27T00:00:00+02:00","window_end":"2016-02-29T00:00:00+02:00"}`)),
		action: "", // it only reads
		bad:    fixed(jsonRequest("/api/v1/claims/check?agreement=matrix-truce", `{`)),
	},
	"POST /api/v1/bulletins/{date}/publish": {
		ok:     fixed(jsonRequest("/api/v1/bulletins/2016-03-04/publish?agreement=matrix-truce", `{"note":"a correction"}`)),
		action: "bulletin.publish", update: true, // a correction of the fixture's version 1
		bad: fixed(jsonRequest("/api/v1/bulletins/2016-13-04/publish?agreement=matrix-truce", `{}`)),
	},
	"POST /api/v1/agreements/{slug}/commitments": {
		ok: func(t *testing.T, fx *auditFixture) auditRequest {
			return jsonRequest("/api/v1/agreements/matrix-truce/commitments", fmt.Sprintf(`{"party":%q,"through":"Russia","valid_from":"2016-02-26T10:00:00Z"}`, fx.other.Slug))
		},
		action: "party.commit",
		bad:    fixed(jsonRequest("/api/v1/agreements/matrix-truce/commitments", `{"party":"nobody","valid_from":"2016-02-26T10:00:00Z"}`)),
	},
	"POST /api/v1/agreements": {
		ok: fixed(jsonRequest("/api/v1/agreements", `{"slug":"audit-truce","name":"Audit truce","time_zone":"Asia/Damascus",
			"start":"2016-02-26T22:00:00Z","prohibited_acts":["Shelling/artillery/missile attack"],"country":"Syria","exclusion_authority":"UN Security Council"}`)),
		action: "agreement.create",
		bad:    fixed(jsonRequest("/api/v1/agreements", `{"slug":"half-truce"}`)),
	},
	"PUT /api/v1/agreements/{slug}/terms": {
		ok: func(t *testing.T, fx *auditFixture) auditRequest {
			a, err := fx.db.AgreementBySlug(context.Background(), "matrix-truce")
			if err != nil {
				t.Fatal(err)
			}
			a.ProhibitedActs = append(a.ProhibitedActs, domain.SubAirStrike)
			body, _ := json.Marshal(a)
			return jsonRequest("/api/v1/agreements/matrix-truce/terms", string(body))
		},
		action: "agreement.terms", update: true,
		bad: fixed(jsonRequest("/api/v1/agreements/matrix-truce/terms", `{"name":"Matrix truce","version":99}`)),
	},
	"POST /api/v1/agreements/{slug}/statuses": {
		ok: func(t *testing.T, fx *auditFixture) auditRequest {
			return jsonRequest("/api/v1/agreements/matrix-truce/statuses", fmt.Sprintf(`{"party":%q,"kind":"designated",
				"designator":"UN Security Council","valid_from":"2016-02-27T00:00:00Z"}`, fx.other.Slug))
		},
		action: "party.status",
		bad:    fixed(jsonRequest("/api/v1/agreements/matrix-truce/statuses", `{"party":"nobody","kind":"designated","valid_from":"2016-02-27T00:00:00Z"}`)),
	},
	"POST /api/v1/parties": {
		ok:     fixed(jsonRequest("/api/v1/parties", `{"slug":"audit-brigade","name":"Audit Brigade","kind":"armed_group"}`)),
		action: "party.create",
		bad:    fixed(jsonRequest("/api/v1/parties", `{"slug":"Not A Slug","name":"x","kind":"armed_group"}`)),
	},
	"POST /api/v1/areas": {
		ok: func(t *testing.T, fx *auditFixture) auditRequest {
			return auditRequest{path: "/api/v1/areas", contentType: "application/geo+json", body: fmt.Sprintf(auditArea, fx.own.Slug)}
		},
		action: "area.import",
		bad:    fixed(auditRequest{path: "/api/v1/areas", contentType: "application/geo+json", body: fmt.Sprintf(auditArea, "nobody")}),
	},
	"POST /api/v1/verdicts/recompute": {
		ok:     fixed(jsonRequest("/api/v1/verdicts/recompute?agreement=matrix-truce", "")),
		action: "verdict.recompute",
		bad:    fixed(jsonRequest("/api/v1/verdicts/recompute?agreement=no-such-truce", "")),
	},
	"POST /api/v1/imports": {
		ok:     fixed(auditRequest{path: "/api/v1/imports?format=acled", contentType: "text/csv", body: acledHeader + acledRow}),
		action: "incident.import",
		bad:    fixed(auditRequest{path: "/api/v1/imports?format=nope", contentType: "text/csv", body: acledHeader + acledRow}),
	},
	"POST /api/v1/incidents/{id}/grade": {
		ok: func(t *testing.T, fx *auditFixture) auditRequest {
			id := fx.unpublished.ID
			return jsonRequest(fmt.Sprintf("/api/v1/incidents/%d/grade", id), fmt.Sprintf(`{"grade":"fair","note":"two sources","version":%d}`, fx.incidentVersion(t, id)))
		},
		action: "incident.grade", update: true,
		bad: func(t *testing.T, fx *auditFixture) auditRequest {
			return jsonRequest(fmt.Sprintf("/api/v1/incidents/%d/grade", fx.unpublished.ID), `{"grade":"weak","note":"x","version":99}`)
		},
	},
	"POST /api/v1/clusters/scan": {
		ok: func(t *testing.T, fx *auditFixture) auditRequest {
			for range 2 {
				fx.must(t, "POST", "/api/v1/incidents", `{"sub_event_type":"Shelling/artillery/missile attack",
					"occurred_at":"2016-05-01T09:00:00Z","location":"Kafr Nabl","admin1":"Idleb","point":{"lat":35.61,"lon":36.56}}`, nil)
			}
			return jsonRequest("/api/v1/clusters/scan", `{"since":"2016-05-01T00:00:00Z","until":"2016-05-02T00:00:00Z"}`)
		},
		action: "cluster.scan",
		bad:    fixed(jsonRequest("/api/v1/clusters/scan", `{"max_km":1000}`)),
	},
	"POST /api/v1/clusters/{id}/accept": {
		ok: func(t *testing.T, fx *auditFixture) auditRequest {
			p := fx.proposal(t)
			return jsonRequest(fmt.Sprintf("/api/v1/clusters/%d/accept", p.ID), fmt.Sprintf(`{"survivor_id":%d,"note":"one event","version":%d}`, p.Members[0].ID, p.Version))
		},
		action: "cluster.accept", update: true,
		bad: func(t *testing.T, fx *auditFixture) auditRequest {
			p := fx.proposal(t)
			return jsonRequest(fmt.Sprintf("/api/v1/clusters/%d/accept", p.ID), fmt.Sprintf(`{"survivor_id":%d,"version":99}`, p.Members[0].ID))
		},
	},
	"POST /api/v1/clusters/{id}/split": {
		ok: func(t *testing.T, fx *auditFixture) auditRequest {
			p := fx.proposal(t)
			return jsonRequest(fmt.Sprintf("/api/v1/clusters/%d/split", p.ID), fmt.Sprintf(`{"note":"two events","version":%d}`, p.Version))
		},
		action: "cluster.split", update: true,
		bad: func(t *testing.T, fx *auditFixture) auditRequest {
			p := fx.proposal(t)
			return jsonRequest(fmt.Sprintf("/api/v1/clusters/%d/split", p.ID), fmt.Sprintf(`{"survivor_id":1,"version":%d}`, p.Version))
		},
	},
	"POST /api/v1/log/checkpoints": {
		ok:     fixed(jsonRequest("/api/v1/log/checkpoints", "")),
		action: "log.checkpoint",
		bad:    fixed(auditRequest{path: "/api/v1/log/checkpoints", as: auth.RoleMonitor}),
	},
	"POST /api/v1/gateways/email": {
		ok:     fixed(auditRequest{path: "/api/v1/gateways/email", contentType: "message/rfc822", body: rawEmail}),
		action: "message.submit",
		bad:    fixed(auditRequest{path: "/api/v1/gateways/email", contentType: "text/plain", body: rawEmail}),
	},
	"POST /api/v1/gateways/sms": {
		ok:     fixed(formRequest("/api/v1/gateways/sms", url.Values{"From": {"+963933000111"}, "Body": {"shelling on Aleppo"}})),
		action: "message.submit",
		bad:    fixed(auditRequest{path: "/api/v1/gateways/sms", contentType: "text/plain", body: "From=x"}),
	},
	"POST /api/v1/articles": {
		ok: fixed(jsonRequest("/api/v1/articles", `{"title":"Strikes fall","date":"2016-02-24","source":"Agency","url":"https://example.org/a1",
			"text":"The ministry spokesman said on Tuesday that air strikes had decreased."}`)),
		action: "article.ingest",
		bad:    fixed(jsonRequest("/api/v1/articles", `{"title":"no text"}`)),
	},
	"POST /api/v1/claims/{id}/recheck": {
		ok: func(t *testing.T, fx *auditFixture) auditRequest {
			// Checked first by a monitor, so the recheck changes at
			// least who checked it.
			status, data := fx.send(t, "POST", auditRequest{path: "/api/v1/articles", contentType: "application/json", as: auth.RoleMonitor,
				body: `{"title":"Strikes rise","date":"2016-02-25","source":"Agency","url":"https://example.org/a2",
				"text":"Government forces carried out more than 40 air strikes on Idleb on Wednesday, the observatory said."}`})
			var res struct{ Article domain.Article }
			if json.Unmarshal(data, &res); status != http.StatusCreated || len(res.Article.Claims) == 0 {
				t.Fatalf("the article to recheck = %d %.300s; want a claim", status, data)
			}
			return jsonRequest(fmt.Sprintf("/api/v1/claims/%d/recheck", res.Article.Claims[0].ID), "")
		},
		action: "claim.recheck", update: true,
		bad: fixed(jsonRequest("/api/v1/claims/999999/recheck", "")),
	},
	"POST /api/v1/reconciliations": {
		ok: func(t *testing.T, fx *auditFixture) auditRequest {
			return jsonRequest("/api/v1/reconciliations", fmt.Sprintf(`{"agreement":"matrix-truce","settlement":"Talbiseh","admin1":"Homs",
				"signed_at":"2016-02-28T10:00:00Z","signatories":[{"name":"elders","role":"community"},{"party_id":%d,"name":"own","role":"armed_group"}],
				"terms":[{"kind":"other","text":"calm"}],"sources":[{"url":"https://example.org/r"}]}`, fx.own.ID))
		},
		action: "reconciliation.create",
		bad:    fixed(jsonRequest("/api/v1/reconciliations", `{"agreement":"matrix-truce"}`)),
	},
	"PUT /api/v1/reconciliations/{id}": {
		ok: func(t *testing.T, fx *auditFixture) auditRequest {
			rc := fx.reconciliation(t)
			rc.Summary = "a corrected summary"
			body, _ := json.Marshal(rc)
			return jsonRequest(fmt.Sprintf("/api/v1/reconciliations/%d", rc.ID), string(body))
		},
		action: "reconciliation.edit", update: true,
		bad: func(t *testing.T, fx *auditFixture) auditRequest {
			rc := fx.reconciliation(t)
			rc.Version = 99
			body, _ := json.Marshal(rc)
			return jsonRequest(fmt.Sprintf("/api/v1/reconciliations/%d", rc.ID), string(body))
		},
	},
	"POST /api/v1/reconciliations/{id}/status": {
		ok: func(t *testing.T, fx *auditFixture) auditRequest {
			return jsonRequest(fmt.Sprintf("/api/v1/reconciliations/%d/status", fx.reconciliation(t).ID), `{"state":"in_force","at":"2016-02-29T10:00:00Z","version":1}`)
		},
		action: "reconciliation.status", update: true,
		bad: func(t *testing.T, fx *auditFixture) auditRequest {
			return jsonRequest(fmt.Sprintf("/api/v1/reconciliations/%d/status", fx.reconciliation(t).ID), `{"state":"nonsense","at":"2016-02-29T10:00:00Z","version":1}`)
		},
	},
	"POST /desk/bulletins/{date}/publish": {
		ok:     fixed(formRequest("/desk/bulletins/2016-03-04/publish?agreement=matrix-truce", url.Values{"note": {"another correction"}})),
		action: "bulletin.publish", update: true,
		bad: fixed(formRequest("/desk/bulletins/2016-13-04/publish?agreement=matrix-truce", url.Values{})),
	},
	// Recorded from a received message and linked to it: the record, then
	// the message's two moves (received → triaged → linked).
	"POST /desk/reconciliations": {
		ok: func(t *testing.T, fx *auditFixture) auditRequest {
			return formRequest("/desk/reconciliations", fx.reconciliationForm(fx.received(t), 1))
		},
		action: "reconciliation.create",
		more:   []auditCase{{action: "message.transition", update: true}, {action: "message.transition", update: true}},
		// A stale page: the message moved since the form was opened.
		bad: func(t *testing.T, fx *auditFixture) auditRequest {
			return formRequest("/desk/reconciliations", fx.reconciliationForm(fx.triaged(t), 1))
		},
	},
	"POST /desk/reconciliations/{id}/status": {
		ok: func(t *testing.T, fx *auditFixture) auditRequest {
			return formRequest(fmt.Sprintf("/desk/reconciliations/%d/status", fx.reconciliation(t).ID),
				url.Values{"state": {"in_force"}, "on": {"2016-02-29"}, "version": {"1"}})
		},
		action: "reconciliation.status", update: true,
		bad: func(t *testing.T, fx *auditFixture) auditRequest {
			return formRequest(fmt.Sprintf("/desk/reconciliations/%d/status", fx.reconciliation(t).ID),
				url.Values{"state": {"in_force"}, "on": {"2016-02-29"}, "version": {"99"}})
		},
	},
}

// TestEveryWriteIsAudited is generated from the route table: every route
// that is not a GET is called once as it succeeds, which must add exactly
// one audit event naming the action, the record's kind and ID, who and
// from where (and for an update a field before and after, changed), and
// once as it is refused, which must add none but the refusal the route
// records. A write route without a case here fails, so a new route cannot
// go unaudited unnoticed.
func TestEveryWriteIsAudited(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			fx := newAuditFixture(t, e.Open)
			seen := map[string]bool{}
			for _, rt := range (&web.Server{}).Routes() {
				method, _, _ := strings.Cut(rt.Pattern, " ")
				if method == http.MethodGet {
					continue
				}
				seen[rt.Pattern] = true
				tc, ok := auditCases[rt.Pattern]
				if !ok {
					t.Errorf("route %q has no audit case: add one to auditCases", rt.Pattern)
					continue
				}
				t.Run(rt.Pattern, func(t *testing.T) {
					rq := tc.ok(t, fx)
					last := fx.lastAuditID(t)
					status, data := fx.send(t, method, rq)
					if status >= 400 {
						t.Fatalf("%s %s = %d %.300s", method, rq.path, status, data)
					}
					events := fx.auditSince(t, last)
					if tc.action == "" {
						if len(events) != 0 {
							t.Errorf("a request that changes nothing recorded %s", describe(events))
						}
					} else if len(events) != 1+len(tc.more) {
						t.Errorf("%d audit events %s, want %s and %d more", len(events), describe(events), tc.action, len(tc.more))
					} else {
						checkEvent(t, events[0], tc)
						for i, more := range tc.more {
							checkEvent(t, events[1+i], more)
						}
					}

					rq = tc.bad(t, fx)
					last = fx.lastAuditID(t)
					status, data = fx.send(t, method, rq)
					if status < 400 || status >= 500 {
						t.Fatalf("the refused request %s %s = %d %.300s, want a 4xx", method, rq.path, status, data)
					}
					events = fx.auditSince(t, last)
					switch {
					case tc.badAction == "" && len(events) != 0:
						t.Errorf("a refused request (%d) recorded %s", status, describe(events))
					case tc.badAction != "" && (len(events) != 1 || events[0].Action != tc.badAction):
						t.Errorf("a refused request (%d) recorded %s, want one %s", status, describe(events), tc.badAction)
					}
				})
			}
			for pattern := range auditCases {
				if !seen[pattern] {
					t.Errorf("audit case %q names no write route", pattern)
				}
			}
		})
	}
}

func checkEvent(t *testing.T, e *auth.AuditEvent, tc auditCase) {
	t.Helper()
	if e.Action != tc.action || e.Kind == "" || e.RecordID == "" || e.Actor == "" || e.Address == "" {
		t.Errorf("event %+v; want action %s with a kind, record ID, actor and address", e, tc.action)
	}
	if strings.Contains(string(e.Old)+string(e.New), `"password`) || strings.Contains(string(e.New), auth.TokenPrefix) {
		t.Errorf("event %s carries a secret: %s → %s", e.Action, e.Old, e.New)
	}
	if len(e.New) == 0 && !strings.HasPrefix(e.Action, "session.") {
		t.Errorf("event %s has no new value", e.Action)
	}
	if !tc.update {
		return
	}
	var old, new map[string]any
	if json.Unmarshal(e.Old, &old) != nil || json.Unmarshal(e.New, &new) != nil {
		t.Fatalf("update %s: old %s, new %s; want two objects", e.Action, e.Old, e.New)
	}
	for k, v := range old {
		if n, ok := new[k]; ok && !reflect.DeepEqual(v, n) {
			return
		}
	}
	t.Errorf("update %s shows no field changed: %s → %s", e.Action, e.Old, e.New)
}

func (fx *auditFixture) lastAuditID(t *testing.T) int64 {
	t.Helper()
	events, err := fx.db.AuditEvents(context.Background(), auth.AuditFilter{Newest: true, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) == 0 {
		return 0
	}
	return events[0].ID
}

func (fx *auditFixture) auditSince(t *testing.T, after int64) []*auth.AuditEvent {
	t.Helper()
	events, err := fx.db.AuditEvents(context.Background(), auth.AuditFilter{AfterID: after})
	if err != nil {
		t.Fatal(err)
	}
	return events
}

func describe(events []*auth.AuditEvent) string {
	var b strings.Builder
	for _, e := range events {
		fmt.Fprintf(&b, "[%s %s/%s %s → %s] ", e.Action, e.Kind, e.RecordID, e.Old, e.New)
	}
	return b.String()
}
