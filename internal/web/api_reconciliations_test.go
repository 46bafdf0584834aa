package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/trucedesk/truce/internal/auth"
	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/store"
	"github.com/trucedesk/truce/internal/store/storetest"
)

// reconciliationDesk is a store with the 2016 agreement and one local armed
// group, served over HTTP.
func reconciliationDesk(t *testing.T, db *store.DB) (url string, a *domain.Agreement, party *domain.Party) {
	t.Helper()
	ctx := context.Background()
	a = &domain.Agreement{Slug: "coh", Name: "Cessation of hostilities", TimeZone: "Asia/Damascus",
		Start: time.Date(2016, 2, 26, 22, 0, 0, 0, time.UTC), Country: "Syria", ExclusionAuthority: "UN Security Council"}
	if err := db.CreateAgreement(ctx, a); err != nil {
		t.Fatal(err)
	}
	party = &domain.Party{Slug: "local-brigade", Name: "Local Brigade", Kind: domain.KindArmedGroup}
	if err := db.CreateParty(ctx, party); err != nil {
		t.Fatal(err)
	}
	return newServer(t, db).URL, a, party
}

func reconciliationJSON(party int64, settlement string) string {
	return fmt.Sprintf(`{"agreement":"coh","settlement":%q,"admin1":"Rif Dimashq","signed_at":"2016-02-28T10:00:00Z",
		"signatories":[{"party_id":%d,"role":"armed_group"},{"name":"Elders of %s","role":"community"}],
		"terms":[{"kind":"heavy_weapons","text":"heavy weapons handed over"}],
		"sources":[{"url":"https://example.org/report","publisher":"Reconciliation Centre"}]}`, settlement, party, settlement)
}

