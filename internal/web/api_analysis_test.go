package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/trucedesk/truce/internal/bulletin"
	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/store"
	"github.com/trucedesk/truce/internal/store/storetest"
)

func TestAnalysisAPI(t *testing.T) {
	db := storetest.OpenSQLite(t)
	ctx := context.Background()
	a := &domain.Agreement{Slug: "coh", Name: "Cessation", TimeZone: "Asia/Damascus",
		Start: time.Date(2016, 2, 26, 22, 0, 0, 0, time.UTC), ProhibitedActs: []string{domain.SubAirStrike}}
	if err := db.CreateAgreement(ctx, a); err != nil {
		t.Fatal(err)
	}
	in := &domain.Incident{SubEventType: domain.SubAirStrike, OccurredAt: time.Date(2016, 2, 27, 23, 0, 0, 0, time.UTC),
		Admin1: "Aleppo", CreatedBy: "test"}
	if err := db.CreateIncident(ctx, in); err != nil {
		t.Fatal(err)
	}
	ru := &domain.Party{Slug: "ru-af", Name: "Russian Armed Forces", Kind: domain.KindState}
	if err := db.CreateParty(ctx, ru); err != nil {
		t.Fatal(err)
	}
	if err := db.PutRegions(ctx, []*domain.Region{{PCode: "SY02", Level: 1, Name: "Aleppo",
		Geometry: []byte(`{"type":"Polygon","coordinates":[[[36,36],[38,36],[38,37],[36,37],[36,36]]]}`)}}); err != nil {
		t.Fatal(err)
	}
	ts := newServer(t, db)
	tests := []struct {
		name, method, path, body string
		auth                     bool
		status                   int
		contains                 string
	}{
		{"series zero-filled in local days", "GET", "/api/v1/series/daily?since=2016-02-27&until=2016-03-01&by=admin1", "", true, 200, `"values":[0,1,0]`},
		{"series needs a token", "GET", "/api/v1/series/daily?since=2016-02-27&until=2016-03-01", "", false, 401, "token"},
		{"series future", "GET", "/api/v1/series/daily?since=2099-01-01&until=2099-01-03", "", true, 400, "past today"},
		{"series bad by", "GET", "/api/v1/series/daily?since=2016-02-27&until=2016-03-01&by=colour", "", true, 400, "cannot group"},
		{"compare with no events", "GET", "/api/v1/analysis/compare?until=2016-02-10&window=2d&baseline=14d", "", true, 400, "no test"},
		{"series party by slug", "GET", "/api/v1/series/daily?since=2016-02-27&until=2016-03-01&party=ru-af", "", true, 200, `"values":[0,0,0]`},
		{"series unknown party ID", "GET", "/api/v1/series/daily?since=2016-02-27&until=2016-03-01&party=9999", "", true, 400, "no party has the ID 9999"},
		{"series unknown party name", "GET", "/api/v1/series/daily?since=2016-02-27&until=2016-03-01&party=Atlantis", "", true, 400, `no party is called \"Atlantis\"`},
		{"series unknown governorate", "GET", "/api/v1/series/daily?since=2016-02-27&until=2016-03-01&admin1=Atlantis", "", true, 400, `no governorate is called \"Atlantis\"`},
		{"series governorate misspelt", "GET", "/api/v1/series/daily?since=2016-02-27&until=2016-03-01&admin1=aleppo", "", true, 400, `spelt \"Aleppo\"`},
		{"series quiet governorate", "GET", "/api/v1/series/daily?since=2016-03-01&until=2016-03-03&admin1=Aleppo", "", true, 200, `"values":[0,0]`},
		{"series unknown verdict", "GET", "/api/v1/series/daily?since=2016-02-27&until=2016-03-01&verdict=guilty", "", true, 400, `unknown verdict \"guilty\"`},
		{"compare unknown governorate", "GET", "/api/v1/analysis/compare?until=2016-03-10&admin1=Atlantis", "", true, 400, `no governorate is called \"Atlantis\"`},
		{"changepoints with no data", "GET", "/api/v1/analysis/changepoints?since=2015-01-01&until=2015-03-01", "", true, 400, "there are no incidents in 2015-01-01 to 2015-02-28 (Asia/Damascus)"},
		{"changepoints future", "GET", "/api/v1/analysis/changepoints?since=2099-01-01&until=2099-03-01", "", true, 400, "past today"},
		{"records", "GET", "/api/v1/series/incidents?since=2016-02-28&until=2016-02-29&by=admin1&key=Aleppo", "", true, 200, `"count":1,"fatalities":0,"records":[{"id":1,"occurred_at":"2016-02-27T23:00:00Z","day":"2016-02-28"`},
		{"records need a key", "GET", "/api/v1/series/incidents?since=2016-02-28&until=2016-02-29&by=admin1", "", true, 400, "key"},
		{"records future", "GET", "/api/v1/series/incidents?since=2099-02-28&until=2099-03-01", "", true, 400, "past today"},
		{"records need a token", "GET", "/api/v1/series/incidents?since=2016-02-28&until=2016-02-29", "", false, 401, "token"},
		{"claim unknown actor", "POST", "/api/v1/claims/check", `{"actor":"Atlantis","metric":"strikes","direction":"down","window_start":"2016-02-27T00:00:00+02:00","window_end":"2016-02-29T00:00:00+02:00"}`, true, 200, `"not_testable"`},
		{"bulletin not published", "GET", "/api/v1/bulletins/2016-02-28.html", "", false, 404, "no bulletin"},
		{"bulletin bad file", "GET", "/api/v1/bulletins/2016-02-28.docx", "", false, 400, "DAY.pdf"},
		{"publish", "POST", "/api/v1/bulletins/2016-02-28/publish", "", true, 201, `"version":1`},
		{"publish again", "POST", "/api/v1/bulletins/2016-02-28/publish", `{"note":"corrected"}`, true, 201, `"version":2`},
		{"published is public", "GET", "/api/v1/bulletins/2016-02-28.md?version=1", "", false, 200, "# Daily bulletin, 28 February 2016"},
		{"the correction carries its note", "GET", "/api/v1/bulletins/2016-02-28.md?version=2", "", false, 200, "Publisher's note: corrected"},
		{"list", "GET", "/api/v1/bulletins", "", false, 200, `"note":"corrected"`},
		{"publish the future", "POST", "/api/v1/bulletins/2099-02-28/publish", "", true, 400, "has not happened"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct := ""
			if tt.body != "" {
				ct = "application/json"
			}
			resp, body := do(t, tt.method, ts.URL+tt.path, ct, []byte(tt.body), tt.auth)
			if resp.StatusCode != tt.status || !strings.Contains(string(body), tt.contains) {
				t.Errorf("got %d %s; want %d containing %q", resp.StatusCode, body, tt.status, tt.contains)
			}
		})
	}
}

