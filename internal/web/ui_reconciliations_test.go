package web_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/trucedesk/truce/internal/auth"
	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/store/storetest"
)

// reconciliationForm is a valid form of the desk's page, to be spoiled one
// field at a time.
func reconciliationForm(party int64, message int64) url.Values {
	return url.Values{
		"agreement": {"coh"}, "settlement": {"Testville"}, "admin1": {"Rif Dimashq"}, "admin2": {""},
		"signed_on": {"2016-02-28"}, "signed_time": {"10:30"}, "time_precision": {"1"}, "lat": {""}, "lon": {""}, "geoname_id": {""},
		"signatory_party": {"", fmt.Sprint(party), "", ""}, "signatory_name": {"Elders of Testville", "", "", ""},
		"signatory_role": {"community", "armed_group", "government", "guarantor"},
		"term_kind":      {"heavy_weapons", "", ""}, "term_text": {"heavy weapons handed over", "", ""},
		"source_message": {fmt.Sprint(message), "", ""}, "source_url": {"", "https://example.org/hmeimim/28", ""},
		"source_publisher": {"", "Reconciliation Centre", ""}, "source_note": {"", "", ""},
		"summary": {"The town's notables agreed to join the cessation."},
	}
}

func with(v url.Values, kv ...string) url.Values {
	c := url.Values{}
	for k, x := range v {
		c[k] = append([]string(nil), x...)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		c.Set(kv[i], kv[i+1])
	}
	return c
}

func withList(v url.Values, key string, vals ...string) url.Values {
	c := with(v)
	c[key] = vals
	return c
}

