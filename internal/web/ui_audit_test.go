package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/trucedesk/truce/internal/auth"
	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/store"
	"github.com/trucedesk/truce/internal/store/storetest"
)

// TestAuditPage reads the audit trail on the desk, on both engines: a
// message triaged and an incident created and graded through the API show
// who, from where, the action, the record linked to its page and the fields
// before and after; the filters narrow it; the export links carry the same
// selection; and the pages run back through older events.
func TestAuditPage(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) { testAuditPage(t, e.Open(t)) })
	}
}

func testAuditPage(t *testing.T, db *store.DB) {
	ts := newServer(t, db)
	ctx := context.Background()
	m := submit(t, ts.URL, "Shelling near Maarat al-Numan")
	triageByAPI(t, ts.URL, m.ID, 1)
	resp, data := do(t, "POST", ts.URL+"/api/v1/incidents", "application/json",
		[]byte(`{"sub_event_type":"Shelling/artillery/missile attack","occurred_at":"2016-02-28T07:00:00Z","location":"Maarat al-Numan","admin1":"Idleb"}`), true)
	var in domain.Incident
	if err := json.Unmarshal(data, &in); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("create incident: %d %s", resp.StatusCode, data)
	}
	if resp, data := do(t, "POST", fmt.Sprintf("%s/api/v1/incidents/%d/grade", ts.URL, in.ID), "application/json",
		[]byte(`{"grade":"weak","note":"one source","version":1}`), true); resp.StatusCode != http.StatusOK {
		t.Fatalf("grade: %d %s", resp.StatusCode, data)
	}
	today := time.Now().UTC().Format(time.DateOnly)
	transition := `<a href="/desk/audit?action=message.transition">`
	incidentLink := fmt.Sprintf(`<a href="/desk/incidents/%d" class="record">%d</a>`, in.ID, in.ID)
	tests := []struct {
		name, query string
		status      int
		contains    []string
		lacks       []string
	}{
		{"everything, newest first", "", 200, []string{
			"monitor-1", "127.0.0.1", "message.transition", `<span class="field">state</span>: <del dir="auto">received</del> → <ins dir="auto">triaged</ins>`,
			"incident.create", incidentLink, `<span class="field">location</span>: <span class="muted">—</span> → <ins dir="auto">Maarat al-Numan</ins>`,
			"incident.grade", `<span class="field">grade</span>: <del dir="auto">ungraded</del> → <ins dir="auto">weak</ins>`,
			`href="/api/v1/audit?format=csv"`, `href="/api/v1/audit?format=jsonl"`, `aria-current="page">Audit trail</a>`}, nil},
		{"by action", "?action=incident.grade", 200, []string{"incident.grade", incidentLink,
			`href="/api/v1/audit?action=incident.grade&amp;format=csv"`}, []string{transition, "incident.create"}},
		{"by record", fmt.Sprintf("?kind=incident&record=%d", in.ID), 200, []string{"incident.create", "incident.grade"}, []string{transition}},
		{"by actor", "?actor=nobody", 200, []string{`id="audit-empty"`}, []string{transition}},
		{"until today includes today", "?since=" + today + "&until=" + today, 200, []string{transition,
			"until=" + time.Now().UTC().AddDate(0, 0, 1).Format(time.DateOnly) + "T00%3A00%3A00Z"}, nil},
		{"a window before anything", "?until=2016-02-27", 200, []string{`id="audit-empty"`}, []string{transition}},
		{"a bad day", "?since=yesterday", 400, []string{`id="audit-error"`, "since"}, nil},
		{"a window backwards", "?since=2016-03-01&until=2016-02-01", 400, []string{`id="audit-error"`, "until"}, nil},
		{"a bad cursor", "?before=x", 400, []string{`id="audit-error"`, "before"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := do(t, "GET", ts.URL+"/desk/audit"+tt.query, "", nil, true)
			if resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d:\n%.1500s", resp.StatusCode, tt.status, body)
			}
			for _, want := range tt.contains {
				if !strings.Contains(string(body), want) {
					t.Errorf("the page lacks %q", want)
				}
			}
			for _, not := range tt.lacks {
				if strings.Contains(string(body), not) {
					t.Errorf("the page shows %q", not)
				}
			}
		})
	}

	// The export link of a filtered page answers with that selection.
	_, body := do(t, "GET", ts.URL+"/desk/audit?action=incident.grade", "", nil, true)
	href := regexp.MustCompile(`id="export-csv" href="([^"]+)"`).FindSubmatch(body)
	if href == nil {
		t.Fatal("no CSV export link")
	}
	resp, csv := do(t, "GET", ts.URL+html.UnescapeString(string(href[1])), "", nil, true)
	if lines := strings.Split(strings.TrimSpace(string(csv)), "\n"); resp.StatusCode != 200 || len(lines) != 2 || !strings.Contains(lines[1], "incident.grade") {
		t.Errorf("the CSV export of the filtered page = %d:\n%s", resp.StatusCode, csv)
	}

	// The incident's page shows the grade's old → new too.
	_, body = do(t, "GET", fmt.Sprintf("%s/desk/incidents/%d", ts.URL, in.ID), "", nil, true)
	for _, want := range []string{`<ins dir="auto">weak</ins>`, `id="audit-all"`, "from <span dir=\"ltr\">127.0.0.1</span>"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("the incident page's audit trail lacks %q", want)
		}
	}

	// Paging: 60 more events make two pages of 50, newest first.
	for i := range 60 {
		if err := db.AppendAudit(ctx, &auth.AuditEvent{Actor: "pager", Role: auth.RoleMonitor, Action: "test.page",
			Kind: "test", RecordID: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	rowRE := regexp.MustCompile(`<tr id="e\d+">`)
	olderRE := regexp.MustCompile(`href="([^"]+)" id="older"`)
	_, first := do(t, "GET", ts.URL+"/desk/audit?actor=pager", "", nil, true)
	older := olderRE.FindSubmatch(first)
	if n := len(rowRE.FindAll(first, -1)); n != 50 || older == nil || !strings.Contains(string(first), `<td dir="ltr">test 59`) {
		t.Fatalf("the first page has %d rows (older link %q), want the newest 50", n, older)
	}
	_, second := do(t, "GET", ts.URL+html.UnescapeString(string(older[1])), "", nil, true)
	if n := len(rowRE.FindAll(second, -1)); n != 10 || olderRE.Match(second) || !strings.Contains(string(second), `id="newest"`) ||
		!strings.Contains(string(second), `<td dir="ltr">test 0 `) {
		t.Errorf("the second page has %d rows, want the oldest 10, a link back and none further:\n%.2000s", n, second)
	}
}

// TestAuditPageAccess checks who reads the audit trail on the desk: the
// roles the policy lets read it, as DESIGN.md has it (co-chairs and
// monitors), and a browser without a login is sent to log in.
func TestAuditPageAccess(t *testing.T) {
	fx := newAuthzFixture(t, storetest.OpenSQLite)
	for _, r := range fx.roles {
		want := map[auth.Role]int{auth.RoleCoChair: 200, auth.RoleMonitor: 200, auth.RoleLiaison: 403,
			auth.RoleObserver: 403, auth.RolePublic: 401}[r.role]
		if got, _ := fx.call(t, r, "GET", "/desk/audit", ""); got != want {
			t.Errorf("%s reading /desk/audit = %d, want %d", r.role, got, want)
		}
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest("GET", fx.url+"/desk/audit?actor=x", nil)
	req.Header.Set("Accept", "text/html")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/desk/login?next=%2Fdesk%2Faudit%3Factor%3Dx" {
		t.Errorf("a browser without a login: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	// The navigation offers the trail to those who may read it only.
	_, body := fx.call(t, fx.roles[1], "GET", "/desk", "")
	if !strings.Contains(string(body), `href="/desk/audit"`) {
		t.Error("a monitor's desk does not link the audit trail")
	}
}
