package ledger

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"

	"github.com/trucedesk/truce/internal/domain"
)

// ProblemKind says what a Verifier found wrong.
type ProblemKind string

// The problems a Verifier reports.
const (
	// Edited: a logged record's row no longer produces the logged leaf.
	Edited ProblemKind = "edited"
	// Inserted: a row the log never recorded, or a second row for one key.
	Inserted ProblemKind = "inserted"
	// Deleted: a logged record whose row is gone, or a log entry that is
	// gone (then its key is unknown).
	Deleted ProblemKind = "deleted"
	// LogEdited: the stored log entry at an index was changed; the rows and
	// the checkpoint agree on what it was.
	LogEdited ProblemKind = "log_edited"
	// LogMismatch: the stored log does not hash to the checkpoint's root and
	// the altered entries cannot be located from this checkpoint. Every
	// entry below the checkpoint's size is then suspect.
	LogMismatch ProblemKind = "log_mismatch"
)

// Problem is one finding of a Verifier.
type Problem struct {
	Kind ProblemKind `json:"kind"`
	// Index is the log index at fault; HasIndex is false for inserted rows
	// and for a log mismatch, which have none.
	Index    uint64 `json:"index"`
	HasIndex bool   `json:"has_index"`
	// Key names the record, when known.
	Key Key `json:"key"`
	// Attested is true when the index is below the checkpoint's size, so the
	// finding rests on the signed root and not only on the stored log.
	Attested bool   `json:"attested"`
	Detail   string `json:"detail"`
}

// String formats the problem for the verify command's output.
func (p Problem) String() string {
	s := string(p.Kind)
	if p.HasIndex {
		s += fmt.Sprintf(" at index %d", p.Index)
	}
	if p.Key != (Key{}) {
		s += " " + p.Key.String()
	}
	if p.HasIndex && !p.Attested {
		s += " (after the checkpoint)"
	}
	if p.Detail != "" {
		s += ": " + p.Detail
	}
	return s
}

// Report is the outcome of a verification.
type Report struct {
	Checkpoint *Checkpoint `json:"checkpoint"`
	Entries    uint64      `json:"entries"` // log entries given
	Records    int         `json:"records"` // rows given
	// RootOK is true when the stored log's first Checkpoint.Size leaf
	// hashes give the checkpoint's root.
	RootOK bool `json:"root_ok"`
	// Unattested counts log entries past the checkpoint, which only a newer
	// checkpoint can vouch for.
	Unattested uint64 `json:"unattested"`
	// Superseded counts logged versions without a row that a later logged
	// version of the same record replaced (Verifier.LatestOnly).
	Superseded uint64    `json:"superseded"`
	Problems   []Problem `json:"problems"`
}

// OK reports whether the verification found nothing wrong.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

// Verifier checks a database's rows against its stored log and a trusted
// checkpoint, offline: it needs neither a Log nor the server.
//
// It recomputes the leaf of every row and matches rows to log entries by key
// (kind, ID, version), which tells the three kinds of tampering apart: a row
// whose leaf differs from its entry's hash was edited, a row with no entry
// was inserted, an entry with no row was deleted. The checkpoint's root
// decides which side to believe: if the stored leaf hashes give the root the
// stored log is authentic; if instead the rows' leaves give it, the stored
// log was altered and the rows show where.
type Verifier struct {
	// LatestOnly says the store keeps only the latest version of each
	// record, so a logged version with no row is not a deletion when a later
	// version of the same record is logged. Older versions then go
	// unchecked; a store that keeps every version should leave this false.
	LatestOnly bool
}