// TestReconciliationPages records a reconciliation through the desk's form
// on both engines: bad input gets the form again with a 4xx that names the
// field and keeps what was typed, and stores nothing; the record shows its
// signatories, terms, the message it rests on and its audit trail; the
// list filters as the API does; the status form moves it along the
// timeline, refusing a stale page and a date before the timeline's last.
func TestReconciliationPages(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db := e.Open(t)
			base, _, party := reconciliationDesk(t, db)
			m := submit(t, base, "The notables of Testville signed a reconciliation this morning.")
			ctx := context.Background()
			good := reconciliationForm(party.ID, m.ID)
			form := "application/x-www-form-urlencoded"
			send := func(method, path string, v url.Values) (int, string) {
				t.Helper()
				var body []byte
				if v != nil {
					body = []byte(v.Encode())
				}
				resp, data := do(t, method, base+path, form, body, true)
				return resp.StatusCode, string(data)
			}

			status, page := send("GET", fmt.Sprintf("/desk/reconciliations/new?message=%d", m.ID), nil)
			for _, want := range []string{m.Tracking, "The notables of Testville signed", `name="source_message" inputmode="numeric" dir="ltr" value="` + fmt.Sprint(m.ID) + `"`,
				`name="signed_on" type="date" required value="20`, `name="csrf_token"`} {
				if status != 200 || !strings.Contains(page, want) {
					t.Errorf("the form opened from message %d: %d, lacks %q", m.ID, status, want)
				}
			}
			if status, _ := send("GET", "/desk/reconciliations/new?message=999999", nil); status != 404 {
				t.Errorf("the form opened from an unknown message = %d, want 404", status)
			}

			bad := []struct {
				name   string
				form   url.Values
				status int
				field  string // as the page names it: "Label (field)"
			}{
				{"no settlement", with(good, "settlement", "  "), 400, "Settlement (settlement)"},
				{"no governorate", with(good, "admin1", ""), 400, "Governorate (admin1)"},
				{"an unknown agreement", with(good, "agreement", "nowhere"), 400, "Agreement (agreement)"},
				{"no day", with(good, "signed_on", ""), 400, "Signed on (signed_at)"},
				{"not a day", with(good, "signed_on", "28/02/2016"), 400, "Signed on (signed_at)"},
				{"not a time", with(good, "signed_time", "noon"), 400, "Signed on (signed_at)"},
				{"in the future", with(good, "signed_on", time.Now().AddDate(0, 0, 3).Format(time.DateOnly)), 400, "Signed on (signed_at)"},
				{"a bad precision", with(good, "time_precision", "7"), 400, "Date known to (time_precision)"},
				{"latitude alone", with(good, "lat", "33.5"), 400, "Coordinates (point.lon)"},
				{"an unknown place", with(good, "geoname_id", "424242"), 400, "Gazetteer entry (geoname_id)"},
				{"no signatory", with(good, "signatory_name", "", "signatory_party", ""), 400, "Signatories (signatories)"},
				{"an unknown role", with(good, "signatory_role", "mayor"), 400, "Signatories (signatories.role)"},
				{"a party that is not an ID", with(good, "signatory_party", "jaish"), 400, "Signatories (signatories.party_id)"},
				{"a term without its kind", with(good, "term_kind", ""), 400, "Terms (terms.kind)"},
				{"other terms need text", with(good, "term_kind", "other", "term_text", ""), 400, "Terms (terms.text)"},
				{"an unknown message", with(good, "source_message", "999999"), 400, "Sources (sources.message_id)"},
				{"not a URL", withList(with(good, "source_message", ""), "source_url", "javascript:alert(1)", "https://example.org/hmeimim/28", ""), 400, "Sources (sources.url)"},
			}
			for _, tt := range bad {
				t.Run(tt.name, func(t *testing.T) {
					status, page := send("POST", "/desk/reconciliations", tt.form)
					if status != tt.status || !strings.Contains(page, `id="form-error"`) || !strings.Contains(page, tt.field) {
						t.Errorf("status %d, want %d naming %q:\n%.3000s", status, tt.status, tt.field, page)
					}
					// What was typed is kept.
					if !strings.Contains(page, `id="rc-settlement" name="settlement" required maxlength="300" dir="auto" value="`+tt.form.Get("settlement")+`"`) ||
						!strings.Contains(page, `value="https://example.org/hmeimim/28"`) {
						t.Errorf("the refused form lost what was typed")
					}
				})
			}
			if n, _ := db.CountReconciliations(ctx, domain.ReconciliationFilter{}); n != 0 {
				t.Fatalf("refused forms stored %d reconciliations", n)
			}

			// Accepted: the browser follows to the record.
			status, page = send("POST", "/desk/reconciliations", good)
			list, _ := db.Reconciliations(ctx, domain.ReconciliationFilter{})
			if status != 200 || len(list) != 1 {
				t.Fatalf("record = %d, %d stored:\n%.2000s", status, len(list), page)
			}
			rc := list[0]
			if rc.SignedAt != time.Date(2016, 2, 28, 8, 30, 0, 0, time.UTC) || len(rc.Signatories) != 2 || len(rc.Sources) != 2 ||
				rc.Sources[0].MessageID != m.ID || rc.CreatedBy != "monitor-1" {
				t.Errorf("stored %+v", rc)
			}
			for _, want := range []string{"Testville</span> joins Cessation of hostilities", "2016-02-28 10:30 EET", "Elders of Testville</span> — <strong>representatives",
				`<a href="/desk/parties/local-brigade">Local Brigade</a> — <strong>armed group`, "heavy weapons handed over",
				fmt.Sprintf(`<a href="/desk/inbox?message=%d" dir="ltr">%s</a>`, m.ID, m.Tracking), "https://example.org/hmeimim/28",
				`id="rc-status-form"`, "reconciliation.create", `href="/desk/audit?kind=reconciliation&amp;record=` + fmt.Sprint(rc.ID)} {
				if !strings.Contains(page, want) {
					t.Errorf("the record lacks %q", want)
				}
			}
			rcPath := fmt.Sprintf("/desk/reconciliations/%d", rc.ID)

			// The list reads the API's filters.
			for _, tt := range []struct {
				query  string
				status int
				want   string
			}{
				{"", 200, "1 reconciliation matches"},
				{"?agreement=coh&admin1=Rif+Dimashq&party=local-brigade&state=signed&since=2016-02-28&until=2016-02-29", 200, `href="` + rcPath + `"`},
				{"?state=in_force", 200, "0 reconciliations match"},
				{"?since=2016-03-01", 200, "No reconciliation matches these filters."},
				{"?state=bogus", 400, "Status (state)"},
				{"?since=2016-03-01&until=2016-02-01", 400, "Signed before (until)"},
				{"?party=nobody", 400, "Party (party)"},
				{"?agreement=nowhere", 400, "Agreement (agreement)"},
				{"?limit=x", 400, "Per page (limit)"},
			} {
				if status, page := send("GET", "/desk/reconciliations"+tt.query, nil); status != tt.status || !strings.Contains(page, tt.want) {
					t.Errorf("list%s = %d, want %d with %q", tt.query, status, tt.status, tt.want)
				}
			}

			// The timeline.
			for _, tt := range []struct {
				name   string
				form   url.Values
				status int
				want   string
			}{
				{"before the signing", url.Values{"state": {"in_force"}, "on": {"2016-02-27"}, "version": {"1"}}, 400, "Reported on (at)"},
				{"not a day", url.Values{"state": {"in_force"}, "on": {"tomorrow"}, "version": {"1"}}, 400, "Reported on (at)"},
				{"no state chosen", url.Values{"state": {""}, "on": {"2016-02-29"}, "version": {"1"}}, 400, "Status (state)"},
				{"an unknown state", url.Values{"state": {"signed"}, "on": {"2016-02-29"}, "version": {"1"}}, 400, "Status (state)"},
				{"no version", url.Values{"state": {"in_force"}, "on": {"2016-02-29"}}, 400, "Version (version)"},
				{"in force", url.Values{"state": {"in_force"}, "on": {"2016-02-29"}, "note": {"checkpoint reopened"}, "version": {"1"}}, 200, "checkpoint reopened"},
				{"a stale page", url.Values{"state": {"broken"}, "on": {"2016-03-01"}, "version": {"1"}}, 409, "changed since you read it"},
				{"broken", url.Values{"state": {"broken"}, "on": {"2016-03-02"}, "time": {"08:00"}, "note": {"shelling resumed"}, "version": {"2"}}, 200, "broken is final"},
				{"broken is final", url.Values{"state": {"in_force"}, "on": {"2016-03-03"}, "version": {"3"}}, 409, "cannot become in_force"},
			} {
				t.Run(tt.name, func(t *testing.T) {
					status, page := send("POST", rcPath+"/status", tt.form)
					if status != tt.status || !strings.Contains(page, tt.want) {
						t.Errorf("status %d, want %d with %q:\n%.3000s", status, tt.status, tt.want, page)
					}
				})
			}
			got, _ := db.Reconciliation(ctx, rc.ID)
			if got.State != domain.ReconciliationBroken || len(got.Statuses) != 3 || got.Version != 3 ||
				got.Statuses[2].At != time.Date(2016, 3, 2, 6, 0, 0, 0, time.UTC) || got.Statuses[1].Note != "checkpoint reopened" {
				t.Errorf("after the page's changes: %+v", got)
			}
			_, page = send("GET", rcPath, nil)
			for _, want := range []string{"reconciliation.status", `<del dir="auto">signed</del> → <ins dir="auto">in_force</ins>`, `<del dir="auto">in_force</del> → <ins dir="auto">broken</ins>`} {
				if !strings.Contains(page, want) {
					t.Errorf("the record's audit section lacks %q", want)
				}
			}
			// The day's bulletin draft lists it, and each figure's link opens
			// the desk's list of exactly what it counts.
			status, page = send("GET", "/desk/bulletins/2016-02-28", nil)
			if status != 200 || !strings.Contains(page, `<a href="`+rcPath+`" dir="auto">Testville</a>`) ||
				!strings.Contains(page, "Elders of Testville (representatives)") {
				t.Errorf("the bulletin draft = %d, lacks the record:\n%.4000s", status, page)
			}
			for _, tt := range []struct {
				id, figure string
				total      string
			}{
				{"rec-new", "1 signed on the day", "1 reconciliation matches"},
				{"rec-in-force", "0 in force", "0 reconciliations match"},
				{"rec-pending", "1 signed but not yet reported in force", "1 reconciliation matches"},
			} {
				m := regexp.MustCompile(`<a href="([^"]+)" id="` + tt.id + `">([^<]+)</a>`).FindStringSubmatch(page)
				if m == nil || m[2] != tt.figure || !strings.HasPrefix(m[1], "/desk/reconciliations?") {
					t.Errorf("the bulletin's %s link = %q, want %q to the desk's list", tt.id, m, tt.figure)
					continue
				}
				if status, list := send("GET", html.UnescapeString(m[1]), nil); status != 200 || !strings.Contains(list, tt.total) {
					t.Errorf("the bulletin's %s link %s = %d, lacks %q", tt.id, m[1], status, tt.total)
				}
			}
			// Paging: a page of one leads to the next and back to the first.
			second := &domain.Reconciliation{AgreementID: rc.AgreementID, Settlement: "Secondville", Admin1: "Homs",
				SignedAt: time.Date(2016, 2, 29, 9, 0, 0, 0, time.UTC), CreatedBy: "test",
				Signatories: []domain.Signatory{{Name: "Notables of Secondville", Role: domain.SignatoryCommunity}}}
			if err := db.CreateReconciliation(ctx, second); err != nil {
				t.Fatal(err)
			}
			_, page = send("GET", "/desk/reconciliations?limit=1", nil)
			next := regexp.MustCompile(`href="([^"]+)" id="next"`).FindStringSubmatch(page)
			if next == nil || !strings.Contains(page, "2 reconciliations match") || !strings.Contains(page, ">Testville<") || strings.Contains(page, "Secondville") {
				t.Fatalf("the first page of one:\n%.3000s", page)
			}
			_, page = send("GET", html.UnescapeString(next[1]), nil)
			if !strings.Contains(page, ">Secondville<") || strings.Contains(page, ">Testville<") || !strings.Contains(page, `id="first"`) || strings.Contains(page, `id="next"`) {
				t.Errorf("the second page (%s):\n%.3000s", next[1], page)
			}
			if status, _ := send("GET", "/desk/reconciliations/999999", nil); status != 404 {
				t.Errorf("an unknown record = %d, want 404", status)
			}
		})
	}
}

