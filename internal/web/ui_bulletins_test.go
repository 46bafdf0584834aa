package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/trucedesk/truce/internal/auth"
	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/store/storetest"
)

// TestBulletinPages drafts, publishes and corrects a day's bulletin from the
// desk's pages: the draft lists the records behind its figures, the form
// publishes a version, and only a role that may publish sees the form.
func TestBulletinPages(t *testing.T) {
	db := storetest.OpenSQLite(t)
	ctx := context.Background()
	a := &domain.Agreement{Slug: "coh", Name: "Cessation", TimeZone: "Asia/Damascus",
		Start: time.Date(2016, 2, 26, 22, 0, 0, 0, time.UTC), ProhibitedActs: []string{domain.SubAirStrike}}
	if err := db.CreateAgreement(ctx, a); err != nil {
		t.Fatal(err)
	}
	in := &domain.Incident{SubEventType: domain.SubAirStrike, OccurredAt: time.Date(2016, 2, 27, 23, 0, 0, 0, time.UTC),
		Location: "Anadan", Admin1: "Aleppo", CreatedBy: "test"}
	if err := db.CreateIncident(ctx, in); err != nil {
		t.Fatal(err)
	}
	monitor := &auth.User{Name: "mona", Role: auth.RoleMonitor}
	if err := db.CreateUser(ctx, monitor); err != nil {
		t.Fatal(err)
	}
	monitorToken, _, err := auth.New(db, time.Now).IssueToken(ctx, monitor, "test", []auth.Scope{auth.ScopeAdmin}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	ts := newServer(t, db)
	form := "application/x-www-form-urlencoded"
	tests := []struct {
		name, method, path, body string
		status                   int
		contains, lacks          string
	}{
		{"the draft lists the day's incident", "GET", "/desk/bulletins/2016-02-28", "", 200,
			fmt.Sprintf(`href="/desk/incidents/%d"`, in.ID), "Published versions"},
		{"the draft offers to publish", "GET", "/desk/bulletins/2016-02-28", "", 200, "Publish this bulletin", ""},
		{"the form publishes version 1", "POST", "/desk/bulletins/2016-02-28/publish", "note=", 200, "v1, ", ""},
		{"a correction needs a note on the page", "GET", "/desk/bulletins/2016-02-28", "", 200, "What this correction changes", ""},
		{"the correction is version 2", "POST", "/desk/bulletins/2016-02-28/publish", "note=Anadan+strike+time+corrected", 200, "Anadan strike time corrected", ""},
		{"the list links both versions' PDFs", "GET", "/desk/bulletins", "", 200, "2016-02-28.pdf?version=1", ""},
		{"the day form goes to the draft", "GET", "/desk/bulletins?day=2016-02-27", "", 200, "Daily bulletin, 27 February 2016", ""},
		{"the public home page lists the day", "GET", "/?lang=ar", "", 200, "/api/v1/bulletins/2016-02-28.pdf", ""},
		{"in Arabic, marked corrected", "GET", "/?lang=ar", "", 200, "النشرات اليومية</h2>\n<ul class=\"bulletins\"><li><span dir=\"ltr\">2016-02-28</span> <span class=\"muted\">(مُصحَّحة)", ""},
		{"a malformed day", "GET", "/desk/bulletins?day=last+Tuesday", "", 400, "", ""},
		{"a day not begun", "GET", "/desk/bulletins/2099-01-01", "", 400, "", ""},
		{"today is not published", "POST", fmt.Sprintf("/desk/bulletins/%s/publish", time.Now().Format("2006-01-02")), "", 400, "not over", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := do(t, tt.method, ts.URL+tt.path, form, []byte(tt.body), true)
			if resp.StatusCode != tt.status || !strings.Contains(string(body), tt.contains) ||
				(tt.lacks != "" && strings.Contains(string(body), tt.lacks)) {
				t.Errorf("got %d, want %d containing %q and not %q:\n%.2000s", resp.StatusCode, tt.status, tt.contains, tt.lacks, body)
			}
		})
	}

	// A monitor reads the draft but is not offered, nor allowed, to publish.
	get := func(method, path string) (int, string) {
		req, _ := http.NewRequest(method, ts.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+monitorToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("GET", "/desk/bulletins/2016-02-28"); code != 200 || strings.Contains(body, `id="publish"`) {
		t.Errorf("a monitor's draft: %d, publish form shown: %v", code, strings.Contains(body, `id="publish"`))
	}
	if code, _ := get("POST", "/desk/bulletins/2016-02-28/publish"); code != 403 {
		t.Errorf("a monitor publishing: %d, want 403", code)
	}

	// With a second agreement stored, the page names its agreement in the
	// form, and publishing returns to that agreement's page.
	if err := db.CreateAgreement(ctx, &domain.Agreement{Slug: "local", Name: "Local truce", TimeZone: "Asia/Damascus",
		Start: time.Date(2016, 3, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	if resp, body := do(t, "GET", ts.URL+"/desk/bulletins/2016-02-28?agreement=coh", form, nil, true); resp.StatusCode != 200 ||
		!strings.Contains(string(body), `action="/desk/bulletins/2016-02-28/publish?agreement=coh"`) {
		t.Errorf("the draft of one of two agreements: %d, its form names the agreement: %v", resp.StatusCode,
			strings.Contains(string(body), "publish?agreement=coh"))
	}
	resp, body := do(t, "POST", ts.URL+"/desk/bulletins/2016-02-28/publish?agreement=coh", form, []byte("note=third"), true)
	if resp.StatusCode != 200 || !strings.Contains(string(body), "v3, ") || resp.Request.URL.Query().Get("agreement") != "coh" {
		t.Errorf("publishing one of two agreements' bulletins: %d at %s, version 3 listed: %v", resp.StatusCode,
			resp.Request.URL, strings.Contains(string(body), "v3, "))
	}
}
