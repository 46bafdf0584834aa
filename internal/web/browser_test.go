package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/store"
	"github.com/trucedesk/truce/internal/store/storetest"
)

// chromium is Debian's browser, which the browser tests drive; they skip
// where it is not installed (apt-get install chromium).
const chromium = "/usr/bin/chromium"

// screenshots is where the browser tests leave a PNG of each step, for a
// person to look at; the directory's .gitignore keeps them out of commits.
const screenshots = "testdata/screenshots"

// newBrowser starts a headless chromium for tb with a fresh profile and no
// network of its own beyond what the pages ask for, and stops it at the end.
func newBrowser(tb testing.TB, width, height int) context.Context {
	tb.Helper()
	if _, err := os.Stat(chromium); err != nil {
		tb.Skipf("browser tests need %s (apt-get install -y chromium): %v", chromium, err)
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true), chromedp.Flag("no-default-browser-check", true),
		chromedp.UserDataDir(tb.TempDir()), chromedp.WindowSize(width, height))
	ctx, cancel := chromedp.NewContext(alloc)
	tb.Cleanup(func() { cancel(); cancelAlloc() })
	// The first action starts the browser, and must run without a
	// deadline: a deadline on it would stop the whole browser.
	if err := chromedp.Do(ctx); err != nil {
		tb.Fatalf("start %s: %v", chromium, err)
	}
	// A hung page must not hang the test run; this bounds the whole test,
	// it asserts nothing about speed.
	ctx, stop := context.WithTimeout(ctx, 3*time.Minute)
	tb.Cleanup(stop)
	return ctx
}

// shot saves a PNG of the whole page.
func shot(tb testing.TB, ctx context.Context, name string) {
	tb.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.MkdirAll(screenshots, 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(screenshots, name+".png"), png, 0o644); err != nil {
		tb.Fatal(err)
	}
}

func must(tb testing.TB, ctx context.Context, step string, actions ...chromedp.Action[chromedp.Void]) {
	tb.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tb.Fatalf("%s: %v", step, err)
	}
}