// TestReconciliationPagesRoles checks who sees what: a liaison reads its own
// party's record and list, not another's (404, so it does not learn it
// exists) and is neither offered nor allowed the forms; an observer reads
// none; the navigation names the pages only to those who may read them.
func TestReconciliationPagesRoles(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			fx := newAuthzFixture(t, e.Open)
			ctx := context.Background()
			records := map[int64]int64{} // party → reconciliation
			for _, p := range []*domain.Party{fx.own, fx.other} {
				rc := &domain.Reconciliation{AgreementID: fx.agreement.ID, Settlement: p.Name + " town", Admin1: "Idleb",
					SignedAt: time.Date(2016, 2, 28, 9, 0, 0, 0, time.UTC), CreatedBy: "test",
					Signatories: []domain.Signatory{{PartyID: p.ID, Role: domain.SignatoryArmedGroup}}}
				if err := fx.db.CreateReconciliation(ctx, rc); err != nil {
					t.Fatal(err)
				}
				records[p.ID] = rc.ID
			}
			role := func(want auth.Role) authzRole {
				for _, r := range fx.roles {
					if r.role == want {
						return r
					}
				}
				t.Fatalf("no %s", want)
				return authzRole{}
			}
			own, other := fmt.Sprintf("/desk/reconciliations/%d", records[fx.own.ID]), fmt.Sprintf("/desk/reconciliations/%d", records[fx.other.ID])
			nav := `href="/desk/reconciliations"`
			for _, tt := range []struct {
				as           auth.Role
				method, path string
				status       int
				contains     []string
				lacks        []string
			}{
				{auth.RoleCoChair, "GET", "/desk/reconciliations", 200, []string{nav, "Own Brigade town", "Other Brigade town", `id="rc-new"`}, nil},
				{auth.RoleMonitor, "GET", other, 200, []string{nav, `id="rc-status-form"`}, nil},
				{auth.RoleLiaison, "GET", "/desk/reconciliations", 200, []string{nav, "Own Brigade town", "1 reconciliation matches"},
					[]string{"Other Brigade town", `id="rc-new"`, `id="f-party"`}},
				{auth.RoleLiaison, "GET", own, 200, []string{"Own Brigade town"}, []string{`id="rc-status-form"`, `id="audit-h"`}},
				{auth.RoleLiaison, "GET", other, 404, nil, []string{"Other Brigade town"}},
				{auth.RoleLiaison, "GET", "/desk/reconciliations?party=other", 403, nil, []string{"Other Brigade town"}},
				{auth.RoleLiaison, "GET", "/desk/reconciliations/new", 403, nil, nil},
				{auth.RoleLiaison, "POST", own + "/status", 403, nil, nil},
				{auth.RoleObserver, "GET", "/desk/reconciliations", 403, nil, nil},
				{auth.RoleObserver, "GET", own, 403, nil, nil},
				{auth.RoleMonitor, "GET", "/desk/bulletins", 200, []string{nav}, nil},
			} {
				t.Run(fmt.Sprintf("%s %s %s", tt.as, tt.method, tt.path), func(t *testing.T) {
					status, body := fx.call(t, role(tt.as), tt.method, tt.path, "")
					if status != tt.status {
						t.Errorf("status %d, want %d", status, tt.status)
					}
					for _, want := range tt.contains {
						if !strings.Contains(string(body), want) {
							t.Errorf("the page lacks %q", want)
						}
					}
					for _, no := range tt.lacks {
						if strings.Contains(string(body), no) {
							t.Errorf("the page shows %q", no)
						}
					}
				})
			}
		})
	}
}

