package stats

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/trucedesk/truce/internal/domain"
)

func TestDayOfLocalMidnight(t *testing.T) {
	loc := damascus(t)
	tests := []struct {
		at   time.Time
		want Day
	}{
		// 00:00 Damascus on 27 Feb 2016 (UTC+2) is 22:00 UTC on the 26th.
		{time.Date(2016, 2, 26, 21, 59, 59, 0, time.UTC), DayFromDate(2016, 2, 26)},
		{time.Date(2016, 2, 26, 22, 0, 0, 0, time.UTC), DayFromDate(2016, 2, 27)},
		{time.Date(1969, 12, 31, 23, 0, 0, 0, time.UTC), DayFromDate(1970, 1, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.at.Format(time.RFC3339), func(t *testing.T) {
			if got := DayOf(tt.at, loc); got != tt.want {
				t.Errorf("DayOf: got %s, want %s", got, tt.want)
			}
			c := newDayClock(loc)
			if got := c.day(tt.at); got != tt.want {
				t.Errorf("dayClock: got %s, want %s", got, tt.want)
			}
		})
	}
}

// TestDayClockMatchesDayOf walks through two years, daylight-saving changes
// included, in steps that are not a divisor of a day, jumping back and forth
// so that the cached zone span must be refreshed both ways.
func TestDayClockMatchesDayOf(t *testing.T) {
	for _, name := range []string{"Asia/Damascus", "Europe/London", "America/St_Johns", "UTC"} {
		t.Run(name, func(t *testing.T) {
			loc, err := time.LoadLocation(name)
			if err != nil {
				t.Skipf("no zone %s: %v", name, err)
			}
			c := newDayClock(loc)
			start := time.Date(2015, 6, 1, 0, 0, 0, 0, time.UTC)
			for i := 0; i < 2*365*24*60/37; i++ {
				at := start.Add(time.Duration(i) * 37 * time.Minute)
				if i%5 == 0 {
					at = start.Add(time.Duration(2*365*24*60/37-i) * 37 * time.Minute)
				}
				if got, want := c.day(at), DayOf(at, loc); got != want {
					t.Fatalf("%s: got %s, want %s", at.Format(time.RFC3339), got, want)
				}
			}
		})
	}
}

func TestWindowOf(t *testing.T) {
	loc := damascus(t)
	tests := []struct {
		name       string
		start, end time.Time
		want       string
	}{
		{"two days to midnight", time.Date(2016, 2, 22, 0, 0, 0, 0, loc), time.Date(2016, 2, 24, 0, 0, 0, 0, loc), "2016-02-22 to 2016-02-23"},
		{"partial days", time.Date(2016, 2, 22, 13, 0, 0, 0, loc), time.Date(2016, 2, 24, 9, 0, 0, 0, loc), "2016-02-22 to 2016-02-24"},
		{"one day", time.Date(2016, 2, 27, 0, 0, 0, 0, loc), time.Date(2016, 2, 28, 0, 0, 0, 0, loc), "2016-02-27"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := WindowOf(tt.start, tt.end, loc)
			if err != nil {
				t.Fatal(err)
			}
			if got := w.String(); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
	if _, err := WindowOf(time.Date(2016, 2, 24, 0, 0, 0, 0, loc), time.Date(2016, 2, 22, 0, 0, 0, 0, loc), loc); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("reversed window: got %v, want an invalid error", err)
	}
}

func TestParseDay(t *testing.T) {
	d, err := ParseDay("2016-02-27")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := d, DayFromDate(2016, time.February, 27); got != want {
		t.Errorf("got %d, want %d", got, want)
	}
	if got := d.String(); got != "2016-02-27" {
		t.Errorf("String: got %s, want 2016-02-27", got)
	}
	if got, want := d.In(damascus(t)), time.Date(2016, 2, 27, 0, 0, 0, 0, damascus(t)); !got.Equal(want) {
		t.Errorf("In: got %s, want %s", got, want)
	}
	for _, bad := range []string{"", "27/02/2016", "2016-02-30"} {
		if _, err := ParseDay(bad); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("ParseDay(%q): got %v, want an invalid error", bad, err)
		}
	}
}

func TestBucket(t *testing.T) {
	loc := damascus(t)
	w := Window{From: DayFromDate(2016, 2, 26), To: DayFromDate(2016, 2, 29)}
	at := func(d, h int) time.Time { return time.Date(2016, 2, d, h, 0, 0, 0, time.UTC) }
	events := []Event{
		{At: at(26, 10), Weight: 3, Perpetrator: "ru-af"},
		{At: at(26, 23), Weight: 1, Perpetrator: "ru-af"}, // 01:00 on the 27th in Damascus
		{At: at(26, 23), Weight: 2, Perpetrator: "saa"},
		{At: at(28, 12), Weight: 0, Perpetrator: "ru-af"},
		{At: at(25, 12), Weight: 5, Perpetrator: "ru-af"}, // before the window
		{At: at(28, 22), Weight: 5, Perpetrator: "saa"},   // 00:00 on the 29th: after it
	}
	got, err := Bucket(events, loc, w, KeyPerpetrator)
	if err != nil {
		t.Fatal(err)
	}
	want := []Series{
		{Key: "ru-af", Window: w, Counts: []int64{1, 1, 1}, Sums: []float64{3, 1, 0}},
		{Key: "saa", Window: w, Counts: []int64{0, 1, 0}, Sums: []float64{0, 2, 0}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Bucket by perpetrator (-want +got):\n%s", diff)
	}
	total, err := Total("", w, got)
	if err != nil {
		t.Fatal(err)
	}
	all, err := Bucket(events, loc, w, KeyNone)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]Series{total}, all); diff != "" {
		t.Errorf("Total vs ungrouped (-total +all):\n%s", diff)
	}
	empty, err := Bucket(nil, loc, w, KeyNone)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]Series{NewSeries("", w)}, empty); diff != "" {
		t.Errorf("no events: want one zero series (-want +got):\n%s", diff)
	}
}