// TestReconciliationAPI creates a reconciliation, reads and lists it, moves
// it into force and then broken, and finds every change in the audit trail
// with the state before and after.
func TestReconciliationAPI(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db := e.Open(t)
			url, a, party := reconciliationDesk(t, db)
			resp, data := do(t, "POST", url+"/api/v1/reconciliations", "application/json", []byte(reconciliationJSON(party.ID, "Testville")), true)
			var rc domain.Reconciliation
			json.Unmarshal(data, &rc)
			if resp.StatusCode != http.StatusCreated || rc.ID == 0 || rc.AgreementID != a.ID || rc.State != domain.ReconciliationSigned ||
				rc.CreatedBy != "monitor-1" || resp.Header.Get("Location") != fmt.Sprintf("/api/v1/reconciliations/%d", rc.ID) {
				t.Fatalf("create = %d %s", resp.StatusCode, data)
			}
			resp, data = do(t, "GET", url+resp.Header.Get("Location"), "", nil, true)
			if resp.StatusCode != 200 || !strings.Contains(string(data), `"settlement":"Testville"`) {
				t.Errorf("read = %d %s", resp.StatusCode, data)
			}
			status := func(body string) (*http.Response, []byte) {
				return do(t, "POST", fmt.Sprintf("%s/api/v1/reconciliations/%d/status", url, rc.ID), "application/json", []byte(body), true)
			}
			if resp, data := status(`{"state":"in_force","at":"2016-02-29T08:00:00Z","version":1}`); resp.StatusCode != 200 {
				t.Fatalf("in force = %d %s", resp.StatusCode, data)
			}
			if resp, data := status(`{"state":"in_force","at":"2016-02-29T09:00:00Z","version":1}`); resp.StatusCode != http.StatusConflict {
				t.Errorf("stale version = %d %s, want 409", resp.StatusCode, data)
			}
			resp, data = status(`{"state":"broken","at":"2016-03-02T08:00:00Z","note":"shelling resumed","version":2}`)
			json.Unmarshal(data, &rc)
			if resp.StatusCode != 200 || rc.State != domain.ReconciliationBroken || len(rc.Statuses) != 3 || rc.Version != 3 {
				t.Fatalf("broken = %d %s", resp.StatusCode, data)
			}
			if resp, data := status(`{"state":"in_force","at":"2016-03-03T08:00:00Z","version":3}`); resp.StatusCode != http.StatusConflict {
				t.Errorf("broken back to in force = %d %s, want 409", resp.StatusCode, data)
			}

			for _, tt := range []struct {
				query string
				want  int
			}{
				{"", 1},
				{"?agreement=coh&admin1=Rif+Dimashq&party=local-brigade&since=2016-02-28&until=2016-02-29", 1},
				{"?state=broken", 1},
				{"?state=in_force", 0},
				{"?state=in_force&as_of=2016-03-01T00:00:00Z", 1},
				{"?admin1=Homs", 0},
				{"?since=2016-02-29", 0},
			} {
				resp, data := do(t, "GET", url+"/api/v1/reconciliations"+tt.query, "", nil, true)
				var page struct {
					Reconciliations []domain.Reconciliation
					Total           int
				}
				json.Unmarshal(data, &page)
				if resp.StatusCode != 200 || len(page.Reconciliations) != tt.want || page.Total != tt.want {
					t.Errorf("list%s = %d, %d listed of %d; want %d", tt.query, resp.StatusCode, len(page.Reconciliations), page.Total, tt.want)
				}
			}

			events, err := db.AuditEvents(context.Background(), auth.AuditFilter{Kind: "reconciliation"})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range events {
				got = append(got, e.Action+" "+e.RecordID+" "+string(e.Old)+" → "+string(e.New))
			}
			trail := strings.Join(got, "\n")
			for _, want := range []string{
				fmt.Sprintf(`reconciliation.create %d  → {"id":%d`, rc.ID, rc.ID),
				fmt.Sprintf(`reconciliation.status %d {"at":"2016-02-28T10:00:00Z","state":"signed","version":1} → {"at":"2016-02-29T08:00:00Z","note":"","state":"in_force","version":2}`, rc.ID),
				fmt.Sprintf(`reconciliation.status %d {"at":"2016-02-29T08:00:00Z","state":"in_force","version":2} → {"at":"2016-03-02T08:00:00Z","note":"shelling resumed","state":"broken","version":3}`, rc.ID),
			} {
				if !strings.Contains(trail, want) {
					t.Errorf("the audit trail lacks\n%s\nin\n%s", want, trail)
				}
			}
			if len(events) != 3 {
				t.Errorf("%d audit events, want 3 (refused changes are not recorded)", len(events))
			}

			// An edit carries back what it read, and is recorded old → new.
			rc.Settlement, rc.Admin2 = "Testville al-Jadida", "Test district"
			body, _ := json.Marshal(rc)
			resp, data = do(t, "PUT", fmt.Sprintf("%s/api/v1/reconciliations/%d", url, rc.ID), "application/json", body, true)
			if resp.StatusCode != 200 || !strings.Contains(string(data), `"version":4`) {
				t.Errorf("edit = %d %s", resp.StatusCode, data)
			}
			resp, data = do(t, "PUT", fmt.Sprintf("%s/api/v1/reconciliations/%d", url, rc.ID), "application/json", body, true)
			if resp.StatusCode != http.StatusConflict {
				t.Errorf("stale edit = %d %s, want 409", resp.StatusCode, data)
			}
		})
	}
}

