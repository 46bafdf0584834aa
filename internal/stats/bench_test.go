package stats

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/trucedesk/truce/internal/domain"
)

// benchEvents returns a pool of events over Jan–Apr 2016 from eight
// perpetrators; the benchmarks cycle through it so that 10M events need not
// sit in memory, as they would not when a store streams rows.
func benchEvents() []Event {
	r := rand.New(rand.NewPCG(3, 4))
	perps := []string{"ru-af", "saa", "isil", "nusra", "ypg", "fsa", "us-coalition", "tr-af"}
	start := time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)
	ev := make([]Event, 4096)
	for i := range ev {
		ev[i] = Event{
			At:          start.Add(time.Duration(r.Int64N(int64(120 * 24 * time.Hour)))),
			Weight:      float64(r.IntN(5)),
			Perpetrator: perps[r.IntN(len(perps))],
			Type:        domain.SubAirStrike,
		}
	}
	return ev
}

// BenchmarkBucket10M cuts 10 million events into daily series by
// perpetrator in Damascus time; one op is all 10M.
func BenchmarkBucket10M(b *testing.B) {
	loc := damascus(b)
	pool := benchEvents()
	w := Window{From: DayFromDate(2016, 1, 1), To: DayFromDate(2016, 5, 1)}
	const n = 10_000_000
	for b.Loop() {
		bk, err := NewBucketer(loc, w, KeyPerpetrator)
		if err != nil {
			b.Fatal(err)
		}
		for i := range n {
			bk.Add(&pool[i&(len(pool)-1)])
		}
		if len(bk.Series()) != 8 {
			b.Fatal("want 8 series")
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/event")
}

func BenchmarkExactRateTest(b *testing.B) {
	for _, bc := range []struct {
		name   string
		xA, xB int64
	}{{"small", 15, 128}, {"large", 40_000, 300_000}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := ExactRateTest(bc.xA, 2, bc.xB, 14, 0.95); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkCheckClaim(b *testing.B) {
	loc := damascus(b)
	c := domain.Claim{
		Actor: "Russia", ActorPartyID: 7, Metric: domain.MetricStrikes,
		WindowStart: time.Date(2016, 2, 22, 0, 0, 0, 0, loc), WindowEnd: time.Date(2016, 2, 24, 0, 0, 0, 0, loc),
		Direction: domain.DirectionDown, Strength: domain.StrengthSignificant,
	}
	s := claimSeries(append(repeat(9, 12), 10, 10), 7, 8)
	now := time.Date(2016, 3, 1, 0, 0, 0, 0, loc)
	for b.Loop() {
		if _, err := CheckClaim(c, s, loc, now, ClaimOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDetectChanges(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 6))
	values := make([]float64, 2000) // five and a half years of days
	for i := range values {
		values[i] = float64(poisson(r, 10+float64(i/400)*5))
	}
	for b.Loop() {
		if _, err := DetectChanges(values, 0, ChangeOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