func eval[T any](tb testing.TB, ctx context.Context, js string) T {
	tb.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		tb.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// waitFor waits until the expression is true in the page.
func waitFor(tb testing.TB, ctx context.Context, what, js string) {
	tb.Helper()
	for {
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(time.Minute)))
		// A page that navigates (a form posted, a redirect) ends the poll;
		// the condition is then checked again on the new page.
		if err != nil && ctx.Err() == nil && (strings.Contains(err.Error(), "navigated") || strings.Contains(err.Error(), "context")) {
			continue
		}
		if err != nil {
			where, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + " — " + document.body.innerText.slice(0, 600)`))
			tb.Fatalf("waiting for %s (%s): %v\npage: %s", what, js, err, where)
		}
		return
	}
}

// TestBrowserReportToMap follows one report from the public form to the
// map: a person reports in Arabic and keeps the tracking number; a monitor
// logs in, sees it arrive in the inbox, triages it and links it to a new
// incident with a location; the dashboard's filter shows it on the map;
// and the tracking page tells the person it is linked.
func TestBrowserReportToMap(t *testing.T) {
	db := storetest.OpenSQLite(t)
	ts := newServer(t, db)
	ctx := newBrowser(t, 1280, 900)
	seedParty(t, db)

	// The public reports in Arabic, right to left.
	const report = "قصف مدفعي على تل رفعت صباح اليوم، أصيب ثلاثة مدنيين."
	must(t, ctx, "open the Arabic form", chromedp.Navigate(ts.URL+"/report?lang=ar"), chromedp.WaitVisible("#body"))
	if dir := eval[string](t, ctx, "document.documentElement.dir"); dir != "rtl" {
		t.Errorf("the Arabic form has dir=%q, want rtl", dir)
	}
	must(t, ctx, "type the report", chromedp.SendKeys("#body", report))
	shot(t, ctx, "01-report-ar")
	must(t, ctx, "send the report", chromedp.Click(`button[type="submit"]`), chromedp.WaitVisible("#tracking"))
	tracking := strings.TrimSpace(eval[string](t, ctx, `document.getElementById("tracking").textContent`))
	if _, ok := domain.NormalizeTracking(tracking); !ok {
		t.Fatalf("the receipt shows %q, not a tracking number", tracking)
	}
	shot(t, ctx, "02-received-ar")

	// A monitor logs in with the desk token and lands on the inbox.
	must(t, ctx, "open the login page", chromedp.Navigate(ts.URL+"/desk/login?next=/desk/inbox"), chromedp.WaitVisible("#token"))
	shot(t, ctx, "03-login")
	must(t, ctx, "log in", chromedp.SendKeys("#token", token), chromedp.Click("#login"))
	waitFor(t, ctx, "the inbox", `document.getElementById("queue")?.dataset.ready === "true"`)
	waitFor(t, ctx, "the report selected", fmt.Sprintf(`document.getElementById("d-tracking").textContent === %q`, tracking))
	if got := eval[string](t, ctx, `document.getElementById("d-text").textContent`); got != report {
		t.Errorf("the inbox shows the body %q, want %q", got, report)
	}

	// A second report arrives while the inbox is open: it appears unasked.
	waitFor(t, ctx, "the live connection", `document.getElementById("queue").dataset.live === "true"`)
	second := submit(t, ts.URL, "Shelling heard near Idlib city this evening.")
	waitFor(t, ctx, "the new message in the queue", fmt.Sprintf(`!!document.querySelector("#m%d.new")`, second.ID))

	// t triages the selected report; l links it to a new incident.
	must(t, ctx, "press t", chromedp.KeyEvent("t"))
	waitFor(t, ctx, "the report triaged", `document.getElementById("d-state").textContent === "triaged"`)
	shot(t, ctx, "04-inbox-triaged")
	must(t, ctx, "press l", chromedp.KeyEvent("l"))
	waitFor(t, ctx, "the link dialog", `document.getElementById("link").open`)
	must(t, ctx, "describe the incident",
		chromedp.SetValue("#in-location", "Tall Rifaat"), chromedp.SetValue("#in-admin1", "Aleppo"),
		chromedp.SetValue("#in-lat", "36.4731"), chromedp.SetValue("#in-lon", "37.0969"))
	shot(t, ctx, "05-link-dialog")
	must(t, ctx, "link", chromedp.Click("#link-ok"))
	waitFor(t, ctx, "the report linked", `document.getElementById("d-state").textContent === "linked"`)
	shot(t, ctx, "06-inbox-linked")
	m, err := db.MessageByTracking(context.Background(), tracking)
	if err != nil {
		t.Fatal(err)
	}
	events, err := db.MessageEvents(context.Background(), m.ID)
	if err != nil || len(events) == 0 || events[len(events)-1].IncidentID == 0 {
		t.Fatalf("the report's events %+v (%v) end in no link to an incident", events, err)
	}
	incident := events[len(events)-1].IncidentID

	// Another monitor triages the second message while this one reads it:
	// rejecting it then is refused, and the page says why.
	must(t, ctx, "open the second message", chromedp.Click(fmt.Sprintf("#m%d", second.ID)))
	waitFor(t, ctx, "the second message shown", fmt.Sprintf(`document.getElementById("d-tracking").textContent === %q`, second.Tracking))
	triageByAPI(t, ts.URL, second.ID, 1)
	must(t, ctx, "press r", chromedp.KeyEvent("r"))
	waitFor(t, ctx, "the reject dialog", `document.getElementById("reject").open`)
	must(t, ctx, "reject", chromedp.SetValue("#reject-reason", "off_topic"), chromedp.Click("#reject-ok"))
	waitFor(t, ctx, "the conflict explained", `!document.getElementById("d-error").hidden`)
	if msg := eval[string](t, ctx, `document.getElementById("d-error").textContent`); !strings.Contains(msg, "Someone changed this message") {
		t.Errorf("after a conflicting change the page says %q", msg)
	}
	if got, _ := db.Message(context.Background(), second.ID); got.State != domain.StateTriaged {
		t.Errorf("the second message is %s after the refused rejection, want triaged", got.State)
	}
	shot(t, ctx, "07-inbox-conflict")

	// The dashboard, filtered to shelling in Aleppo, shows the incident.
	q := "/desk?admin1=Aleppo&type=" + strings.ReplaceAll("Shelling/artillery/missile attack", " ", "+")
	must(t, ctx, "open the dashboard", chromedp.Navigate(ts.URL+q))
	waitFor(t, ctx, "the map drawn", `document.getElementById("map").dataset.ready === "true"`)
	if n := eval[string](t, ctx, `document.getElementById("map").dataset.count`); n != "1" {
		t.Errorf("the filtered map shows %s incidents, want 1", n)
	}
	if !eval[bool](t, ctx, fmt.Sprintf(`!!document.querySelector('#recent a[href="/desk/incidents/%d"]')`, incident)) {
		t.Errorf("the table of the filtered view does not list incident %d", incident)
	}
	shot(t, ctx, "08-dashboard-aleppo")
	// Coloured by verdict, the dot takes its verdict's colour, and the
	// address keeps the choice.
	vs, err := db.IncidentVerdicts(context.Background(), incident)
	if err != nil {
		t.Fatal(err)
	}
	outcome := "unassessed"
	if len(vs) > 0 {
		outcome = vs[0].Outcome
	}
	must(t, ctx, "colour by verdict", chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById("f-color");
		s.value = "verdict"; s.dispatchEvent(new Event("change", {bubbles: true})); })()`))
	waitFor(t, ctx, "the verdict key", `location.search.includes("color=verdict") && !!document.querySelector("#legend .k-`+outcome+`")`)
	if got := dotColours(t, ctx); got["v-"+outcome] == 0 {
		t.Errorf("coloured by verdict, the map has no dot of the colour of %q: %v", outcome, got)
	}
	// A click on the dot opens a popup whose link the page labels with
	// the incident's details, fetched then.
	at := eval[[]float64](t, ctx, `(() => {
		const c = document.querySelector("#map canvas.dots"), px = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
		let n = 0, x = 0, y = 0;
		for (let i = 0; i < px.length; i += 4) if (Math.abs(px[i + 3] - 217) <= 2) { n++; x += (i / 4) % c.width; y += Math.floor(i / 4 / c.width); }
		const box = c.getBoundingClientRect(), ratio = c.width / box.width;
		return n ? [box.left + x / n / ratio, box.top + y / n / ratio] : [];
	})()`)
	if len(at) != 2 {
		t.Fatal("no dot drawn on the map")
	}
	must(t, ctx, "click the dot", chromedp.MouseClickXY(at[0], at[1]))
	waitFor(t, ctx, "the popup's details", fmt.Sprintf(`!!document.querySelector('.leaflet-popup-content a[href="/desk/incidents/%d"]')?.textContent.includes("Tall Rifaat")`, incident))
	waitFor(t, ctx, "the popup inside the map", `document.querySelector(".leaflet-popup").getBoundingClientRect().top >=
		document.getElementById("map").getBoundingClientRect().top`)
	shot(t, ctx, "08b-dashboard-aleppo-verdict")
	// Another governorate: the counts follow and the address keeps the filter.
	must(t, ctx, "filter on Idleb", chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById("f-admin1");
		s.value = "Idleb"; s.dispatchEvent(new Event("change", {bubbles: true})); })()`))
	waitFor(t, ctx, "the map redrawn", `document.getElementById("map").dataset.ready === "true" && location.search.includes("admin1=Idleb")`)
	if n := eval[string](t, ctx, `document.getElementById("map").dataset.count`); n != "0" {
		t.Errorf("the map filtered on Idleb shows %s incidents, want 0", n)
	}

	// The incident page shows the source message and where it happened.
	must(t, ctx, "open the incident", chromedp.Navigate(fmt.Sprintf("%s/desk/incidents/%d", ts.URL, incident)))
	waitFor(t, ctx, "the small map", `document.getElementById("mini-map")?.dataset.ready === "true"`)
	if body := eval[string](t, ctx, "document.body.innerText"); !strings.Contains(body, report) || !strings.Contains(body, tracking) {
		t.Errorf("the incident page does not show the report and its tracking number:\n%s", body)
	}
	shot(t, ctx, "09-incident")
	// The monitor grades it from the page, saying why; the history keeps it.
	must(t, ctx, "grade the incident", chromedp.SetValue("#grade", "weak"),
		chromedp.SendKeys("#grade-note", "one report from the public, not yet corroborated"),
		chromedp.Click("#grade-ok"), chromedp.WaitVisible("#grade-history"))
	if h := eval[string](t, ctx, `document.getElementById("grade-history").textContent`); !strings.Contains(h, "ungraded → weak — one report from the public") {
		t.Errorf("the grade history reads %q", h)
	}

	// The party page: aliases in Arabic are right to left.
	must(t, ctx, "open the party", chromedp.Navigate(ts.URL+"/desk/parties/test-brigade"), chromedp.WaitVisible(".aliases"))
	if dir := eval[string](t, ctx, `document.querySelector('.aliases li[lang="ar"]').dir`); dir != "rtl" {
		t.Errorf("the Arabic alias has dir=%q, want rtl", dir)
	}
	shot(t, ctx, "10-party")

	// Today's bulletin counts the incident and lists it; the desk token acts
	// as a co-chair, who publishes it, and the list then offers its PDF.
	must(t, ctx, "open the bulletins", chromedp.Navigate(ts.URL+"/desk/bulletins"), chromedp.WaitVisible("#open-draft"))
	must(t, ctx, "open today's draft", chromedp.Click("#open-draft"), chromedp.WaitVisible("#day-incidents"))
	if !eval[bool](t, ctx, fmt.Sprintf(`!!document.querySelector('#day-incidents a[href="/desk/incidents/%d"]')`, incident)) {
		t.Errorf("today's bulletin does not list incident %d:\n%s", incident, eval[string](t, ctx, "document.body.innerText"))
	}
	if !eval[bool](t, ctx, `!!document.getElementById("not-yet") && !document.getElementById("publish")`) {
		t.Error("today's draft offers to publish a day that is not over")
	}
	shot(t, ctx, "10b-bulletin-draft")
	zone, err := time.LoadLocation("Asia/Damascus") // the test agreement's
	if err != nil {
		t.Fatal(err)
	}
	yesterday := time.Now().In(zone).AddDate(0, 0, -1).Format("2006-01-02")
	must(t, ctx, "open yesterday's draft", chromedp.Navigate(ts.URL+"/desk/bulletins"), chromedp.WaitVisible("#open-draft"),
		chromedp.SetValue("#day", yesterday), chromedp.Click("#open-draft"), chromedp.WaitVisible("#publish"))
	must(t, ctx, "publish", chromedp.Click("#publish"), chromedp.WaitVisible("#versions"))
	must(t, ctx, "open the list", chromedp.Navigate(ts.URL+"/desk/bulletins"), chromedp.WaitVisible("#published"))
	pdf, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(async () => {
		const r = await fetch(document.querySelector("#published a.pdf").href);
		const b = new Uint8Array(await r.arrayBuffer());
		return r.headers.get("Content-Type") + " " + String.fromCharCode(...b.slice(0, 5));
	})()`, chromedp.EvalAwaitPromise))
	if err != nil || pdf != "application/pdf %PDF-" {
		t.Errorf("the published bulletin's PDF link gives %q (%v)", pdf, err)
	}
	shot(t, ctx, "10c-bulletins")

	// The person follows the report: it is linked to an incident.
	must(t, ctx, "track the report", chromedp.Navigate(ts.URL+"/track?lang=ar&n="+tracking), chromedp.WaitVisible("#status"))
	if state := eval[string](t, ctx, `document.querySelector("#status .state").textContent`); state != "مرتبط بحادث" {
		t.Errorf("the tracking page shows the state %q, want linked (مرتبط بحادث)", state)
	}
	shot(t, ctx, "11-track-ar")

	// On a phone the dashboard is one column, the map under the counts.
	must(t, ctx, "phone size", chromedp.EmulateViewport(390, 844), chromedp.Navigate(ts.URL+"/desk?admin1=Aleppo"))
	waitFor(t, ctx, "the map drawn on a phone", `document.getElementById("map").dataset.ready === "true"`)
	if w := eval[float64](t, ctx, `document.getElementById("map").getBoundingClientRect().width`); w > 390 {
		t.Errorf("on a 390 px screen the map is %v px wide", w)
	}
	shot(t, ctx, "12-phone-dashboard")
	must(t, ctx, "phone inbox", chromedp.Navigate(ts.URL+"/desk/inbox"))
	waitFor(t, ctx, "the inbox on a phone", `document.getElementById("queue")?.dataset.ready === "true"`)
	shot(t, ctx, "13-phone-inbox")
}

