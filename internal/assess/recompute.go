package assess

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/trucedesk/truce/internal/compliance"
	"github.com/trucedesk/truce/internal/control"
	"github.com/trucedesk/truce/internal/domain"
)

// Report says what a recomputation did: the change it answered, the
// incidents it judged (those the change can affect), how many verdicts it
// wrote (new, changed, or computed from other records), and the changes of
// outcome it logged.
type Report struct {
	Cause   domain.Cause            `json:"cause"`
	Judged  []int64                 `json:"judged"`
	Written int                     `json:"written"`
	Changes []*domain.VerdictChange `json:"changes"`
}

func (r *Report) add(o *Report) {
	r.Judged = append(r.Judged, o.Judged...)
	r.Written += o.Written
	r.Changes = append(r.Changes, o.Changes...)
}

// selection is a union of compliance filters: an incident is selected if
// any of them matches it.
type selection []compliance.Filter

func (sel selection) all() bool {
	return slices.ContainsFunc(sel, func(f compliance.Filter) bool { return f.All })
}

func (sel selection) none() bool {
	return !slices.ContainsFunc(sel, func(f compliance.Filter) bool { return !f.None })
}

func (sel selection) matches(in *domain.Incident) bool {
	return slices.ContainsFunc(sel, func(f compliance.Filter) bool { return f.Matches(in) })
}

// query returns one store query that selects at least every incident the
// selection matches; matches then refines its pages.
func (sel selection) query() domain.AffectedFilter {
	var q domain.AffectedFilter
	first, openSince, openUntil, everywhere := true, false, false, false
	for _, f := range sel {
		if f.None {
			continue
		}
		if f.Since.IsZero() {
			openSince = true
		} else if first || f.Since.Before(q.Since) {
			q.Since = f.Since
		}
		if f.Until.IsZero() {
			openUntil = true
		} else if first || f.Until.After(q.Until) {
			q.Until = f.Until
		}
		if len(f.PartyIDs) == 0 && len(f.Boxes) == 0 {
			everywhere = true
		}
		q.PartyIDs = append(q.PartyIDs, f.PartyIDs...)
		q.Boxes = append(q.Boxes, f.Boxes...)
		first = false
	}
	if openSince {
		q.Since = time.Time{}
	}
	if openUntil {
		q.Until = time.Time{}
	}
	if everywhere {
		q.PartyIDs, q.Boxes = nil, nil
	}
	slices.Sort(q.PartyIDs)
	q.PartyIDs = slices.Compact(q.PartyIDs)
	return q
}

// recompute judges again, under one agreement, every incident the
// selection matches, page by page, and stores the verdicts that differ.
func (s *Service) recompute(ctx context.Context, in *Inputs, sel selection, cause domain.Cause) (*Report, error) {
	rep := &Report{Cause: cause}
	if sel.none() {
		return rep, nil
	}
	all, q := sel.all(), sel.query()
	page := s.pageSize()
	for after := int64(0); ; {
		var ins []*domain.Incident
		var err error
		if all {
			ins, err = s.Store.Incidents(ctx, domain.IncidentFilter{AfterID: after, Limit: page})
		} else {
			q.AfterID, q.Limit = after, page
			ins, err = s.Store.AffectedIncidents(ctx, q)
		}
		if err != nil {
			return nil, fmt.Errorf("read incidents: %w", err)
		}
		if len(ins) == 0 {
			return rep, nil
		}
		last := len(ins) < page
		after = ins[len(ins)-1].ID
		if !all {
			ins = slices.DeleteFunc(ins, func(i *domain.Incident) bool { return !sel.matches(i) })
		}
		r, err := s.judge(ctx, in, ins, cause)
		if err != nil {
			return nil, err
		}
		rep.add(r)
		if last {
			return rep, nil
		}
	}
}

