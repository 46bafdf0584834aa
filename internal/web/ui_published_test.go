package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trucedesk/truce/internal/auth"
	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/store"
	"github.com/trucedesk/truce/internal/store/storetest"
	"github.com/trucedesk/truce/internal/web"
)

// recordPassword is the password of every account the published record's
// tests log in with.
const recordPassword = "a long password for the record"

// recordDesk is a desk whose bulletin of 28 February 2016 (Damascus, UTC+2)
// is published, with incidents a minute either side of that day's two
// midnights, a published one in another governorate, of another type and
// against a party, 51 published ones in Homs (more than a page), and a
// message in each of two parties' names.
type recordDesk struct {
	db         *store.DB
	url        string
	own, other *domain.Party
	ids        map[string]int64 // by location
	messages   map[int64]*domain.Message
	tokens     map[auth.Role]string
}

func newRecordDesk(t *testing.T, open func(testing.TB) *store.DB, set ...func(*web.Server)) *recordDesk {
	t.Helper()
	db := open(t)
	ts := newServerWith(t, db, db, 256, func(s *web.Server) {
		for _, f := range set {
			f(s)
		}
	})
	ctx := context.Background()
	rd := &recordDesk{db: db, url: ts.URL, ids: map[string]int64{}, messages: map[int64]*domain.Message{}, tokens: map[auth.Role]string{},
		own:   &domain.Party{Slug: "own", Name: "Own Brigade", Kind: domain.KindArmedGroup},
		other: &domain.Party{Slug: "other", Name: "Other Brigade", Kind: domain.KindArmedGroup}}
	if err := db.CreateAgreement(ctx, &domain.Agreement{Slug: "coh", Name: "Cessation", TimeZone: "Asia/Damascus",
		Start: time.Date(2016, 2, 26, 22, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []*domain.Party{rd.own, rd.other} {
		if err := db.CreateParty(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	add := func(name string, at time.Time, admin1, typ string, targets ...int64) {
		in := &domain.Incident{SubEventType: typ, OccurredAt: at, Location: name, Admin1: admin1, CreatedBy: "test",
			Targets: targets, Sources: []domain.Source{
				{Kind: domain.SourceMedia, URL: "https://example.org/" + name},
				{Kind: domain.SourceMessage, Note: "hotline call about " + name}}}
		if admin1 == "Idleb" {
			in.Point = &domain.Point{Lat: 35.93, Lon: 36.63}
		}
		if err := db.CreateIncident(ctx, in); err != nil {
			t.Fatal(err)
		}
		rd.ids[name] = in.ID
	}
	add("at-27th-23h59", time.Date(2016, 2, 27, 21, 59, 0, 0, time.UTC), "Hama", domain.SubShelling)
	add("at-28th-00h01", time.Date(2016, 2, 27, 22, 1, 0, 0, time.UTC), "Hama", domain.SubShelling)
	add("at-28th-23h59", time.Date(2016, 2, 28, 21, 59, 0, 0, time.UTC), "Hama", domain.SubShelling)
	add("at-29th-00h01", time.Date(2016, 2, 28, 22, 1, 0, 0, time.UTC), "Hama", domain.SubShelling)
	add("at-28th-idleb", time.Date(2016, 2, 28, 9, 0, 0, 0, time.UTC), "Idleb", domain.SubAirStrike, rd.own.ID)
	for i := range 51 {
		add(fmt.Sprintf("homs-%02d", i), time.Date(2016, 2, 28, 10, i, 0, 0, time.UTC), "Homs", domain.SubClash)
	}
	for _, p := range []*domain.Party{rd.own, rd.other} {
		m := storetest.NewMessage("from the liaison of "+p.Name, time.Now())
		m.Sender = domain.Sender{Kind: domain.SenderLiaison, Name: p.Slug + "-liaison", PartyID: p.ID}
		m.SenderKey = m.Sender.Key("x")
		rs, err := db.SubmitMessages(ctx, []domain.Submission{{Message: m}})
		if err != nil {
			t.Fatal(err)
		}
		rd.messages[p.ID] = rs[0].Message
	}
	hash, err := auth.HashPassword(recordPassword, auth.DefaultParams)
	if err != nil {
		t.Fatal(err)
	}
	a := auth.New(db, time.Now)
	for _, role := range []auth.Role{auth.RoleCoChair, auth.RoleMonitor, auth.RoleLiaison, auth.RoleObserver} {
		u := &auth.User{Name: string(role), Role: role, PasswordHash: hash}
		if role == auth.RoleLiaison {
			u.PartyID = rd.own.ID
		}
		if err := db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		secret, _, err := a.IssueToken(ctx, u, "test", []auth.Scope{auth.ScopeAdmin}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		rd.tokens[role] = secret
	}
	if status, body := rd.get(t, auth.RoleCoChair, "POST", "/api/v1/bulletins/2016-02-28/publish"); status != http.StatusCreated {
		t.Fatalf("publish: %d %.300s", status, body)
	}
	return rd
}

// get sends a request as role (the public without a token) from a browser
// that asks for HTML, and follows no redirect.
func (rd *recordDesk) get(t *testing.T, role auth.Role, method, path string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, rd.url+path, nil)
	req.Header.Set("Accept", "text/html")
	if tok := rd.tokens[role]; tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusSeeOther {
		return resp.StatusCode, resp.Header.Get("Location")
	}
	return resp.StatusCode, string(body)
}

var (
	incidentLink = regexp.MustCompile(`href="/desk/incidents/(\d+)" class="incident-link"`)
	hrefOf       = func(id string) *regexp.Regexp {
		return regexp.MustCompile(`id="` + id + `"[^>]*href="([^"]+)"|href="([^"]+)"[^>]*id="` + id + `"`)
	}
)

// link returns the href of the element with id on the page, unescaped.
func link(page, id string) string {
	m := hrefOf(id).FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1] + m[2])
}

// listed returns the locations of the incidents a page lists, in order.
func (rd *recordDesk) listed(page string) []string {
	names := map[string]string{}
	for name, id := range rd.ids {
		names[fmt.Sprint(id)] = name
	}
	var out []string
	for _, m := range incidentLink.FindAllStringSubmatch(page, -1) {
		out = append(out, names[m[1]])
	}
	return out
}

// TestPublishedRecordPage checks, on both engines, what an observer and a
// liaison read on the published record's page: exactly the published day's
// incidents at the Damascus midnights, each filter narrowing the list as
// the API's list narrows it (the same query), pages that follow on, and
// export links that carry the page's filters and answer its incidents.
func TestPublishedRecordPage(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			rd := newRecordDesk(t, e.Open)
			homs := make([]string, 51)
			for i := range homs {
				homs[i] = fmt.Sprintf("homs-%02d", i)
			}
			hama := []string{"at-28th-00h01", "at-28th-23h59"}
			published := append(append(slices.Clone(hama), "at-28th-idleb"), homs...)
			for _, tt := range []struct {
				name, query string
				want        []string // the first page
				total       int
			}{
				{"everything", "", published[:50], 54},
				{"the published day", "?since=2016-02-28&until=2016-02-29", published[:50], 54},
				{"the day before", "?since=2016-02-27&until=2016-02-28", nil, 0},
				{"the day after", "?since=2016-02-29", nil, 0},
				{"a governorate", "?admin1=Hama", hama, 2},
				{"a type", "?type=" + url.QueryEscape(domain.SubAirStrike), []string{"at-28th-idleb"}, 1},
				{"a party", fmt.Sprintf("?party=%d", rd.own.ID), []string{"at-28th-idleb"}, 1},
				{"the second page", fmt.Sprintf("?admin1=Homs&after=%d", rd.ids["homs-49"]), homs[50:], 51},
				{"a window inside the day", "?since=2016-02-28T00:00:00Z&until=2016-02-28T09:30:00Z&admin1=Idleb", []string{"at-28th-idleb"}, 1},
			} {
				for _, role := range []auth.Role{auth.RoleObserver, auth.RoleLiaison} {
					t.Run(string(role)+" "+tt.name, func(t *testing.T) {
						status, page := rd.get(t, role, "GET", "/desk/published"+tt.query)
						if status != http.StatusOK {
							t.Fatalf("%d %.500s", status, page)
						}
						if got := rd.listed(page); !slices.Equal(got, tt.want) {
							t.Errorf("listed %v, want %v", got, tt.want)
						}
						if want := fmt.Sprintf(`<p id="pub-total">%d published`, tt.total); !strings.Contains(page, want) {
							t.Errorf("the page lacks %q", want)
						}
						// The exports carry the page's filters: the API lists
						// the same incidents with them, and the CSV holds them.
						acled := link(page, "export-acled")
						u, err := url.Parse(acled)
						if err != nil || u.Path != "/api/v1/exports/incidents.csv" || u.Query().Get("format") != "acled" ||
							u.Query().Get("published") != "true" {
							t.Fatalf("the ACLED export link is %q", acled)
						}
						q := u.Query()
						q.Del("format")
						q.Set("limit", "1000")
						status, body := rd.get(t, role, "GET", "/api/v1/incidents?"+q.Encode())
						var api struct {
							Incidents []domain.Incident
							Total     int
						}
						if err := json.Unmarshal([]byte(body), &api); status != 200 || err != nil || api.Total != tt.total {
							t.Errorf("the API with the export's filters: %d, total %d, want %d (%v)", status, api.Total, tt.total, err)
						}
						status, csv := rd.get(t, role, "GET", acled)
						if status != 200 {
							t.Fatalf("the ACLED export: %d %.300s", status, csv)
						}
						for name := range rd.ids {
							if tt.total != len(tt.want) { // the export has every page
								break
							}
							if strings.Contains(csv, name) != slices.Contains(tt.want, name) {
								t.Errorf("the export has %s: %v, want %v", name, !slices.Contains(tt.want, name), slices.Contains(tt.want, name))
							}
						}
						for _, id := range []string{"export-ucdp", "export-geojson"} {
							l := link(page, id)
							if status, body := rd.get(t, role, "GET", l); status != 200 || (tt.total == 2 && !strings.Contains(body, hama[1])) {
								t.Errorf("%s %s: %d %.200s", id, l, status, body)
							}
						}
						if strings.Contains(page, "at-27th") || strings.Contains(page, "at-29th") {
							t.Error("the page names an unpublished incident")
						}
					})
				}
			}

			// Paging: the next page follows on, and offers the first again.
			_, page := rd.get(t, auth.RoleObserver, "GET", "/desk/published?admin1=Homs")
			next := link(page, "next")
			if next == "" {
				t.Fatal("the first page of 51 offers no next page")
			}
			_, page = rd.get(t, auth.RoleObserver, "GET", next)
			if got := rd.listed(page); !slices.Equal(got, homs[50:]) || link(page, "first") == "" || link(page, "next") != "" {
				t.Errorf("the next page lists %v (first %q, next %q)", got, link(page, "first"), link(page, "next"))
			}

			// The bulletins, with their renderings.
			_, page = rd.get(t, auth.RoleObserver, "GET", "/desk/published")
			for _, want := range []string{"2016-02-28", "v1", `/api/v1/bulletins/2016-02-28.pdf?agreement=coh&amp;version=1`} {
				if !strings.Contains(page, want) {
					t.Errorf("the bulletins lack %q", want)
				}
			}
			if status, _ := rd.get(t, auth.RolePublic, "GET", "/api/v1/bulletins/2016-02-28.html?agreement=coh&version=1"); status != 200 {
				t.Errorf("the bulletin's HTML link answers %d", status)
			}

			// A bad filter is named beside the form.
			status, page := rd.get(t, auth.RoleObserver, "GET", "/desk/published?since=yesterday")
			if status != 400 || !strings.Contains(page, `id="form-error"`) || !strings.Contains(page, `value="yesterday"`) {
				t.Errorf("a bad day: %d, error shown %v", status, strings.Contains(page, "form-error"))
			}
			// The public logs in first.
			if status, loc := rd.get(t, auth.RolePublic, "GET", "/desk/published"); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/desk/login") {
				t.Errorf("the public: %d %s, want the login page", status, loc)
			}
		})
	}
}

