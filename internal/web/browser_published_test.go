package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/trucedesk/truce/internal/store/storetest"
	"github.com/trucedesk/truce/internal/web"
)

// TestBrowserPublishedRecord reads the published record as an observer
// would: the login lands on it, the navigation offers nothing the role may
// not open, the filter narrows the list to one governorate's published
// incidents, an incident's page shows what is published and nothing of the
// desk's, the export link answers the filtered CSV, and on a phone nothing
// is wider than the screen. A liaison then lands on the same page and
// reads its own party's messages (screenshots 40-… to 46-…).
func TestBrowserPublishedRecord(t *testing.T) {
	rd := newRecordDesk(t, storetest.OpenSQLite, func(s *web.Server) { s.Auth.InsecureCookies = true })
	ctx := newBrowser(t, 1280, 900)
	login := func(name string) {
		t.Helper()
		must(t, ctx, "log in as "+name, chromedp.Navigate(rd.url+"/desk/login"), chromedp.WaitVisible("#name"),
			chromedp.SendKeys("#name", name), chromedp.SendKeys("#password", recordPassword), chromedp.Click("#login"))
		waitFor(t, ctx, "the published record", `location.pathname === "/desk/published" && !!document.getElementById("incidents-h")`)
	}
	navText := func() string {
		return eval[string](t, ctx, `Array.from(document.querySelectorAll(".desk-bar nav a")).map(a => a.textContent + " " + a.getAttribute("href")).join("\n")`)
	}

	login("observer")
	if nav := navText(); strings.Contains(nav, "Dashboard") || strings.Contains(nav, "Inbox") || !strings.Contains(nav, "Published record") {
		t.Errorf("the observer's navigation:\n%s", nav)
	}
	if cur := eval[string](t, ctx, `document.querySelector('.desk-bar nav a[aria-current="page"]').textContent`); cur != "Published record" {
		t.Errorf("the navigation marks %q as current", cur)
	}
	text := eval[string](t, ctx, `document.querySelector("main").innerText`)
	for _, want := range []string{"54 published incidents match", "2016-02-28", "HTML", "PDF"} {
		if !strings.Contains(text, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	shot(t, ctx, "40-published")

	must(t, ctx, "filter on Hama", chromedp.SetValue("#p-admin1", "Hama"), chromedp.Click("#p-filter"))
	waitFor(t, ctx, "the filtered list", `location.search.includes("admin1=Hama") && !!document.getElementById("published-incidents")`)
	rows := eval[string](t, ctx, `Array.from(document.querySelectorAll("#published-incidents tbody tr")).map(r => r.innerText).join("\n")`)
	if !strings.Contains(rows, "at-28th-00h01") || !strings.Contains(rows, "at-28th-23h59") ||
		eval[float64](t, ctx, `document.querySelectorAll("#published-incidents tbody tr").length`) != 2 {
		t.Errorf("filtered on Hama, the list is:\n%s", rows)
	}
	shot(t, ctx, "41-published-filtered")

	// The export link carries the filter, and answers the two incidents.
	href := eval[string](t, ctx, `document.getElementById("export-acled").href`)
	if !strings.Contains(href, "admin1=Hama") || !strings.Contains(href, "published=true") {
		t.Errorf("the export link %s lacks the filter", href)
	}
	eval[bool](t, ctx, `window.exported = null; fetch(document.getElementById("export-acled").href).then(r => r.text().then(t => window.exported = r.status + " " + r.headers.get("content-type") + "\n" + t)); true`)
	waitFor(t, ctx, "the export", `window.exported !== null`)
	csv := eval[string](t, ctx, `window.exported`)
	if !strings.HasPrefix(csv, "200 text/csv") || !strings.Contains(csv, "at-28th-00h01") || !strings.Contains(csv, "at-28th-23h59") ||
		strings.Contains(csv, "at-28th-idleb") || strings.Contains(csv, "at-29th") {
		t.Errorf("the export answers:\n%.600s", csv)
	}

	must(t, ctx, "open an incident", chromedp.Click("#published-incidents a.incident-link"), chromedp.WaitVisible("#fields-h"))
	waitFor(t, ctx, "the map", `!document.getElementById("mini-map") || document.getElementById("mini-map").dataset.ready === "true"`)
	page := eval[string](t, ctx, `document.querySelector("main").innerText`)
	for _, not := range []string{"hotline call", "Change the grade", "Audit trail", "Statements and claims"} {
		if strings.Contains(page, not) {
			t.Errorf("the observer's incident page shows %q", not)
		}
	}
	if !strings.Contains(page, "https://example.org/at-28th-") {
		t.Errorf("the incident page lacks its published source:\n%.600s", page)
	}
	shot(t, ctx, "42-published-incident")
	must(t, ctx, "back to the record by the crumb", chromedp.Click(".crumbs a"))
	waitFor(t, ctx, "the record", `location.pathname === "/desk/published"`)

	must(t, ctx, "phone size", chromedp.EmulateViewport(390, 844), chromedp.Navigate(rd.url+"/desk/published?admin1=Hama"),
		chromedp.WaitVisible("#published-incidents"))
	if w := eval[float64](t, ctx, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("on a 390 px screen the published record is %v px wide", w)
	}
	shot(t, ctx, "43-phone-published")
	must(t, ctx, "phone incident", chromedp.Navigate(fmt.Sprintf("%s/desk/incidents/%d", rd.url, rd.ids["at-28th-idleb"])),
		chromedp.WaitVisible("#fields-h"))
	waitFor(t, ctx, "the incident's map", `document.getElementById("mini-map").dataset.ready === "true"`)
	if w := eval[float64](t, ctx, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("on a 390 px screen the incident page is %v px wide", w)
	}
	shot(t, ctx, "44-phone-incident")

	// A liaison lands on the same page; its navigation leads to its messages.
	must(t, ctx, "log out", chromedp.EmulateViewport(1280, 900), chromedp.Click(".logout button"))
	waitFor(t, ctx, "the login page", `location.pathname === "/desk/login"`)
	login("liaison")
	nav := navText()
	for _, want := range []string{"Published record", "Our messages", "Reconciliations"} {
		if !strings.Contains(nav, want) {
			t.Errorf("the liaison's navigation lacks %q:\n%s", want, nav)
		}
	}
	if strings.Contains(nav, "Dashboard") || strings.Contains(nav, "Inbox") || strings.Contains(nav, "Bulletins") {
		t.Errorf("the liaison's navigation has pages it may not open:\n%s", nav)
	}
	shot(t, ctx, "45-liaison-published")
	must(t, ctx, "open the messages", chromedp.Click(`.desk-bar nav a[href="/desk/messages"]`), chromedp.WaitVisible("#own-messages"))
	msgs := eval[string](t, ctx, `document.getElementById("own-messages").innerText`)
	if !strings.Contains(msgs, rd.messages[rd.own.ID].Tracking) || strings.Contains(msgs, rd.messages[rd.other.ID].Tracking) {
		t.Errorf("the liaison's messages:\n%s", msgs)
	}
	shot(t, ctx, "46-liaison-messages")
}
