package bulletin

import (
	"bytes"
	"compress/zlib"
	"context"
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/trucedesk/truce/internal/analysis"
	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/scenario"
	"github.com/trucedesk/truce/internal/stats"
	"github.com/trucedesk/truce/internal/store/storetest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// fixture stores a small fixed scenario: the 2016 agreement, its parties,
// statuses, governorates and VDC counts, six incidents around the start of
// the cessation and three messages, and returns an Analyzer whose clock
// reads 1 March 2016.
func fixture(t *testing.T) *analysis.Analyzer {
	t.Helper()
	ctx := context.Background()
	db := storetest.OpenSQLite(t)
	db.Now = func() time.Time { return time.Date(2016, 3, 1, 6, 0, 0, 0, time.UTC) }
	sc, err := scenario.Load()
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CreateAgreement(ctx, sc.Agreement); err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	for _, p := range sc.Parties {
		if err := db.CreateParty(ctx, p); err != nil {
			t.Fatal(err)
		}
		ids[p.Slug] = p.ID
	}
	for _, st := range sc.Statuses {
		row := st.Resolve(sc.Agreement.ID, ids[st.PartySlug])
		row.RecordedBy = "test"
		row.RecordedAt = time.Date(2016, 3, 1, 0, 0, 0, 0, time.UTC)
		if err := db.AddPartyStatus(ctx, row); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.PutRegions(ctx, sc.Regions[:14]); err != nil {
		t.Fatal(err)
	}
	var counts []domain.DailyCount
	for _, c := range sc.Counts {
		if c.Day >= "2016-01-20" && c.Day <= "2016-03-01" {
			counts = append(counts, c)
		}
	}
	if err := db.PutDailyCounts(ctx, counts); err != nil {
		t.Fatal(err)
	}
	loc := sc.Agreement.Location()
	at := func(d, h, m int) time.Time { return time.Date(2016, 2, d, h, m, 0, 0, loc) }
	for _, in := range []*domain.Incident{
		{SubEventType: domain.SubAirStrike, OccurredAt: at(20, 10, 0), Admin1: "Aleppo", Point: &domain.Point{Lat: 36.2, Lon: 37.15},
			Perpetrators: []int64{ids["ru-af"]}, Fatalities: domain.Fatalities{Best: 4, Low: 3, High: 6}},
		{SubEventType: domain.SubAirStrike, OccurredAt: at(26, 23, 30), Admin1: "Idleb", Point: &domain.Point{Lat: 35.93, Lon: 36.63},
			Perpetrators: []int64{ids["ru-af"]}, Fatalities: domain.Fatalities{Best: 2, Low: 2, High: 2}},
		{SubEventType: domain.SubShelling, OccurredAt: at(28, 9, 15), Admin1: "Hama", Point: &domain.Point{Lat: 35.13, Lon: 36.75},
			Perpetrators: []int64{ids["sy-gov"]}, Fatalities: domain.Fatalities{Best: 1, Low: 1, High: 1}},
		{SubEventType: domain.SubClash, OccurredAt: at(28, 14, 0), Admin1: "Aleppo", Point: &domain.Point{Lat: 36.5, Lon: 37.0},
			Perpetrators: []int64{ids["fsa"]}},
		{SubEventType: domain.SubAirStrike, OccurredAt: at(28, 22, 10), Admin1: "Ar-Raqqa", Point: &domain.Point{Lat: 35.95, Lon: 39.0},
			Perpetrators: []int64{ids["coalition"]}, Fatalities: domain.Fatalities{Best: 5, Low: 5, High: 8}},
		{SubEventType: "Peaceful protest", OccurredAt: at(28, 12, 0), Admin1: "Idleb"},
	} {
		in.CreatedBy = "test"
		if err := db.CreateIncident(ctx, in); err != nil {
			t.Fatalf("%v: %v", in, err)
		}
	}
	// Reconciliation agreements in made-up places (the desk records no
	// historical one its sources do not give): Testville signs on 28 Feb;
	// Exampleton, signed the day before, is reported in force on the 28th;
	// Sampleburg's agreement, in force since the 27th, breaks that evening.
	for _, x := range []struct {
		rc    *domain.Reconciliation
		moves []domain.ReconciliationChange
	}{
		{&domain.Reconciliation{Settlement: "Testville", Admin1: "Rif Dimashq", SignedAt: at(28, 11, 0),
			Signatories: []domain.Signatory{{Name: "Testville fighters", Role: domain.SignatoryArmedGroup},
				{Name: "Testville elders", Role: domain.SignatoryCommunity}, {PartyID: ids["ru-af"], Role: domain.SignatoryGuarantor}},
			Terms: []domain.Term{{Kind: domain.TermHeavyWeapons, Text: "two tanks | a mortar,\nwithin a week"}, {Kind: domain.TermHumanitarianAccess}}}, nil},
		{&domain.Reconciliation{Settlement: "Exampleton", Admin1: "Homs", SignedAt: at(27, 15, 0),
			Signatories: []domain.Signatory{{Name: "Exampleton council", Role: domain.SignatoryCommunity}}},
			[]domain.ReconciliationChange{{State: domain.ReconciliationInForce, At: at(28, 9, 0)}}},
		{&domain.Reconciliation{Settlement: "Sampleburg", Admin1: "Daraa", SignedAt: at(26, 12, 0),
			Signatories: []domain.Signatory{{Name: "Sampleburg brigade", Role: domain.SignatoryArmedGroup}}},
			[]domain.ReconciliationChange{{State: domain.ReconciliationInForce, At: at(27, 8, 0)},
				{State: domain.ReconciliationBroken, At: at(28, 20, 0), Note: "shelling resumed"}}},
	} {
		x.rc.AgreementID, x.rc.CreatedBy = sc.Agreement.ID, "test"
		if err := db.CreateReconciliation(ctx, x.rc); err != nil {
			t.Fatal(err)
		}
		for i, c := range x.moves {
			c.ID, c.Version, c.Actor = x.rc.ID, i+1, "test"
			if _, err := db.ChangeReconciliationState(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
	}
	var subs []domain.Submission
	for i, body := range []string{"Shelling reported near Kafr Nabudah this morning.", "Our brigade commits to the cessation.", "Spam"} {
		m := storetest.NewMessage(body, at(28, 8+i, 0))
		m.Tracking = "TRC-TEST-000" + string(rune('0'+i))
		subs = append(subs, domain.Submission{Message: m, RepeatWindow: time.Hour})
	}
	if _, err := db.SubmitMessages(ctx, subs); err != nil {
		t.Fatal(err)
	}
	an, err := analysis.New(ctx, db, scenario.AgreementSlug, db.Now)
	if err != nil {
		t.Fatal(err)
	}
	return an
}

func build(t *testing.T, an *analysis.Analyzer, day string) *Report {
	t.Helper()
	d, err := stats.ParseDay(day)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Build(context.Background(), an, d)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; got:\n%s", name, got)
	}
}

func TestGolden(t *testing.T) {
	an := fixture(t)
	for _, day := range []string{"2016-02-28", "2016-02-20"} {
		t.Run(day, func(t *testing.T) {
			r := build(t, an, day)
			golden(t, day+".md", Markdown(r, Options{}))
			h, err := HTML(r, Options{BaseURL: "https://desk.example.org"})
			if err != nil {
				t.Fatal(err)
			}
			golden(t, day+".html", h)
		})
	}
}

func TestFigures(t *testing.T) {
	r := build(t, fixture(t), "2016-02-28")
	tests := []struct {
		name      string
		got, want any
	}{
		{"violations (prohibited types after the start)", r.Violations.Total, int64(3)},
		{"basis", r.Violations.Basis, "prohibited types"},
		{"deaths", r.Violations.Fatalities, int64(6)},
		{"governorates", len(r.Violations.ByGovernorate), 3},
		{"day number", r.DayNumber, 2},
		{"messages received", r.Messages.Received, 3},
		{"messages open", r.Messages.Open, 3},
		{"dots", len(r.Map.Dots), 3},
		{"incidents without a point", r.Map.Missing, 1},
		{"regions", len(r.Map.Regions), 14},
		{"chart days", len(r.Intensity.Counts), ChartDays},
		{"chart: the day", r.Intensity.Counts[ChartDays-1], int64(3)},
		{"chart: 27 Feb, the first day, had none", r.Intensity.Counts[ChartDays-2], int64(0)},
		{"chart: 26 Feb holds the strike at 23:30 local", r.Intensity.Counts[ChartDays-3], int64(1)},
		{"reconciliations signed on the day", len(r.Reconciliations.New), 1},
		{"the day's reconciliation", r.Reconciliations.New[0].Settlement + ", " + r.Reconciliations.New[0].Governorate, "Testville, Rif Dimashq"},
		{"its parties", strings.Join(r.Reconciliations.New[0].Parties, "; "),
			"Testville fighters (armed group); Testville elders (representatives); Russian Armed Forces (guarantor)"},
		{"its terms", strings.Join(r.Reconciliations.New[0].Terms, "; "), "heavy weapons handed over: two tanks | a mortar, within a week; humanitarian access"},
		{"in force at the day's end (Exampleton; Sampleburg broke)", r.Reconciliations.InForce, 1},
		{"signed, not yet in force (Testville)", r.Reconciliations.Pending, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
}

func TestBuildRefusesFuture(t *testing.T) {
	an := fixture(t)
	_, err := Build(context.Background(), an, stats.DayFromDate(2016, 3, 2))
	if domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("got %v, want invalid", err)
	}
	r := build(t, an, "2016-03-01")
	if !r.Provisional {
		t.Errorf("today's bulletin is not marked provisional")
	}
}

func TestPDF(t *testing.T) {
	r := build(t, fixture(t), "2016-02-28")
	b, err := PDF(r, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("does not start with %%PDF-: %q", b[:min(len(b), 16)])
	}
	if !bytes.Contains(b, []byte("%%EOF")) {
		t.Errorf("no %%%%EOF trailer")
	}
	// Three pages: the chart does not fit under the day's commitments,
	// reconciliations and messages, and goes whole, with its heading, to
	// the second page; the VDC's last rows take a third.
	pages := len(regexp.MustCompile(`/Type /Page\b[^s]`).FindAll(b, -1))
	if pages != 3 {
		t.Errorf("got %d pages, want 3", pages)
	}
	if !bytes.Contains(b, []byte("Daily bulletin, 28 February 2016")) {
		t.Errorf("the title is not in the document information")
	}
	// The chart and the map are drawn, and every figure links on: each bar
	// to its day's incidents, each table row to its records.
	text := strings.ReplaceAll(pdfContent(t, b), ") Tj", ")Tj")
	for _, want := range []string{"(Incidents of prohibited types per day)Tj", "(cessation begins)Tj", "(28 Feb)Tj",
		"(this day: 2016-02-28)Tj", "(Map)Tj", "(Deaths recorded by the VDC)Tj"} {
		if !strings.Contains(text, want) {
			t.Errorf("the page content has no %q", want)
		}
	}
	// No page ends on a heading: each stays with what it heads. Split at
	// the footers, each part ends with its page's last line of content.
	lastText := regexp.MustCompile(`\(((?:[^()\\]|\\.)*)\) ?Tj`)
	for i, page := range regexp.MustCompile(`- page \d+/\d+\)`).Split(text, -1) {
		shown := lastText.FindAllStringSubmatch(page, -1)
		if i == pages || len(shown) == 0 {
			continue // after the last footer
		}
		switch last := shown[len(shown)-1][1]; last {
		case "Violations", "Commitments and reconciliations", "Messages", "Intensity", "Map", "Deaths recorded by the VDC":
			t.Errorf("page %d ends on the heading %q", i+1, last)
		}
	}
	// A governorate ring is a filled and stroked path ("B"): 14
	// governorates, some in several rings. The bars are filled rectangles.
	if n := len(regexp.MustCompile(`(?m)(^| )B$`).FindAllString(text, -1)); n < 14 {
		t.Errorf("got %d filled outlines, want the 14 governorates", n)
	}
	bars := 0
	for _, c := range r.Intensity.Counts {
		if c > 0 {
			bars++
		}
	}
	if n := len(regexp.MustCompile(`(?m) re f$`).FindAllString(text, -1)); n != bars || bars != 3 {
		t.Errorf("got %d bars, want one for each of the %d days with incidents (20, 26 and 28 Feb)", n, bars)
	}
	var links []string
	for d := r.Intensity.Window.From; d < r.Intensity.Window.To; d++ {
		links = append(links, dayLink(r, d))
	}
	for _, row := range append(append([]Row{}, r.Violations.ByGovernorate...), r.Violations.ByParty...) {
		links = append(links, row.Link)
	}
	rs := r.Reconciliations
	links = append(links, rs.Link, rs.InForceLink, rs.PendingLink, rs.New[0].Link)
	for _, l := range append(links, r.Violations.Link) {
		if !bytes.Contains(b, []byte("/URI ("+l+")")) {
			t.Errorf("no link to %s", l)
		}
	}
	again, err := PDF(r, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, again) {
		t.Errorf("two renderings of one report differ, so a published hash could not be checked")
	}
}

// pdfContent returns the PDF's content streams, inflated, so a test can see
// what is drawn: fpdf compresses every page.
func pdfContent(t *testing.T, b []byte) string {
	t.Helper()
	var out strings.Builder
	for _, m := range regexp.MustCompile(`(?s)/Filter /FlateDecode[^>]*>>\s*stream\r?\n(.*?)endstream`).FindAllSubmatch(b, -1) {
		zr, err := zlib.NewReader(bytes.NewReader(m[1]))
		if err != nil {
			continue // a stream of another kind
		}
		data, _ := io.ReadAll(zr)
		out.Write(data)
		out.WriteByte('\n')
	}
	if out.Len() == 0 {
		t.Fatal("no content streams found")
	}
	return out.String()
}