// TestBulletinFiguresOpenTheirRecords follows the links of a day's draft
// bulletin and checks that each opens the records behind its figure: the
// incident figures (violations, by governorate, by party, by verdict) and
// every bar of the intensity chart. The counts are written out by hand for
// the six incidents below, which straddle local midnights (Damascus is UTC+2)
// and include an incident with two perpetrators, one with none, one that
// names a party only as target and one of a type the agreement allows.
func TestBulletinFiguresOpenTheirRecords(t *testing.T) {
	for _, e := range storetest.Engines() {
		for _, verdicts := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/verdicts=%v", e.Name, verdicts), func(t *testing.T) {
				testBulletinFiguresOpenTheirRecords(t, e.Open(t), verdicts)
			})
		}
	}
}

func testBulletinFiguresOpenTheirRecords(t *testing.T, db *store.DB, withVerdicts bool) {
	ctx := context.Background()
	a := &domain.Agreement{Slug: "coh", Name: "Cessation", TimeZone: "Asia/Damascus", ExclusionAuthority: "UN Security Council",
		Start: time.Date(2016, 2, 26, 22, 0, 0, 0, time.UTC), ProhibitedActs: []string{domain.SubAirStrike, domain.SubShelling}}
	if err := db.CreateAgreement(ctx, a); err != nil {
		t.Fatal(err)
	}
	ru := &domain.Party{Slug: "ru-af", Name: "Russian Armed Forces", Kind: domain.KindState}
	sy := &domain.Party{Slug: "sy-gov", Name: "Syrian government forces", Kind: domain.KindState}
	for _, p := range []*domain.Party{ru, sy} {
		if err := db.CreateParty(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	utc := func(d, h, m int) time.Time { return time.Date(2016, 2, d, h, m, 0, 0, time.UTC) }
	incidents := []struct {
		in      *domain.Incident
		verdict string
	}{
		// 00:30 on the 28th in Damascus, though the 27th in UTC.
		{&domain.Incident{SubEventType: domain.SubAirStrike, OccurredAt: utc(27, 22, 30), Admin1: "Aleppo",
			Perpetrators: []int64{ru.ID, sy.ID}, Fatalities: domain.Fatalities{Best: 4, Low: 4, High: 4}}, "violation"},
		{&domain.Incident{SubEventType: domain.SubShelling, OccurredAt: utc(28, 9, 0), Admin1: "Hama",
			Perpetrators: []int64{sy.ID}, Fatalities: domain.Fatalities{Best: 1, Low: 1, High: 1}}, "not_violation"},
		// 23:30 on the 28th in Damascus, no perpetrator known.
		{&domain.Incident{SubEventType: domain.SubAirStrike, OccurredAt: utc(28, 21, 30), Admin1: "Aleppo",
			Fatalities: domain.Fatalities{Best: 2, Low: 2, High: 2}}, "violation"},
		// A clash: not a prohibited type.
		{&domain.Incident{SubEventType: domain.SubClash, OccurredAt: utc(28, 10, 0), Admin1: "Aleppo",
			Perpetrators: []int64{sy.ID}, Fatalities: domain.Fatalities{Best: 3, Low: 3, High: 3}}, "undetermined"},
		// 00:30 on the 29th in Damascus, though the 28th in UTC.
		{&domain.Incident{SubEventType: domain.SubAirStrike, OccurredAt: utc(28, 22, 30), Admin1: "Aleppo",
			Perpetrators: []int64{ru.ID}, Fatalities: domain.Fatalities{Best: 9, Low: 9, High: 9}}, "violation"},
		// Russia only as the target.
		{&domain.Incident{SubEventType: domain.SubAirStrike, OccurredAt: utc(28, 12, 0), Admin1: "Idleb",
			Perpetrators: []int64{sy.ID}, Targets: []int64{ru.ID}}, "violation"},
	}
	var vs []*domain.Verdict
	for _, x := range incidents {
		x.in.CreatedBy = "test"
		if err := db.CreateIncident(ctx, x.in); err != nil {
			t.Fatal(err)
		}
		views, _ := json.Marshal([]domain.ViewOutcome{{Label: "the co-chairs'", Outcome: x.verdict}})
		vs = append(vs, &domain.Verdict{IncidentID: x.in.ID, IncidentVersion: x.in.Version, AgreementID: a.ID, AgreementVersion: a.Version,
			Outcome: x.verdict, Outcomes: []domain.ViewOutcome{{Label: "the co-chairs'", Outcome: x.verdict}}, Views: views,
			Sentence: x.verdict, Fingerprint: "f"})
	}
	if withVerdicts {
		if _, err := db.PutVerdicts(ctx, vs, domain.Cause{Kind: domain.CauseRecompute, Text: "test", Actor: "test", At: utc(29, 0, 0)}); err != nil {
			t.Fatal(err)
		}
	}
	ts := newServer(t, db)

	resp, body := do(t, "GET", ts.URL+"/api/v1/bulletins/drafts/2016-02-28.json", "", nil, true)
	if resp.StatusCode != 200 {
		t.Fatalf("draft: %d %s", resp.StatusCode, body)
	}
	var rep bulletin.Report
	if err := json.Unmarshal(body, &rep); err != nil {
		t.Fatal(err)
	}
	type figure struct {
		name          string
		by, key       string // what every record must match
		count, deaths int64
		link          string
	}
	var got []figure
	got = append(got, figure{"total", "", "", rep.Violations.Total, rep.Violations.Fatalities, rep.Violations.Link})
	for _, r := range rep.Violations.ByGovernorate {
		got = append(got, figure{"governorate " + r.Key, "admin1", r.Key, r.Count, r.Fatalities, r.Link})
	}
	for _, r := range rep.Violations.ByParty {
		got = append(got, figure{"party " + r.Key, "perpetrator", r.Key, r.Count, r.Fatalities, r.Link})
	}
	for _, r := range rep.Verdicts {
		got = append(got, figure{"verdict " + r.Key, "verdict", r.Key, r.Count, r.Fatalities, r.Link})
	}
	// The figures themselves, worked out by hand from the list above.
	want := []figure{
		{"total", "", "", 4, 7, ""},
		{"governorate Aleppo", "admin1", "Aleppo", 2, 6, ""},
		{"governorate Hama", "admin1", "Hama", 1, 1, ""},
		{"governorate Idleb", "admin1", "Idleb", 1, 0, ""},
		{"party sy-gov", "perpetrator", "sy-gov", 3, 5, ""},
		{"party ru-af", "perpetrator", "ru-af", 1, 4, ""},
		{"party ", "perpetrator", "", 1, 2, ""},
	}
	if withVerdicts {
		want = []figure{
			{"total", "", "", 3, 6, ""},
			{"governorate Aleppo", "admin1", "Aleppo", 2, 6, ""},
			{"governorate Idleb", "admin1", "Idleb", 1, 0, ""},
			{"party sy-gov", "perpetrator", "sy-gov", 2, 4, ""},
			{"party ru-af", "perpetrator", "ru-af", 1, 4, ""},
			{"party ", "perpetrator", "", 1, 2, ""},
			{"verdict not_violation", "verdict", "not_violation", 1, 1, ""},
			{"verdict undetermined", "verdict", "undetermined", 1, 3, ""},
			{"verdict violation", "verdict", "violation", 3, 6, ""},
		}
	}
	ignoreLink := cmpopts.IgnoreFields(figure{}, "link")
	sortByName := cmpopts.SortSlices(func(a, b figure) bool { return a.name < b.name })
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(figure{}), ignoreLink, sortByName); diff != "" {
		t.Errorf("figures (-want +got):\n%s", diff)
	}

	type records struct {
		Incidents struct {
			Count, Fatalities int64
			Records           []struct {
				ID           int64
				Day          string
				Type         string
				Admin1       string
				Perpetrators []string
				Verdict      string
			}
		}
	}
	open := func(link string) records {
		t.Helper()
		resp, body := do(t, "GET", ts.URL+link, "", nil, true)
		var rs records
		if resp.StatusCode != 200 || json.Unmarshal(body, &rs) != nil {
			t.Fatalf("%s: %d %s", link, resp.StatusCode, body)
		}
		return rs
	}
	for _, f := range got {
		t.Run(f.name, func(t *testing.T) {
			rs := open(f.link).Incidents
			if rs.Count != f.count || rs.Fatalities != f.deaths || int64(len(rs.Records)) != f.count {
				t.Errorf("%s: the list has count %d, %d deaths and %d records; the figure is %d with %d deaths",
					f.link, rs.Count, rs.Fatalities, len(rs.Records), f.count, f.deaths)
			}
			for _, r := range rs.Records {
				ok := r.Day == "2016-02-28"
				switch f.by {
				case "admin1":
					ok = ok && r.Admin1 == f.key
				case "perpetrator":
					ok = ok && (slices.Contains(r.Perpetrators, f.key) || f.key == "" && len(r.Perpetrators) == 0)
				case "verdict":
					ok = ok && r.Verdict == f.key
				}
				if !ok {
					t.Errorf("%s lists incident %d (%s, %s, %v, %q), which the figure does not count", f.link, r.ID, r.Day, r.Admin1, r.Perpetrators, r.Verdict)
				}
			}
		})
	}

	// Every bar of the HTML chart opens its day's incidents of prohibited
	// types; the 28th's bar holds incidents 1, 2, 3 and 6.
	resp, body = do(t, "GET", ts.URL+"/api/v1/bulletins/drafts/2016-02-28.html", "", nil, true)
	if resp.StatusCode != 200 {
		t.Fatalf("draft html: %d", resp.StatusCode)
	}
	bars := regexp.MustCompile(`<a href="([^"]+)"><rect[^>]*/><rect[^>]*/><title>(\d{4}-\d\d-\d\d): (\d+)</title></a>`).FindAllStringSubmatch(string(body), -1)
	if len(bars) != bulletin.ChartDays {
		t.Fatalf("got %d linked bars, want %d", len(bars), bulletin.ChartDays)
	}
	for _, b := range bars {
		n, _ := strconv.ParseInt(b[3], 10, 64)
		rs := open(html.UnescapeString(b[1])).Incidents
		if rs.Count != n {
			t.Errorf("bar of %s shows %d; its link lists %d", b[2], n, rs.Count)
		}
		if b[2] == "2016-02-28" && n != 4 {
			t.Errorf("bar of the 28th: got %d, want 4", n)
		}
		for _, r := range rs.Records {
			if r.Day != b[2] {
				t.Errorf("bar of %s lists incident %d of %s", b[2], r.ID, r.Day)
			}
		}
	}
}
