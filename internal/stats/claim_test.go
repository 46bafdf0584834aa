package stats

import (
	"strings"
	"testing"
	"time"

	"github.com/trucedesk/truce/internal/domain"
)

func damascus(tb testing.TB) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation("Asia/Damascus")
	if err != nil {
		tb.Fatalf("load Asia/Damascus: %v", err)
	}
	return loc
}

// claimSeries returns a strike series from 8 Feb 2016: the 14 baseline days
// then the two days of the window (22–23 Feb), then 24 Feb.
func claimSeries(baseline []int64, window ...int64) Series {
	counts := append(append(append([]int64{}, baseline...), window...), 0)
	from := DayFromDate(2016, time.February, 22) - Day(len(baseline))
	s := NewSeries("ru-af", Window{From: from, To: from + Day(len(counts))})
	for i, c := range counts {
		s.Counts[i] = c
		s.Sums[i] = float64(c)
	}
	return s
}

func repeat(v int64, n int) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func TestCheckClaim(t *testing.T) {
	loc := damascus(t)
	// Konashenkov, 24 Feb 2016: intensity "significantly decreased over the
	// past two days".
	base := domain.Claim{
		Actor: "Russia", ActorPartyID: 7, Metric: domain.MetricStrikes,
		WindowStart: time.Date(2016, 2, 22, 0, 0, 0, 0, loc),
		WindowEnd:   time.Date(2016, 2, 24, 0, 0, 0, 0, loc),
		Direction:   domain.DirectionDown, Strength: domain.StrengthSignificant,
	}
	now := time.Date(2016, 2, 25, 12, 0, 0, 0, loc)
	nine := append(repeat(9, 12), 10, 10) // 128 in 14 days: 9.14 a day
	with := func(f func(*domain.Claim)) domain.Claim { c := base; f(&c); return c }
	tests := []struct {
		name     string
		claim    domain.Claim
		series   Series
		now      time.Time
		want     Verdict
		sentence string // prefix the sentence must start with
		reason   string // substring of the reason, if set
	}{
		{
			// One-sided P(X ≤ 15 | n = 143, p = 2/16) = 0.2810 by exact
			// rational arithmetic.
			name: "not significant", claim: base, series: claimSeries(nine, 7, 8), now: now,
			want:     Contradicted,
			sentence: "The data do not support the claim: air strikes attributed to Russia fell from 9.1 a day to 7.5 a day (rate ratio 0.82, 95% CI ",
			reason:   "not significant",
		},
		{
			name: "significant fall", claim: base, series: claimSeries(repeat(10, 14), 2, 3), now: now,
			want:     Supported,
			sentence: "The data support the claim: air strikes attributed to Russia fell from 10 a day to 2.5 a day (rate ratio 0.25, 95% CI ",
		},
		{
			name:  "slight fall, not significant",
			claim: with(func(c *domain.Claim) { c.Strength = domain.StrengthSlight }), series: claimSeries(nine, 7, 8), now: now,
			want: Supported, sentence: "The data support the claim: air strikes attributed to Russia fell from 9.1 a day to 7.5 a day",
		},
		{
			name:  "slight fall that was a rise",
			claim: with(func(c *domain.Claim) { c.Strength = domain.StrengthSlight }), series: claimSeries(nine, 10, 11), now: now,
			want: Contradicted, sentence: "The data do not support the claim: air strikes attributed to Russia rose from 9.1 a day to 10.5 a day",
		},
		{
			name:  "sharp fall that was only significant",
			claim: with(func(c *domain.Claim) { c.Strength = domain.StrengthSharp }), series: claimSeries(repeat(100, 14), 60, 60), now: now,
			want: Contradicted, reason: "smaller than a factor of 2",
		},
		{
			name:  "sharp fall",
			claim: with(func(c *domain.Claim) { c.Strength = domain.StrengthSharp }), series: claimSeries(repeat(100, 14), 30, 30), now: now,
			want: Supported,
		},
		{
			name:  "claimed fall was a significant rise",
			claim: base, series: claimSeries(repeat(10, 14), 30, 25), now: now,
			want: Contradicted, sentence: "The data contradict the claim: air strikes attributed to Russia rose from 10 a day to 27.5 a day (rate ratio 2.75, 95% CI 1.98–3.78, p < 0.001 for a rise).",
			reason: "other way",
		},
		{
			name:  "claimed rise",
			claim: with(func(c *domain.Claim) { c.Direction = domain.DirectionUp }), series: claimSeries(repeat(10, 14), 30, 25), now: now,
			want: Supported,
		},
		{
			name:  "actor unknown",
			claim: with(func(c *domain.Claim) { c.ActorPartyID = 0 }), series: claimSeries(nine, 7, 8), now: now,
			want: NotTestable, sentence: `The claim cannot be tested: "Russia" is not a party the desk knows`,
		},
		{
			name: "window in the future", claim: base, series: claimSeries(nine, 7, 8),
			now:  time.Date(2016, 2, 20, 0, 0, 0, 0, loc),
			want: NotTestable, reason: "has not happened yet",
		},
		{
			name: "window not over", claim: base, series: claimSeries(nine, 7, 8),
			now:  time.Date(2016, 2, 23, 18, 0, 0, 0, loc),
			want: NotTestable, reason: "not all in yet",
		},
		{
			name: "data miss the baseline", claim: base, series: claimSeries(repeat(9, 5), 7, 8), now: now,
			want: NotTestable, reason: "the check needs 2016-02-08 to 2016-02-23",
		},
		{
			// One event in all: even with it in the baseline, P = 14/16.
			name: "too few events", claim: base, series: claimSeries(append(repeat(0, 13), 1), 0, 0), now: now,
			want: NotTestable, reason: "too few",
		},
		{
			name: "no events at all", claim: base, series: claimSeries(repeat(0, 14), 0, 0), now: now,
			want: NotTestable, reason: "no air strikes attributed to Russia",
		},
		{
			name:  "stopped",
			claim: with(func(c *domain.Claim) { c.Direction = domain.DirectionStopped }), series: claimSeries(repeat(3, 14), 0, 0), now: now,
			want: Supported,
		},
		{
			name:  "stopped but one strike",
			claim: with(func(c *domain.Claim) { c.Direction = domain.DirectionStopped }), series: claimSeries(repeat(3, 14), 0, 1), now: now,
			want: Contradicted, sentence: "The data contradict the claim",
		},
		{
			// P(0 in 2 days | 2 events in 16) = (14/16)² = 0.77: a lull.
			name:  "stopped after almost nothing",
			claim: with(func(c *domain.Claim) { c.Direction = domain.DirectionStopped }), series: claimSeries(append(repeat(0, 12), 1, 1), 0, 0), now: now,
			want: NotTestable, reason: "lull",
		},
		{
			name:  "unchanged, precisely",
			claim: with(func(c *domain.Claim) { c.Direction = domain.DirectionSame; c.Strength = "" }), series: claimSeries(repeat(100, 14), 100, 101), now: now,
			want: Supported,
		},
		{
			name:  "unchanged, too few to tell",
			claim: with(func(c *domain.Claim) { c.Direction = domain.DirectionSame; c.Strength = "" }), series: claimSeries(nine, 9, 9), now: now,
			want: NotTestable, reason: "too few to show the rate held steady",
		},
		{
			name:  "unchanged, but it fell",
			claim: with(func(c *domain.Claim) { c.Direction = domain.DirectionSame; c.Strength = "" }), series: claimSeries(repeat(100, 14), 50, 50), now: now,
			want: Contradicted, sentence: "The data contradict the claim",
		},
		{
			name: "a level reached",
			claim: with(func(c *domain.Claim) {
				c.Metric, c.Direction, c.Value, c.Actor, c.ActorPartyID = domain.MetricMessages, domain.DirectionCount, 24, "", 0
			}),
			series: claimSeries(nine, 12, 15), now: now,
			want: Supported, sentence: "The data support the claim: messages numbered 27 over 2016-02-22 to 2016-02-23, against at least 24 claimed.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CheckClaim(tt.claim, tt.series, loc, tt.now, ClaimOptions{})
			if err != nil {
				t.Fatalf("CheckClaim: %v", err)
			}
			t.Logf("%s: %s", got.Verdict, got.Sentence)
			if got.Verdict != tt.want {
				t.Errorf("verdict: got %s (%s), want %s", got.Verdict, got.Reason, tt.want)
			}
			if !strings.HasPrefix(got.Sentence, tt.sentence) {
				t.Errorf("sentence:\n got %q\nwant it to start %q", got.Sentence, tt.sentence)
			}
			if !strings.Contains(got.Reason, tt.reason) {
				t.Errorf("reason: got %q, want it to mention %q", got.Reason, tt.reason)
			}
			if strings.Contains(got.Sentence, "NaN") || strings.Contains(got.Sentence, "Inf") {
				t.Errorf("sentence shows a non-figure: %q", got.Sentence)
			}
		})
	}
}