// TestDeskFormsNeedCSRF posts each new desk form from a logged-in session
// without its CSRF token, which is refused and stores nothing, and with it,
// which is accepted.
func TestDeskFormsNeedCSRF(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db := e.Open(t)
			base, _, party := reconciliationDesk(t, db)
			ctx := context.Background()
			hash, err := auth.HashPassword("a co-chair's long password", auth.DefaultParams)
			if err != nil {
				t.Fatal(err)
			}
			if err := db.CreateUser(ctx, &auth.User{Name: "chair", Role: auth.RoleCoChair, PasswordHash: hash}); err != nil {
				t.Fatal(err)
			}
			jar, _ := cookiejar.New(nil)
			browser := &http.Client{Jar: jar}
			resp, err := browser.Post(base+"/api/v1/session", "application/json",
				strings.NewReader(`{"name":"chair","password":"a co-chair's long password"}`))
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("log in: %v %v", resp, err)
			}
			resp.Body.Close()
			csrf := formToken(t, browser, base+"/desk/reconciliations/new")
			if csrf == "" {
				t.Fatal("the reconciliation form carries no CSRF token")
			}
			if got := formToken(t, browser, base+"/desk/parties/"+party.Slug); got != csrf {
				t.Fatalf("the party page's commitment form carries CSRF token %q, want %q", got, csrf)
			}
			post := func(path string, v url.Values) int {
				t.Helper()
				resp, err := browser.PostForm(base+path, v)
				if err != nil {
					t.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				return resp.StatusCode
			}
			count := func() (int, int) {
				n, _ := db.CountReconciliations(ctx, domain.ReconciliationFilter{})
				sts, _ := db.PartyStatuses(ctx, 1)
				return n, len(sts)
			}
			rcForm := reconciliationForm(party.ID, 0)
			rcForm.Del("source_message")
			commit := url.Values{"agreement": {"coh"}, "through": {"Russia"}, "valid_on": {"2016-02-26"}, "valid_time": {"23:00"}}
			for _, tt := range []struct {
				name, path string
				form       url.Values
			}{
				{"record a reconciliation", "/desk/reconciliations", rcForm},
				{"change its status", "/desk/reconciliations/1/status", url.Values{"state": {"in_force"}, "on": {"2016-02-29"}, "version": {"1"}}},
				{"record a commitment", "/desk/parties/" + party.Slug + "/commitments", commit},
			} {
				t.Run(tt.name, func(t *testing.T) {
					rcs, sts := count()
					if status := post(tt.path, tt.form); status != http.StatusForbidden {
						t.Errorf("without the CSRF token: %d, want 403", status)
					}
					if r2, s2 := count(); r2 != rcs || s2 != sts {
						t.Errorf("a refused form stored something: %d→%d reconciliations, %d→%d statuses", rcs, r2, sts, s2)
					}
					tt.form.Set("csrf_token", csrf)
					if status := post(tt.path, tt.form); status != http.StatusOK {
						t.Errorf("with the CSRF token: %d, want 200 (the page it leads to)", status)
					}
				})
			}
			if rc, err := db.Reconciliation(ctx, 1); err != nil || rc.State != domain.ReconciliationInForce || rc.CreatedBy != "chair" {
				t.Errorf("after the forms: %+v %v", rc, err)
			}
		})
	}
}

