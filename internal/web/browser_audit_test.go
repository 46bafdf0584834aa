package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/store/storetest"
)

// TestBrowserAuditTrail reads the audit trail as a co-chair would: from the
// navigation, with who, from where and the fields before and after; the
// filter narrows it to grade changes, whose record link leads to the
// incident, where the same change reads old → new; the export link answers
// CSV; and on a phone the table scrolls inside the page.
func TestBrowserAuditTrail(t *testing.T) {
	db := storetest.OpenSQLite(t)
	ts := newServer(t, db)
	ctx := newBrowser(t, 1280, 900)
	m := submit(t, ts.URL, "Shelling near Ariha this morning")
	triageByAPI(t, ts.URL, m.ID, 1)
	in := &domain.Incident{SubEventType: domain.SubShelling, OccurredAt: time.Date(2016, 2, 28, 7, 0, 0, 0, time.UTC),
		Location: "Ariha", Admin1: "Idleb", CreatedBy: "test"}
	if err := db.CreateIncident(t.Context(), in); err != nil {
		t.Fatal(err)
	}

	must(t, ctx, "log in", chromedp.Navigate(ts.URL+"/desk/login?next=/desk/incidents/"+fmt.Sprint(in.ID)),
		chromedp.WaitVisible("#token"), chromedp.SendKeys("#token", token), chromedp.Click("#login"))
	must(t, ctx, "grade from the incident page", chromedp.WaitVisible("#grade"), chromedp.SetValue("#grade", "fair"),
		chromedp.SendKeys("#grade-note", "two independent sources"), chromedp.Click("#grade-ok"), chromedp.WaitVisible("#grade-history"))

	must(t, ctx, "open the trail from the navigation", chromedp.Click(`.desk-bar nav a[href="/desk/audit"]`), chromedp.WaitVisible("#audit-trail"))
	text := eval[string](t, ctx, `document.getElementById("audit-trail").innerText`)
	for _, want := range []string{"monitor-1", "127.0.0.1", "message.transition", "state: received → triaged", "incident.grade", "grade: ungraded → fair"} {
		if !strings.Contains(text, want) {
			t.Errorf("the trail lacks %q:\n%s", want, text)
		}
	}
	if cur := eval[string](t, ctx, `document.querySelector('.desk-bar nav a[aria-current="page"]').textContent`); cur != "Audit trail" {
		t.Errorf("the navigation marks %q as current", cur)
	}
	shot(t, ctx, "20-audit-trail")

	must(t, ctx, "filter on grade changes", chromedp.SendKeys("#a-action", "incident.grade"), chromedp.Click("#a-filter"))
	waitFor(t, ctx, "the filtered trail", `location.search.includes("action=incident.grade") && !!document.getElementById("audit-trail")`)
	if n := eval[float64](t, ctx, `document.querySelectorAll("#audit-trail tbody tr").length`); n != 1 {
		t.Errorf("filtered on incident.grade, the trail has %v rows, want 1", n)
	}
	csv := eval[string](t, ctx, `document.getElementById("export-csv").href`)
	req, _ := http.NewRequest("GET", csv, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Errorf("the export link %s answers %v %v", csv, resp, err)
	} else {
		resp.Body.Close()
	}
	shot(t, ctx, "21-audit-filtered")

	must(t, ctx, "follow the record link", chromedp.Click("#audit-trail a.record"), chromedp.WaitVisible("#audit"))
	if got := eval[string](t, ctx, `document.getElementById("audit").innerText`); !strings.Contains(got, "grade: ungraded → fair") {
		t.Errorf("the incident's audit section reads %q", got)
	}
	shot(t, ctx, "22-incident-audit")

	must(t, ctx, "phone size", chromedp.EmulateViewport(390, 844), chromedp.Navigate(ts.URL+"/desk/audit"), chromedp.WaitVisible("#audit-trail"))
	if w := eval[float64](t, ctx, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("on a 390 px screen the audit page is %v px wide", w)
	}
	shot(t, ctx, "23-phone-audit")
}