func TestCheckClaimFigures(t *testing.T) {
	loc := damascus(t)
	c := domain.Claim{
		Actor: "Russia", ActorPartyID: 7, Metric: domain.MetricStrikes,
		WindowStart: time.Date(2016, 2, 22, 0, 0, 0, 0, loc),
		WindowEnd:   time.Date(2016, 2, 24, 0, 0, 0, 0, loc),
		Direction:   domain.DirectionDown, Strength: domain.StrengthSignificant,
	}
	got, err := CheckClaim(c, claimSeries(append(repeat(9, 12), 10, 10), 7, 8), loc, time.Date(2016, 3, 1, 0, 0, 0, 0, time.UTC), ClaimOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wantWindow := Window{From: DayFromDate(2016, 2, 22), To: DayFromDate(2016, 2, 24)}
	if got.Window != wantWindow || got.Baseline != wantWindow.Before(14) {
		t.Errorf("windows: got %s and %s, want %s and %s", got.Window, got.Baseline, wantWindow, wantWindow.Before(14))
	}
	if got.Test == nil || got.Test.Method != MethodExact || got.Test.CountA != 15 || got.Test.CountB != 128 {
		t.Fatalf("test: got %+v, want the exact test on 15 vs 128", got.Test)
	}
	if !near(got.P, 0.28103860, 1e-7) {
		t.Errorf("p: got %.8f, want 0.28103860", got.P)
	}
	if !strings.HasSuffix(got.Sentence, "p = 0.28).") {
		t.Errorf("sentence: got %q, want it to end with p = 0.28", got.Sentence)
	}
}

func TestCheckClaimErrors(t *testing.T) {
	loc := damascus(t)
	good := domain.Claim{
		Metric: domain.MetricAttacks, Direction: domain.DirectionDown,
		WindowStart: time.Date(2016, 2, 22, 0, 0, 0, 0, loc), WindowEnd: time.Date(2016, 2, 24, 0, 0, 0, 0, loc),
	}
	s := claimSeries(repeat(3, 14), 1, 1)
	tests := []struct {
		name  string
		claim domain.Claim
		loc   *time.Location
		field string
	}{
		{"unknown direction", func() domain.Claim { c := good; c.Direction = "sideways"; return c }(), loc, "direction"},
		{"unknown strength", func() domain.Claim { c := good; c.Strength = "hugely"; return c }(), loc, "strength"},
		{"unknown metric", func() domain.Claim { c := good; c.Metric = "sorties"; return c }(), loc, "metric"},
		{"no window", func() domain.Claim { c := good; c.WindowEnd = time.Time{}; return c }(), loc, "window_start"},
		{"reversed window", func() domain.Claim { c := good; c.WindowEnd = c.WindowStart.Add(-time.Hour); return c }(), loc, ""},
		{"no time zone", good, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := CheckClaim(tt.claim, s, tt.loc, time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC), ClaimOptions{})
			if domain.ErrorCode(err) != domain.EINVALID || domain.ErrorField(err) != tt.field {
				t.Errorf("got %v (field %q), want an invalid error on field %q", err, domain.ErrorField(err), tt.field)
			}
		})
	}
}
