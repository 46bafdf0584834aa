package formats

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
)

// benchRows is how many rows the benchmarks parse: enough to measure a
// steady rate, small enough for a shared machine.
const benchRows = 100_000

// resampledACLED builds an ACLED file of n rows drawn from the fixture, with
// fresh event IDs, in memory.
func resampledACLED(tb testing.TB, n int) []byte {
	tb.Helper()
	cr := csv.NewReader(bytes.NewReader(open(tb, "acled_syria_synthetic.csv")))
	rows, err := cr.ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(rows[0])
	rng := rand.New(rand.NewPCG(1, 2))
	rec := make([]string, len(rows[0]))
	for i := range n {
		copy(rec, rows[1+rng.IntN(len(rows)-1)])
		rec[0] = "SYR" + itoa(100000+i)
		w.Write(rec)
	}
	w.Flush()
	return buf.Bytes()
}

func BenchmarkACLEDRead(b *testing.B) {
	data := resampledACLED(b, benchRows)
	reg := newRegistry()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		r, err := NewACLEDReader(bytes.NewReader(data), Options{Resolver: reg})
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			_, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != benchRows {
			b.Fatalf("read %d rows, want %d", n, benchRows)
		}
	}
	b.ReportMetric(float64(benchRows*b.N)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkACLEDWrite(b *testing.B) {
	reg := newRegistry()
	recs, _ := readAll(b, NewACLEDReader, resampledACLED(b, benchRows), Options{Resolver: reg})
	b.ResetTimer()
	for b.Loop() {
		w := NewACLEDWriter(io.Discard, reg.Name)
		for i := range recs {
			if err := w.Write(&recs[i].Incident); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Flush(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(benchRows*b.N)/b.Elapsed().Seconds(), "rows/s")
}