// TestPartyPageCommitment records a commitment from the party page as a
// co-chair: the form goes through the commitment route's logic (the row
// joins the timeline, the audit trail has party.commit), a refusal names
// the field and stores nothing, and a monitor is neither offered the form
// nor allowed to post it.
func TestPartyPageCommitment(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			fx := newAuthzFixture(t, e.Open)
			ctx := context.Background()
			role := func(want auth.Role) authzRole {
				for _, r := range fx.roles {
					if r.role == want {
						return r
					}
				}
				t.Fatalf("no %s", want)
				return authzRole{}
			}
			chair, monitor := role(auth.RoleCoChair), role(auth.RoleMonitor)
			postForm := func(r authzRole, path string, v url.Values) (int, string) {
				t.Helper()
				req, _ := http.NewRequest("POST", fx.url+path, strings.NewReader(v.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Authorization", "Bearer "+r.token)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				return resp.StatusCode, string(b)
			}
			path := "/desk/parties/other/commitments"
			good := url.Values{"agreement": {fx.agreement.Slug}, "through": {"United States"}, "valid_on": {"2016-02-27"},
				"valid_time": {"00:00"}, "source": {"letter to the task force"}, "note": {""}}
			statuses := func() int {
				sts, _ := fx.db.PartyStatuses(ctx, fx.agreement.ID)
				return len(sts)
			}
			if _, page := fx.call(t, chair, "GET", "/desk/parties/other", ""); !strings.Contains(page2(page), `id="commit-form"`) {
				t.Error("a co-chair is not offered the commitment form")
			}
			if _, page := fx.call(t, monitor, "GET", "/desk/parties/other", ""); strings.Contains(page2(page), `id="commit-form"`) {
				t.Error("a monitor is offered the commitment form")
			}
			for _, tt := range []struct {
				name   string
				as     authzRole
				form   url.Values
				status int
				want   string
			}{
				{"no day", chair, with(good, "valid_on", ""), 400, "Valid from (valid_from)"},
				{"not a day", chair, with(good, "valid_on", "27 Feb"), 400, "Valid from (valid_from)"},
				{"an unknown agreement", chair, with(good, "agreement", "nowhere"), 400, "Agreement (agreement)"},
				{"a monitor may not", monitor, good, 403, ""},
			} {
				t.Run(tt.name, func(t *testing.T) {
					before := statuses()
					status, page := postForm(tt.as, path, tt.form)
					if status != tt.status || !strings.Contains(page, tt.want) {
						t.Errorf("status %d, want %d naming %q:\n%.2000s", status, tt.status, tt.want, page)
					}
					if tt.status == 400 && !strings.Contains(page, `value="letter to the task force"`) {
						t.Error("the refused form lost what was typed")
					}
					if statuses() != before {
						t.Error("a refused commitment was stored")
					}
				})
			}
			status, page := postForm(chair, path, good)
			if status != 200 || !strings.Contains(page, "<strong>committed</strong> — through United States") {
				t.Errorf("commit = %d:\n%.3000s", status, page)
			}
			sts, _ := fx.db.PartyStatuses(ctx, fx.agreement.ID)
			if len(sts) != 1 || sts[0].PartyID != fx.other.ID || sts[0].Designator != "United States" ||
				!sts[0].ValidFrom.Equal(time.Date(2016, 2, 26, 22, 0, 0, 0, time.UTC)) || sts[0].RecordedBy != "co-chair-user" {
				t.Errorf("stored %+v", sts)
			}
			events, _ := fx.db.AuditEvents(ctx, auth.AuditFilter{Kind: "party", RecordID: "other"})
			if len(events) != 1 || events[0].Action != "party.commit" {
				t.Errorf("audit events %+v, want one party.commit", events)
			}
		})
	}
}

