package stats

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/trucedesk/truce/internal/domain"
)

// Verdict is the answer to a claim.
type Verdict string

// The verdicts. NotTestable always comes with the reason: too few data, an
// actor the registry does not know, a window not yet over.
const (
	Supported    Verdict = "supported"
	Contradicted Verdict = "contradicted"
	NotTestable  Verdict = "not_testable"
)

// ClaimOptions sets the thresholds of claim checks; the zero value is the
// documented default (docs/statistics.md).
type ClaimOptions struct {
	// Level is the confidence level of intervals; 1−Level is the one-sided
	// significance level of "significantly". Default 0.95.
	Level float64
	// BaselineDays is the baseline when a claim gives none. Default 14.
	BaselineDays int
	// SharpFactor is how far a "sharp" change must move the rate: a sharp
	// fall at least divides it by SharpFactor, a sharp rise multiplies it.
	// Default 2.
	SharpFactor float64
	// SameFactor bounds "unchanged": supported only when the whole interval
	// of the ratio lies within [1/SameFactor, SameFactor]. Default 1.5.
	SameFactor float64
}

func (o *ClaimOptions) defaults() error {
	if o.Level == 0 {
		o.Level = 0.95
	}
	if o.BaselineDays == 0 {
		o.BaselineDays = 14
	}
	if o.SharpFactor == 0 {
		o.SharpFactor = 2
	}
	if o.SameFactor == 0 {
		o.SameFactor = 1.5
	}
	if err := checkLevel(o.Level); err != nil {
		return err
	}
	if o.BaselineDays < 1 || o.SharpFactor <= 1 || o.SameFactor <= 1 {
		return domain.Errorf(domain.EINVALID, "claim options out of range: baseline %d days, sharp factor %v, same factor %v",
			o.BaselineDays, o.SharpFactor, o.SameFactor)
	}
	return nil
}

// ClaimCheck is the answer to a claim, with the numbers behind it.
type ClaimCheck struct {
	Claim    domain.Claim `json:"claim"`
	Verdict  Verdict      `json:"verdict"`
	Reason   string       `json:"reason"` // the rule applied, or why it cannot be tested
	Window   Window       `json:"window"`
	Baseline Window       `json:"baseline"`
	// Test is the test the verdict rests on (nil when none could be run);
	// Comparison has every test and the dispersion diagnostic.
	Test       *RateTest   `json:"test,omitempty"`
	Comparison *Comparison `json:"comparison,omitempty"`
	// P is the p-value the verdict used: one-sided in the claimed direction,
	// two-sided for "unchanged".
	P float64 `json:"p,omitempty"`
	// Sentence is a sentence a journalist can quote.
	Sentence string `json:"sentence"`
}