// judge judges incidents under one agreement and stores the verdicts that
// are new or computed from other records; the store logs changed outcomes.
func (s *Service) judge(ctx context.Context, in *Inputs, ins []*domain.Incident, cause domain.Cause) (*Report, error) {
	rep := &Report{Cause: cause}
	if len(ins) == 0 {
		return rep, nil
	}
	ids := make([]int64, len(ins))
	for i, inc := range ins {
		ids[i] = inc.ID
	}
	stored, err := s.Store.VerdictsOf(ctx, in.Agreement.ID, ids)
	if err != nil {
		return nil, fmt.Errorf("read verdicts: %w", err)
	}
	old := make(map[int64]*domain.Verdict, len(stored))
	for _, v := range stored {
		old[v.IncidentID] = v
	}
	var write []*domain.Verdict
	for _, inc := range ins {
		v := in.Engine.Judge(inc)
		rec, err := Record(&v, cause.At)
		if err != nil {
			return nil, err
		}
		rep.Judged = append(rep.Judged, inc.ID)
		if o := old[inc.ID]; o != nil && o.Fingerprint == rec.Fingerprint && o.Sentence == rec.Sentence &&
			domain.SameOutcomes(o.Outcomes, rec.Outcomes) {
			continue // same records, same verdict: nothing to write
		}
		write = append(write, rec)
	}
	if len(write) == 0 {
		return rep, nil
	}
	changes, err := s.Store.PutVerdicts(ctx, write, cause)
	if err != nil {
		return nil, fmt.Errorf("store verdicts: %w", err)
	}
	rep.Written, rep.Changes = len(write), changes
	return rep, nil
}

func (s *Service) cause(kind domain.CauseKind, id int64, text, actor string) domain.Cause {
	if actor == "" {
		actor = "truce"
	}
	return domain.Cause{Kind: kind, ID: id, Text: text, Actor: actor, At: s.now().Truncate(time.Microsecond)}
}

// JudgeIncident judges one incident under every agreement and stores the
// verdicts. Call it after CreateIncident or UpdateIncident.
func (s *Service) JudgeIncident(ctx context.Context, id int64, actor string) (*Report, error) {
	return s.JudgeIncidents(ctx, []int64{id}, actor)
}

// JudgeIncidents judges incidents under every agreement, building each
// engine once: call it after an import with the IDs it stored.
func (s *Service) JudgeIncidents(ctx context.Context, ids []int64, actor string) (*Report, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w, err := s.loadWorld(ctx)
	if err != nil {
		return nil, err
	}
	all, err := s.loadAll(ctx, w)
	if err != nil {
		return nil, err
	}
	ins := make([]*domain.Incident, 0, len(ids))
	for _, id := range ids {
		inc, err := s.Store.Incident(ctx, id)
		if err != nil {
			return nil, err
		}
		ins = append(ins, inc)
	}
	text := "incident recorded"
	var causeID int64
	if len(ins) == 1 {
		causeID = ins[0].ID
		text = fmt.Sprintf("incident %d recorded", ins[0].ID)
		if ins[0].Version > 1 {
			text = fmt.Sprintf("incident %d edited (version %d)", ins[0].ID, ins[0].Version)
		}
	} else if len(ins) > 1 {
		text = fmt.Sprintf("%d incidents recorded", len(ins))
	}
	cause := s.cause(domain.CauseIncident, causeID, text, actor)
	rep := &Report{Cause: cause}
	for _, in := range all {
		for chunk := range slices.Chunk(ins, s.pageSize()) {
			r, err := s.judge(ctx, in, chunk, cause)
			if err != nil {
				return nil, err
			}
			rep.add(r)
		}
	}
	return rep, nil
}

