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

// partyLine is one party's status rows, split the way the rules read them,
// with a pointer to its parent's: the engine resolves a party ID once per
// incident and then walks pointers, not maps, up the ParentID chain.
type partyLine struct {
	party  *domain.Party // nil for an ID only status rows or a child name
	parent *partyLine
	// commit holds committed and withdrawn rows, across guarantors.
	commit []*domain.PartyStatus
	// desig holds designation rows by designator number: 0 is the
	// exclusion authority, i is timelines.designators[i-1].
	desig [][]*domain.PartyStatus
}

// timelines holds the status rows of one agreement by party.
type timelines struct {
	lines map[int64]*partyLine
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
	tl := &timelines{lines: map[int64]*partyLine{}}
	// line returns the party's line, making it; ID 0 is no party.
	line := func(id int64) *partyLine {
		if id == 0 {
			return nil
		}
		l := tl.lines[id]
		if l == nil {
			l = &partyLine{}
			tl.lines[id] = l
		}
		return l
	}
	parents := map[int64]int64{}
	for _, p := range parties {
		if l := line(p.ID); l != nil {
			l.party = p
		}
		if p.ParentID != 0 {
			parents[p.ID] = p.ParentID
		}
	}
	for id, parent := range parents {
		line(id).parent = line(parent)
	}
	var mine []*domain.PartyStatus
	others := map[string]bool{}
	for _, r := range rows {
		if agreementID != 0 && r.AgreementID != 0 && r.AgreementID != agreementID {
			continue
		}
		mine = append(mine, r)
		if isDesignation(r.Kind) {
			// A row by no one names no view: the authority's rows have
			// its name, and other views read their designator's rows.
			if d := designatorOf(r, authority); d != authority && d != "" {
				others[d] = true
			}
		}
	}
	for d := range others {
		tl.designators = append(tl.designators, d)
	}
	slices.Sort(tl.designators)
	number := map[string]int{authority: 0}
	for i, d := range tl.designators {
		number[d] = i + 1
	}
	for _, r := range mine {
		l := line(r.PartyID)
		switch {
		case l == nil:
		case r.Kind == domain.StatusCommitted || r.Kind == domain.StatusWithdrawn:
			l.commit = append(l.commit, r)
		case isDesignation(r.Kind):
			n, ok := number[designatorOf(r, authority)]
			if !ok {
				continue
			}
			if len(l.desig) <= n {
				l.desig = append(l.desig, make([][]*domain.PartyStatus, n+1-len(l.desig))...)
			}
			l.desig[n] = append(l.desig[n], r)
		}
	}
	for _, l := range tl.lines {
		slices.SortFunc(l.commit, compareRows)
		for _, rs := range l.desig {
			slices.SortFunc(rs, compareRows)
		}
	}
	return tl
}

func isDesignation(k domain.StatusKind) bool {
	return k == domain.StatusExcluded || k == domain.StatusDesignated || k == domain.StatusUndesignated
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

// designation returns designator n's row in force for the party at t,
// walking up to the parent when the party has none of its own, and whether
// it designates the party.
func (l *partyLine) designation(n int, t time.Time) (*domain.PartyStatus, bool) {
	for depth := 0; l != nil && depth < maxDepth; l, depth = l.parent, depth+1 {
		if n < len(l.desig) {
			if r := inForce(l.desig[n], t); r != nil {
				return r, r.Kind != domain.StatusUndesignated
			}
		}
	}
	return nil, false
}

// commitment returns the committed or withdrawn row in force for the party
// at t, the party's own or else its nearest ancestor's.
func (l *partyLine) commitment(t time.Time) *domain.PartyStatus {
	for depth := 0; l != nil && depth < maxDepth; l, depth = l.parent, depth+1 {
		if r := inForce(l.commit, t); r != nil {
			return r
		}
	}
	return nil
}

// line returns the party's line, or nil for an ID no party or row has.
func (tl *timelines) line(id int64) *partyLine {
	if id == 0 {
		return nil
	}
	return tl.lines[id]
}
