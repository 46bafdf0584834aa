package stats

import (
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trucedesk/truce/internal/domain"
)

// loadVDC reads the VDC's documented deaths per governorate per day (see
// testdata/ATTRIBUTION.md) as daily counts.
func loadVDC(tb testing.TB) []domain.DailyCount {
	tb.Helper()
	f, err := os.Open("testdata/casualties_by_province_by_day.csv")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatalf("read VDC csv: %v", err)
	}
	head := recs[0]
	var rows []domain.DailyCount
	for _, rec := range recs[1:] {
		for i := 1; i < len(rec); i++ {
			v, err := strconv.ParseFloat(rec[i], 64)
			if err != nil {
				tb.Fatalf("%s %s: %v", rec[0], head[i], err)
			}
			rows = append(rows, domain.DailyCount{Series: "vdc-deaths", Region: head[i], Day: rec[0], Value: v})
		}
	}
	return rows
}

// TestVDC checks the change in documented deaths around the start of the
// cessation of hostilities (00:00 Damascus time, 27 Feb 2016): the 14 days
// from 27 Feb against the 14 days before, per governorate and in all, and
// the changepoints of the national series over January–April 2016. Run with
// -v it prints the tables of docs/vdc-2016.md.
func TestVDC(t *testing.T) {
	// report logs a line of the tables and keeps it, so that the test can
	// check that docs/vdc-2016.md shows the figures the code computes.
	var lines []string
	report := func(format string, args ...any) {
		t.Helper()
		t.Logf(format, args...)
		lines = append(lines, fmt.Sprintf(format, args...))
	}
	defer func() { checkDoc(t, "../../docs/vdc-2016.md", lines) }()
	rows := loadVDC(t)
	w := Window{From: DayFromDate(2016, 1, 1), To: DayFromDate(2016, 5, 1)}
	series, err := FromDailyCounts(rows, w)
	if err != nil {
		t.Fatal(err)
	}
	if len(series) != 14 {
		t.Fatalf("governorates: got %d, want 14", len(series))
	}
	total, err := Total("All governorates", w, series)
	if err != nil {
		t.Fatal(err)
	}
	after := Window{From: DayFromDate(2016, 2, 27), To: DayFromDate(2016, 3, 12)}
	before := after.Before(14)
	report("Deaths documented by the VDC, %s (before) against %s (after):", before, after)
	report("")
	report("| governorate | before | after | a day before | a day after | ratio (95%% CI) | p, fall | test | φ |")
	report("|---|---:|---:|---:|---:|---|---:|---|---:|")
	results := map[string]RateTest{}
	for _, s := range append(series, total) {
		a, err := s.Values(after, false)
		if err != nil {
			t.Fatal(err)
		}
		b, err := s.Values(before, false)
		if err != nil {
			t.Fatal(err)
		}
		c, err := Compare(a, b, 0.95)
		if err != nil {
			report("| %s | %.0f | %.0f | | | %s | | | |", s.Key, sum(b), sum(a), domain.ErrorMessage(err))
			continue
		}
		r := c.Best()
		results[s.Key] = r
		phi := "–"
		if c.Dispersion != nil {
			phi = fmt.Sprintf("%.2f", c.Dispersion.Phi)
		}
		method := "exact"
		if r.Method == MethodQuasi {
			method = "quasi-Poisson"
		}
		report("| %s | %.0f | %.0f | %s | %s | %s (%s) | %s | %s | %s |", s.Key, r.CountB, r.CountA,
			fmtNum(r.RateB), fmtNum(r.RateA), fmtRatio(r.Ratio), ciText(r), pText(r.PLess), method, phi)
	}

	// The national series fell from 577 to 432 deaths (41.2 to 30.9 a
	// day); the days are overdispersed, so the quasi-Poisson test decides,
	// and finds the fall significant one-sided at 5% (though the two-sided
	// 95% interval still reaches 1).
	all := results["All governorates"]
	if all.CountB != 577 || all.CountA != 432 {
		t.Errorf("national totals: got %v before and %v after, want 577 and 432", all.CountB, all.CountA)
	}
	if all.Method != MethodQuasi || !(all.Ratio < 1) || !(all.PLess < 0.05) {
		t.Errorf("national change: got %s ratio %.3f (%.3f–%.3f), p %.4f; want a significant fall by the quasi-Poisson test",
			all.Method, all.Ratio, all.Low, all.High, all.PLess)
	}
	// The exact test, blind to the clustering of deaths, would call the fall
	// overwhelming; the diagnostic must say not to trust it.
	if c, err := Compare(mustValues(t, total, after), mustValues(t, total, before), 0.95); err != nil || c.Exact.PLess >= 0.001 || !c.Dispersion.Overdispersed {
		t.Errorf("national exact test: got %+v, %v; want p < 0.001 flagged as overdispersed", c, err)
	}
	// Aleppo, the main front, fell too.
	if r := results["Aleppo"]; !(r.Ratio < 1) {
		t.Errorf("Aleppo: got ratio %.3f, want a fall", r.Ratio)
	}

	values, err := total.Values(w, false)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := DetectChanges(values, w.From, ChangeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	report("")
	report("Changepoints of national deaths, %s (PELT, Poisson cost over dispersion %.2f, penalty %.2f):", w, cp.Dispersion, cp.Penalty)
	report("")
	report("| segment | days | deaths | a day |")
	report("|---|---:|---:|---:|")
	for _, s := range cp.Segments {
		report("| %s | %d | %.0f | %s |", s.Window, s.Window.Days(), s.Total, fmtNum(s.Rate))
	}
	report("")
	for _, c := range cp.Changes {
		report("- from %s: %s → %s a day (ratio %s)", c.Day, fmtNum(c.Before), fmtNum(c.After), fmtRatio(c.Ratio))
	}
	// The detector must place a fall within a week of the start.
	found := false
	for _, c := range cp.Changes {
		if c.Day >= after.From-7 && c.Day <= after.From+7 && c.Ratio < 1 {
			found = true
		}
	}
	if !found {
		t.Errorf("changepoints %+v: want a fall within a week of %s", cp.Changes, after.From)
	}

	// The Russian claim of 24 Feb, checked against all documented deaths as a
	// proxy (the VDC does not say who killed whom in this file).
	loc := damascus(t)
	claim := domain.Claim{
		Metric:      domain.MetricFatalities,
		WindowStart: time.Date(2016, 2, 22, 0, 0, 0, 0, loc), WindowEnd: time.Date(2016, 2, 24, 0, 0, 0, 0, loc),
		Direction: domain.DirectionDown, Strength: domain.StrengthSignificant,
		Text: "intensity significantly decreased over the past two days",
	}
	cc, err := CheckClaim(claim, total, loc, time.Date(2016, 2, 24, 12, 0, 0, 0, loc), ClaimOptions{})
	if err != nil {
		t.Fatal(err)
	}
	report("")
	report("Claim of 24 Feb 2016 against all documented deaths: %s. %s", cc.Verdict, cc.Sentence)
	if cc.Verdict != Contradicted {
		t.Errorf("claim verdict: got %s (%s), want %s", cc.Verdict, cc.Sentence, Contradicted)
	}
}

// checkDoc fails for every line of want that the document does not hold
// verbatim, naming it, so the published figures cannot drift from the code.
func checkDoc(t *testing.T, path string, want []string) {
	t.Helper()
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, l := range strings.Split(string(doc), "\n") {
		have[strings.TrimSpace(l)] = true
	}
	for _, l := range want {
		if l = strings.TrimSpace(l); l != "" && !have[l] {
			t.Errorf("%s does not show this line of the test's output (run go test ./internal/stats -run TestVDC -v and update it):\n%s", path, l)
		}
	}
}

func ciText(r RateTest) string {
	if math.IsInf(r.High, 1) {
		return fmt.Sprintf("%.2f–∞", r.Low)
	}
	return fmt.Sprintf("%.2f–%.2f", r.Low, r.High)
}

func pText(p float64) string {
	if p < 0.001 {
		return "< 0.001"
	}
	return fmt.Sprintf("%.3f", p)
}

func mustValues(tb testing.TB, s Series, w Window) []float64 {
	tb.Helper()
	v, err := s.Values(w, false)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}
