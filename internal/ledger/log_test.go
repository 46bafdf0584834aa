package ledger

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/transparency-dev/merkle/proof"

	"github.com/trucedesk/truce/internal/domain"
)

// hexes is a list of hashes that reads from and prints as hex.
type hexes [][]byte

func (h *hexes) UnmarshalJSON(b []byte) error {
	var ss []string
	if err := json.Unmarshal(b, &ss); err != nil {
		return err
	}
	*h = make(hexes, len(ss))
	for i, s := range ss {
		d, err := hex.DecodeString(s)
		if err != nil {
			return err
		}
		(*h)[i] = d
	}
	return nil
}

type vectors struct {
	Leaves    hexes `json:"leaves"`
	Roots     hexes `json:"roots"`
	Inclusion []struct {
		Index, Size uint64
		Proof       hexes
	} `json:"inclusion"`
	Consistency []struct {
		Size1, Size2 uint64
		Proof        hexes
	} `json:"consistency"`
}

func readVectors(tb testing.TB) *vectors {
	tb.Helper()
	b, err := os.ReadFile("testdata/rfc6962_vectors.json")
	if err != nil {
		tb.Fatal(err)
	}
	var v vectors
	if err := json.Unmarshal(b, &v); err != nil {
		tb.Fatal(err)
	}
	return &v
}

// mustOpen opens a log over fresh memory storage with the given stratum
// height; small heights make small trees exercise the strata.
func mustOpen(tb testing.TB, height uint) (*Log, *MemStorage) {
	tb.Helper()
	st := NewMemStorage()
	l, err := open(context.Background(), st, height)
	if err != nil {
		tb.Fatal(err)
	}
	return l, st
}

// mustAppendHashes appends raw leaf hashes under synthetic keys.
func mustAppendHashes(tb testing.TB, l *Log, hashes ...[]byte) {
	tb.Helper()
	keys := make([]Key, len(hashes))
	for i := range keys {
		keys[i] = Key{Kind: "test", ID: int64(l.Size()) + int64(i), Version: 1}
	}
	if _, err := l.appendHashes(context.Background(), l.st, keys, hashes); err != nil {
		tb.Fatal(err)
	}
}

func TestPublishedVectors(t *testing.T) {
	ctx := context.Background()
	v := readVectors(t)
	for _, height := range []uint{1, 2, 8} {
		t.Run(fmt.Sprintf("height=%d", height), func(t *testing.T) {
			l, _ := mustOpen(t, height)
			for size := range uint64(len(v.Leaves)) + 1 {
				if size > 0 {
					mustAppendHashes(t, l, HashLeaf(v.Leaves[size-1]))
				}
				// Every smaller size too, which the edge cannot answer.
				for s := range size + 1 {
					got, err := l.Root(ctx, s)
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(got, v.Roots[s]) {
						t.Errorf("after %d leaves: Root(%d) = %x, want %x", size, s, got, v.Roots[s])
					}
				}
			}
			for _, c := range v.Inclusion {
				got, err := l.InclusionProof(ctx, c.Index, c.Size)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff([][]byte(c.Proof), got, cmp.Comparer(bytes.Equal), cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("InclusionProof(%d, %d) mismatch (-want +got):\n%s", c.Index, c.Size, diff)
				}
			}
			for _, c := range v.Consistency {
				got, err := l.ConsistencyProof(ctx, c.Size1, c.Size2)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff([][]byte(c.Proof), got, cmp.Comparer(bytes.Equal), cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("ConsistencyProof(%d, %d) mismatch (-want +got):\n%s", c.Size1, c.Size2, diff)
				}
			}
		})
	}
}

// The reference below follows RFC 6962 section 2.1 line by line, over leaf
// hashes, sharing no code with the log or the merkle module.

func refRoot(d [][]byte) []byte {
	switch len(d) {
	case 0:
		h := sha256.Sum256(nil)
		return h[:]
	case 1:
		return d[0]
	}
	k := split(len(d))
	return refNode(refRoot(d[:k]), refRoot(d[k:]))
}

