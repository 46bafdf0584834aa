package stats

import (
	"encoding/json"
	"math"

	"github.com/trucedesk/truce/internal/domain"
)

// Segment is a run of days with one rate.
type Segment struct {
	Window Window  `json:"window"`
	Total  float64 `json:"total"`
	Rate   float64 `json:"rate"` // per day
}

// Change is a day on which the rate changed: the first day of the new rate.
type Change struct {
	Day    Day     `json:"day"`
	Before float64 `json:"before"` // rate per day in the segment before
	After  float64 `json:"after"`
	// Ratio is After/Before; +Inf (null in JSON) when Before is zero.
	Ratio float64 `json:"ratio"`
}

// MarshalJSON writes an unbounded ratio (a change from nothing) as null.
func (c Change) MarshalJSON() ([]byte, error) {
	type plain Change
	return json.Marshal(struct {
		plain
		Ratio *float64 `json:"ratio"`
	}{plain(c), finite(c.Ratio)})
}

// Changepoints is what DetectChanges found.
type Changepoints struct {
	Segments []Segment `json:"segments"`
	Changes  []Change  `json:"changes"`
	// Dispersion is the variance-to-mean factor the cost was scaled by, and
	// Penalty the cost of one more change on that scale.
	Dispersion float64 `json:"dispersion"`
	Penalty    float64 `json:"penalty"`
}

// ChangeOptions tunes DetectChanges; the zero value is the documented default.
type ChangeOptions struct {
	// MinSegment is the fewest days a segment may have (default 3), so a
	// single bad day is not reported as a new regime.
	MinSegment int
	// Penalty is the cost of one more change, in units of the Poisson
	// deviance; zero means 2·ln(days), the BIC for a change that adds a
	// location and a rate.
	Penalty float64
	// Dispersion scales the deviance for overdispersed days; zero means
	// estimate it from day-to-day differences (at least 1), and 1 means
	// trust the Poisson model.
	Dispersion float64
}

// DetectChanges finds the days on which the daily rate of values (day
// start, start+1, …) changed, by PELT (Killick, Fearnhead & Eckley 2012):
// the segmentation that minimises the Poisson deviance of piecewise-constant
// rates plus a penalty per change, found exactly in near-linear time.
// Clustered days would make pure Poisson costs report many spurious changes,
// so the deviance is divided by a dispersion factor estimated from
// day-to-day differences, which a level shift barely affects.
func DetectChanges(values []float64, start Day, opt ChangeOptions) (*Changepoints, error) {
	n := len(values)
	if opt.MinSegment == 0 {
		opt.MinSegment = 3
	}
	if opt.MinSegment < 1 {
		return nil, domain.Errorf(domain.EINVALID, "the shortest segment must be at least one day, got %d", opt.MinSegment)
	}
	if n < 2*opt.MinSegment {
		return nil, domain.Errorf(domain.EINVALID, "%d days are too few to find a change with segments of at least %d days", n, opt.MinSegment)
	}
	if err := checkDaily(values, values[:1]); err != nil {
		return nil, err
	}
	if opt.Penalty < 0 || opt.Dispersion < 0 {
		return nil, domain.Errorf(domain.EINVALID, "the penalty and dispersion cannot be negative")
	}
	if opt.Penalty == 0 {
		opt.Penalty = 2 * math.Log(float64(n))
	}
	if opt.Dispersion == 0 {
		opt.Dispersion = diffDispersion(values)
	}
	cum := make([]float64, n+1)
	for i, v := range values {
		cum[i+1] = cum[i] + v
	}
	// cost is the Poisson deviance of days [s, e) about their mean, less the
	// part that does not depend on the segmentation, over the dispersion.
	cost := func(s, e int) float64 {
		S := cum[e] - cum[s]
		if S == 0 {
			return 0
		}
		return -2 * S * math.Log(S/float64(e-s)) / opt.Dispersion
	}
	beta := opt.Penalty
	F := make([]float64, n+1)
	last := make([]int, n+1)
	F[0] = -beta
	cands := []int{}
	m := opt.MinSegment
	for t := m; t <= n; t++ {
		// t−m becomes a candidate for the last change once a segment of m
		// days can follow it; 0 is the start of the series.
		if t-m == 0 || t-m >= m {
			cands = append(cands, t-m)
		}
		best, arg := math.Inf(1), -1
		for _, s := range cands {
			if v := F[s] + cost(s, t) + beta; v < best {
				best, arg = v, s
			}
		}
		F[t], last[t] = best, arg
		// PELT pruning: a start that is already worse than the optimum by
		// more than nothing can never become optimal later, as the cost is
		// additive (splitting a segment never costs more).
		kept := cands[:0]
		for _, s := range cands {
			if F[s]+cost(s, t) <= F[t] {
				kept = append(kept, s)
			}
		}
		cands = kept
	}
	if math.IsInf(F[n], 1) || last[n] < 0 {
		return nil, domain.Errorf(domain.EINTERNAL, "no segmentation of %d days found", n)
	}
	var bounds []int
	for t := n; t > 0; t = last[t] {
		bounds = append(bounds, t)
	}
	bounds = append(bounds, 0)
	cp := &Changepoints{Dispersion: opt.Dispersion, Penalty: beta}
	for i := len(bounds) - 1; i > 0; i-- {
		s, e := bounds[i], bounds[i-1]
		tot := cum[e] - cum[s]
		cp.Segments = append(cp.Segments, Segment{
			Window: Window{From: start + Day(s), To: start + Day(e)},
			Total:  tot, Rate: tot / float64(e-s),
		})
	}
	for i := 1; i < len(cp.Segments); i++ {
		b, a := cp.Segments[i-1], cp.Segments[i]
		cp.Changes = append(cp.Changes, Change{Day: a.Window.From, Before: b.Rate, After: a.Rate, Ratio: ratio(a.Rate, b.Rate)})
	}
	return cp, nil
}

// diffDispersion estimates the variance-to-mean ratio of the days from
// squared differences of consecutive days, which are 2·φ·μ on average where
// the rate is steady, so that a change in level hardly inflates it (a
// variance about the overall mean would count the change as noise). It is
// never below 1.
func diffDispersion(values []float64) float64 {
	var sq, tot float64
	for i, v := range values {
		tot += v
		if i > 0 {
			d := v - values[i-1]
			sq += d * d
		}
	}
	if tot == 0 || len(values) < 2 {
		return 1
	}
	mean := tot / float64(len(values))
	phi := sq / float64(len(values)-1) / (2 * mean)
	return math.Max(1, phi)
}