func TestBucketErrors(t *testing.T) {
	w := Window{From: 10, To: 12}
	tests := []struct {
		name     string
		loc      *time.Location
		w        Window
		by       Key
		contains string
	}{
		{"no zone", nil, w, KeyNone, "time zone"},
		{"empty window", time.UTC, Window{From: 12, To: 12}, KeyNone, "no days"},
		{"unknown key", time.UTC, w, "colour", "cannot group by"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Bucket(nil, tt.loc, tt.w, tt.by)
			if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("got %v, want an invalid error mentioning %q", err, tt.contains)
			}
		})
	}
}

func TestSeriesValues(t *testing.T) {
	s := Series{Key: "x", Window: Window{From: 10, To: 14}, Counts: []int64{1, 2, 3, 4}, Sums: []float64{1.5, 0, 3, 8}}
	got, err := s.Values(Window{From: 11, To: 13}, false)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]float64{2, 3}, got); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
	got, err = s.Values(Window{From: 12, To: 14}, true)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]float64{3, 8}, got); diff != "" {
		t.Errorf("sums (-want +got):\n%s", diff)
	}
	if _, err := s.Values(Window{From: 9, To: 12}, false); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("window beyond the data: got %v, want an invalid error", err)
	}
}

func TestFromDailyCounts(t *testing.T) {
	w := Window{From: DayFromDate(2016, 2, 26), To: DayFromDate(2016, 2, 29)}
	rows := []domain.DailyCount{
		{Series: "vdc", Region: "Aleppo", Day: "2016-02-26", Value: 4},
		{Series: "vdc", Region: "Aleppo", Day: "2016-02-28", Value: 1},
		{Series: "vdc", Region: "Idlib", Day: "2016-02-27", Value: 2},
		{Series: "vdc", Region: "Idlib", Day: "2016-03-01", Value: 9},
	}
	got, err := FromDailyCounts(rows, w)
	if err != nil {
		t.Fatal(err)
	}
	want := []Series{
		{Key: "Aleppo", Window: w, Counts: []int64{4, 0, 1}, Sums: []float64{4, 0, 1}},
		{Key: "Idlib", Window: w, Counts: []int64{0, 2, 0}, Sums: []float64{0, 2, 0}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for _, bad := range []domain.DailyCount{
		{Region: "Aleppo", Day: "2016-02-26", Value: 1.5},
		{Region: "Aleppo", Day: "2016-02-26", Value: -1},
		{Region: "Aleppo", Day: "26 Feb 2016", Value: 1},
	} {
		if _, err := FromDailyCounts([]domain.DailyCount{bad}, w); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("%+v: got %v, want an invalid error", bad, err)
		}
	}
}

func TestMetricFilter(t *testing.T) {
	strike := &Event{Type: domain.SubAirStrike, Verdict: VerdictViolation}
	shell := &Event{Type: domain.SubShelling, Verdict: "not_violation"}
	tests := []struct {
		m             domain.Metric
		strike, shell bool
		sums          bool
	}{
		{domain.MetricStrikes, true, false, false},
		{domain.MetricShelling, false, true, false},
		{domain.MetricAttacks, true, true, false},
		{domain.MetricViolations, true, false, false},
		{domain.MetricFatalities, true, true, true},
	}
	for _, tt := range tests {
		t.Run(string(tt.m), func(t *testing.T) {
			keep, sums, err := MetricFilter(tt.m)
			if err != nil {
				t.Fatal(err)
			}
			if got := [3]bool{keep(strike), keep(shell), sums}; got != [3]bool{tt.strike, tt.shell, tt.sums} {
				t.Errorf("strike, shelling, sums: got %v, want %v", got, [3]bool{tt.strike, tt.shell, tt.sums})
			}
		})
	}
	if _, _, err := MetricFilter("sorties"); domain.ErrorField(err) != "metric" {
		t.Errorf("unknown metric: got %v, want an error on field metric", err)
	}
}