// CheckClaim checks claim c against s, the daily series of the claim's
// metric for its actor (built with MetricFilter and a Bucketer in the
// agreement's time zone loc, covering the claim's window and baseline), as
// of now. A claim the data cannot decide gets NotTestable with the reason;
// an error means the request itself is wrong (unknown direction, no window).
func CheckClaim(c domain.Claim, s Series, loc *time.Location, now time.Time, opt ClaimOptions) (*ClaimCheck, error) {
	if err := opt.defaults(); err != nil {
		return nil, err
	}
	if loc == nil {
		return nil, domain.Errorf(domain.EINVALID, "a time zone is required to cut the claim's window into days")
	}
	_, sums, err := MetricFilter(c.Metric)
	if err != nil {
		return nil, err
	}
	switch c.Direction {
	case domain.DirectionDown, domain.DirectionUp, domain.DirectionStopped, domain.DirectionSame, domain.DirectionCount:
	default:
		return nil, domain.FieldErrorf("direction", "unknown direction %q", c.Direction)
	}
	switch c.Strength {
	case domain.StrengthNone, domain.StrengthSlight, domain.StrengthSignificant, domain.StrengthSharp:
	default:
		return nil, domain.FieldErrorf("strength", "unknown strength %q", c.Strength)
	}
	if c.WindowStart.IsZero() || c.WindowEnd.IsZero() {
		return nil, domain.FieldErrorf("window_start", "a claim needs the start and end of its window")
	}
	w, err := WindowOf(c.WindowStart, c.WindowEnd, loc)
	if err != nil {
		return nil, err
	}
	days := opt.BaselineDays
	if c.Baseline < 0 {
		return nil, domain.FieldErrorf("baseline", "cannot be negative")
	} else if c.Baseline > 0 {
		days = int(math.Ceil(c.Baseline.Hours() / 24))
	}
	cc := &ClaimCheck{Claim: c, Window: w, Baseline: w.Before(days)}
	notTestable := func(format string, args ...any) (*ClaimCheck, error) {
		cc.Verdict = NotTestable
		cc.Reason = fmt.Sprintf(format, args...)
		cc.Sentence = "The claim cannot be tested: " + cc.Reason + "."
		return cc, nil
	}
	switch {
	case strings.TrimSpace(c.Actor) != "" && c.ActorPartyID == 0:
		return notTestable("%q is not a party the desk knows, so no events can be attributed to it", c.Actor)
	case !c.WindowStart.Before(now):
		return notTestable("the window starts on %s, which has not happened yet", w.From)
	case c.WindowEnd.After(now):
		return notTestable("the window runs to %s, so its days are not all in yet", w.To-1)
	case !s.Window.Covers(Window{From: cc.Baseline.From, To: w.To}):
		return notTestable("the data cover %s, but the check needs %s (the window and its baseline)",
			s.Window, Window{From: cc.Baseline.From, To: w.To})
	}
	a, err := s.Values(w, sums)
	if err != nil {
		return nil, err
	}
	if c.Direction == domain.DirectionCount {
		return checkLevelClaim(cc, c, sum(a)), nil
	}
	b, err := s.Values(cc.Baseline, sums)
	if err != nil {
		return nil, err
	}
	if sum(a)+sum(b) == 0 {
		return notTestable("there are no %s in the window or in the %d days before it", noun(c), days)
	}
	cmp, err := Compare(a, b, opt.Level)
	if err != nil {
		return nil, err
	}
	t := cmp.Best()
	cc.Comparison, cc.Test = cmp, &t
	alpha := 1 - opt.Level
	// The smallest p-value the exact test could reach with this many events:
	// if even the most extreme split would not be significant, the data are
	// too few to decide a claim that needs significance.
	n := t.CountA + t.CountB
	minP := math.Pow(t.DaysB/(t.DaysA+t.DaysB), n) // all n in the baseline
	if c.Direction == domain.DirectionUp {
		minP = math.Pow(t.DaysA/(t.DaysA+t.DaysB), n) // all n in the window
	}
	dir := c.Direction
	switch dir {
	case domain.DirectionStopped:
		cc.P = t.PLess
		switch {
		case t.CountA > 0:
			cc.Verdict, cc.Reason = Contradicted, fmt.Sprintf("%v %s in the window", t.CountA, noun(c))
		case t.CountB == 0:
			return notTestable("there were no %s in the baseline either, so nothing stopped", noun(c))
		case cc.P >= alpha:
			return notTestable("there were none in the window, but so few before (%v in %v days) that a lull is as likely as a stop", t.CountB, t.DaysB)
		default:
			cc.Verdict, cc.Reason = Supported, "none in the window, which the baseline rate makes unlikely by chance"
		}
	case domain.DirectionSame:
		cc.P = t.PTwoSided
		switch {
		case cc.P < alpha:
			cc.Verdict, cc.Reason = Contradicted, "the rate changed significantly (two-sided)"
		case t.Low >= 1/opt.SameFactor && t.High <= opt.SameFactor:
			cc.Verdict, cc.Reason = Supported, fmt.Sprintf("the interval of the ratio lies within %.2f–%.2f", 1/opt.SameFactor, opt.SameFactor)
		default:
			return notTestable("the data are too few to show the rate held steady (rate ratio %s, %s)", fmtRatio(t.Ratio), fmtCI(t))
		}
	default: // up or down
		cc.P = t.P(dir)
		opp := domain.DirectionUp
		if dir == domain.DirectionUp {
			opp = domain.DirectionDown
		}
		inDir := (dir == domain.DirectionDown && t.Ratio < 1) || (dir == domain.DirectionUp && t.Ratio > 1)
		switch c.Strength {
		case domain.StrengthSlight:
			if inDir {
				cc.Verdict, cc.Reason = Supported, "the rate moved the claimed way (a slight change need not be significant)"
			} else {
				cc.Verdict, cc.Reason = Contradicted, "the rate did not move the claimed way"
			}
		default:
			if minP >= alpha {
				return notTestable("there are too few events (%v in all) to tell a change from chance", n)
			}
			sharp := (dir == domain.DirectionDown && t.Ratio <= 1/opt.SharpFactor) ||
				(dir == domain.DirectionUp && t.Ratio >= opt.SharpFactor)
			switch {
			case cc.P >= alpha:
				cc.Verdict, cc.Reason = Contradicted, fmt.Sprintf("the change is not significant (one-sided p ≥ %.2g)", alpha)
			case c.Strength == domain.StrengthSharp && !sharp:
				cc.Verdict, cc.Reason = Contradicted, fmt.Sprintf("the change is significant but smaller than a factor of %g", opt.SharpFactor)
			default:
				cc.Verdict, cc.Reason = Supported, fmt.Sprintf("the change is significant (one-sided p < %.2g)", alpha)
			}
		}
		if cc.Verdict == Contradicted && t.P(opp) < alpha {
			cc.Reason = "the rate moved significantly the other way"
		}
	}
	cc.Sentence = sentence(cc, c, t, alpha)
	return cc, nil
}