// TestReconciliationBadInput sends bad requests on both engines: each gets a
// 4xx JSON error naming the field, and nothing is stored.
func TestReconciliationBadInput(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db := e.Open(t)
			url, _, party := reconciliationDesk(t, db)
			good := reconciliationJSON(party.ID, "Testville")
			tests := []struct {
				name, body string
				status     int
				field      string
			}{
				{"unknown agreement", strings.Replace(good, `"coh"`, `"nope"`, 1), 400, "agreement"},
				{"no agreement", strings.Replace(good, `"agreement":"coh",`, "", 1), 400, "agreement_id"},
				{"no settlement", strings.Replace(good, `"settlement":"Testville"`, `"settlement":""`, 1), 400, "settlement"},
				{"no governorate", strings.Replace(good, `"admin1":"Rif Dimashq",`, "", 1), 400, "admin1"},
				{"not a date", strings.Replace(good, `"2016-02-28T10:00:00Z"`, `"yesterday"`, 1), 400, ""},
				{"signed in the future", strings.Replace(good, `"2016-02-28T10:00:00Z"`, `"2999-01-01T00:00:00Z"`, 1), 400, "signed_at"},
				{"unknown role", strings.Replace(good, `"armed_group"`, `"spoiler"`, 1), 400, "signatories.role"},
				{"unknown party", strings.Replace(good, fmt.Sprintf(`"party_id":%d`, party.ID), `"party_id":999`, 1), 400, "signatories.party_id"},
				{"party ID as text", strings.Replace(good, fmt.Sprintf(`"party_id":%d`, party.ID), `"party_id":"x"`, 1), 400, "signatories.party_id"},
				{"unknown term", strings.Replace(good, `"heavy_weapons"`, `"peace"`, 1), 400, "terms.kind"},
				{"bad source URL", strings.Replace(good, `"https://example.org/report"`, `"javascript:alert(1)"`, 1), 400, "sources.url"},
				{"unknown message", strings.Replace(good, `{"url":"https://example.org/report",`, `{"message_id":999,`, 1), 400, "sources.message_id"},
				{"a state given", strings.Replace(good, `"agreement":"coh",`, `"agreement":"coh","state":"in_force",`, 1), 400, "state"},
				{"an unknown field", strings.Replace(good, `"agreement":"coh",`, `"agreement":"coh","village":"x",`, 1), 400, "village"},
				{"an ID given", strings.Replace(good, `"agreement":"coh",`, `"agreement":"coh","id":5,`, 1), 400, "id"},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					resp, data := do(t, "POST", url+"/api/v1/reconciliations", "application/json", []byte(tt.body), true)
					var e apiError
					if err := json.Unmarshal(data, &e); err != nil || resp.StatusCode != tt.status || e.Error.Field != tt.field {
						t.Errorf("got %d %s; want %d naming %q", resp.StatusCode, data, tt.status, tt.field)
					}
				})
			}
			if n, _ := db.CountReconciliations(context.Background(), domain.ReconciliationFilter{}); n != 0 {
				t.Fatalf("%d reconciliations stored by refused requests", n)
			}
			resp, data := do(t, "POST", url+"/api/v1/reconciliations", "application/json", []byte(good), true)
			if resp.StatusCode != http.StatusCreated {
				t.Fatalf("good = %d %s", resp.StatusCode, data)
			}
			var rc domain.Reconciliation
			json.Unmarshal(data, &rc)
			for _, tt := range []struct {
				name, path, body string
				status           int
				field            string
			}{
				{"unknown state", "status", `{"state":"paused","at":"2016-02-29T00:00:00Z","version":1}`, 400, "state"},
				{"no date", "status", `{"state":"in_force","version":1}`, 400, "at"},
				{"before the signing", "status", `{"state":"in_force","at":"2016-02-27T00:00:00Z","version":1}`, 400, "at"},
				{"no version", "status", `{"state":"in_force","at":"2016-02-29T00:00:00Z"}`, 400, "version"},
				{"unknown reconciliation", "../999/status", `{"state":"in_force","at":"2016-02-29T00:00:00Z","version":1}`, 404, ""},
			} {
				t.Run(tt.name, func(t *testing.T) {
					path := fmt.Sprintf("%s/api/v1/reconciliations/%d/%s", url, rc.ID, tt.path)
					if strings.HasPrefix(tt.path, "../") {
						path = url + "/api/v1/reconciliations/" + strings.TrimPrefix(tt.path, "../")
					}
					resp, data := do(t, "POST", path, "application/json", []byte(tt.body), true)
					var e apiError
					if err := json.Unmarshal(data, &e); err != nil || resp.StatusCode != tt.status || e.Error.Field != tt.field {
						t.Errorf("got %d %s; want %d naming %q", resp.StatusCode, data, tt.status, tt.field)
					}
				})
			}
			for _, q := range []struct{ query, field string }{
				{"state=paused", "state"}, {"since=soon", "since"}, {"agreement=nope", "agreement"}, {"party=nope", "party"},
				{"since=2016-03-01&until=2016-02-01", "until"}, {"limit=-1", "limit"}, {"after=x", "after"},
			} {
				resp, data := do(t, "GET", url+"/api/v1/reconciliations?"+q.query, "", nil, true)
				var e apiError
				if json.Unmarshal(data, &e); resp.StatusCode != 400 || e.Error.Field != q.field {
					t.Errorf("list?%s = %d %s; want 400 naming %q", q.query, resp.StatusCode, data, q.field)
				}
			}
			got, err := db.Reconciliation(context.Background(), rc.ID)
			if err != nil || got.Version != 1 || len(got.Statuses) != 1 {
				t.Errorf("after refused changes: %+v, %v; want version 1 with one status", got, err)
			}
		})
	}
}

