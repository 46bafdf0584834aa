package analysis

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/stats"
)

// Level is the confidence level of every interval the desk reports.
const Level = 0.95

// Metric says what a series counts: incidents, or their fatalities.
type Metric string

// The metrics of series and tests.
const (
	MetricIncidents  Metric = "incidents"
	MetricFatalities Metric = "fatalities"
)

// ParseMetric reads a metric, defaulting to incidents.
func ParseMetric(s string) (Metric, error) {
	switch Metric(s) {
	case "", MetricIncidents:
		return MetricIncidents, nil
	case MetricFatalities:
		return MetricFatalities, nil
	}
	return "", domain.FieldErrorf("metric", "unknown metric %q: use incidents or fatalities", s)
}

// Values returns the series' daily counts, or sums for fatalities.
func (m Metric) Values(s stats.Series) []float64 {
	out := make([]float64, len(s.Counts))
	for i := range s.Counts {
		if m == MetricFatalities {
			out[i] = s.Sums[i]
		} else {
			out[i] = float64(s.Counts[i])
		}
	}
	return out
}

// Comparison is the answer to "did the rate change": the recent window
// against the baseline just before it.
type Comparison struct {
	Metric     Metric            `json:"metric"`
	Window     stats.Window      `json:"window"`
	Baseline   stats.Window      `json:"baseline"`
	Comparison *stats.Comparison `json:"comparison"`
	// Preferred is the test to trust: the quasi-Poisson test when the days
	// vary more than Poisson allows, else the exact test.
	Preferred stats.RateTest `json:"preferred"`
	Why       string         `json:"why"`
	Sentence  string         `json:"sentence"`
}

// Compare tests the rate of the window days before until (exclusive)
// against the baseline days before them, for the incidents q selects (its
// Window is set here; By is ignored).
func (an *Analyzer) Compare(ctx context.Context, q Query, m Metric, until stats.Day, window, baseline int) (*Comparison, error) {
	w := stats.Window{From: until - stats.Day(window), To: until}
	b := w.Before(baseline)
	q.Window, q.By = stats.Window{From: b.From, To: w.To}, stats.KeyNone
	series, err := an.Daily(ctx, q)
	if err != nil {
		return nil, err
	}
	all := m.Values(series[0])
	vb, va := all[:baseline], all[baseline:]
	c, err := stats.Compare(va, vb, Level)
	if err != nil {
		if domain.ErrorCode(err) == domain.EINVALID {
			return nil, domain.Errorf(domain.EINVALID, "no test for %s against %s: %s", w, b, domain.ErrorMessage(err))
		}
		return nil, err
	}
	out := &Comparison{Metric: m, Window: w, Baseline: b, Comparison: c, Preferred: c.Best()}
	switch {
	case c.Preferred == stats.MethodQuasi && c.Dispersion != nil && c.Dispersion.Overdispersed:
		out.Why = fmt.Sprintf("the days vary more than Poisson allows (dispersion %.1f), so the quasi-Poisson test is trusted; the exact test's p-value would be too small", c.Dispersion.Phi)
	case c.Preferred == stats.MethodQuasi:
		out.Why = "the values are not whole counts, so only the quasi-Poisson test applies"
	default:
		out.Why = "the days vary no more than Poisson allows, so the exact test is trusted"
	}
	out.Sentence = rateSentence(string(m), out.Preferred, w, b)
	return out, nil
}

// rateSentence says what a test found in words a reader can quote.
func rateSentence(what string, t stats.RateTest, w, b stats.Window) string {
	move := "held at"
	switch {
	case t.RateA < t.RateB:
		move = fmt.Sprintf("fell from %.1f a day (%s) to", t.RateB, b)
	case t.RateA > t.RateB:
		move = fmt.Sprintf("rose from %.1f a day (%s) to", t.RateB, b)
	}
	ratio := "no rate ratio (none in the baseline)"
	if t.CountB > 0 {
		ratio = fmt.Sprintf("rate ratio %.2f, %.0f%% CI %.2f–%s", t.Ratio, t.Level*100, t.Low, fmtHigh(t.High))
	}
	sig := "not a significant change"
	if t.PTwoSided < 1-t.Level {
		sig = "a significant change"
	}
	return fmt.Sprintf("%s %s %.1f a day (%s): %s, two-sided %s; %s.",
		capital(what), move, t.RateA, w, ratio, fmtP(t.PTwoSided), sig)
}

func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func fmtHigh(h float64) string {
	if h > 1e300 {
		return "unbounded"
	}
	return fmt.Sprintf("%.2f", h)
}

