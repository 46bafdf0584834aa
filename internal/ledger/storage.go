package ledger

import (
	"context"
	"fmt"
	"sync"

	"github.com/trucedesk/truce/internal/domain"
)

// StratumHeight is the spacing of the tree levels a Storage keeps: besides
// the leaf hashes (level 0) it keeps the hash of every complete subtree of
// 2^8, 2^16, 2^24… leaves. Any other node is then at most 2^7 stored hashes
// away, so a proof in a tree of ten million leaves reads a few thousand
// hashes instead of rehashing the tree, for about 0.4% more rows than the
// leaves alone.
const StratumHeight = 8

// Entry is one leaf of the log as stored: its index, the key of the record
// version it logs and the leaf hash. The key lets a verifier say which record
// an index belonged to after the record itself has gone.
type Entry struct {
	Index uint64 `json:"index"`
	Key   Key    `json:"key"`
	Hash  []byte `json:"hash"`
}

// Node is the hash of a complete subtree that the log keeps so that roots and
// proofs need not rehash every leaf below it. Level is a positive multiple of
// StratumHeight; the subtree covers leaves [Index<<Level, (Index+1)<<Level).
type Node struct {
	Level uint   `json:"level"`
	Index uint64 `json:"index"`
	Hash  []byte `json:"hash"`
}

// Storage keeps a log's entries and stored nodes. The store packages implement
// it on SQLite and PostgreSQL, typically as two tables:
//
//	ledger_entries(idx PRIMARY KEY, kind, record_id, version, leaf_hash)
//	ledger_nodes(level, idx, hash, PRIMARY KEY (level, idx))
//
// A Log serializes its own calls to Append; implementations need only be
// safe for concurrent reads. Returned hashes are never modified by the Log.
type Storage interface {
	// Size returns the number of entries, which hold indexes [0, Size).
	Size(ctx context.Context) (uint64, error)
	// Append stores entries, whose indexes continue from Size, together
	// with the nodes they complete, all or none: a log whose entries and
	// nodes disagree gives wrong proofs.
	Append(ctx context.Context, entries []Entry, nodes []Node) error
	// Hashes returns the hashes at one stored level for indexes
	// [begin, end): at level 0 the entries' leaf hashes, above it the
	// stored nodes. It fails if any is missing.
	Hashes(ctx context.Context, level uint, begin, end uint64) ([][]byte, error)
	// Entries returns the entries with indexes [begin, end) in index order.
	Entries(ctx context.Context, begin, end uint64) ([]Entry, error)
}

// MemStorage is a Storage in memory, for tests, benchmarks and the demo. It
// packs hashes into flat slices, so ten million leaves take about 650 MB.
type MemStorage struct {
	mu     sync.RWMutex
	keys   []Key
	levels map[uint][]byte // level → hashes in index order, HashSize bytes each
}

var _ Storage = (*MemStorage)(nil)

// NewMemStorage returns an empty MemStorage.
func NewMemStorage() *MemStorage {
	return &MemStorage{levels: make(map[uint][]byte)}
}

// Size returns the number of entries.
func (m *MemStorage) Size(ctx context.Context) (uint64, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return uint64(len(m.keys)), nil
}

// Append stores entries and nodes after checking that they continue the
// stored indexes, so a bug in a caller shows up here rather than as a bad
// proof later.
func (m *MemStorage) Append(ctx context.Context, entries []Entry, nodes []Node) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	size := uint64(len(m.keys))
	for i, e := range entries {
		if want := size + uint64(i); e.Index != want {
			return fmt.Errorf("append entry %d: want index %d", e.Index, want)
		}
		if len(e.Hash) != HashSize {
			return fmt.Errorf("append entry %d: hash has %d bytes, want %d", e.Index, len(e.Hash), HashSize)
		}
	}
	counts := make(map[uint]uint64)
	for _, n := range nodes {
		if n.Level == 0 || len(n.Hash) != HashSize {
			return fmt.Errorf("append node (%d, %d): bad level or hash", n.Level, n.Index)
		}
		want := uint64(len(m.levels[n.Level])/HashSize) + counts[n.Level]
		if n.Index != want {
			return fmt.Errorf("append node (%d, %d): want index %d", n.Level, n.Index, want)
		}
		counts[n.Level]++
	}
	for _, e := range entries {
		m.keys = append(m.keys, e.Key)
		m.levels[0] = append(m.levels[0], e.Hash...)
	}
	for _, n := range nodes {
		m.levels[n.Level] = append(m.levels[n.Level], n.Hash...)
	}
	return nil
}

// Hashes returns views into the stored hashes; callers must not modify them.
func (m *MemStorage) Hashes(ctx context.Context, level uint, begin, end uint64) ([][]byte, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	flat := m.levels[level]
	if begin > end || end > uint64(len(flat)/HashSize) {
		return nil, domain.Errorf(domain.ENOTFOUND, "ledger has no hashes [%d, %d) at level %d", begin, end, level)
	}
	out := make([][]byte, 0, end-begin)
	for i := begin; i < end; i++ {
		out = append(out, flat[i*HashSize:(i+1)*HashSize:(i+1)*HashSize])
	}
	return out, nil
}

// Entries returns copies of the entries [begin, end).
func (m *MemStorage) Entries(ctx context.Context, begin, end uint64) ([]Entry, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if begin > end || end > uint64(len(m.keys)) {
		return nil, domain.Errorf(domain.ENOTFOUND, "ledger has no entries [%d, %d)", begin, end)
	}
	out := make([]Entry, 0, end-begin)
	flat := m.levels[0]
	for i := begin; i < end; i++ {
		out = append(out, Entry{Index: i, Key: m.keys[i], Hash: append([]byte(nil), flat[i*HashSize:(i+1)*HashSize]...)})
	}
	return out, nil
}
