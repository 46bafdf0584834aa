package compliance

import (
	"cmp"
	"slices"
	"time"

	"github.com/trucedesk/truce/internal/domain"
)

// MaxSpread is the widest interval an incident's time precision can stand
// for (a calendar month, plus a day of time-zone slack). A boundary moved
// by a change can affect incidents recorded up to this far either side.
const MaxSpread = 32 * 24 * time.Hour

// ChangeKind says what changed.
type ChangeKind string

// The kinds of change that can alter verdicts.
const (
	ChangeTerms  ChangeKind = "terms"
	ChangeStatus ChangeKind = "status"
	ChangeArea   ChangeKind = "area"
)

// Change describes one edit to the inputs of the engine.
type Change struct {
	Kind ChangeKind
	// For ChangeTerms: the agreement before and after the edit.
	OldTerms, NewTerms *domain.Agreement
	// For ChangeStatus: the party whose row was added, and the instant it
	// takes effect.
	PartyID int64
	From    time.Time
	// For ChangeArea: the bounding box and validity window of the area
	// version added or changed (for a change, the union of old and new).
	// A zero ValidTo means open-ended.
	BBox               domain.BBox
	ValidFrom, ValidTo time.Time
}

// Filter selects the incidents a change can affect. An incident matches if
// All is set; or, unless None is set, its recorded instant is in
// [Since, Until) (zero bounds are open) and, when PartyIDs or Boxes are
// given, it names one of the parties as perpetrator or target or its point
// lies in one of the boxes.
type Filter struct {
	None         bool
	All          bool
	Since, Until time.Time
	PartyIDs     []int64
	Boxes        []domain.BBox
}

// Matches reports whether the filter selects the incident, so a caller can
// refine what a coarser store query returned.
func (f Filter) Matches(in *domain.Incident) bool {
	switch {
	case f.None:
		return false
	case f.All:
		return true
	case !f.Since.IsZero() && in.OccurredAt.Before(f.Since):
		return false
	case !f.Until.IsZero() && !in.OccurredAt.Before(f.Until):
		return false
	case len(f.PartyIDs) == 0 && len(f.Boxes) == 0:
		return true
	}
	for _, id := range in.Perpetrators {
		if _, ok := slices.BinarySearch(f.PartyIDs, id); ok {
			return true
		}
	}
	for _, id := range in.Targets {
		if _, ok := slices.BinarySearch(f.PartyIDs, id); ok {
			return true
		}
	}
	if in.Point != nil {
		for _, b := range f.Boxes {
			if b.Contains(*in.Point) {
				return true
			}
		}
	}
	return false
}

// Affected returns the filter of incidents whose verdicts the change can
// alter. It is conservative: it may select incidents whose verdicts stay
// the same, never miss one that changes. Parties are needed to follow
// ParentID links (a brigade inherits its coalition's status); areas to
// find the ground a party holds, since a party's status decides strikes in
// its areas.
func Affected(c Change, parties []*domain.Party, areas []AreaRef) Filter {
	switch c.Kind {
	case ChangeTerms:
		return termsFilter(c.OldTerms, c.NewTerms)
	case ChangeStatus:
		ids := descendants(c.PartyID, parties)
		f := Filter{Since: c.From, PartyIDs: ids}
		for _, a := range areas {
			if _, ok := slices.BinarySearch(ids, a.ControllerID); ok && (a.ValidTo.IsZero() || a.ValidTo.After(c.From)) {
				f.Boxes = append(f.Boxes, a.BBox)
			}
		}
		slices.SortFunc(f.Boxes, compareBoxes)
		f.Boxes = slices.Compact(f.Boxes)
		return f
	case ChangeArea:
		// Statuses and areas are read at the recorded instant, so only
		// incidents recorded inside the window can see the area.
		return Filter{Since: c.ValidFrom, Until: c.ValidTo, Boxes: []domain.BBox{c.BBox}}
	}
	return Filter{All: true}
}

