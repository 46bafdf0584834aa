package ledger

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"golang.org/x/sync/errgroup"

	"github.com/trucedesk/truce/internal/domain"
)

// rangeFactory builds compact ranges with RFC 9162 node hashing.
var rangeFactory = &compact.RangeFactory{Hash: hasher.HashChildren}

// Log is an append-only Merkle tree log over a Storage. It keeps the right
// edge of the tree (one hash per set bit of the size) in memory, so an append
// costs about two hashes per leaf and never rereads old leaves, and it answers
// roots and proofs at any size from the stored strata.
//
// A Log assumes it is the only writer of its storage. Appends are serialized
// by the Log; reads may run concurrently with them.
type Log struct {
	st     Storage
	height uint // stored levels are multiples of height; StratumHeight but for tests

	mu   sync.Mutex
	edge *compact.Range // the compact range [0, size); nil when it must be reloaded
}

// Open returns the log kept in st, reading the right edge of its tree.
func Open(ctx context.Context, st Storage) (*Log, error) {
	return open(ctx, st, StratumHeight)
}

func open(ctx context.Context, st Storage, height uint) (*Log, error) {
	l := &Log{st: st, height: height}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.reload(ctx, st); err != nil {
		return nil, err
	}
	return l, nil
}

// Size returns the number of leaves in the log as this Log last saw it.
func (l *Log) Size() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.edge == nil {
		return 0
	}
	return l.edge.End()
}

// Append logs the records in order, one leaf each, and returns their entries.
// Either every record is logged or, on error, none is.
func (l *Log) Append(ctx context.Context, recs ...Record) ([]Entry, error) {
	return l.AppendTo(ctx, l.st, recs)
}