// Recompute judges every incident again under one agreement, or all of
// them when agreementID is 0, and logs what changed.
func (s *Service) Recompute(ctx context.Context, agreementID int64, actor string) (*Report, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w, err := s.loadWorld(ctx)
	if err != nil {
		return nil, err
	}
	all, err := s.loadAll(ctx, w)
	if err != nil {
		return nil, err
	}
	cause := s.cause(domain.CauseRecompute, agreementID, "full recomputation", actor)
	rep := &Report{Cause: cause}
	found := false
	for _, in := range all {
		if agreementID != 0 && in.Agreement.ID != agreementID {
			continue
		}
		found = true
		r, err := s.recompute(ctx, in, selection{{All: true}}, cause)
		if err != nil {
			return nil, err
		}
		rep.add(r)
	}
	if agreementID != 0 && !found {
		return nil, domain.Errorf(domain.ENOTFOUND, "agreement %d not found", agreementID)
	}
	return rep, nil
}

// CreateAgreement stores a new agreement and judges every incident under it.
func (s *Service) CreateAgreement(ctx context.Context, a *domain.Agreement, actor string) (*Report, error) {
	if err := s.Store.CreateAgreement(ctx, a); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	in, err := s.Load(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	return s.recompute(ctx, in, selection{{All: true}},
		s.cause(domain.CauseAgreement, a.ID, fmt.Sprintf("agreement %s created", a.Slug), actor))
}

// EditTerms replaces an agreement's terms if a.Version is the stored one
// (else ECONFLICT) and judges again the incidents the edit can affect.
func (s *Service) EditTerms(ctx context.Context, a *domain.Agreement, actor string) (*Report, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, err := s.Store.Agreement(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	if err := s.Store.UpdateTerms(ctx, a); err != nil {
		return nil, err
	}
	in, err := s.Load(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	f := compliance.Affected(compliance.Change{Kind: compliance.ChangeTerms, OldTerms: old, NewTerms: in.Agreement},
		in.world.parties, in.world.refs)
	return s.recompute(ctx, in, selection{f},
		s.cause(domain.CauseTerms, a.ID, fmt.Sprintf("terms of %s edited (version %d)", in.Agreement.Slug, in.Agreement.Version), actor))
}

// AddStatus appends a party status row and judges again the incidents it
// can affect: from its instant on, naming the party or a party below it,
// or located in ground they hold.
func (s *Service) AddStatus(ctx context.Context, st *domain.PartyStatus, actor string) (*Report, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st.RecordedBy == "" {
		st.RecordedBy = actor
	}
	if err := s.Store.AddPartyStatus(ctx, st); err != nil {
		return nil, err
	}
	in, err := s.Load(ctx, st.AgreementID)
	if err != nil {
		return nil, err
	}
	f := compliance.Affected(compliance.Change{Kind: compliance.ChangeStatus, PartyID: st.PartyID, From: st.ValidFrom},
		in.world.parties, in.world.refs)
	return s.recompute(ctx, in, selection{f},
		s.cause(domain.CauseStatus, st.ID, fmt.Sprintf("status row %d added (%s, %s)", st.ID, st.Kind, partyName(in.world, st.PartyID)), actor))
}

func partyName(w *world, id int64) string {
	for _, p := range w.parties {
		if p.ID == id {
			return p.Slug
		}
	}
	return "party " + strconv.FormatInt(id, 10)
}

// AreaImport is the outcome of importing a control map: the stored areas
// with their IDs in feature order, the repairs made, the overlaps the map
// now has at the same instants, and the recomputation.
type AreaImport struct {
	Areas    []ImportedArea    `json:"areas"`
	Warnings []control.Warning `json:"warnings"`
	Overlaps []Overlap         `json:"overlaps"`
	Report   *Report           `json:"recompute"`
}

// ImportedArea is one stored feature.
type ImportedArea struct {
	Feature    int    `json:"feature"`
	ID         int64  `json:"id"`
	Name       string `json:"name,omitempty"`
	Controller string `json:"controller"`
}

// Overlap is two area versions covering some of the same ground at the
// same time; Conflict means their controllers differ.
type Overlap struct {
	A        OverlapSide `json:"a"`
	B        OverlapSide `json:"b"`
	From     time.Time   `json:"from"`
	To       time.Time   `json:"to,omitzero"`
	Conflict bool        `json:"conflict"`
}

// OverlapSide names one area of an overlap.
type OverlapSide struct {
	ID         int64  `json:"id"`
	Name       string `json:"name,omitempty"`
	Controller string `json:"controller"`
}

// ImportAreas reads a GeoJSON FeatureCollection of control areas (see
// control.Parse; dates without a time are midnight in loc) and stores it all
// or nothing: a map with any fault, including a controller that names no
// party, stores nothing and returns a *control.ParseError naming each
// feature and fault. The file's own ids and versions are not kept: each
// feature becomes a new stored area version with an ID of the store's.
func (s *Service) ImportAreas(ctx context.Context, data []byte, loc *time.Location, actor string) (*AreaImport, error) {
	areas, warnings, err := control.Parse(data, loc)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	w, err := s.loadWorld(ctx)
	if err != nil {
		return nil, err
	}
	var faults []control.Fault
	stored := make([]*domain.Area, len(areas))
	for i, a := range areas {
		p := w.bySlug[a.Controller]
		if p == nil {
			faults = append(faults, control.Fault{Feature: i, Where: "properties.controller",
				Problem: fmt.Sprintf("no party has the slug %q", a.Controller)})
			continue
		}
		a.ControllerID = p.ID
		if stored[i], err = a.Domain(); err != nil {
			return nil, err
		}
	}
	if len(faults) > 0 {
		return nil, &control.ParseError{Faults: faults}
	}
	if err := s.Store.ImportAreas(ctx, stored); err != nil {
		return nil, err
	}
	res := &AreaImport{Warnings: warnings}
	ids := make([]string, len(areas))
	sel := make(selection, len(areas))
	for i, a := range areas {
		a.ID, a.Version = stored[i].ID, 1
		ids[i] = strconv.FormatInt(a.ID, 10)
		res.Areas = append(res.Areas, ImportedArea{Feature: i, ID: a.ID, Name: a.Name, Controller: a.Controller})
		r := areaRef(a)
		sel[i] = compliance.Affected(compliance.Change{Kind: compliance.ChangeArea, BBox: r.BBox,
			ValidFrom: a.ValidFrom, ValidTo: a.ValidTo}, w.parties, w.refs)
	}
	w.setAreas(append(w.areas, areas...))
	res.Overlaps = overlaps(w, areas)
	text := "area " + ids[0] + " added"
	if len(ids) > 1 {
		text = "areas " + strings.Join(ids, ", ") + " imported"
	}
	all, err := s.loadAll(ctx, w)
	if err != nil {
		return nil, err
	}
	cause := s.cause(domain.CauseArea, areas[0].ID, text, actor)
	res.Report = &Report{Cause: cause}
	for _, in := range all {
		r, err := s.recompute(ctx, in, sel, cause)
		if err != nil {
			return nil, err
		}
		res.Report.add(r)
	}
	return res, nil
}

// overlaps lists the overlaps of the whole map that involve a new area.
func overlaps(w *world, added []*control.Area) []Overlap {
	isNew := map[control.Key]bool{}
	for _, a := range added {
		isNew[a.Key()] = true
	}
	byKey := map[control.Key]*control.Area{}
	for _, a := range w.areas {
		byKey[a.Key()] = a
	}
	side := func(k control.Key) OverlapSide {
		a := byKey[k]
		return OverlapSide{ID: a.ID, Name: a.Name, Controller: a.Controller}
	}
	var out []Overlap
	for _, o := range w.index.Overlaps() {
		if !isNew[o.A] && !isNew[o.B] {
			continue
		}
		out = append(out, Overlap{A: side(o.A), B: side(o.B), From: o.From, To: o.To, Conflict: o.Conflict})
	}
	return out
}

// Areas returns the stored control map, controllers named by slug, for
// export with control.Export.
func (s *Service) Areas(ctx context.Context) ([]*control.Area, error) {
	w, err := s.loadWorld(ctx)
	if err != nil {
		return nil, err
	}
	return w.areas, nil
}