// TestReconciliationParties checks who reads what: the desk every
// reconciliation, a liaison only those its party signed (another's is
// missing, not forbidden), observers and the public none; only the desk
// records them.
func TestReconciliationParties(t *testing.T) {
	fx := newAuthzFixture(t, storetest.OpenSQLite)
	ctx := context.Background()
	a := &domain.Agreement{Slug: "coh", Name: "CoH", TimeZone: "Asia/Damascus", Start: time.Date(2016, 2, 26, 22, 0, 0, 0, time.UTC)}
	if err := fx.db.CreateAgreement(ctx, a); err != nil {
		t.Fatal(err)
	}
	mine := storetest.NewReconciliation(a.ID, fx.own.ID, "Ownville", "Homs", time.Date(2016, 2, 28, 0, 0, 0, 0, time.UTC))
	theirs := storetest.NewReconciliation(a.ID, fx.other.ID, "Otherville", "Homs", time.Date(2016, 2, 28, 0, 0, 0, 0, time.UTC))
	for _, rc := range []*domain.Reconciliation{mine, theirs} {
		if err := fx.db.CreateReconciliation(ctx, rc); err != nil {
			t.Fatal(err)
		}
	}
	listed := func(body []byte) string {
		var page struct{ Reconciliations []domain.Reconciliation }
		json.Unmarshal(body, &page)
		var names []string
		for _, rc := range page.Reconciliations {
			names = append(names, rc.Settlement)
		}
		return strings.Join(names, ",")
	}
	creates := map[auth.Role]int{}
	for _, r := range fx.roles {
		var list, own, other, create int
		var wantList string
		switch r.role {
		case auth.RoleCoChair, auth.RoleMonitor:
			list, own, other, create, wantList = 200, 200, 200, 201, "Ownville,Otherville"
		case auth.RoleLiaison:
			list, own, other, create, wantList = 200, 200, 404, 403, "Ownville"
		case auth.RoleObserver:
			list, own, other, create = 403, 403, 403, 403
		case auth.RolePublic:
			list, own, other, create = 401, 401, 401, 401
		}
		t.Run(string(r.role), func(t *testing.T) {
			if status, body := fx.call(t, r, "GET", "/api/v1/reconciliations", ""); status != list || listed(body) != wantList {
				t.Errorf("list = %d %q, want %d %q", status, listed(body), list, wantList)
			}
			if status, _ := fx.call(t, r, "GET", fmt.Sprintf("/api/v1/reconciliations/%d", mine.ID), ""); status != own {
				t.Errorf("read own party's = %d, want %d", status, own)
			}
			if status, _ := fx.call(t, r, "GET", fmt.Sprintf("/api/v1/reconciliations/%d", theirs.ID), ""); status != other {
				t.Errorf("read other party's = %d, want %d", status, other)
			}
			if r.role == auth.RoleLiaison {
				if status, _ := fx.call(t, r, "GET", "/api/v1/reconciliations?party=other", ""); status != 403 {
					t.Errorf("list another party's = %d, want 403", status)
				}
			}
		})
		creates[r.role] = create
	}
	// Writes last, so the lists above see the two records only.
	for _, r := range fx.roles {
		body := strings.Replace(reconciliationJSON(fx.own.ID, "Newville"), `"agreement":"coh"`, fmt.Sprintf(`"agreement_id":%d`, a.ID), 1)
		if status, data := fx.call(t, r, "POST", "/api/v1/reconciliations", body); status != creates[r.role] {
			t.Errorf("%s create = %d %s, want %d", r.role, status, data, creates[r.role])
		}
		path := fmt.Sprintf("/api/v1/reconciliations/%d/status", mine.ID)
		if status, _ := fx.call(t, r, "POST", path, `{"state":"in_force","at":"2016-02-29T00:00:00Z","version":1}`); creates[r.role] == 403 && status != 403 {
			t.Errorf("%s status change = %d, want 403", r.role, status)
		}
	}
}

