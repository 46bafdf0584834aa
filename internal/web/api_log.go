package web

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/trucedesk/truce/internal/auth"
	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/ledger"
)

// LogStore is what the log endpoints read: the tamper-evident log and its
// signed checkpoints.
type LogStore interface {
	Ledger(ctx context.Context) (*ledger.Log, error)
	LatestCheckpoint(ctx context.Context) ([]byte, error)
	LedgerEntries(ctx context.Context, begin, end uint64) ([]ledger.Entry, []time.Time, error)
}

func init() {
	routeSets = append(routeSets, func(s *Server) []Route {
		return []Route{
			{"GET /api/v1/log/checkpoint", Public, s.handleCheckpoint},
			{"POST /api/v1/log/checkpoints", auth.ActSetTerms, s.handleCheckpointSign},
			{"GET /api/v1/log/entries", Public, s.handleLogEntries},
			{"GET /api/v1/log/proof/inclusion", Public, s.handleInclusionProof},
			{"GET /api/v1/log/proof/consistency", Public, s.handleConsistencyProof},
		}
	})
}

// handleCheckpoint serves the newest signed checkpoint as the note text that
// any party can check offline with the co-chairs' public keys.
func (s *Server) handleCheckpoint(w http.ResponseWriter, r *http.Request) {
	note, err := s.Log.LatestCheckpoint(r.Context())
	if err != nil {
		s.error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write(note)
}

func (s *Server) handleCheckpointSign(w http.ResponseWriter, r *http.Request) {
	if s.Checkpoint == nil {
		s.error(w, r, domain.Errorf(domain.EUNAVAILABLE, "this server has no signing key"))
		return
	}
	prev, _ := s.Log.LatestCheckpoint(r.Context()) // none yet is no "before"
	note, err := s.Checkpoint(r.Context())
	if err != nil {
		s.error(w, r, err)
		return
	}
	var before any
	if cp := checkpointAudit(prev); cp != nil {
		before = cp
	}
	after := checkpointAudit(note)
	s.audit(r, "log.checkpoint", "checkpoint", after["size"], before, after)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusCreated)
	w.Write(note)
}

func queryUint(r *http.Request, name string, required bool) (uint64, error) {
	v := r.URL.Query().Get(name)
	if v == "" && !required {
		return 0, nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, domain.FieldErrorf(name, "%q is not a log index or size", v)
	}
	return n, nil
}

// handleLogEntries lists log entries: which record and version each leaf
// logs, with its hash, so a monitor can follow the log as it grows.
func (s *Server) handleLogEntries(w http.ResponseWriter, r *http.Request) {
	start, err := queryUint(r, "start", false)
	if err != nil {
		s.error(w, r, err)
		return
	}
	end, err := queryUint(r, "end", false)
	if err != nil {
		s.error(w, r, err)
		return
	}
	if end == 0 || end > start+1000 {
		end = start + 1000
	}
	if end < start {
		s.error(w, r, domain.FieldErrorf("end", "comes before start"))
		return
	}
	entries, times, err := s.Log.LedgerEntries(r.Context(), start, end)
	if err != nil {
		s.error(w, r, err)
		return
	}
	type entry struct {
		ledger.Entry
		At time.Time `json:"at"`
	}
	out := make([]entry, len(entries))
	for i := range entries {
		out[i] = entry{entries[i], times[i]}
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": out})
}

// proofParams reads the two required sizes or indexes of a proof request
// and the log as it stands.
func (s *Server) proofParams(r *http.Request, a, b string) (uint64, uint64, *ledger.Log, error) {
	x, err := queryUint(r, a, true)
	if err != nil {
		return 0, 0, nil, err
	}
	y, err := queryUint(r, b, true)
	if err != nil {
		return 0, 0, nil, err
	}
	l, err := s.Log.Ledger(r.Context())
	return x, y, l, err
}

func (s *Server) handleInclusionProof(w http.ResponseWriter, r *http.Request) {
	index, size, l, err := s.proofParams(r, "index", "size")
	if err != nil {
		s.error(w, r, err)
		return
	}
	if index >= size || size > l.Size() {
		s.error(w, r, domain.Errorf(domain.EINVALID, "need index < size ≤ %d", l.Size()))
		return
	}
	proof, err := l.InclusionProof(r.Context(), index, size)
	if err != nil {
		s.error(w, r, err)
		return
	}
	entries, _, err := s.Log.LedgerEntries(r.Context(), index, index+1)
	if err != nil || len(entries) != 1 {
		s.error(w, r, domain.Errorf(domain.ENOTFOUND, "no log entry %d", index))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"index": index, "size": size, "entry": entries[0], "proof": proof})
}

func (s *Server) handleConsistencyProof(w http.ResponseWriter, r *http.Request) {
	from, to, l, err := s.proofParams(r, "from", "to")
	if err != nil {
		s.error(w, r, err)
		return
	}
	if from > to || to > l.Size() {
		s.error(w, r, domain.Errorf(domain.EINVALID, "need from ≤ to ≤ %d", l.Size()))
		return
	}
	proof, err := l.ConsistencyProof(r.Context(), from, to)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"from": from, "to": to, "proof": proof})
}

// checkpointAudit is a signed checkpoint as the audit trail keeps it: the
// log's size and root, which the signed note itself vouches for; nil if
// note is not one.
func checkpointAudit(note []byte) map[string]any {
	n, err := ledger.ParseNote(note)
	if err != nil {
		return nil
	}
	cp, err := ledger.ParseCheckpoint(n.Text)
	if err != nil {
		return nil
	}
	return map[string]any{"origin": cp.Origin, "size": cp.Size, "root": cp.Root}
}