func refNode(l, r []byte) []byte {
	h := sha256.New()
	h.Write([]byte{1})
	h.Write(l)
	h.Write(r)
	return h.Sum(nil)
}

// split returns the largest power of two smaller than n.
func split(n int) int {
	k := 1
	for k*2 < n {
		k *= 2
	}
	return k
}

func refPath(m int, d [][]byte) [][]byte {
	if len(d) <= 1 {
		return nil
	}
	k := split(len(d))
	if m < k {
		return append(refPath(m, d[:k]), refRoot(d[k:]))
	}
	return append(refPath(m-k, d[k:]), refRoot(d[:k]))
}

func refProof(m int, d [][]byte) [][]byte { return refSubproof(m, d, true) }

func refSubproof(m int, d [][]byte, b bool) [][]byte {
	n := len(d)
	if m == n {
		if b {
			return nil
		}
		return [][]byte{refRoot(d)}
	}
	k := split(n)
	if m <= k {
		return append(refSubproof(m, d[:k], b), refRoot(d[k:]))
	}
	return append(refSubproof(m-k, d[k:], false), refRoot(d[:k]))
}

func TestAgainstReference(t *testing.T) {
	ctx := context.Background()
	const n = 70
	leaves := make([][]byte, n)
	for i := range leaves {
		leaves[i] = HashLeaf([]byte(fmt.Sprintf("leaf %d", i)))
	}
	eq := cmp.Options{cmp.Comparer(bytes.Equal), cmpopts.EquateEmpty()}
	for _, height := range []uint{1, 2, 3, StratumHeight} {
		t.Run(fmt.Sprintf("height=%d", height), func(t *testing.T) {
			l, _ := mustOpen(t, height)
			rng := rand.New(rand.NewPCG(1, uint64(height)))
			for appended := 0; appended < n; {
				batch := min(1+rng.IntN(9), n-appended)
				mustAppendHashes(t, l, leaves[appended:appended+batch]...)
				appended += batch
			}
			for size := 0; size <= n; size++ {
				root, err := l.Root(ctx, uint64(size))
				if err != nil {
					t.Fatal(err)
				}
				if want := refRoot(leaves[:size]); !bytes.Equal(root, want) {
					t.Errorf("Root(%d) = %x, want %x", size, root, want)
				}
				for i := 0; i < size; i++ {
					got, err := l.InclusionProof(ctx, uint64(i), uint64(size))
					if err != nil {
						t.Fatal(err)
					}
					if diff := cmp.Diff(refPath(i, leaves[:size]), got, eq); diff != "" {
						t.Fatalf("InclusionProof(%d, %d) mismatch (-want +got):\n%s", i, size, diff)
					}
					if err := proof.VerifyInclusion(hasher, uint64(i), uint64(size), leaves[i], got, root); err != nil {
						t.Fatalf("InclusionProof(%d, %d) does not verify: %v", i, size, err)
					}
				}
				for m := 1; m <= size; m++ {
					got, err := l.ConsistencyProof(ctx, uint64(m), uint64(size))
					if err != nil {
						t.Fatal(err)
					}
					if diff := cmp.Diff(refProof(m, leaves[:size]), got, eq); diff != "" {
						t.Fatalf("ConsistencyProof(%d, %d) mismatch (-want +got):\n%s", m, size, diff)
					}
				}
			}
		})
	}
}

func TestProofErrors(t *testing.T) {
	ctx := context.Background()
	l, _ := mustOpen(t, 2)
	mustAppendHashes(t, l, HashLeaf([]byte("a")), HashLeaf([]byte("b")), HashLeaf([]byte("c")))
	tests := []struct {
		name string
		call func() error
	}{
		{"index at size", func() error { _, err := l.InclusionProof(ctx, 3, 3); return err }},
		{"size beyond log", func() error { _, err := l.InclusionProof(ctx, 0, 4); return err }},
		{"root beyond log", func() error { _, err := l.Root(ctx, 4); return err }},
		{"consistency backwards", func() error { _, err := l.ConsistencyProof(ctx, 3, 2); return err }},
		{"consistency beyond log", func() error { _, err := l.ConsistencyProof(ctx, 2, 4); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := domain.ErrorCode(tt.call()); got != domain.EINVALID {
				t.Errorf("error code = %q, want %q", got, domain.EINVALID)
			}
		})
	}
}

