package stats

import (
	"encoding/json"
	"math"

	"github.com/trucedesk/truce/internal/domain"
	"gonum.org/v1/gonum/mathext"
	"gonum.org/v1/gonum/stat/distuv"
)

// The names of the rate tests, as RateTest.Method reports them.
const (
	MethodExact = "exact-conditional-poisson"
	MethodQuasi = "quasi-poisson-wald"
)

// RateTest compares the rate of window A with that of window B (usually A is
// the recent window and B the baseline before it). Ratio is RateA/RateB.
// Ratio and High are +Inf when B has no events; JSON shows them as null.
type RateTest struct {
	Method    string  `json:"method"`
	CountA    float64 `json:"count_a"`
	CountB    float64 `json:"count_b"`
	DaysA     float64 `json:"days_a"`
	DaysB     float64 `json:"days_b"`
	RateA     float64 `json:"rate_a"` // per day
	RateB     float64 `json:"rate_b"`
	Ratio     float64 `json:"ratio"`
	Level     float64 `json:"level"` // of the interval, e.g. 0.95
	Low       float64 `json:"low"`
	High      float64 `json:"high"`
	PLess     float64 `json:"p_less"`    // one-sided, for "A's rate is lower"
	PGreater  float64 `json:"p_greater"` // one-sided, for "A's rate is higher"
	PTwoSided float64 `json:"p_two_sided"`
	// Dispersion is the variance-to-mean factor the test allowed for: 1 for
	// the exact test.
	Dispersion float64 `json:"dispersion"`
}

// MarshalJSON writes unbounded figures as null, since JSON has no infinity.
func (r RateTest) MarshalJSON() ([]byte, error) {
	type plain RateTest
	return json.Marshal(struct {
		plain
		Ratio *float64 `json:"ratio"`
		High  *float64 `json:"high"`
	}{plain(r), finite(r.Ratio), finite(r.High)})
}

func finite(v float64) *float64 {
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return nil
	}
	return &v
}

// P returns the one-sided p-value for a change in direction dir: down is
// "A is lower", up is "A is higher"; any other direction gets the two-sided.
func (r RateTest) P(dir domain.Direction) float64 {
	switch dir {
	case domain.DirectionDown, domain.DirectionStopped:
		return r.PLess
	case domain.DirectionUp:
		return r.PGreater
	}
	return r.PTwoSided
}

func checkLevel(level float64) error {
	if !(level > 0 && level < 1) {
		return domain.Errorf(domain.EINVALID, "the confidence level must be between 0 and 1, got %v", level)
	}
	return nil
}

// ExactRateTest compares two Poisson counts, xA events in tA days and xB in
// tB days, by the exact conditional test: given n = xA+xB events in all, xA
// is Binomial(n, tA/(tA+tB)) when the rates are equal. The interval for the
// rate ratio is Clopper–Pearson on the binomial proportion, transformed;
// the two-sided p-value sums the outcomes no more likely than the one seen,
// as R's binom.test and poisson.test do, so figures can be checked there.
// It fails when there are no events at all, since then nothing is compared.
func ExactRateTest(xA int64, tA float64, xB int64, tB float64, level float64) (RateTest, error) {
	switch {
	case xA < 0 || xB < 0:
		return RateTest{}, domain.Errorf(domain.EINVALID, "counts cannot be negative (%d, %d)", xA, xB)
	case !(tA > 0) || !(tB > 0) || math.IsInf(tA, 0) || math.IsInf(tB, 0):
		return RateTest{}, domain.Errorf(domain.EINVALID, "both windows need at least one day (got %v and %v)", tA, tB)
	case xA+xB == 0:
		return RateTest{}, domain.Errorf(domain.EINVALID, "there are no events in either window, so there is no rate to compare")
	}
	if err := checkLevel(level); err != nil {
		return RateTest{}, err
	}
	n := xA + xB
	p0 := tA / (tA + tB)
	r := RateTest{
		Method: MethodExact, CountA: float64(xA), CountB: float64(xB), DaysA: tA, DaysB: tB,
		RateA: float64(xA) / tA, RateB: float64(xB) / tB, Level: level, Dispersion: 1,
		PLess: binomCDF(xA, n, p0), PGreater: binomSF(xA, n, p0),
		PTwoSided: binomTwoSided(xA, n, p0),
	}
	r.Ratio = ratio(r.RateA, r.RateB)
	lo, hi := clopperPearson(xA, n, 1-level)
	odds := func(p float64) float64 {
		if p >= 1 {
			return math.Inf(1)
		}
		return p / (1 - p) * tB / tA
	}
	r.Low, r.High = odds(lo), odds(hi)
	return r, nil
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return math.Inf(1)
	}
	return a / b
}

// binomCDF returns P(X ≤ k) for X ~ Binomial(n, p).
func binomCDF(k, n int64, p float64) float64 {
	switch {
	case k < 0:
		return 0
	case k >= n:
		return 1
	}
	return mathext.RegIncBeta(float64(n-k), float64(k+1), 1-p)
}

