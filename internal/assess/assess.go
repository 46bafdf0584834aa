// Package assess makes compliance verdicts part of the desk: it loads an
// agreement's terms, the parties, their statuses and the control areas from
// the store, builds the compliance engine and the spatial index over them,
// judges incidents and stores the verdicts. Every change to those inputs
// goes through it, so that exactly the incidents compliance.Affected selects
// are judged again and each changed outcome is logged old → new with the
// change that caused it.
package assess

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/trucedesk/truce/internal/compliance"
	"github.com/trucedesk/truce/internal/control"
	"github.com/trucedesk/truce/internal/domain"
)

// DefaultPageSize is how many incidents a recomputation reads and writes at
// a time; each page is one store transaction.
const DefaultPageSize = 500

// Service judges incidents against the stored inputs. Set Store; Now and
// PageSize have defaults. Its methods serialise the changes they make, so
// two edits in one process cannot interleave their recomputations.
type Service struct {
	Store    domain.Store
	Now      func() time.Time
	PageSize int

	mu sync.Mutex
}

// New returns a service over a store.
func New(s domain.Store) *Service { return &Service{Store: s} }

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

func (s *Service) pageSize() int {
	if s.PageSize <= 0 {
		return DefaultPageSize
	}
	return min(s.PageSize, 1000)
}

// world is what every agreement's engine shares: the parties and the map.
type world struct {
	parties []*domain.Party
	bySlug  map[string]*domain.Party
	areas   []*control.Area
	index   *control.Index
	refs    []compliance.AreaRef
}

// Inputs is one agreement's engine and what it was built from.
type Inputs struct {
	Agreement *domain.Agreement
	Statuses  []*domain.PartyStatus
	Engine    *compliance.Engine
	world     *world
}

func (s *Service) loadWorld(ctx context.Context) (*world, error) {
	parties, err := s.Store.Parties(ctx)
	if err != nil {
		return nil, fmt.Errorf("load parties: %w", err)
	}
	stored, err := s.Store.Areas(ctx)
	if err != nil {
		return nil, fmt.Errorf("load areas: %w", err)
	}
	w := &world{parties: parties, bySlug: make(map[string]*domain.Party, len(parties))}
	byID := make(map[int64]*domain.Party, len(parties))
	for _, p := range parties {
		w.bySlug[p.Slug] = p
		byID[p.ID] = p
	}
	for _, d := range stored {
		a, _, err := control.FromDomain(d)
		if err != nil {
			return nil, fmt.Errorf("stored area %d: %w", d.ID, err)
		}
		if p := byID[a.ControllerID]; p != nil {
			a.Controller = p.Slug
		}
		w.areas = append(w.areas, a)
	}
	w.setAreas(w.areas)
	return w, nil
}

func (w *world) setAreas(areas []*control.Area) {
	w.areas = areas
	// An empty index, not a nil one: with no map at all the engine would
	// call every location too imprecise, and the first area would then
	// change verdicts far outside its own bounds, which Affected cannot see.
	w.index = control.NewIndex(areas)
	w.refs = w.refs[:0]
	for _, a := range areas {
		w.refs = append(w.refs, areaRef(a))
	}
}

func areaRef(a *control.Area) compliance.AreaRef {
	b := a.Bound()
	return compliance.AreaRef{
		ControllerID: a.ControllerID,
		BBox:         domain.BBox{MinLon: b.Min[0], MinLat: b.Min[1], MaxLon: b.Max[0], MaxLat: b.Max[1]},
		ValidFrom:    a.ValidFrom, ValidTo: a.ValidTo,
	}
}

func (s *Service) inputs(ctx context.Context, w *world, a *domain.Agreement) (*Inputs, error) {
	statuses, err := s.Store.PartyStatuses(ctx, a.ID)
	if err != nil {
		return nil, fmt.Errorf("load statuses: %w", err)
	}
	e, err := compliance.New(a, w.parties, statuses, w.index)
	if err != nil {
		return nil, fmt.Errorf("agreement %s: %w", a.Slug, err)
	}
	return &Inputs{Agreement: a, Statuses: statuses, Engine: e, world: w}, nil
}

// Load builds the engine of one agreement from the store.
func (s *Service) Load(ctx context.Context, agreementID int64) (*Inputs, error) {
	w, err := s.loadWorld(ctx)
	if err != nil {
		return nil, err
	}
	a, err := s.Store.Agreement(ctx, agreementID)
	if err != nil {
		return nil, err
	}
	return s.inputs(ctx, w, a)
}

// loadAll builds the engine of every agreement.
func (s *Service) loadAll(ctx context.Context, w *world) ([]*Inputs, error) {
	as, err := s.Store.Agreements(ctx)
	if err != nil {
		return nil, fmt.Errorf("load agreements: %w", err)
	}
	out := make([]*Inputs, 0, len(as))
	for _, a := range as {
		in, err := s.inputs(ctx, w, a)
		if err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, nil
}

// Record turns the engine's verdict into the stored form.
func Record(v *compliance.Verdict, at time.Time) (*domain.Verdict, error) {
	views, err := json.Marshal(v.Views)
	if err != nil {
		return nil, fmt.Errorf("encode verdict %d: %w", v.IncidentID, err)
	}
	d := &domain.Verdict{
		IncidentID: v.IncidentID, IncidentVersion: v.IncidentVersion,
		AgreementID: v.AgreementID, AgreementVersion: v.AgreementVersion,
		Outcome: string(v.Views[0].Outcome), Reason: string(v.Views[0].Reason),
		Views: views, Sentence: v.Sentence, Fingerprint: Fingerprint(v), ComputedAt: at,
	}
	for _, vw := range v.Views {
		d.Outcomes = append(d.Outcomes, domain.ViewOutcome{
			Label: vw.Label, Designator: vw.Designator, Outcome: string(vw.Outcome), Reason: string(vw.Reason),
		})
	}
	return d, nil
}

// Fingerprint identifies the inputs a verdict used: the incident and
// agreement versions, and every status row, area version and party fact
// its traces cite, in a canonical order. A verdict whose fingerprint is
// unchanged was computed from the same records.
func Fingerprint(v *compliance.Verdict) string {
	type key struct {
		kind          compliance.FactKind
		id            int64
		version       int
		party         int64
		clause, value string
	}
	var keys []key
	for _, vw := range v.Views {
		for _, st := range vw.Trace {
			for _, f := range st.Facts {
				if f.Kind == compliance.FactClause || f.Kind == compliance.FactWhen {
					continue // covered by the agreement version and the incident
				}
				keys = append(keys, key{f.Kind, f.ID, f.Version, f.PartyID, f.Clause, f.Value})
			}
		}
	}
	slices.SortFunc(keys, func(a, b key) int {
		return cmp.Or(cmp.Compare(a.kind, b.kind), cmp.Compare(a.id, b.id), cmp.Compare(a.version, b.version),
			cmp.Compare(a.party, b.party), cmp.Compare(a.clause, b.clause), cmp.Compare(a.value, b.value))
	})
	keys = slices.Compact(keys)
	h := sha256.New()
	var buf [8]byte
	num := func(n int64) {
		binary.BigEndian.PutUint64(buf[:], uint64(n))
		h.Write(buf[:])
	}
	num(v.IncidentID)
	num(int64(v.IncidentVersion))
	num(v.AgreementID)
	num(int64(v.AgreementVersion))
	for _, k := range keys {
		h.Write([]byte(k.kind))
		num(k.id)
		num(int64(k.version))
		num(k.party)
		h.Write([]byte{0})
		h.Write([]byte(k.clause))
		h.Write([]byte{0})
		h.Write([]byte(k.value))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}