// failingStorage fails Append, as a database does when a disk fills.
type failingStorage struct{ Storage }

func (failingStorage) Append(context.Context, []Entry, []Node) error {
	return errors.New("disk full")
}

// txStorage stages appends over a base storage and drops them on rollback,
// as the store's transaction-bound storage does.
type txStorage struct {
	base    *MemStorage
	entries []Entry
	nodes   []Node
}

func (t *txStorage) Size(ctx context.Context) (uint64, error) {
	n, err := t.base.Size(ctx)
	return n + uint64(len(t.entries)), err
}

func (t *txStorage) Append(_ context.Context, e []Entry, n []Node) error {
	t.entries, t.nodes = append(t.entries, e...), append(t.nodes, n...)
	return nil
}

func (t *txStorage) Hashes(ctx context.Context, level uint, begin, end uint64) ([][]byte, error) {
	return t.base.Hashes(ctx, level, begin, end) // enough for a reload before staging
}

func (t *txStorage) Entries(ctx context.Context, begin, end uint64) ([]Entry, error) {
	return t.base.Entries(ctx, begin, end)
}

func (t *txStorage) commit(ctx context.Context) error { return t.base.Append(ctx, t.entries, t.nodes) }

func TestAppendFailureAndRollback(t *testing.T) {
	ctx := context.Background()
	rec := func(id int64) Record {
		return Record{Kind: "message", ID: id, Version: 1, Time: day0, Content: json.RawMessage(`{"n":1}`)}
	}
	var want [][]byte
	leaf := func(id int64) []byte {
		r := rec(id)
		h, err := r.LeafHash()
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	l, st := mustOpen(t, 1)
	for id := range int64(5) {
		if _, err := l.Append(ctx, rec(id)); err != nil {
			t.Fatal(err)
		}
		want = append(want, leaf(id))
	}

	t.Run("failed append leaves the log as it was", func(t *testing.T) {
		if _, err := l.AppendTo(ctx, failingStorage{st}, []Record{rec(99)}); err == nil {
			t.Fatal("AppendTo on a failing storage: got nil error")
		}
		if got := l.Size(); got != 5 {
			t.Errorf("Size() = %d, want 5", got)
		}
	})

	t.Run("rolled back append is forgotten", func(t *testing.T) {
		tx := &txStorage{base: st}
		if _, err := l.AppendTo(ctx, tx, []Record{rec(100), rec(101)}); err != nil {
			t.Fatal(err)
		}
		// Rolled back: tx is dropped. The next append sees the size it
		// expected is gone and reloads the edge.
		if _, err := l.Append(ctx, rec(5)); err != nil {
			t.Fatal(err)
		}
		want = append(want, leaf(5))
	})

	t.Run("committed transaction is kept", func(t *testing.T) {
		tx := &txStorage{base: st}
		if _, err := l.AppendTo(ctx, tx, []Record{rec(6), rec(7)}); err != nil {
			t.Fatal(err)
		}
		if err := tx.commit(ctx); err != nil {
			t.Fatal(err)
		}
		want = append(want, leaf(6), leaf(7))
		if _, err := l.Append(ctx, rec(8)); err != nil {
			t.Fatal(err)
		}
		want = append(want, leaf(8))
	})

	for size := range uint64(len(want)) + 1 {
		got, err := l.Root(ctx, size)
		if err != nil {
			t.Fatal(err)
		}
		if w := refRoot(want[:size]); !bytes.Equal(got, w) {
			t.Errorf("Root(%d) = %x, want %x", size, got, w)
		}
	}
	reopened, err := open(ctx, st, 1)
	if err != nil {
		t.Fatal(err)
	}
	got, err := reopened.Checkpoint(ctx, "o")
	if err != nil {
		t.Fatal(err)
	}
	if w := refRoot(want); got.Size != uint64(len(want)) || !bytes.Equal(got.Root, w) {
		t.Errorf("reopened checkpoint = %d %x, want %d %x", got.Size, got.Root, len(want), w)
	}
}

// TestConcurrentReads runs proofs and roots while appends go on, for the race
// detector; every proof must verify against the root of its own size.
func TestConcurrentReads(t *testing.T) {
	ctx := context.Background()
	l, _ := mustOpen(t, 2)
	mustAppendHashes(t, l, HashLeaf([]byte("first")))
	done := make(chan error)
	go func() {
		for i := range 200 {
			if _, err := l.appendHashes(ctx, l.st, []Key{{Kind: "t", ID: int64(i + 1)}}, [][]byte{HashLeaf([]byte(fmt.Sprint(i)))}); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	for i := 0; i < 200; i++ {
		size := l.Size()
		root, err := l.Root(ctx, size)
		if err != nil {
			t.Fatal(err)
		}
		index := uint64(i) % size
		p, err := l.InclusionProof(ctx, index, size)
		if err != nil {
			t.Fatal(err)
		}
		leaf, err := l.st.Hashes(ctx, 0, index, index+1)
		if err != nil {
			t.Fatal(err)
		}
		if err := proof.VerifyInclusion(hasher, index, size, leaf[0], p, root); err != nil {
			t.Errorf("proof of %d in %d: %v", index, size, err)
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestTwoWriters appends through two Logs over one storage, as two
// instances on one database do: each catches up with the other's leaves
// (or, past maxCatchUp, reloads), and every root matches the reference.
func TestTwoWriters(t *testing.T) {
	ctx := context.Background()
	for _, height := range []uint{1, 2, StratumHeight} {
		t.Run(fmt.Sprint("height ", height), func(t *testing.T) {
			a, st := mustOpen(t, height)
			b, err := open(ctx, st, height)
			if err != nil {
				t.Fatal(err)
			}
			var want [][]byte
			leaf := func(i int) []byte { h := sha256.Sum256([]byte(fmt.Sprint("leaf ", i))); return h[:] }
			// Runs of appends by one writer then the other, of varying
			// length, the last longer than a catch-up.
			for i, run := range []int{3, 1, 5, 2, 8, 1, 1, 13, maxCatchUp + 1, 2} {
				w := []*Log{a, b}[i%2]
				for range run {
					h := leaf(len(want))
					mustAppendHashes(t, w, h)
					want = append(want, h)
				}
				root, err := w.Root(ctx, uint64(len(want)))
				if err != nil {
					t.Fatal(err)
				}
				if r := refRoot(want); !bytes.Equal(root, r) {
					t.Fatalf("after run %d (%d leaves) the writer's root is %x, want %x", i, len(want), root, r)
				}
			}
			fresh, err := open(ctx, st, height)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range []*Log{b, fresh} { // b wrote last; a has not seen its leaves
				cp, err := l.Checkpoint(ctx, "o")
				if err != nil {
					t.Fatal(err)
				}
				if r := refRoot(want); cp.Size != uint64(len(want)) || !bytes.Equal(cp.Root, r) {
					t.Errorf("checkpoint %d %x, want %d %x", cp.Size, cp.Root, len(want), r)
				}
			}
			// The nodes the writers stored give the same proofs as a
			// fresh log's.
			for _, idx := range []uint64{0, 7, uint64(len(want) / 2), uint64(len(want) - 1)} {
				p1, err := a.InclusionProof(ctx, idx, uint64(len(want)))
				if err != nil {
					t.Fatal(err)
				}
				p2, _ := fresh.InclusionProof(ctx, idx, uint64(len(want)))
				if fmt.Sprint(p1) != fmt.Sprint(p2) {
					t.Errorf("inclusion proof of %d differs between a writer and a fresh log", idx)
				}
			}
		})
	}
}
