package ledger

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

var bigSize = flag.Uint64("ledger.bigsize", 10_000_000, "leaves in the large log of the proof benchmarks")

var big struct {
	once sync.Once
	log  *Log
	err  error
}

// bigLog returns a log of *bigSize leaves over MemStorage, built once per
// test binary (about 10 s and 650 MB at ten million leaves).
func bigLog(b *testing.B) *Log {
	b.Helper()
	big.once.Do(func() {
		ctx := context.Background()
		st := NewMemStorage()
		st.keys = make([]Key, 0, *bigSize) // no doubling: keep the peak near the final size
		st.levels[0] = make([]byte, 0, *bigSize*HashSize)
		l, err := Open(ctx, st)
		if err != nil {
			big.err = err
			return
		}
		const batch = 1 << 16
		keys := make([]Key, batch)
		hashes := make([][]byte, batch)
		var buf [8]byte
		for done := uint64(0); done < *bigSize; {
			n := min(batch, *bigSize-done)
			for i := range n {
				keys[i] = Key{Kind: "bench", ID: int64(done + i), Version: 1}
				binary.BigEndian.PutUint64(buf[:], done+i)
				hashes[i] = HashLeaf(buf[:])
			}
			if _, err := l.appendHashes(ctx, l.st, keys[:n], hashes[:n]); err != nil {
				big.err = err
				return
			}
			done += n
		}
		big.log = l
	})
	if big.err != nil {
		b.Fatal(big.err)
	}
	return big.log
}

func benchRecord(id int64) Record {
	return Record{
		Kind: "incident", ID: id, Version: 1, Time: day0.Add(time.Duration(id) * time.Second),
		Content: json.RawMessage(`{"type":"Air/drone strike","admin1":"Idlib","fatalities":{"best":3,"low":2,"high":5},"perpetrator":"unknown"}`),
	}
}

// BenchmarkAppend measures logging records, leaf encoding included, one per
// call and in batches as the store's group commit makes them.
func BenchmarkAppend(b *testing.B) {
	ctx := context.Background()
	for _, batch := range []int{1, 100, 1000} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			l, err := Open(ctx, NewMemStorage())
			if err != nil {
				b.Fatal(err)
			}
			recs := make([]Record, batch)
			var id int64
			for b.Loop() {
				for i := range recs {
					recs[i] = benchRecord(id)
					id++
				}
				if _, err := l.Append(ctx, recs...); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(id)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// BenchmarkLeafHash measures encoding and hashing one record, the verifier's
// cost per row.
func BenchmarkLeafHash(b *testing.B) {
	r := benchRecord(42)
	for b.Loop() {
		if _, err := r.LeafHash(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRoot10M(b *testing.B) {
	ctx := context.Background()
	l := bigLog(b)
	rng := rand.New(rand.NewPCG(1, 2))
	for b.Loop() {
		// Older sizes: the current root is cached in the edge.
		if _, err := l.Root(ctx, 1+rng.Uint64N(l.Size()-1)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkInclusionProof10M(b *testing.B) {
	ctx := context.Background()
	l := bigLog(b)
	rng := rand.New(rand.NewPCG(1, 2))
	for b.Loop() {
		if _, err := l.InclusionProof(ctx, rng.Uint64N(l.Size()), l.Size()); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkConsistencyProof10M(b *testing.B) {
	ctx := context.Background()
	l := bigLog(b)
	rng := rand.New(rand.NewPCG(1, 2))
	for b.Loop() {
		if _, err := l.ConsistencyProof(ctx, 1+rng.Uint64N(l.Size()-1), l.Size()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpen10M measures reloading the tree's edge, paid at start-up and
// after a rolled-back append.
func BenchmarkOpen10M(b *testing.B) {
	ctx := context.Background()
	l := bigLog(b)
	for b.Loop() {
		if _, err := Open(ctx, l.st); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify measures offline verification of 100,000 rows.
func BenchmarkVerify(b *testing.B) {
	ctx := context.Background()
	const n = 100_000
	l, st := mustOpen(b, StratumHeight)
	recs := make([]Record, n)
	for i := range recs {
		recs[i] = benchRecord(int64(i))
	}
	if _, err := l.Append(ctx, recs...); err != nil {
		b.Fatal(err)
	}
	cp, err := l.Checkpoint(ctx, "bench")
	if err != nil {
		b.Fatal(err)
	}
	entries, err := st.Entries(ctx, 0, n)
	if err != nil {
		b.Fatal(err)
	}
	runs := 0
	for b.Loop() {
		rep, err := (&Verifier{}).Verify(cp, entries, recs)
		if err != nil || !rep.OK() {
			b.Fatalf("Verify: %v, %v", rep.Problems, err)
		}
		runs++
	}
	b.ReportMetric(float64(n*runs)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkTwoWriters alternates batches of 100 leaves between two Logs over
// one storage of a million leaves, as two instances on one database do:
// each batch first brings the writer's edge up to date with the other's
// leaves, by catching up (now) or by rebuilding it from the strata, as
// every such append did before (the baseline, forced with Invalidate).
func BenchmarkTwoWriters(b *testing.B) {
	ctx := context.Background()
	const size, batch = 1 << 20, 100
	for _, mode := range []string{"catch-up", "reload"} {
		b.Run(mode, func(b *testing.B) {
			a, err := Open(ctx, NewMemStorage())
			if err != nil {
				b.Fatal(err)
			}
			keys := make([]Key, batch)
			hashes := make([][]byte, batch)
			var buf [8]byte
			next := func(l *Log) {
				for i := range batch {
					n := l.Size() + uint64(i)
					keys[i] = Key{Kind: "bench", ID: int64(n), Version: 1}
					binary.BigEndian.PutUint64(buf[:], n)
					hashes[i] = HashLeaf(buf[:])
				}
				if _, err := l.appendHashes(ctx, l.st, keys, hashes); err != nil {
					b.Fatal(err)
				}
			}
			for a.Size() < size {
				next(a)
			}
			w, err := Open(ctx, a.st)
			if err != nil {
				b.Fatal(err)
			}
			writers := []*Log{a, w}
			i := 0
			for b.Loop() {
				l := writers[i%2]
				if mode == "reload" {
					l.Invalidate()
				}
				next(l)
				i++
			}
			b.ReportMetric(float64(i*batch)/b.Elapsed().Seconds(), "leaves/s")
		})
	}
}