func page2(b []byte) string { return string(b) }

// TestReconciliationLinksMessage records reconciliations from messages
// through the desk's form on both engines. The box linking the message is
// ticked when the form opens from a message that may be linked; ticked, the
// record and the link are stored together (a received message triaged
// first), each change audited under its record, and the record's page
// lists the message; a stale page, a message that may not be linked or a
// bad record refuses both, keeps the form, and stores nothing.
func TestReconciliationLinksMessage(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db := e.Open(t)
			base, _, party := reconciliationDesk(t, db)
			ctx := context.Background()
			send := func(method, path string, v url.Values) (int, string) {
				t.Helper()
				resp, data := do(t, method, base+path, "application/x-www-form-urlencoded", []byte(v.Encode()), true)
				return resp.StatusCode, string(data)
			}
			move := func(m *domain.Message, to domain.MessageState, reason domain.RejectReason) {
				t.Helper()
				if _, err := db.TransitionMessage(ctx, domain.Transition{MessageID: m.ID, Version: m.Version, To: to, Reason: reason, Actor: "other-monitor"}); err != nil {
					t.Fatal(err)
				}
			}
			tests := []struct {
				name    string
				prepare func(*domain.Message)
				form    func(v url.Values) url.Values
				status  int
				want    []string // on the page answered
				// The message after, and whether a reconciliation was stored.
				state   domain.MessageState
				version int
				stored  bool
				moves   int // audited by the request
			}{
				{name: "received: triaged and linked", form: func(v url.Values) url.Values { return v },
					status: 200, want: []string{`id="rc-messages"`}, state: domain.StateLinked, version: 3, stored: true, moves: 2},
				{name: "triaged: linked", prepare: func(m *domain.Message) { move(m, domain.StateTriaged, "") },
					form:   func(v url.Values) url.Values { return with(v, "message_version", "2") },
					status: 200, want: []string{`id="rc-messages"`}, state: domain.StateLinked, version: 3, stored: true, moves: 1},
				{name: "the box unticked", form: func(v url.Values) url.Values { return with(v, "link_message", "") },
					status: 200, want: []string{`id="rc-messages-none"`}, state: domain.StateReceived, version: 1, stored: true},
				{name: "a stale page", prepare: func(m *domain.Message) { move(m, domain.StateTriaged, "") },
					form:   func(v url.Values) url.Values { return v },
					status: 409, want: []string{"changed since you read it", `name="message_version" value="2"`, `name="link_message" value="on" checked`},
					state: domain.StateTriaged, version: 2},
				{name: "a rejected message", prepare: func(m *domain.Message) { move(m, domain.StateRejected, domain.RejectDuplicate) },
					form:   func(v url.Values) url.Values { return with(v, "message_version", "2") },
					status: 409, want: []string{"cannot go from rejected to linked", `id="rc-link-off"`}, state: domain.StateRejected, version: 2},
				{name: "no version", form: func(v url.Values) url.Values { return with(v, "message_version", "") },
					status: 400, want: []string{"Message (message_version)"}, state: domain.StateReceived, version: 1},
				{name: "an unknown message", form: func(v url.Values) url.Values { return with(v, "message", "999999", "source_message", "") },
					status: 400, want: []string{"Message (message_id)"}, state: domain.StateReceived, version: 1},
				{name: "a bad record", form: func(v url.Values) url.Values { return with(v, "settlement", "") },
					status: 400, want: []string{"Settlement (settlement)", `name="link_message" value="on" checked`}, state: domain.StateReceived, version: 1},
			}
			for i, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					m := submit(t, base, fmt.Sprintf("Notables of town %d signed a reconciliation.", i))
					stored, _ := db.Message(ctx, m.ID)
					if i == 0 {
						// The form opened from the message offers the link, ticked.
						status, page := send("GET", fmt.Sprintf("/desk/reconciliations/new?message=%d", m.ID), nil)
						for _, want := range []string{`name="message_version" value="1"`, `name="link_message" value="on" checked`, "(it is triaged first)"} {
							if status != 200 || !strings.Contains(page, want) {
								t.Errorf("the form opened from a received message: %d, lacks %q", status, want)
							}
						}
					}
					if tt.prepare != nil {
						tt.prepare(stored)
					}
					count, _ := db.CountReconciliations(ctx, domain.ReconciliationFilter{})
					v := with(reconciliationForm(party.ID, m.ID), "message", fmt.Sprint(m.ID), "message_version", "1", "link_message", "on")
					status, page := send("POST", "/desk/reconciliations", tt.form(v))
					if status != tt.status {
						t.Fatalf("status %d, want %d:\n%.3000s", status, tt.status, page)
					}
					for _, want := range tt.want {
						if !strings.Contains(page, want) {
							t.Errorf("the page lacks %q:\n%.3000s", want, page)
						}
					}
					after, _ := db.Message(ctx, m.ID)
					list, _ := db.Reconciliations(ctx, domain.ReconciliationFilter{Limit: 1000})
					if want := count + map[bool]int{true: 1}[tt.stored]; len(list) != want {
						t.Errorf("reconciliations %d → %d, want %d", count, len(list), want)
					}
					if after.State != tt.state || after.Version != tt.version {
						t.Errorf("the message is %s v%d, want %s v%d", after.State, after.Version, tt.state, tt.version)
					}
					if tt.state != domain.StateLinked {
						if after.ReconciliationID != 0 {
							t.Errorf("the message is linked to %d", after.ReconciliationID)
						}
						return
					}
					rc := list[len(list)-1]
					if after.ReconciliationID != rc.ID {
						t.Errorf("the message is linked to %d, want %d", after.ReconciliationID, rc.ID)
					}
					// The record lists the message, with the way to its inbox page.
					if want := fmt.Sprintf(`<a href="/desk/inbox?message=%d" dir="ltr">%s</a>:`, m.ID, m.Tracking); !strings.Contains(page, want) {
						t.Errorf("the record's messages lack %q", want)
					}
					events, err := db.AuditEvents(ctx, auth.AuditFilter{Kind: "message", RecordID: fmt.Sprint(m.ID)})
					if err != nil {
						t.Fatal(err)
					}
					var moves []string
					for _, e := range events {
						if e.Actor == "monitor-1" {
							moves = append(moves, e.Action+" "+string(e.New))
						}
					}
					wantLink := fmt.Sprintf(`message.transition {"reconciliation_id":%d,"state":"linked","version":3}`, rc.ID)
					if len(moves) != tt.moves || moves[len(moves)-1] != wantLink {
						t.Errorf("the message's trail: %q, ending with %q", moves, wantLink)
					}
				})
			}
		})
	}
}