// binomSF returns P(X ≥ k) for X ~ Binomial(n, p), computed directly rather
// than as 1 − CDF so that tiny tails keep their digits.
func binomSF(k, n int64, p float64) float64 {
	switch {
	case k <= 0:
		return 1
	case k > n:
		return 0
	}
	return mathext.RegIncBeta(float64(k), float64(n-k+1), p)
}

func binomLogPMF(k, n int64, p float64) float64 {
	lc := lgamma(float64(n+1)) - lgamma(float64(k+1)) - lgamma(float64(n-k+1))
	return lc + float64(k)*math.Log(p) + float64(n-k)*math.Log1p(-p)
}

func lgamma(x float64) float64 {
	v, _ := math.Lgamma(x)
	return v
}

// binomTwoSided is the "minimum likelihood" two-sided p-value of R's
// binom.test: the probability of every outcome no more likely than k, with
// the same relative tolerance (1e-7) so that ties match R's.
func binomTwoSided(k, n int64, p float64) float64 {
	m := float64(n) * p
	if float64(k) == m {
		return 1
	}
	// 1e-7 relative error, in log space.
	limit := binomLogPMF(k, n, p) + math.Log1p(1e-7)
	le := func(i int64) bool { return binomLogPMF(i, n, p) <= limit }
	var pv float64
	if float64(k) < m {
		// On [ceil(m), n] the pmf decreases: find the first i with pmf ≤ limit.
		lo, hi := int64(math.Ceil(m)), n+1
		for lo < hi {
			mid := lo + (hi-lo)/2
			if le(mid) {
				hi = mid
			} else {
				lo = mid + 1
			}
		}
		pv = binomCDF(k, n, p) + binomSF(lo, n, p)
	} else {
		// On [0, floor(m)] the pmf increases: find the first i with pmf > limit.
		lo, hi := int64(0), int64(math.Floor(m))+1
		for lo < hi {
			mid := lo + (hi-lo)/2
			if !le(mid) {
				hi = mid
			} else {
				lo = mid + 1
			}
		}
		pv = binomCDF(lo-1, n, p) + binomSF(k, n, p)
	}
	return math.Min(1, pv)
}

// clopperPearson returns the exact interval for a binomial proportion with
// x successes in n trials, at confidence 1−alpha.
func clopperPearson(x, n int64, alpha float64) (lo, hi float64) {
	lo, hi = 0, 1
	if x > 0 {
		lo = mathext.InvRegIncBeta(float64(x), float64(n-x+1), alpha/2)
	}
	if x < n {
		hi = mathext.InvRegIncBeta(float64(x+1), float64(n-x), 1-alpha/2)
	}
	return lo, hi
}

// Dispersion is the diagnostic that says which rate test to trust. Under a
// Poisson model each day's count varies about its window's mean with
// variance equal to the mean; Pearson's statistic sums the squared
// departures scaled by the mean and is χ² with Days−2 degrees of freedom.
// When days vary much more than that (events come in clusters, deaths in
// massacres), the exact test's p-values are far too small.
type Dispersion struct {
	Pearson float64 `json:"pearson"` // Pearson's χ² over both windows
	DF      int     `json:"df"`
	Phi     float64 `json:"phi"` // Pearson/DF: 1 for Poisson, above 1 overdispersed
	P       float64 `json:"p"`   // P(χ²(DF) ≥ Pearson)
	// Overdispersed is P < 0.05: the days vary more than Poisson allows.
	Overdispersed bool `json:"overdispersed"`
	// Trust names the test to report: MethodExact or MethodQuasi.
	Trust string `json:"trust"`
}

// CheckDispersion measures how much the daily values a and b vary about their
// window means. It needs at least three days in all and events in at least
// one window.
func CheckDispersion(a, b []float64) (Dispersion, error) {
	if err := checkDaily(a, b); err != nil {
		return Dispersion{}, err
	}
	df := len(a) + len(b) - 2
	if df < 1 {
		return Dispersion{}, domain.Errorf(domain.EINVALID, "%d days in all are too few to measure how much the days vary: at least 3 are needed", len(a)+len(b))
	}
	x2 := pearson(a) + pearson(b)
	if sum(a)+sum(b) == 0 {
		return Dispersion{}, domain.Errorf(domain.EINVALID, "there are no events in either window, so there is nothing to measure")
	}
	d := Dispersion{Pearson: x2, DF: df, Phi: x2 / float64(df)}
	d.P = distuv.ChiSquared{K: float64(df)}.Survival(x2)
	d.Overdispersed = d.P < 0.05
	d.Trust = MethodExact
	if d.Overdispersed {
		d.Trust = MethodQuasi
	}
	return d, nil
}

func checkDaily(a, b []float64) error {
	for _, s := range [][]float64{a, b} {
		if len(s) == 0 {
			return domain.Errorf(domain.EINVALID, "a window has no days in it")
		}
		for _, v := range s {
			if !(v >= 0) || math.IsInf(v, 0) {
				return domain.Errorf(domain.EINVALID, "a daily value of %v is not a count", v)
			}
		}
	}
	return nil
}

func sum(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s
}