// TestPublishedIncidentPage checks the incident page each role gets: for
// those without read_incidents a published incident without the desk's
// messages, forms, grade history or audit, and an unpublished one not
// found, as the API answers; the desk gets its whole page.
func TestPublishedIncidentPage(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			rd := newRecordDesk(t, e.Open)
			desk := []string{"hotline call", `id="grade-ok"`, "/statements", `href="/desk/parties/own"`}
			for _, tt := range []struct {
				role   auth.Role
				name   string
				status int
				has    []string
				hasNot []string
			}{
				{auth.RoleObserver, "at-27th-23h59", 404, nil, []string{"at-27th-23h59"}},
				{auth.RoleObserver, "at-29th-00h01", 404, nil, []string{"at-29th-00h01"}},
				{auth.RoleLiaison, "at-29th-00h01", 404, nil, []string{"at-29th-00h01"}},
				{auth.RoleObserver, "at-28th-idleb", 200,
					[]string{"https://example.org/at-28th-idleb", `href="/desk/published?party=`, `<a href="/desk/published">Published record</a> › Incident`},
					append(desk, "Audit trail", "/desk/audit", "grade-history")},
				{auth.RoleLiaison, "at-28th-00h01", 200, []string{"https://example.org/at-28th-00h01"}, append(desk, "Audit trail")},
				{auth.RoleMonitor, "at-28th-idleb", 200, desk, nil},
				{auth.RoleMonitor, "at-27th-23h59", 200, []string{"hotline call", `id="grade-ok"`}, nil},
			} {
				t.Run(fmt.Sprintf("%s reads %s", tt.role, tt.name), func(t *testing.T) {
					status, page := rd.get(t, tt.role, "GET", fmt.Sprintf("/desk/incidents/%d", rd.ids[tt.name]))
					if status != tt.status {
						t.Fatalf("%d, want %d: %.300s", status, tt.status, page)
					}
					for _, s := range tt.has {
						if !strings.Contains(page, s) {
							t.Errorf("the page lacks %q", s)
						}
					}
					for _, s := range tt.hasNot {
						if strings.Contains(page, s) {
							t.Errorf("the page has %q", s)
						}
					}
				})
			}
			// The desk's form refuses them still.
			if status, _ := rd.get(t, auth.RoleObserver, "POST", fmt.Sprintf("/desk/incidents/%d/grade", rd.ids["at-28th-idleb"])); status != 403 {
				t.Errorf("an observer posts a grade: %d, want 403", status)
			}
		})
	}
}

