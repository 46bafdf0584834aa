package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/store/storetest"
)

// TestBrowserReconciliation records a reconciliation as a monitor would:
// from a message in the inbox, through the form (a mistake is named beside
// the form and what was typed stays), which links the message to it, as
// the record and the inbox then show (32a); then reports it in force from
// its page, finds it in the list from the navigation and on the day's bulletin
// draft, whose link leads back to it; records a party's commitment from
// the party page; and checks the pages on a phone (screenshots 30-… to
// 38-…).
func TestBrowserReconciliation(t *testing.T) {
	db := storetest.OpenSQLite(t)
	base, _, party := reconciliationDesk(t, db)
	ctx := newBrowser(t, 1280, 900)
	m := submit(t, base, "وقّع وجهاء بلدة تستفيل اتفاق مصالحة صباح اليوم بضمانة روسية.")

	must(t, ctx, "log in", chromedp.Navigate(base+"/desk/login?next=/desk/inbox"), chromedp.WaitVisible("#token"),
		chromedp.SendKeys("#token", token), chromedp.Click("#login"))
	waitFor(t, ctx, "the message selected", fmt.Sprintf(`document.getElementById("d-tracking")?.textContent === %q`, m.Tracking))
	must(t, ctx, "record it as a reconciliation", chromedp.Click("#act-reconcile"), chromedp.WaitVisible("#rc-form"))
	if got := eval[string](t, ctx, `document.getElementById("src-message-0").value`); got != fmt.Sprint(m.ID) {
		t.Errorf("the form's first source is %q, want message %d", got, m.ID)
	}
	if got := eval[string](t, ctx, `document.querySelector("#from-h a").textContent`); got != m.Tracking {
		t.Errorf("the form shows message %q, want %q", got, m.Tracking)
	}
	if !eval[bool](t, ctx, `document.getElementById("rc-link").checked`) {
		t.Errorf("the box linking the message is not ticked")
	}

	must(t, ctx, "fill the form",
		chromedp.SetValue("#rc-settlement", "Testville"), chromedp.SetValue("#rc-admin1", "Rural Damascus"),
		chromedp.SetValue("#rc-signed-on", "2016-02-28"), chromedp.SetValue("#rc-signed-time", "10:30"),
		chromedp.SetValue("#sg-name-0", "Elders of Testville"), chromedp.SetValue("#sg-party-1", fmt.Sprint(party.ID)),
		chromedp.SetValue("#sg-name-3", "Russian reconciliation centre"),
		chromedp.SetValue("#term-kind-0", "heavy_weapons"), chromedp.SetValue("#term-text-0", "two tanks handed over"),
		chromedp.SetValue("#term-kind-1", "other"),
		chromedp.SetValue("#src-url-1", "https://example.org/hmeimim/2016-02-28"), chromedp.SetValue("#src-publisher-1", "Hmeimim centre"))
	shot(t, ctx, "30-reconciliation-form")
	// A term of kind "other" needs its text: the form comes back saying so.
	must(t, ctx, "submit with a mistake", chromedp.Click("#rc-save"))
	waitFor(t, ctx, "the refusal", `!!document.getElementById("form-error")`)
	if msg := eval[string](t, ctx, `document.getElementById("form-error").textContent`); !strings.Contains(msg, "Terms (terms.text)") {
		t.Errorf("the refusal says %q", msg)
	}
	if got := eval[string](t, ctx, `document.getElementById("term-text-0").value + "|" + document.getElementById("sg-name-0").value`); got != "two tanks handed over|Elders of Testville" {
		t.Errorf("the refused form kept %q", got)
	}
	if n, _ := db.CountReconciliations(t.Context(), domain.ReconciliationFilter{}); n != 0 {
		t.Errorf("the refused form stored %d reconciliations", n)
	}
	if !eval[bool](t, ctx, `document.getElementById("rc-link").checked`) {
		t.Errorf("the refused form lost the ticked link")
	}
	shot(t, ctx, "31-reconciliation-refused")
	must(t, ctx, "fix it", chromedp.SetValue("#term-text-1", "the road to Damascus reopened"), chromedp.Click("#rc-save"))
	waitFor(t, ctx, "the record", `!!document.getElementById("rc-timeline")`)
	text := eval[string](t, ctx, `document.querySelector("main").innerText`)
	for _, want := range []string{"Testville joins Cessation of hostilities", "2016-02-28 10:30 EET", "Elders of Testville — representatives",
		"Local Brigade — armed group", "Russian reconciliation centre — guarantor", "heavy weapons handed over: two tanks handed over",
		"other: the road to Damascus reopened", "Message " + m.Tracking, "Hmeimim centre", "reconciliation.create"} {
		if !strings.Contains(text, want) {
			t.Errorf("the record lacks %q:\n%s", want, text)
		}
	}
	if got := eval[string](t, ctx, `document.getElementById("rc-messages").innerText`); !strings.Contains(got, m.Tracking) || !strings.Contains(got, "linked") {
		t.Errorf("the record's linked messages read %q", got)
	}
	shot(t, ctx, "32-reconciliation")

	// The inbox shows the message handled: linked, to the reconciliation,
	// whose page its link opens.
	must(t, ctx, "open the message in the inbox", chromedp.Click(`#rc-messages a`))
	waitFor(t, ctx, "the message with its reconciliation", fmt.Sprintf(`document.getElementById("d-tracking")?.textContent === %q &&
		!document.getElementById("d-rc").hidden && document.getElementById("d-rc").textContent.includes("Testville")`, m.Tracking))
	if got := eval[string](t, ctx, `document.getElementById("d-state").textContent + " | " + document.getElementById("d-rc").innerText + " | " +
		document.querySelector("#d-rc a").getAttribute("href") + " | " + document.getElementById("d-events").innerText`); !strings.Contains(got, "linked | Testville (signed, reconciliation 1) | /desk/reconciliations/1 | ") ||
		!strings.Contains(got, "received → triaged") || !strings.Contains(got, "triaged → linked, reconciliation 1") {
		t.Errorf("the inbox shows %q", got)
	}
	shot(t, ctx, "32a-inbox-linked")
	must(t, ctx, "follow the link back", chromedp.Click("#d-rc a"), chromedp.WaitVisible("#rc-timeline"))

	must(t, ctx, "report it in force", chromedp.SetValue("#st-state", "in_force"), chromedp.SetValue("#st-on", "2016-02-28"),
		chromedp.SetValue("#st-time", "18:00"), chromedp.SetValue("#st-note", "checkpoints reopened"), chromedp.Click("#st-ok"))
	waitFor(t, ctx, "in force", `document.getElementById("rc-state")?.textContent === "in force"`)
	if got := eval[string](t, ctx, `document.getElementById("rc-timeline").innerText`); !strings.Contains(got, "2016-02-28 18:00 EET in force — checkpoints reopened") {
		t.Errorf("the timeline reads %q", got)
	}
	if got := eval[string](t, ctx, `document.getElementById("audit").innerText`); !strings.Contains(got, "state: signed → in_force") {
		t.Errorf("the audit section reads %q", got)
	}
	shot(t, ctx, "33-reconciliation-in-force")

	must(t, ctx, "open the list from the navigation", chromedp.Click(`.desk-bar nav a[href="/desk/reconciliations"]`), chromedp.WaitVisible("#reconciliations"))
	if got := eval[string](t, ctx, `document.getElementById("reconciliations").innerText`); !strings.Contains(got, "Testville") || !strings.Contains(got, "in force") {
		t.Errorf("the list reads %q", got)
	}
	must(t, ctx, "filter on broken ones", chromedp.SetValue("#f-state", "broken"), chromedp.Click("#f-filter"))
	waitFor(t, ctx, "the filtered list", `location.search.includes("state=broken") && !!document.getElementById("rc-empty")`)
	must(t, ctx, "and on those in force", chromedp.SetValue("#f-state", "in_force"), chromedp.Click("#f-filter"))
	waitFor(t, ctx, "the list again", `location.search.includes("state=in_force") && !!document.getElementById("reconciliations")`)
	shot(t, ctx, "34-reconciliations")

	must(t, ctx, "open the day's bulletin draft", chromedp.Navigate(base+"/desk/bulletins/2016-02-28"), chromedp.WaitVisible("#reconciliations"))
	sec := eval[string](t, ctx, `document.getElementById("reconciliations").innerText`)
	for _, want := range []string{"1 signed on the day", "1 in force", "0 signed but not yet reported in force", "Testville", "Rural Damascus",
		"Elders of Testville (representatives)", "Local Brigade (armed group)", "heavy weapons handed over: two tanks handed over"} {
		if !strings.Contains(sec, want) {
			t.Errorf("the bulletin's reconciliations read %q, lacking %q", sec, want)
		}
	}
	must(t, ctx, "scroll to the section", chromedp.ScrollIntoView("#reconciliations"))
	shot(t, ctx, "35-bulletin-reconciliations")
	must(t, ctx, "follow the in-force figure", chromedp.Click("#rec-in-force"), chromedp.WaitVisible("#reconciliations"))
	if got := eval[string](t, ctx, `document.getElementById("rc-total").textContent`); got != "1 reconciliation matches." {
		t.Errorf("the in-force figure's list says %q", got)
	}
	must(t, ctx, "back to the draft", chromedp.Navigate(base+"/desk/bulletins/2016-02-28"), chromedp.WaitVisible("#day-reconciliations"))
	must(t, ctx, "follow the settlement", chromedp.Click("#day-reconciliations a"), chromedp.WaitVisible("#rc-timeline"))

	// A co-chair (the operator token) records the party's commitment.
	must(t, ctx, "open the party page", chromedp.Navigate(base+"/desk/parties/"+party.Slug), chromedp.WaitVisible("#commit-form"))
	must(t, ctx, "record its commitment", chromedp.SetValue("#cm-through", "Russia"), chromedp.SetValue("#cm-on", "2016-02-27"),
		chromedp.SetValue("#cm-source", "letter to the Hmeimim centre"), chromedp.Click("#cm-ok"))
	waitFor(t, ctx, "the commitment on the timeline", `!!document.querySelector(".timeline .status-committed")`)
	if got := eval[string](t, ctx, `document.querySelector(".timeline").innerText`); !strings.Contains(got, "committed — through Russia") {
		t.Errorf("the party's timeline reads %q", got)
	}
	shot(t, ctx, "36-party-commitment")

	for _, pg := range []struct{ name, path, ready string }{
		{"37-phone-reconciliation-form", "/desk/reconciliations/new?message=" + fmt.Sprint(m.ID), "#rc-form"},
		{"38-phone-reconciliation", "/desk/reconciliations/1", "#rc-timeline"},
	} {
		must(t, ctx, "phone size", chromedp.EmulateViewport(390, 844), chromedp.Navigate(base+pg.path), chromedp.WaitVisible(pg.ready))
		if w := eval[float64](t, ctx, `document.documentElement.scrollWidth`); w > 390 {
			t.Errorf("on a 390 px screen %s is %v px wide", pg.path, w)
		}
		shot(t, ctx, pg.name)
	}
}