// TestBulletinReconciliationLinks follows the draft bulletin's
// reconciliation figures to the list route: each link must list exactly
// the records its figure counts.
func TestBulletinReconciliationLinks(t *testing.T) {
	db := storetest.OpenSQLite(t)
	url, a, party := reconciliationDesk(t, db)
	ctx := context.Background()
	damascus := time.FixedZone("EET", 2*3600)
	at := func(d, h int) time.Time { return time.Date(2016, 2, d, h, 0, 0, 0, damascus) }
	for _, x := range []struct {
		name   string
		signed time.Time
		moves  []domain.ReconciliationChange
	}{
		{"Testville", at(28, 1), nil}, // signed on the day, not yet in force
		{"Exampleton", at(27, 12), []domain.ReconciliationChange{{State: domain.ReconciliationInForce, At: at(28, 23)}}},
		{"Sampleburg", at(26, 12), []domain.ReconciliationChange{{State: domain.ReconciliationInForce, At: at(27, 8)},
			{State: domain.ReconciliationBroken, At: at(29, 0)}}}, // broken just after the day
		{"Lateton", at(29, 0), nil}, // the next local day
	} {
		rc := storetest.NewReconciliation(a.ID, party.ID, x.name, "Homs", x.signed)
		if err := db.CreateReconciliation(ctx, rc); err != nil {
			t.Fatal(err)
		}
		for i, c := range x.moves {
			c.ID, c.Version, c.Actor = rc.ID, i+1, "m"
			if _, err := db.ChangeReconciliationState(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
	}
	resp, data := do(t, "GET", url+"/api/v1/bulletins/drafts/2016-02-28.json", "", nil, true)
	if resp.StatusCode != 200 {
		t.Fatalf("draft = %d %s", resp.StatusCode, data)
	}
	var rep struct {
		Reconciliations struct {
			New         []struct{ Settlement, Link string }
			Link        string `json:"link"`
			InForce     int    `json:"in_force"`
			InForceLink string `json:"in_force_link"`
			Pending     int    `json:"pending"`
			PendingLink string `json:"pending_link"`
		}
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	list := func(path string) string {
		t.Helper()
		resp, data := do(t, "GET", url+path, "", nil, true)
		var page struct {
			Reconciliations []domain.Reconciliation
			Total           int
		}
		json.Unmarshal(data, &page)
		if resp.StatusCode != 200 || page.Total != len(page.Reconciliations) {
			t.Fatalf("%s = %d %s", path, resp.StatusCode, data)
		}
		var names []string
		for _, rc := range page.Reconciliations {
			names = append(names, rc.Settlement)
		}
		return strings.Join(names, ",")
	}
	rs := rep.Reconciliations
	for _, tt := range []struct {
		figure     string
		count      int
		link, want string
	}{
		{"signed on the day", len(rs.New), rs.Link, "Testville"},
		{"in force at its end", rs.InForce, rs.InForceLink, "Exampleton,Sampleburg"},
		{"signed, not yet in force", rs.Pending, rs.PendingLink, "Testville"},
	} {
		got := list(tt.link)
		if got != tt.want || tt.count != len(strings.Split(tt.want, ",")) {
			t.Errorf("%s: figure %d, %s lists %q; want %q", tt.figure, tt.count, tt.link, got, tt.want)
		}
	}
	if len(rs.New) != 1 || rs.New[0].Settlement != "Testville" {
		t.Fatalf("the day's new reconciliations = %+v", rs.New)
	}
	if resp, data := do(t, "GET", url+rs.New[0].Link, "", nil, true); resp.StatusCode != 200 || !strings.Contains(string(data), `"Testville"`) {
		t.Errorf("%s = %d %s", rs.New[0].Link, resp.StatusCode, data)
	}
}