// dotColours counts the pixels of the map's dots in each colour of the
// keys (--g-… and --v-… in desk.css), by key: a dot is filled at 85%
// opacity, so its inside reads back as the key's colour at alpha 217.
func dotColours(tb testing.TB, ctx context.Context) map[string]int {
	tb.Helper()
	return eval[map[string]int](tb, ctx, `(() => {
		const root = getComputedStyle(document.documentElement), keys = {};
		for (const k of ["g-confirmed", "g-fair", "g-weak", "g-contested", "g-discounted", "g-ungraded",
			"v-violation", "v-undetermined", "v-not_violation", "v-unassessed"]) {
			const hex = root.getPropertyValue("--" + k).trim();
			keys[k] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
		}
		const c = document.querySelector("#map canvas.dots"), px = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
		const count = {};
		for (const k in keys) count[k] = 0;
		for (let i = 0; i < px.length; i += 4) {
			if (Math.abs(px[i + 3] - 217) > 2) continue;
			for (const k in keys) {
				const [r, g, b] = keys[k];
				if (Math.abs(px[i] - r) <= 3 && Math.abs(px[i + 1] - g) <= 3 && Math.abs(px[i + 2] - b) <= 3) count[k]++;
			}
		}
		return count;
	})()`)
}

// seedParty stores an agreement and a party with an Arabic alias, a status
// and an incident, for the party page.
func seedParty(tb testing.TB, db interface {
	CreateAgreement(context.Context, *domain.Agreement) error
	CreateParty(context.Context, *domain.Party) error
	AddPartyStatus(context.Context, *domain.PartyStatus) error
	CreateIncident(context.Context, *domain.Incident) error
}) {
	tb.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	a := &domain.Agreement{Slug: "test-truce", Name: "Test truce", TimeZone: "Asia/Damascus", Start: now.AddDate(0, 0, -10),
		Country: "SY", ExclusionAuthority: "UN Security Council", ProhibitedActs: []string{domain.SubShelling}}
	p := &domain.Party{Slug: "test-brigade", Name: "Test Brigade", Kind: domain.KindArmedGroup,
		Aliases: []domain.Alias{{Name: "لواء الاختبار", Lang: "ar"}, {Name: "Liwa al-Ikhtibar", Lang: "en"}}}
	if err := db.CreateAgreement(ctx, a); err != nil {
		tb.Fatal(err)
	}
	if err := db.CreateParty(ctx, p); err != nil {
		tb.Fatal(err)
	}
	if err := db.AddPartyStatus(ctx, &domain.PartyStatus{AgreementID: a.ID, PartyID: p.ID, Kind: domain.StatusCommitted,
		Designator: "Russia", ValidFrom: now.AddDate(0, 0, -11), RecordedBy: "test"}); err != nil {
		tb.Fatal(err)
	}
	if err := db.CreateIncident(ctx, &domain.Incident{SubEventType: domain.SubAirStrike, OccurredAt: now.AddDate(0, 0, -2),
		Location: "Jisr al-Shughur", Admin1: "Idleb", Point: &domain.Point{Lat: 35.81, Lon: 36.32}, Perpetrators: []int64{p.ID},
		Grade: domain.GradeWeak, CreatedBy: "test"}); err != nil {
		tb.Fatal(err)
	}
}