// checkLevelClaim decides a claim of a level ("over two dozen messages"):
// the value claimed is read as a floor.
func checkLevelClaim(cc *ClaimCheck, c domain.Claim, got float64) *ClaimCheck {
	if got >= c.Value {
		cc.Verdict, cc.Reason = Supported, "the count reaches the level claimed"
		cc.Sentence = fmt.Sprintf("The data support the claim: %s numbered %s over %s, against at least %s claimed.",
			noun(c), fmtNum(got), cc.Window, fmtNum(c.Value))
	} else {
		cc.Verdict, cc.Reason = Contradicted, "the count falls short of the level claimed"
		cc.Sentence = fmt.Sprintf("The data do not support the claim: %s numbered %s over %s, not the %s claimed.",
			noun(c), fmtNum(got), cc.Window, fmtNum(c.Value))
	}
	return cc
}

func sentence(cc *ClaimCheck, c domain.Claim, t RateTest, alpha float64) string {
	var lead string
	switch {
	case cc.Verdict == Supported:
		lead = "The data support the claim"
	case strings.Contains(cc.Reason, "other way") || (c.Direction == domain.DirectionSame && cc.P < alpha) ||
		(c.Direction == domain.DirectionStopped && t.CountA > 0):
		lead = "The data contradict the claim"
	default:
		lead = "The data do not support the claim"
	}
	var move string
	switch {
	case t.RateA < t.RateB:
		move = fmt.Sprintf("fell from %s a day to %s a day", fmtNum(t.RateB), fmtNum(t.RateA))
	case t.RateA > t.RateB:
		move = fmt.Sprintf("rose from %s a day to %s a day", fmtNum(t.RateB), fmtNum(t.RateA))
	default:
		move = fmt.Sprintf("held at %s a day", fmtNum(t.RateA))
	}
	p := fmtP(cc.P)
	if strings.Contains(cc.Reason, "other way") {
		// The claimed direction's p-value is near 1 and says nothing; the
		// reader needs the evidence for the opposite move.
		if c.Direction == domain.DirectionDown {
			p = fmtP(t.PGreater) + " for a rise"
		} else {
			p = fmtP(t.PLess) + " for a fall"
		}
	}
	var figs string
	if math.IsInf(t.Ratio, 1) {
		figs = fmt.Sprintf("none in the %v days before, so no rate ratio; %s", t.DaysB, p)
	} else {
		figs = fmt.Sprintf("rate ratio %s, %s, %s", fmtRatio(t.Ratio), fmtCI(t), p)
	}
	return fmt.Sprintf("%s: %s %s (%s).", lead, noun(c), move, figs)
}

// noun names what the claim counts, with its actor.
func noun(c domain.Claim) string {
	var n string
	switch c.Metric {
	case domain.MetricStrikes:
		n = "air strikes"
	case domain.MetricShelling:
		n = "shelling attacks"
	case domain.MetricAttacks:
		n = "attacks"
	case domain.MetricViolations:
		n = "violations"
	case domain.MetricFatalities:
		n = "deaths in attacks"
	case domain.MetricMessages:
		n = "messages"
	default:
		n = string(c.Metric)
	}
	if a := strings.TrimSpace(c.Actor); a != "" {
		if c.Metric == domain.MetricMessages {
			return n + " from " + a
		}
		return n + " attributed to " + a
	}
	return n
}

func fmtNum(v float64) string {
	switch {
	case v == math.Trunc(v) && math.Abs(v) < 1e15:
		return fmt.Sprintf("%.0f", v)
	case math.Abs(v) < 1:
		return fmt.Sprintf("%.2g", v)
	}
	return fmt.Sprintf("%.1f", v)
}

func fmtRatio(r float64) string {
	if math.IsInf(r, 1) {
		return "unbounded"
	}
	return fmt.Sprintf("%.2f", r)
}

func fmtCI(t RateTest) string {
	if math.IsInf(t.High, 1) {
		return fmt.Sprintf("%.0f%% CI from %.2f, no upper bound", t.Level*100, t.Low)
	}
	return fmt.Sprintf("%.0f%% CI %.2f–%.2f", t.Level*100, t.Low, t.High)
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