// pearson returns Σ (y−ȳ)²/ȳ, zero for a window with no events (whose fitted
// mean is zero and every residual too).
func pearson(ys []float64) float64 {
	mean := sum(ys) / float64(len(ys))
	if mean == 0 {
		return 0
	}
	var x2 float64
	for _, y := range ys {
		x2 += (y - mean) * (y - mean) / mean
	}
	return x2
}

// QuasiPoissonTest compares the daily values a (window A) with b (window B)
// without assuming the days are Poisson: it is the Wald test of the window
// coefficient in a quasi-Poisson log-linear model, the log rate ratio divided
// by its standard error √(φ(1/ΣA + 1/ΣB)), where φ is Pearson's dispersion
// estimate (never below 1, so it is never less cautious than Poisson),
// referred to Student's t with Days−2 degrees of freedom, as R's
// glm(family = quasipoisson) reports it. It needs events in both windows,
// because a log rate ratio with a zero has no standard error.
func QuasiPoissonTest(a, b []float64, level float64) (RateTest, error) {
	if err := checkLevel(level); err != nil {
		return RateTest{}, err
	}
	d, err := CheckDispersion(a, b)
	if err != nil {
		return RateTest{}, err
	}
	sa, sb := sum(a), sum(b)
	switch {
	case sa == 0:
		return RateTest{}, domain.Errorf(domain.EINVALID, "the recent window has no events, so the quasi-Poisson test has no ratio to test; use the exact test")
	case sb == 0:
		return RateTest{}, domain.Errorf(domain.EINVALID, "the baseline has no events, so the quasi-Poisson test has no ratio to test; use the exact test")
	}
	phi := math.Max(1, d.Phi)
	ta, tb := float64(len(a)), float64(len(b))
	r := RateTest{
		Method: MethodQuasi, CountA: sa, CountB: sb, DaysA: ta, DaysB: tb,
		RateA: sa / ta, RateB: sb / tb, Level: level, Dispersion: phi,
	}
	r.Ratio = r.RateA / r.RateB
	logR := math.Log(r.Ratio)
	se := math.Sqrt(phi * (1/sa + 1/sb))
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(d.DF)}
	r.PLess = t.CDF(logR / se)
	r.PGreater = t.Survival(logR / se)
	r.PTwoSided = math.Min(1, 2*math.Min(r.PLess, r.PGreater))
	q := t.Quantile(1 - (1-level)/2)
	r.Low, r.High = math.Exp(logR-q*se), math.Exp(logR+q*se)
	return r, nil
}

// Comparison is the full answer to "did the rate change between window A
// and window B": the exact test, the quasi-Poisson test when it can be
// computed, the dispersion diagnostic, and which of the tests to report.
type Comparison struct {
	Exact      *RateTest   `json:"exact,omitempty"`
	Quasi      *RateTest   `json:"quasi,omitempty"`
	Dispersion *Dispersion `json:"dispersion,omitempty"`
	// Preferred is the method to report: the quasi-Poisson test when the
	// days are overdispersed (or the values are not whole counts), else the
	// exact test.
	Preferred string `json:"preferred"`
	// Notes say why a test is missing, for the reader.
	Notes []string `json:"notes,omitempty"`
}

// Best returns the preferred test.
func (c *Comparison) Best() RateTest {
	if c.Preferred == MethodQuasi && c.Quasi != nil {
		return *c.Quasi
	}
	return *c.Exact
}

// Compare runs every test that the daily values a and b allow and picks the
// one to trust. It fails only when no test can be run: no events at all, or
// an empty window.
func Compare(a, b []float64, level float64) (*Comparison, error) {
	if err := checkDaily(a, b); err != nil {
		return nil, err
	}
	if err := checkLevel(level); err != nil {
		return nil, err
	}
	c := &Comparison{}
	sa, sb := sum(a), sum(b)
	whole := sa == math.Trunc(sa) && sb == math.Trunc(sb)
	if whole {
		e, err := ExactRateTest(int64(sa), float64(len(a)), int64(sb), float64(len(b)), level)
		if err != nil {
			return nil, err
		}
		c.Exact = &e
	} else {
		c.Notes = append(c.Notes, "the exact test needs whole counts")
	}
	if d, err := CheckDispersion(a, b); err == nil {
		c.Dispersion = &d
	} else {
		c.Notes = append(c.Notes, "dispersion: "+domain.ErrorMessage(err))
	}
	if q, err := QuasiPoissonTest(a, b, level); err == nil {
		c.Quasi = &q
	} else if c.Exact != nil {
		c.Notes = append(c.Notes, "quasi-Poisson: "+domain.ErrorMessage(err))
	} else {
		return nil, err
	}
	switch {
	case c.Exact == nil:
		c.Preferred = MethodQuasi
	case c.Quasi != nil && c.Dispersion != nil && c.Dispersion.Overdispersed:
		c.Preferred = MethodQuasi
	default:
		c.Preferred = MethodExact
		if c.Dispersion != nil && c.Dispersion.Overdispersed {
			c.Notes = append(c.Notes, "the days vary more than Poisson allows, so the exact test's p-value is too small")
		}
	}
	return c, nil
}