type submitted struct {
	ID       int64
	Tracking string
}

// submit sends a message through the public API, as a gateway would.
func submit(tb testing.TB, base, body string) submitted {
	tb.Helper()
	data, _ := json.Marshal(map[string]any{"body": body, "language": "en"})
	resp, err := http.Post(base+"/api/v1/messages", "application/json", bytes.NewReader(data))
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var rc struct{ Tracking string }
	if err := json.NewDecoder(resp.Body).Decode(&rc); err != nil || resp.StatusCode != http.StatusCreated {
		tb.Fatalf("submit: %d %v", resp.StatusCode, err)
	}
	req, _ := http.NewRequest("GET", base+"/api/v1/inbox?limit=1", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp2, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp2.Body.Close()
	var page struct{ Messages []domain.Message }
	json.NewDecoder(resp2.Body).Decode(&page)
	if len(page.Messages) == 0 || page.Messages[0].Tracking != rc.Tracking {
		tb.Fatalf("the newest message is not the one just sent (%s)", rc.Tracking)
	}
	return submitted{ID: page.Messages[0].ID, Tracking: rc.Tracking}
}

// triageByAPI moves a message as another monitor's client would.
func triageByAPI(tb testing.TB, base string, id int64, version int) {
	tb.Helper()
	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/inbox/%d/transitions", base, id),
		strings.NewReader(fmt.Sprintf(`{"to":"triaged","version":%d}`, version)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("triage message %d: %d", id, resp.StatusCode)
	}
}

// BenchmarkDashboard100k loads the dashboard over 100,000 located
// incidents, most of them judged under the agreement, and reports the time
// from navigation until the page has drawn them (the map's data-ready
// attribute), the server's part of it (the map request's wait for its first
// byte) and the size of the map data. "lean" is the server as it runs, on
// the store's one-query MapPoints; "paged" hides MapPoints, so the server
// pages through full incidents and their verdicts as any domain.Store
// allows: the baseline, in the same run. With TRUCE_TEST_POSTGRES set,
// PostgreSQL is measured too.
func BenchmarkDashboard100k(b *testing.B) {
	const n = 100_000
	for _, e := range storetest.BenchEngines() {
		b.Run(e.Name, func(b *testing.B) {
			db := e.Open(b)
			seedDashboard(b, db, n)
			for _, v := range []struct {
				name string
				st   domain.Store
			}{{"paged", struct{ domain.Store }{db}}, {"lean", db}} {
				b.Run(v.name, func(b *testing.B) {
					ts := newServerOver(b, db, v.st, 256)
					bctx := newBrowser(b, 1280, 900)
					must(b, bctx, "log in", chromedp.Navigate(ts.URL+"/desk/login"), chromedp.SendKeys("#token", token), chromedp.Click("#login"))
					waitFor(b, bctx, "the first dashboard", `document.getElementById("map")?.dataset.ready === "true"`)
					shot(b, bctx, "bench-100k-"+e.Name+"-"+v.name)
					var total, server time.Duration
					for b.Loop() {
						start := time.Now()
						must(b, bctx, "reload", chromedp.Navigate(ts.URL+"/desk"))
						waitFor(b, bctx, "the dashboard", `document.getElementById("map")?.dataset.ready === "true"`)
						total += time.Since(start)
						ms := eval[float64](b, bctx, `(e => e.responseStart - e.requestStart)(performance.getEntriesByType("resource").filter(e => e.name.includes("/api/v1/map/incidents")).pop())`)
						server += time.Duration(ms * float64(time.Millisecond))
					}
					if count := eval[string](b, bctx, `document.getElementById("map").dataset.count`); count != strconv.Itoa(n) {
						b.Errorf("the map drew %s incidents, want %d", count, n)
					}
					b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms-to-interactive")
					b.ReportMetric(float64(server.Milliseconds())/float64(b.N), "ms-server")
					size := eval[[]float64](b, bctx, `(e => [e.transferSize, e.decodedBodySize])(performance.getEntriesByType("resource").filter(e => e.name.includes("/api/v1/map/incidents")).pop())`)
					b.ReportMetric(size[0]/1024, "map-KiB-transferred")
					b.ReportMetric(size[1]/1024, "map-KiB-decoded")
					// The same map coloured by verdict, for a person to look at;
					// every outcome has dots of its colour.
					must(b, bctx, "colour by verdict", chromedp.Navigate(ts.URL+"/desk?color=verdict"))
					waitFor(b, bctx, "the dashboard by verdict", `document.getElementById("map")?.dataset.ready === "true"`)
					shot(b, bctx, "bench-100k-"+e.Name+"-"+v.name+"-verdict")
					got := dotColours(b, bctx)
					for _, k := range []string{"v-violation", "v-undetermined", "v-not_violation"} {
						if got[k] == 0 {
							b.Errorf("coloured by verdict, no dot has the colour of %s: %v", k, got)
						}
					}
				})
			}
		})
	}
}

// seedDashboard stores an agreement and n located incidents over its
// first four weeks, with a verdict on nine in ten.
func seedDashboard(tb testing.TB, db *store.DB, n int) {
	tb.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	now := time.Now().UTC()
	a := &domain.Agreement{Slug: "bench-truce", Name: "Bench truce", TimeZone: "Asia/Damascus", Start: now.AddDate(0, 0, -20),
		Country: "SY", ExclusionAuthority: "UN Security Council", ProhibitedActs: []string{domain.SubShelling}}
	if err := db.CreateAgreement(ctx, a); err != nil {
		tb.Fatal(err)
	}
	grades := []domain.Grade{domain.GradeConfirmed, domain.GradeFair, domain.GradeWeak, domain.GradeContested, domain.GradeUngraded}
	types := []string{domain.SubShelling, domain.SubAirStrike, domain.SubClash}
	outcomes := []string{"violation", "undetermined", "not_violation"}
	cause := domain.Cause{Kind: domain.CauseRecompute, Text: "bench", Actor: "bench", At: now}
	batch := make([]*domain.Incident, 0, 5000)
	for i := range n {
		batch = append(batch, &domain.Incident{SubEventType: types[rng.IntN(len(types))],
			OccurredAt: now.Add(-time.Duration(rng.Int64N(int64(27 * 24 * time.Hour)))),
			Point:      &domain.Point{Lat: 32.5 + rng.Float64()*4.5, Lon: 35.8 + rng.Float64()*6},
			Admin1:     "Aleppo", Grade: grades[rng.IntN(len(grades))], Origin: "bench", OriginID: strconv.Itoa(i), CreatedBy: "bench"})
		if len(batch) < cap(batch) && i < n-1 {
			continue
		}
		if _, err := db.ImportIncidents(ctx, batch); err != nil {
			tb.Fatal(err)
		}
		var vs []*domain.Verdict
		for _, in := range batch {
			if rng.IntN(10) == 0 {
				continue // not judged yet
			}
			o := outcomes[rng.IntN(len(outcomes))]
			views := []domain.ViewOutcome{{Label: "co-chairs", Outcome: o}}
			vj, _ := json.Marshal(views)
			vs = append(vs, &domain.Verdict{IncidentID: in.ID, IncidentVersion: in.Version, AgreementID: a.ID,
				AgreementVersion: a.Version, Outcome: o, Outcomes: views, Views: vj, Sentence: o, Fingerprint: "bench"})
		}
		if _, err := db.PutVerdicts(ctx, vs, cause); err != nil {
			tb.Fatal(err)
		}
		batch = batch[:0]
	}
}

// TestDeskLogin checks the browser login over plain HTTP: a good token sets
// a cookie scripts cannot read and other sites cannot make the browser send,
// and leads on to the page asked for; a bad one does not.
func TestDeskLogin(t *testing.T) {
	db := storetest.OpenSQLite(t)
	ts := newServer(t, db)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	post := func(form string) *http.Response {
		t.Helper()
		resp, err := client.Post(ts.URL+"/desk/login", "application/x-www-form-urlencoded", strings.NewReader(form))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	resp := post("token=" + token + "&next=%2Fdesk%2Finbox")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/desk/inbox" {
		t.Fatalf("login answered %d to %q, want 303 to /desk/inbox", resp.StatusCode, resp.Header.Get("Location"))
	}
	var c *http.Cookie
	for _, k := range resp.Cookies() {
		if k.Name == "truce_desk" {
			c = k
		}
	}
	if c == nil || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Secure || c.Path != "/" {
		t.Fatalf("cookie %+v: want truce_desk, HttpOnly, SameSite=Strict, not Secure over plain HTTP, Path=/", c)
	}
	req, _ := http.NewRequest("GET", ts.URL+"/desk/inbox", nil)
	req.AddCookie(c)
	if resp, err := client.Do(req); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("the inbox with the cookie: %v %v", resp.StatusCode, err)
	}
	for _, form := range []string{"token=wrong", "", "token=" + token + "x"} {
		if resp := post(form); resp.StatusCode == http.StatusSeeOther || len(resp.Cookies()) > 0 {
			t.Errorf("login with %q answered %d and set %v", form, resp.StatusCode, resp.Cookies())
		}
	}
	if resp := post("token=" + token + "&next=https%3A%2F%2Fevil.example%2F"); resp.Header.Get("Location") != "/desk" {
		t.Errorf("login sent on to %q, want /desk (never another site)", resp.Header.Get("Location"))
	}
}