// navLinks returns the links of a page's navigation bar and crumbs.
var navPart = regexp.MustCompile(`(?s)<header class="desk-bar">.*?</header>|<p class="crumbs">.*?</p>`)
var hrefs = regexp.MustCompile(`href="([^"]+)"`)

func navLinks(page string) []string {
	var out []string
	for _, part := range navPart.FindAllString(page, -1) {
		for _, m := range hrefs.FindAllStringSubmatch(part, -1) {
			out = append(out, html.UnescapeString(m[1]))
		}
	}
	return out
}

// TestDeskNavigationByRole follows every link of the navigation and the
// crumbs of each page a role opens from it, as that role: none may be
// refused (the liaison's once led to the dashboard and the inbox). It also
// checks where each role lands after logging in, and a liaison's messages.
func TestDeskNavigationByRole(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			rd := newRecordDesk(t, e.Open)
			for _, tt := range []struct {
				role    auth.Role
				home    string
				has     []string
				hasNot  []string
				extra   []string // pages reached otherwise, whose links are checked too
				landing string
			}{
				{auth.RoleObserver, "/desk/published", []string{"/desk/published"}, []string{"/desk/inbox", "/desk/messages", "/desk/reconciliations", "/desk/audit"},
					[]string{fmt.Sprintf("/desk/incidents/%d", rd.ids["at-28th-idleb"])}, "/desk/published"},
				{auth.RoleLiaison, "/desk/published", []string{"/desk/published", "/desk/messages", "/desk/reconciliations"}, []string{"/desk/inbox", "/desk/bulletins", "/desk/audit"},
					[]string{fmt.Sprintf("/desk/incidents/%d", rd.ids["at-28th-idleb"])}, "/desk/published"},
				{auth.RoleMonitor, "/desk", []string{"/desk/inbox", "/desk/bulletins", "/desk/published", "/desk/audit"}, []string{"/desk/messages"}, nil, "/desk"},
				{auth.RoleCoChair, "/desk", []string{"/desk/inbox", "/desk/published"}, nil, nil, "/desk"},
			} {
				t.Run(string(tt.role), func(t *testing.T) {
					status, page := rd.get(t, tt.role, "GET", tt.home)
					if status != 200 {
						t.Fatalf("home %s: %d", tt.home, status)
					}
					links := navLinks(page)
					for _, want := range tt.has {
						if !slices.Contains(links, want) {
							t.Errorf("the navigation %v lacks %s", links, want)
						}
					}
					for _, not := range tt.hasNot {
						if slices.Contains(links, not) {
							t.Errorf("the navigation %v has %s", links, not)
						}
					}
					seen := map[string]bool{}
					pages := append(slices.Clone(links), tt.extra...)
					for len(pages) > 0 {
						l := pages[0]
						pages = pages[1:]
						if seen[l] || !strings.HasPrefix(l, "/desk") {
							continue
						}
						seen[l] = true
						status, page := rd.get(t, tt.role, "GET", l)
						if status != 200 {
							t.Errorf("%s follows %s: %d", tt.role, l, status)
							continue
						}
						pages = append(pages, navLinks(page)...)
					}
					// Logging in with the default lands on the role's home.
					client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
					resp, err := client.PostForm(rd.url+"/desk/login", url.Values{"name": {string(tt.role)}, "password": {recordPassword}, "next": {"/desk"}})
					if err != nil {
						t.Fatal(err)
					}
					resp.Body.Close()
					if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != tt.landing {
						t.Errorf("login: %d to %q, want 303 to %s", resp.StatusCode, resp.Header.Get("Location"), tt.landing)
					}
					// A bookmark of the dashboard leads home too.
					status, loc := rd.get(t, tt.role, "GET", "/desk")
					if tt.landing != "/desk" && (status != http.StatusSeeOther || loc != tt.landing) {
						t.Errorf("GET /desk: %d %q, want 303 to %s", status, loc, tt.landing)
					}
				})
			}

			// The liaison reads its own party's messages, and no other's.
			_, page := rd.get(t, auth.RoleLiaison, "GET", "/desk/messages")
			if !strings.Contains(page, rd.messages[rd.own.ID].Tracking) || strings.Contains(page, rd.messages[rd.other.ID].Tracking) {
				t.Errorf("the liaison's messages: own %v, other's %v", strings.Contains(page, rd.messages[rd.own.ID].Tracking),
					strings.Contains(page, rd.messages[rd.other.ID].Tracking))
			}
			if status, _ := rd.get(t, auth.RoleObserver, "GET", "/desk/messages"); status != 403 {
				t.Errorf("an observer's messages: %d, want 403", status)
			}
			// published=true narrows the desk's own list to the record.
			status, body := rd.get(t, auth.RoleMonitor, "GET", "/api/v1/incidents?published=true&admin1=Hama")
			if status != 200 || strings.Contains(body, "at-27th") || !strings.Contains(body, `"total":2`) {
				t.Errorf("a monitor's published=true list: %d %.300s", status, body)
			}
		})
	}
}