// Verify checks entries (the stored log, in any order) and records (every
// row, in any order) against cp, whose signature the caller has checked with
// OpenCheckpoint. Problems are ordered by index, then inserted rows by key.
func (v *Verifier) Verify(cp *Checkpoint, entries []Entry, records []Record) (*Report, error) {
	if cp == nil || len(cp.Root) != HashSize {
		return nil, domain.Errorf(domain.EINVALID, "verify needs a checkpoint with a root hash")
	}
	rep := &Report{Checkpoint: cp, Entries: uint64(len(entries)), Records: len(records)}
	add := func(p Problem) {
		p.Attested = p.HasIndex && p.Index < cp.Size
		rep.Problems = append(rep.Problems, p)
	}

	// Lay the entries out by index; what is missing was deleted from the
	// log. An index far beyond the log's length is itself tampering, and
	// must not make the verifier allocate without bound.
	limit := 2*max(uint64(len(entries)), cp.Size) + 1024
	var logEnd uint64
	for _, e := range entries {
		if e.Index < limit {
			logEnd = max(logEnd, e.Index+1)
		}
	}
	n := max(logEnd, cp.Size)
	const none = -1
	byIndex := make([]int, n)
	for i := range byIndex {
		byIndex[i] = none
	}
	keyIndex := make(map[Key]uint64, len(entries))
	for i, e := range entries {
		switch {
		case e.Index >= limit:
			add(Problem{Kind: LogEdited, Index: e.Index, HasIndex: true, Key: e.Key, Detail: fmt.Sprintf("the index is far beyond the log's %d entries", len(entries))})
			continue
		case byIndex[e.Index] != none:
			add(Problem{Kind: LogEdited, Index: e.Index, HasIndex: true, Key: e.Key, Detail: "the log holds two entries at this index"})
			continue
		case len(e.Hash) != HashSize:
			add(Problem{Kind: LogEdited, Index: e.Index, HasIndex: true, Key: e.Key, Detail: "the stored leaf hash is not a hash"})
			continue
		}
		byIndex[e.Index] = i
		if j, dup := keyIndex[e.Key]; dup {
			add(Problem{Kind: LogEdited, Index: e.Index, HasIndex: true, Key: e.Key, Detail: fmt.Sprintf("the key is logged at index %d too", j)})
			continue
		}
		keyIndex[e.Key] = e.Index
	}
	gaps := 0 // below the checkpoint's size, where they stop the root check
	for i, at := range byIndex {
		if at == none && uint64(i) < cp.Size {
			gaps++
		}
		switch {
		case at == none && uint64(i) >= logEnd:
			add(Problem{Kind: Deleted, Index: uint64(i), HasIndex: true, Detail: fmt.Sprintf("the log ends at %d entries but the checkpoint covers %d", logEnd, cp.Size)})
		case at == none:
			add(Problem{Kind: Deleted, Index: uint64(i), HasIndex: true, Detail: "the log entry is gone"})
		case uint64(i) >= cp.Size:
			rep.Unattested++
		}
	}

	// Recompute each row's leaf and match it to its entry.
	recomputed := make([][]byte, n)
	recErr := make(map[uint64]error)
	matched := make([]bool, n)
	type recordID struct {
		kind string
		id   int64
	}
	latest := make(map[recordID]int64)
	if v.LatestOnly {
		for _, e := range entries {
			rid := recordID{e.Key.Kind, e.Key.ID}
			if ver, ok := latest[rid]; !ok || e.Key.Version > ver {
				latest[rid] = e.Key.Version
			}
		}
	}
	var inserted []Problem
	for i := range records {
		r := &records[i]
		key := r.Key()
		idx, logged := keyIndex[key]
		if !logged {
			inserted = append(inserted, Problem{Kind: Inserted, Key: key, Detail: "the row is not in the log"})
			continue
		}
		if matched[idx] {
			inserted = append(inserted, Problem{Kind: Inserted, Key: key, Detail: fmt.Sprintf("a second row for the record logged at index %d", idx)})
			continue
		}
		matched[idx] = true
		h, err := r.LeafHash()
		if err != nil {
			recErr[idx] = err
			continue
		}
		recomputed[idx] = h
	}

	// Check the stored log against the signed root; if it fails, check
	// whether the rows' leaves give the root instead.
	logEdited := false
	if gaps == 0 {
		stored := make([][]byte, cp.Size)
		alt := make([][]byte, cp.Size)
		for i := range stored {
			stored[i] = entries[byIndex[i]].Hash
			alt[i] = stored[i]
			if recomputed[i] != nil {
				alt[i] = recomputed[i]
			}
		}
		rep.RootOK = bytes.Equal(rootOf(stored), cp.Root)
		if !rep.RootOK {
			if bytes.Equal(rootOf(alt), cp.Root) {
				logEdited = true
			} else {
				add(Problem{Kind: LogMismatch, Detail: fmt.Sprintf("the stored log does not hash to the checkpoint's root; its first %d entries cannot be trusted", cp.Size)})
			}
		}
	} else if cp.Size > 0 {
		add(Problem{Kind: LogMismatch, Detail: fmt.Sprintf("with %d log entries gone the root cannot be checked; the log's first %d entries cannot be trusted", gaps, cp.Size)})
	}

	for i, at := range byIndex {
		if at == none {
			continue
		}
		idx := uint64(i)
		e := &entries[at]
		switch {
		case recErr[idx] != nil:
			add(Problem{Kind: Edited, Index: idx, HasIndex: true, Key: e.Key, Detail: fmt.Sprintf("the row no longer encodes: %v", domain.ErrorMessage(recErr[idx]))})
		case !matched[idx]:
			if v.LatestOnly && e.Key.Version < latest[recordID{e.Key.Kind, e.Key.ID}] {
				rep.Superseded++
				continue
			}
			add(Problem{Kind: Deleted, Index: idx, HasIndex: true, Key: e.Key, Detail: "the row is gone"})
		case !bytes.Equal(recomputed[idx], e.Hash):
			if logEdited && idx < cp.Size {
				add(Problem{Kind: LogEdited, Index: idx, HasIndex: true, Key: e.Key, Detail: "the stored leaf hash was changed; the row matches the checkpoint"})
			} else {
				add(Problem{Kind: Edited, Index: idx, HasIndex: true, Key: e.Key, Detail: "the row's leaf hash differs from the log's"})
			}
		}
	}

	slices.SortStableFunc(rep.Problems, func(a, b Problem) int {
		if a.HasIndex != b.HasIndex { // a log mismatch first: it taints the rest
			if a.HasIndex {
				return 1
			}
			return -1
		}
		return cmp.Compare(a.Index, b.Index)
	})
	slices.SortFunc(inserted, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.Key.Kind, b.Key.Kind), cmp.Compare(a.Key.ID, b.Key.ID), cmp.Compare(a.Key.Version, b.Key.Version))
	})
	rep.Problems = append(rep.Problems, inserted...)
	return rep, nil
}

// rootOf returns the RFC 9162 root of a list of leaf hashes, through a
// compact range so memory stays logarithmic beyond the input.
func rootOf(hashes [][]byte) []byte {
	if len(hashes) == 0 {
		return EmptyRoot()
	}
	r := rangeFactory.NewEmptyRange(0)
	for _, h := range hashes {
		_ = r.Append(h, nil) // appending to a range cannot fail
	}
	root, _ := r.GetRootHash(nil) // the range starts at 0, so this cannot fail
	return root
}
