package stats

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/trucedesk/truce/internal/domain"
)

func TestDetectChanges(t *testing.T) {
	start := DayFromDate(2016, 2, 7)
	high := []float64{9, 11, 10, 12, 8, 10, 9, 11, 10, 10, 13, 7, 10, 9, 11, 10, 12, 8, 10, 10} // 200
	low := []float64{3, 2, 4, 3, 3, 2, 4, 3, 3, 3, 2, 4, 3, 3, 2, 4, 3, 3, 3, 3}                // 60
	tests := []struct {
		name   string
		values []float64
		opt    ChangeOptions
		want   []Change
	}{
		{"a fall", append(append([]float64{}, high...), low...), ChangeOptions{},
			[]Change{{Day: start + 20, Before: 10, After: 3, Ratio: 0.3}}},
		{"a fall and a return", append(append(append([]float64{}, high...), low...), high...), ChangeOptions{},
			[]Change{{Day: start + 20, Before: 10, After: 3, Ratio: 0.3}, {Day: start + 40, Before: 3, After: 10, Ratio: 10.0 / 3}}},
		{"steady", append(append([]float64{}, high...), high...), ChangeOptions{}, nil},
		{"from nothing", append(make([]float64, 10), low...), ChangeOptions{},
			[]Change{{Day: start + 10, Before: 0, After: 3, Ratio: math.Inf(1)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DetectChanges(tt.values, start, tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got.Changes, cmpopts.EquateApprox(0, 1e-9)); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
			if n := len(got.Segments); n != len(tt.want)+1 {
				t.Errorf("segments: got %d, want %d", n, len(tt.want)+1)
			}
		})
	}
}

// TestDetectChangesIsOptimal checks PELT's pruned search against the plain
// dynamic programme over every segmentation, on random piecewise series.
func TestDetectChangesIsOptimal(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := range 200 {
		n := 8 + r.IntN(30)
		values := make([]float64, n)
		rate := 1 + r.Float64()*20
		for i := range values {
			if r.IntN(8) == 0 {
				rate = r.Float64() * 20
			}
			values[i] = float64(poisson(r, rate))
		}
		opt := ChangeOptions{MinSegment: 1 + r.IntN(3), Dispersion: 1}
		if n < 2*opt.MinSegment {
			continue
		}
		got, err := DetectChanges(values, 0, opt)
		if err != nil {
			t.Fatal(err)
		}
		pen := 2 * math.Log(float64(n))
		var obj float64
		for _, s := range got.Segments {
			if s.Window.Days() < opt.MinSegment {
				t.Fatalf("trial %d: segment %s shorter than %d days", trial, s.Window, opt.MinSegment)
			}
			obj += segCost(values[s.Window.From:s.Window.To]) + pen
		}
		if want := bruteForce(values, opt.MinSegment, pen); math.Abs(obj-want) > 1e-8*math.Max(1, math.Abs(want)) {
			t.Errorf("trial %d (%v, min %d): objective got %.10g, want %.10g", trial, values, opt.MinSegment, obj, want)
		}
	}
}

// segCost is the Poisson deviance of values about their mean, less the terms
// that do not depend on the segmentation: −2·Σy·log(ȳ).
func segCost(values []float64) float64 {
	var s float64
	for _, v := range values {
		s += v
	}
	if s == 0 {
		return 0
	}
	return -2 * s * math.Log(s/float64(len(values)))
}

func bruteForce(values []float64, minSeg int, pen float64) float64 {
	n := len(values)
	best := make([]float64, n+1)
	for t := 1; t <= n; t++ {
		best[t] = math.Inf(1)
		for s := 0; s <= t-minSeg; s++ {
			if s != 0 && s < minSeg {
				continue
			}
			if v := best[s] + segCost(values[s:t]) + pen; v < best[t] {
				best[t] = v
			}
		}
	}
	return best[n]
}

func poisson(r *rand.Rand, lambda float64) int {
	// Knuth's method: fine for the small rates of a test.
	l, k, p := math.Exp(-lambda), 0, 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

func TestDetectChangesDispersion(t *testing.T) {
	// Clustered days with no change in rate: a pure Poisson cost sees many
	// changes; the estimated dispersion should see none.
	values := []float64{0, 2, 30, 1, 0, 4, 25, 0, 3, 1, 28, 2, 0, 1, 35, 0, 2, 3, 27, 1, 0, 2, 31, 1, 0, 3, 26, 2}
	poissonOnly, err := DetectChanges(values, 0, ChangeOptions{Dispersion: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(poissonOnly.Changes) == 0 {
		t.Fatalf("pure Poisson cost: got no changes, want the spurious ones this test guards against")
	}
	got, err := DetectChanges(values, 0, ChangeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Changes) != 0 || got.Dispersion <= 1 {
		t.Errorf("got %d changes with dispersion %.2f, want none and a dispersion above 1", len(got.Changes), got.Dispersion)
	}
}

func TestDetectChangesErrors(t *testing.T) {
	tests := []struct {
		name   string
		values []float64
		opt    ChangeOptions
	}{
		{"too few days", []float64{1, 2, 3, 4, 5}, ChangeOptions{}},
		{"negative penalty", make([]float64, 10), ChangeOptions{Penalty: -1}},
		{"negative segment", make([]float64, 10), ChangeOptions{MinSegment: -1}},
		{"negative value", []float64{1, 2, 3, -4, 5, 6}, ChangeOptions{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := DetectChanges(tt.values, 0, tt.opt); domain.ErrorCode(err) != domain.EINVALID {
				t.Errorf("got %v, want an invalid error", err)
			}
		})
	}
}
