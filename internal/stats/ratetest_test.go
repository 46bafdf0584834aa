package stats

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/trucedesk/truce/internal/domain"
)

func near(got, want, tol float64) bool {
	if math.IsInf(want, 0) {
		return got == want
	}
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

// TestExactRateTestBinomialTails checks the p-values against binomial tail
// sums written out by hand.
func TestExactRateTestBinomialTails(t *testing.T) {
	tests := []struct {
		name                    string
		xA                      int64
		tA                      float64
		xB                      int64
		tB                      float64
		less, greater, twoSided float64
		ratio                   float64
		low, high               float64 // NaN: not checked
	}{
		{
			// n = 10, p = 1/2: P(X ≤ 2) = (1+10+45)/1024; the two-sided adds
			// P(X ≥ 8), the same by symmetry.
			name: "equal days", xA: 2, tA: 1, xB: 8, tB: 1,
			less: 56.0 / 1024, greater: 1013.0 / 1024, twoSided: 112.0 / 1024,
			ratio: 0.25, low: math.NaN(), high: math.NaN(),
		},
		{
			// n = 6, p = 1/3: pmf ×729 is 64,192,240,160,60,12,1. P(X ≥ 5) =
			// 13/729; no outcome below the mean is as unlikely as 12/729.
			name: "unequal days, rise", xA: 5, tA: 1, xB: 1, tB: 2,
			less: 728.0 / 729, greater: 13.0 / 729, twoSided: 13.0 / 729,
			ratio: 10, low: math.NaN(), high: math.NaN(),
		},
		{
			// n = 6, p = 1/3, x = 0: P(X = 0) = 64/729; outcomes 4, 5, 6 are
			// no more likely (60+12+1). Clopper–Pearson for x = 0 has the closed
			// form upper = 1 − (α/2)^(1/n).
			name: "zero in the recent window", xA: 0, tA: 1, xB: 6, tB: 2,
			less: 64.0 / 729, greater: 1, twoSided: 137.0 / 729,
			ratio: 0, low: 0,
			high: func() float64 { u := 1 - math.Pow(0.025, 1.0/6); return u / (1 - u) * 2 }(),
		},
		{
			// x = n: lower = (α/2)^(1/n), and no upper bound.
			name: "zero in the baseline", xA: 4, tA: 2, xB: 0, tB: 14,
			less: 1, greater: math.Pow(2.0/16, 4), twoSided: math.Pow(2.0/16, 4),
			ratio: math.Inf(1),
			low:   func() float64 { l := math.Pow(0.025, 1.0/4); return l / (1 - l) * 7 }(),
			high:  math.Inf(1),
		},
		{
			// R documentation, ?poisson.test, two-sample example:
			// poisson.test(c(11, 6+8+7), c(800, 1083+1050+878)) gives
			// p-value = 0.07967, 95% CI 0.8584264 4.2772659, rate ratio 1.971488.
			// One-sided values not in the example are left unchecked.
			name: "R poisson.test example", xA: 11, tA: 800, xB: 21, tB: 3011,
			less: math.NaN(), greater: math.NaN(), twoSided: 0.07967,
			ratio: 1.971488, low: 0.8584264, high: 4.2772659,
		},
		{
			// Equal counts and exposures: the interval is symmetric on the log
			// scale; 0.5510441 and 1.8147369 by exact bisection on the
			// binomial CDF in rational arithmetic (Python fractions).
			name: "no change", xA: 25, tA: 1000, xB: 25, tB: 1000,
			less: math.NaN(), greater: math.NaN(), twoSided: 1,
			ratio: 1, low: 0.5510441, high: 1.8147369,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ExactRateTest(tt.xA, tt.tA, tt.xB, tt.tB, 0.95)
			if err != nil {
				t.Fatalf("ExactRateTest: %v", err)
			}
			for _, c := range []struct {
				what      string
				got, want float64
				tol       float64
			}{
				{"p less", got.PLess, tt.less, 1e-9},
				{"p greater", got.PGreater, tt.greater, 1e-9},
				{"p two-sided", got.PTwoSided, tt.twoSided, 5e-5},
				{"ratio", got.Ratio, tt.ratio, 1e-6},
				{"low", got.Low, tt.low, 1e-6},
				{"high", got.High, tt.high, 1e-6},
			} {
				if math.IsNaN(c.want) {
					continue
				}
				if !near(c.got, c.want, c.tol) {
					t.Errorf("%s: got %.10g, want %.10g", c.what, c.got, c.want)
				}
			}
		})
	}
}