// AreaRef is what Affected needs to know of an area version.
type AreaRef struct {
	ControllerID       int64
	BBox               domain.BBox
	ValidFrom, ValidTo time.Time
}

func compareBoxes(a, b domain.BBox) int {
	return cmp.Or(cmp.Compare(a.MinLon, b.MinLon), cmp.Compare(a.MinLat, b.MinLat),
		cmp.Compare(a.MaxLon, b.MaxLon), cmp.Compare(a.MaxLat, b.MaxLat))
}

// descendants returns the party and every party below it through ParentID,
// sorted.
func descendants(id int64, parties []*domain.Party) []int64 {
	children := map[int64][]int64{}
	for _, p := range parties {
		if p.ParentID != 0 {
			children[p.ParentID] = append(children[p.ParentID], p.ID)
		}
	}
	seen := map[int64]bool{id: true}
	queue := []int64{id}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, c := range children[p] {
			if !seen[c] {
				seen[c] = true
				queue = append(queue, c)
			}
		}
	}
	ids := make([]int64, 0, len(seen))
	for p := range seen {
		ids = append(ids, p)
	}
	slices.Sort(ids)
	return ids
}

// termsFilter: a change to the acts, scope, exclusion authority or time
// zone can alter any verdict; moving the start, grace or end alters only
// incidents near the old and new boundaries; other edits (name, text)
// alter none.
func termsFilter(old, new *domain.Agreement) Filter {
	if old == nil || new == nil {
		return Filter{All: true}
	}
	if !slices.Equal(old.ProhibitedActs, new.ProhibitedActs) || !slices.Equal(old.Scope, new.Scope) ||
		old.ExclusionAuthority != new.ExclusionAuthority || old.TimeZone != new.TimeZone || old.ID != new.ID {
		return Filter{All: true}
	}
	var (
		lo, hi  time.Time
		moved   bool
		openEnd bool
	)
	widen := func(a, b time.Time) {
		if a.Equal(b) {
			return
		}
		from, to := a, b
		if b.Before(a) || a.IsZero() {
			from, to = b, a
		}
		if from.IsZero() { // an end added or removed: open after the other
			from, to = to, time.Time{}
		}
		from = from.Add(-MaxSpread)
		if !moved || from.Before(lo) {
			lo = from
		}
		if to.IsZero() {
			openEnd = true
		} else if to = to.Add(MaxSpread); to.After(hi) {
			hi = to
		}
		moved = true
	}
	widen(old.Start, new.Start)
	widen(old.Start.Add(old.Grace), new.Start.Add(new.Grace))
	widen(old.End, new.End)
	if !moved {
		return Filter{None: true}
	}
	if openEnd {
		hi = time.Time{}
	}
	return Filter{Since: lo, Until: hi}
}

// Record is one incident whose verdict changed: Old is nil for an incident
// judged for the first time, New is nil for one no longer judged.
type Record struct {
	IncidentID int64
	Old, New   *Verdict
}

// Diff compares two sets of verdicts by incident and returns the records of
// those whose outcome changed in any view (or whose views appeared or
// disappeared), ordered by incident ID. Changes in trace alone are not
// reported.
func Diff(old, new []Verdict) []Record {
	byID := make(map[int64]*Verdict, len(old))
	for i := range old {
		byID[old[i].IncidentID] = &old[i]
	}
	var out []Record
	seen := make(map[int64]bool, len(new))
	for i := range new {
		n := &new[i]
		seen[n.IncidentID] = true
		o := byID[n.IncidentID]
		if o == nil || !sameOutcomes(o, n) {
			out = append(out, Record{IncidentID: n.IncidentID, Old: o, New: n})
		}
	}
	for i := range old {
		if !seen[old[i].IncidentID] {
			out = append(out, Record{IncidentID: old[i].IncidentID, Old: &old[i]})
		}
	}
	slices.SortFunc(out, func(a, b Record) int { return cmp.Compare(a.IncidentID, b.IncidentID) })
	return out
}