// AppendTo is Append writing through st instead of the Log's own storage, so
// that the store can log a write in the transaction that makes it: st is then
// the same storage bound to that transaction. If the transaction does not
// commit, call Invalidate: the next append would otherwise build on leaves
// that were never stored (a log with one writer notices the size it expected
// is gone, but with other writers the size may have grown past it).
func (l *Log) AppendTo(ctx context.Context, st Storage, recs []Record) ([]Entry, error) {
	keys := make([]Key, len(recs))
	hashes := make([][]byte, len(recs))
	// A large batch (an import's) is hashed on every core: the leaves are
	// independent, and only their order in the tree is serial.
	var g errgroup.Group
	chunk := max(parallelLeaves, (len(recs)+runtime.GOMAXPROCS(0)-1)/runtime.GOMAXPROCS(0))
	for lo := 0; lo < len(recs); lo += chunk {
		g.Go(func() error {
			for i := lo; i < min(lo+chunk, len(recs)); i++ {
				h, err := recs[i].LeafHash()
				if err != nil {
					return err
				}
				keys[i], hashes[i] = recs[i].Key(), h
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return l.appendHashes(ctx, st, keys, hashes)
}

// parallelLeaves is the fewest leaves worth a goroutine of their own.
const parallelLeaves = 256

// Invalidate makes the next append reload the tree's right edge from storage,
// after a transaction that appended to the log was rolled back.
func (l *Log) Invalidate() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.edge = nil
}

func (l *Log) appendHashes(ctx context.Context, st Storage, keys []Key, hashes [][]byte) ([]Entry, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	size, err := st.Size(ctx)
	if err != nil {
		return nil, fmt.Errorf("ledger size: %w", err)
	}
	switch {
	case l.edge != nil && size > l.edge.End() && size-l.edge.End() <= maxCatchUp:
		// Another writer (an instance sharing the database) appended:
		// hash its leaves onto the edge rather than rebuild it.
		if err := l.catchUp(ctx, st, size); err != nil {
			return nil, err
		}
	case l.edge == nil || l.edge.End() != size:
		if err := l.reload(ctx, st); err != nil {
			return nil, err
		}
		size = l.edge.End()
	}
	edge, err := rangeFactory.NewRange(0, size, append([][]byte(nil), l.edge.Hashes()...))
	if err != nil {
		return nil, fmt.Errorf("copy ledger edge: %w", err)
	}
	entries := make([]Entry, len(hashes))
	var nodes []Node
	visit := func(id compact.NodeID, hash []byte) {
		if id.Level > 0 && id.Level%l.height == 0 {
			nodes = append(nodes, Node{Level: id.Level, Index: id.Index, Hash: hash})
		}
	}
	for i, h := range hashes {
		entries[i] = Entry{Index: size + uint64(i), Key: keys[i], Hash: h}
		if err := edge.Append(h, visit); err != nil {
			return nil, fmt.Errorf("append leaf %d: %w", size+uint64(i), err)
		}
	}
	if err := st.Append(ctx, entries, nodes); err != nil {
		return nil, fmt.Errorf("append to ledger: %w", err)
	}
	l.edge = edge
	return entries, nil
}

// maxCatchUp is the most leaves an append hashes onto its edge to catch up
// with other writers; beyond it, rebuilding the edge from the strata (a few
// thousand reads at ten million leaves) is cheaper.
const maxCatchUp = 1 << 14

// catchUp extends the edge with the leaves [edge end, size) that other
// writers committed. It relies on the edge holding only committed leaves,
// which is why a writer whose transaction fails must Invalidate.
func (l *Log) catchUp(ctx context.Context, st Storage, size uint64) error {
	hashes, err := st.Hashes(ctx, 0, l.edge.End(), size)
	if err != nil {
		return fmt.Errorf("ledger leaves %d–%d: %w", l.edge.End(), size, err)
	}
	edge, err := rangeFactory.NewRange(0, l.edge.End(), append([][]byte(nil), l.edge.Hashes()...))
	if err != nil {
		return fmt.Errorf("copy ledger edge: %w", err)
	}
	for _, h := range hashes {
		if err := edge.Append(h, nil); err != nil {
			return fmt.Errorf("catch up ledger: %w", err)
		}
	}
	l.edge = edge
	return nil
}

// reload rebuilds the right edge from the stored strata. It costs a few
// thousand hash reads at ten million leaves, so it runs at Open and after a
// rollback, not per append.
func (l *Log) reload(ctx context.Context, st Storage) error {
	size, err := st.Size(ctx)
	if err != nil {
		return fmt.Errorf("ledger size: %w", err)
	}
	ids := compact.RangeNodes(0, size, nil)
	hashes, err := l.nodeHashes(ctx, st, ids)
	if err != nil {
		return err
	}
	edge, err := rangeFactory.NewRange(0, size, hashes)
	if err != nil {
		return fmt.Errorf("ledger edge: %w", err)
	}
	l.edge = edge
	return nil
}

// checkSize fails with EINVALID unless the log holds at least size leaves.
func (l *Log) checkSize(ctx context.Context, size uint64) error {
	if size <= l.Size() {
		return nil
	}
	n, err := l.st.Size(ctx)
	if err != nil {
		return fmt.Errorf("ledger size: %w", err)
	}
	if size > n {
		return domain.Errorf(domain.EINVALID, "tree size %d is beyond the log's %d leaves", size, n)
	}
	return nil
}

// Root returns the root hash of the tree of the first size leaves.
func (l *Log) Root(ctx context.Context, size uint64) ([]byte, error) {
	if size == 0 {
		return EmptyRoot(), nil
	}
	l.mu.Lock()
	edge := l.edge
	l.mu.Unlock()
	if edge != nil && edge.End() == size {
		return edge.GetRootHash(nil)
	}
	if err := l.checkSize(ctx, size); err != nil {
		return nil, err
	}
	hashes, err := l.nodeHashes(ctx, l.st, compact.RangeNodes(0, size, nil))
	if err != nil {
		return nil, err
	}
	r, err := rangeFactory.NewRange(0, size, hashes)
	if err != nil {
		return nil, fmt.Errorf("root of %d: %w", size, err)
	}
	return r.GetRootHash(nil)
}

// InclusionProof returns the RFC 9162 inclusion proof (audit path) of the
// leaf at index in the tree of the first size leaves.
func (l *Log) InclusionProof(ctx context.Context, index, size uint64) ([][]byte, error) {
	if index >= size {
		return nil, domain.Errorf(domain.EINVALID, "leaf %d is not in a tree of size %d", index, size)
	}
	if err := l.checkSize(ctx, size); err != nil {
		return nil, err
	}
	nodes, err := proof.Inclusion(index, size)
	if err != nil {
		return nil, fmt.Errorf("inclusion proof: %w", err)
	}
	return l.proof(ctx, nodes)
}

// ConsistencyProof returns the RFC 9162 consistency proof that the tree of
// size2 leaves extends the tree of size1 leaves.
func (l *Log) ConsistencyProof(ctx context.Context, size1, size2 uint64) ([][]byte, error) {
	if size1 > size2 {
		return nil, domain.Errorf(domain.EINVALID, "tree size %d is larger than %d", size1, size2)
	}
	if err := l.checkSize(ctx, size2); err != nil {
		return nil, err
	}
	nodes, err := proof.Consistency(size1, size2)
	if err != nil {
		return nil, fmt.Errorf("consistency proof: %w", err)
	}
	return l.proof(ctx, nodes)
}

// Entries returns the stored entries [begin, end), for the verify command.
func (l *Log) Entries(ctx context.Context, begin, end uint64) ([]Entry, error) {
	return l.st.Entries(ctx, begin, end)
}

func (l *Log) proof(ctx context.Context, nodes proof.Nodes) ([][]byte, error) {
	hashes, err := l.nodeHashes(ctx, l.st, nodes.IDs)
	if err != nil {
		return nil, err
	}
	p, err := nodes.Rehash(hashes, hasher.HashChildren)
	if err != nil {
		return nil, fmt.Errorf("rehash proof: %w", err)
	}
	return p, nil
}

// nodeHashes returns the hashes of complete subtrees, each read from its
// stratum or rebuilt from at most 2^(height-1) hashes of the stratum below.
func (l *Log) nodeHashes(ctx context.Context, st Storage, ids []compact.NodeID) ([][]byte, error) {
	out := make([][]byte, len(ids))
	for i, id := range ids {
		h, err := l.nodeHash(ctx, st, id)
		if err != nil {
			return nil, err
		}
		out[i] = h
	}
	return out, nil
}

func (l *Log) nodeHash(ctx context.Context, st Storage, id compact.NodeID) ([]byte, error) {
	up := id.Level % l.height
	base := id.Level - up
	begin, end := id.Index<<up, (id.Index+1)<<up
	hashes, err := st.Hashes(ctx, base, begin, end)
	if err != nil {
		return nil, fmt.Errorf("read ledger node (%d, %d): %w", id.Level, id.Index, err)
	}
	if len(hashes) != int(end-begin) {
		return nil, fmt.Errorf("read ledger node (%d, %d): got %d hashes, want %d", id.Level, id.Index, len(hashes), end-begin)
	}
	if up == 0 {
		return hashes[0], nil
	}
	// The stored hashes at the base level are leaves of a perfect subtree,
	// so their compact range collapses to exactly the node wanted.
	r := rangeFactory.NewEmptyRange(begin)
	for _, h := range hashes {
		if err := r.Append(h, nil); err != nil {
			return nil, fmt.Errorf("rebuild ledger node (%d, %d): %w", id.Level, id.Index, err)
		}
	}
	return r.Hashes()[0], nil
}