func TestExactRateTestErrors(t *testing.T) {
	tests := []struct {
		name     string
		xA, xB   int64
		tA, tB   float64
		level    float64
		contains string
	}{
		{"no events", 0, 0, 2, 14, 0.95, "no events"},
		{"empty window", 3, 4, 0, 14, 0.95, "at least one day"},
		{"negative count", -1, 4, 2, 14, 0.95, "negative"},
		{"bad level", 1, 4, 2, 14, 95, "confidence level"},
		{"NaN days", 1, 4, math.NaN(), 14, 0.95, "at least one day"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ExactRateTest(tt.xA, tt.tA, tt.xB, tt.tB, tt.level)
			if got := domain.ErrorCode(err); got != domain.EINVALID {
				t.Fatalf("code: got %q (%v), want %q", got, err, domain.EINVALID)
			}
			if !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("message: got %q, want it to mention %q", err, tt.contains)
			}
		})
	}
}

func TestRateTestJSONUnbounded(t *testing.T) {
	r, err := ExactRateTest(4, 2, 0, 14, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	for _, want := range []string{`"ratio":null`, `"high":null`, `"method":"exact-conditional-poisson"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("got %s, want it to contain %s", b, want)
		}
	}
}

// TestQuasiPoissonTest checks the quasi-Poisson Wald test on a small case
// worked by hand: a = 0,10,2 (mean 4, Pearson 56/4 = 14), b = 1,5,0,2 (mean
// 2, Pearson 14/2 = 7), so φ = 21/5 = 4.2 and SE = √(4.2·(1/12+1/8)). The
// t quantile 2.570582 (5 df, 97.5%) is from a printed t table; the one-sided
// p-value 0.246001 by Simpson integration of the t density, and the χ²
// tail by its closed form for 5 df.
func TestQuasiPoissonTest(t *testing.T) {
	a := []float64{0, 10, 2}
	b := []float64{1, 5, 0, 2}
	got, err := QuasiPoissonTest(a, b, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		what      string
		got, want float64
	}{
		{"dispersion", got.Dispersion, 4.2},
		{"ratio", got.Ratio, 2},
		{"p greater", got.PGreater, 0.2460009},
		{"p less", got.PLess, 1 - 0.2460009},
		{"p two-sided", got.PTwoSided, 2 * 0.2460009},
		{"low", got.Low, 0.1806106},
		{"high", got.High, 22.147098},
	} {
		if !near(c.got, c.want, 2e-6) {
			t.Errorf("%s: got %.8g, want %.8g", c.what, c.got, c.want)
		}
	}
	d, err := CheckDispersion(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if d.DF != 5 || !near(d.Pearson, 21, 1e-12) || !near(d.P, 0.00081006, 1e-6) || !d.Overdispersed || d.Trust != MethodQuasi {
		t.Errorf("dispersion: got %+v, want df 5, Pearson 21, p 0.00081006, overdispersed, trust quasi", d)
	}
}

func TestQuasiPoissonFloorsDispersionAtOne(t *testing.T) {
	// Days more even than Poisson (φ̂ < 1) must not make the test bolder
	// than the Poisson one.
	got, err := QuasiPoissonTest([]float64{4, 4, 4}, []float64{2, 2, 2, 2}, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	if got.Dispersion != 1 {
		t.Errorf("dispersion: got %v, want 1", got.Dispersion)
	}
}

func TestQuasiPoissonErrors(t *testing.T) {
	tests := []struct {
		name     string
		a, b     []float64
		contains string
	}{
		{"zero recent", []float64{0, 0}, []float64{3, 4, 5}, "recent window has no events"},
		{"zero baseline", []float64{1, 2}, []float64{0, 0, 0}, "baseline has no events"},
		{"all zero", []float64{0, 0}, []float64{0, 0, 0}, "no events"},
		{"too few days", []float64{1}, []float64{2}, "too few"},
		{"empty window", nil, []float64{2, 3}, "no days"},
		{"NaN day", []float64{math.NaN(), 1}, []float64{2, 3}, "not a count"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := QuasiPoissonTest(tt.a, tt.b, 0.95)
			if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("got %v, want an invalid error mentioning %q", err, tt.contains)
			}
		})
	}
}

func TestComparePrefers(t *testing.T) {
	tests := []struct {
		name string
		a, b []float64
		want string
	}{
		{"poisson-like days", []float64{3, 5, 4}, []float64{4, 6, 5, 3, 4, 5, 6}, MethodExact},
		{"clustered days", []float64{0, 30, 1}, []float64{2, 0, 25, 1, 0, 40, 3}, MethodQuasi},
		{"zero recent window", []float64{0, 0}, []float64{2, 0, 25, 1, 0, 40, 3}, MethodExact},
		{"fractional values", []float64{0.5, 1.5, 2}, []float64{1, 2.5, 3, 1}, MethodQuasi},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Compare(tt.a, tt.b, 0.95)
			if err != nil {
				t.Fatal(err)
			}
			if c.Preferred != tt.want {
				t.Errorf("preferred: got %s, want %s (notes %q)", c.Preferred, tt.want, c.Notes)
			}
			if got := c.Best().Method; got != tt.want {
				t.Errorf("best: got %s, want %s", got, tt.want)
			}
		})
	}
}