func fmtP(p float64) string {
	switch {
	case p < 0.001:
		return "p < 0.001"
	case p < 0.1:
		return fmt.Sprintf("p = %.3f", p)
	}
	return fmt.Sprintf("p = %.2f", p)
}

// Changepoints finds the days on which the daily rate of q changed.
func (an *Analyzer) Changepoints(ctx context.Context, q Query, m Metric, opt stats.ChangeOptions) (*stats.Changepoints, error) {
	q.By = stats.KeyNone
	series, err := an.Daily(ctx, q)
	if err != nil {
		return nil, err
	}
	values := m.Values(series[0])
	if !slices.ContainsFunc(values, func(v float64) bool { return v != 0 }) {
		// A flat zero is not "no change": it is no data to find one in.
		return nil, domain.Errorf(domain.EINVALID, "there are no %s in %s for these filters, so there is no rate whose changes could be found",
			m, an.describe(q.Window))
	}
	return stats.DetectChanges(values, q.Window.From, opt)
}

// CheckClaim checks a claim against the incidents: the actor, given as a
// slug, a name or an alias, is resolved through the registry, and the
// claim's metric selects which incidents count. A claim the data cannot
// decide is answered NotTestable with the reason, never with a made-up figure.
func (an *Analyzer) CheckClaim(ctx context.Context, c domain.Claim) (*stats.ClaimCheck, error) {
	if strings.TrimSpace(c.Actor) != "" && c.ActorPartyID == 0 {
		if p, err := an.ResolveParty(c.Actor); err == nil {
			c.ActorPartyID = p.ID
		} else if domain.ErrorCode(err) != domain.EINVALID {
			return nil, err
		}
		// An unknown actor stays unresolved: CheckClaim says it cannot be tested.
	}
	var actor *domain.Party
	if c.ActorPartyID != 0 {
		if actor = an.byID[c.ActorPartyID]; actor == nil {
			return nil, domain.FieldErrorf("actor_party_id", "party %d does not exist", c.ActorPartyID)
		}
		if strings.TrimSpace(c.Actor) == "" {
			c.Actor = actor.Name
		}
	}
	if c.WindowStart.IsZero() || c.WindowEnd.IsZero() {
		return nil, domain.FieldErrorf("window_start", "a claim needs the start and end of its window")
	}
	w, err := stats.WindowOf(c.WindowStart, c.WindowEnd, an.Loc)
	if err != nil {
		return nil, err
	}
	days := 14
	if c.Baseline < 0 {
		return nil, domain.FieldErrorf("baseline", "cannot be negative")
	} else if c.Baseline > 0 {
		days = int((c.Baseline + 24*time.Hour - 1) / (24 * time.Hour))
	}
	span := stats.Window{From: w.From - stats.Day(days), To: w.To}
	if span.Days() > MaxDays {
		return nil, domain.Errorf(domain.EINVALID, "the claim's window and baseline span %d days; at most %d", span.Days(), MaxDays)
	}
	q := Query{By: stats.KeyNone}
	switch c.Metric {
	case domain.MetricStrikes:
		q.Types = []string{domain.SubAirStrike}
	case domain.MetricShelling:
		q.Types = []string{domain.SubShelling}
	case domain.MetricAttacks, domain.MetricFatalities:
	case domain.MetricViolations:
		if !an.HasVerdicts(ctx) {
			return notTestable(c, w, "no compliance verdicts are stored yet, so violations cannot be counted"), nil
		}
		q.Verdict = stats.VerdictViolation
	case domain.MetricMessages:
		return notTestable(c, w, "the desk does not keep daily series of messages yet"), nil
	default:
		return nil, domain.FieldErrorf("metric", "unknown metric %q", c.Metric)
	}
	// Days after today hold no data; a series over them is still built (all
	// zero) so that stats can say which days are missing.
	today := an.Today()
	q.Window = span
	if span.To > today+1 {
		q.Window.To = max(today+1, span.From+1)
	}
	var s stats.Series
	if span.From <= today {
		if actor != nil {
			q.By = stats.KeyPerpetrator
		}
		series, err := an.Daily(ctx, q)
		if err != nil {
			return nil, err
		}
		key := ""
		if actor != nil {
			key = actor.Slug
		}
		s = One(series, key, q.Window)
	} else {
		s = stats.NewSeries("", stats.Window{From: span.From, To: span.From + 1})
	}
	return stats.CheckClaim(c, s, an.Loc, an.Now(), stats.ClaimOptions{BaselineDays: days})
}

func notTestable(c domain.Claim, w stats.Window, reason string) *stats.ClaimCheck {
	return &stats.ClaimCheck{Claim: c, Verdict: stats.NotTestable, Reason: reason, Window: w,
		Sentence: "The claim cannot be tested: " + reason + "."}
}
