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
	pages := len(regexp.MustCompile(`/Type /Page\b[^s]`).FindAll(b, -1))
	if pages != 2 {
		t.Errorf("got %d pages, want 2", pages)
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
