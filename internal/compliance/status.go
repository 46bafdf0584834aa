package compliance

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/trucedesk/truce/internal/domain"
)

// maxDepth bounds the walk up ParentID links, so a cycle in the registry
// cannot hang the engine.
const maxDepth = 16

// timelines holds the status rows of one agreement, split the way the rules
// read them: commitments per party (across guarantors), and designations per
// party and designator.
type timelines struct {
	parent map[int64]int64
	commit map[int64][]*domain.PartyStatus
	desig  map[int64]map[string][]*domain.PartyStatus
	// designators lists everyone but the authority who designated anyone,
	// sorted, so extra views come out in a fixed order.
	designators []string
}

// compareRows orders rows by when they take effect, then by ID, kind and
// designator, so the row in force never depends on the order rows were given.
func compareRows(a, b *domain.PartyStatus) int {
	return cmp.Or(a.ValidFrom.Compare(b.ValidFrom), cmp.Compare(a.ID, b.ID),
		cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Designator, b.Designator))
}

func newTimelines(agreementID int64, authority string, parties []*domain.Party, rows []*domain.PartyStatus) *timelines {
	tl := &timelines{
		parent: map[int64]int64{},
		commit: map[int64][]*domain.PartyStatus{},
		desig:  map[int64]map[string][]*domain.PartyStatus{},
	}
	for _, p := range parties {
		if p.ParentID != 0 {
			tl.parent[p.ID] = p.ParentID
		}
	}
	others := map[string]bool{}
	for _, r := range rows {
		if agreementID != 0 && r.AgreementID != 0 && r.AgreementID != agreementID {
			continue
		}
		switch r.Kind {
		case domain.StatusCommitted, domain.StatusWithdrawn:
			tl.commit[r.PartyID] = append(tl.commit[r.PartyID], r)
		case domain.StatusExcluded, domain.StatusDesignated, domain.StatusUndesignated:
			d := designatorOf(r, authority)
			if tl.desig[r.PartyID] == nil {
				tl.desig[r.PartyID] = map[string][]*domain.PartyStatus{}
			}
			tl.desig[r.PartyID][d] = append(tl.desig[r.PartyID][d], r)
			if d != authority {
				others[d] = true
			}
		}
	}
	for _, rs := range tl.commit {
		slices.SortFunc(rs, compareRows)
	}
	for _, m := range tl.desig {
		for _, rs := range m {
			slices.SortFunc(rs, compareRows)
		}
	}
	for d := range others {
		tl.designators = append(tl.designators, d)
	}
	slices.Sort(tl.designators)
	return tl
}

// designatorOf names whose judgment a designation row is. An "excluded" row
// with no designator is the authority's, as the kind's definition says.
func designatorOf(r *domain.PartyStatus, authority string) string {
	d := strings.TrimSpace(r.Designator)
	if d == "" && r.Kind == domain.StatusExcluded {
		return authority
	}
	return d
}

// inForce returns the last row of a sorted timeline that took effect at or
// before t.
func inForce(rows []*domain.PartyStatus, t time.Time) *domain.PartyStatus {
	i, _ := slices.BinarySearchFunc(rows, t, func(r *domain.PartyStatus, t time.Time) int {
		if r.ValidFrom.After(t) {
			return 1
		}
		return -1
	})
	if i == 0 {
		return nil
	}
	return rows[i-1]
}

// designation returns the designator's row in force for the party at t,
// walking up to the parent when the party has none of its own, and whether
// it designates the party.
func (tl *timelines) designation(party int64, designator string, t time.Time) (*domain.PartyStatus, bool) {
	for p, depth := party, 0; p != 0 && depth < maxDepth; p, depth = tl.parent[p], depth+1 {
		if r := inForce(tl.desig[p][designator], t); r != nil {
			return r, r.Kind != domain.StatusUndesignated
		}
	}
	return nil, false
}

// commitment returns the committed or withdrawn row in force for the party
// at t, the party's own or else its nearest ancestor's.
func (tl *timelines) commitment(party int64, t time.Time) *domain.PartyStatus {
	for p, depth := party, 0; p != 0 && depth < maxDepth; p, depth = tl.parent[p], depth+1 {
		if r := inForce(tl.commit[p], t); r != nil {
			return r
		}
	}
	return nil
}

// designatesAny reports whether the designator has a row in force at t for
// any of the parties or their ancestors; if not, its view cannot differ.
func (tl *timelines) designatesAny(designator string, t time.Time, parties ...[]int64) bool {
	for _, ids := range parties {
		for _, id := range ids {
			if r, ok := tl.designation(id, designator, t); ok && r != nil {
				return true
			}
		}
	}
	return false
}
