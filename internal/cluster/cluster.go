// Package cluster finds reports that probably describe one incident: the same
// air strike arrives as an ACLED row, an Airwars row and two messages to the
// desk. It proposes groups and explains each with the distance, the time
// gap, the event type and the perpetrators, and decides nothing: a monitor
// accepts (merges) or splits each proposal.
package cluster

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/geo"
)

// Defaults of Params.
const (
	DefaultMaxKm    = 5.0
	DefaultWindow   = 6 * time.Hour
	DefaultMaxGroup = 8
)

// Params tune the proposals.
type Params struct {
	MaxKm    float64       // farthest two reports of one incident may be
	Window   time.Duration // longest gap between their time spans
	MaxGroup int           // most reports in one proposal
	MinScore float64       // proposals scoring less are dropped
	// Name gives a party's name for the explanations; nil prints IDs.
	Name func(partyID int64) string
}

func (p *Params) defaults() {
	if p.MaxKm <= 0 {
		p.MaxKm = DefaultMaxKm
	}
	if p.Window <= 0 {
		p.Window = DefaultWindow
	}
	if p.MaxGroup < 2 {
		p.MaxGroup = DefaultMaxGroup
	}
	if p.Name == nil {
		p.Name = func(id int64) string { return fmt.Sprintf("party %d", id) }
	}
}

// Item is one report to cluster: an incident, or a message located by a
// place named in its text.
type Item struct {
	Kind  domain.MemberKind
	ID    int64
	Point domain.Point
	Place string // what located it, for the explanation
	// Start and End bound when the event happened: a day-precision
	// incident spans its day, a message the day before its receipt.
	Start, End   time.Time
	SubEventType string // empty for messages
	Perpetrators []int64
}

// IncidentItem makes an item of an incident with a point; ok is false
// without one. The time span widens with the incident's time precision.
func IncidentItem(in *domain.Incident) (Item, bool) {
	if in.Point == nil {
		return Item{}, false
	}
	span := 24 * time.Hour
	switch in.TimePrecision {
	case domain.TimeWeek:
		span = 7 * 24 * time.Hour
	case domain.TimeMonth:
		span = 31 * 24 * time.Hour
	}
	start := in.OccurredAt
	if start.Hour() != 0 || start.Minute() != 0 || start.Second() != 0 {
		// A time of day is known: allow only the window around it.
		span = 0
	}
	return Item{Kind: domain.MemberIncident, ID: in.ID, Point: *in.Point, Place: in.Location,
		Start: start, End: start.Add(span), SubEventType: in.SubEventType, Perpetrators: in.Perpetrators}, true
}

// MessageItem makes an item of a message that names a gazetteer place; ok
// is false when no place is found in its text. Reports come in after the
// event, so the span is the day before receipt.
func MessageItem(m *domain.Message, g *geo.Geocoder) (Item, bool) {
	c, ok := PlaceInText(g, m.Subject+" "+m.Body)
	if !ok {
		return Item{}, false
	}
	return Item{Kind: domain.MemberMessage, ID: m.ID, Point: c.Place.Point, Place: c.Place.Name,
		Start: m.ReceivedAt.Add(-24 * time.Hour), End: m.ReceivedAt}, true
}

// minTextScore is the least score a place found in free text needs. Free
// text is full of words that look like short place names, so only exact or
// key matches of a whole word run count, never fuzzy or partial ones.
const minTextScore = 0.9

// PlaceInText finds the gazetteer place a text names best: it geocodes every
// run of one to three words as a whole name and keeps the best exact or key
// match. Runs are what the geocoder's own windows refuse when short, and
// Arabic names of three letters (حمص) are common.
func PlaceInText(g *geo.Geocoder, text string) (geo.Candidate, bool) {
	words := strings.FieldsFunc(text, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r) && r != '-' && r != '\'' && r != '’'
	})
	var best geo.Candidate
	found := false
	for size := 3; size >= 1; size-- {
		for i := 0; i+size <= len(words); i++ {
			run := strings.Join(words[i:i+size], " ")
			if tooShort(run) {
				continue
			}
			for _, c := range g.Geocode(run, geo.Hint{}) {
				if (c.Parts.Match == "exact" || c.Parts.Match == "key") && c.Score >= minTextScore &&
					(!found || c.Score > best.Score) {
					best, found = c, true
				}
				break // the best candidate of the run, or none
			}
		}
	}
	return best, found
}

// tooShort reports whether a matched word run is too short to trust in free
// text: four letters in Latin script, three in Arabic, which writes no
// short vowels ("حمص" is Homs).
func tooShort(q string) bool {
	n, arabic := 0, false
	for _, r := range q {
		n++
		arabic = arabic || unicode.Is(unicode.Arabic, r)
	}
	if arabic {
		return n < 3
	}
	return n < 4
}

type pair struct {
	a, b    int
	km, gap float64 // gap in hours
	score   float64
}

// Propose groups items that are within MaxKm and Window of each other and,
// for two incidents, of the same sub-event type. Pairs are joined best
// first, and a report joins a group only if it fits every member, so a
// chain of neighbours does not grow into one city-wide cluster. Each
// proposal has at least one incident.
func Propose(items []Item, p Params) []*domain.ClusterProposal {
	p.defaults()
	order := make([]int, len(items))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return items[a].Start.Compare(items[b].Start) })
	var pairs []pair
	for x, i := range order {
		a := &items[i]
		for _, j := range order[x+1:] {
			b := &items[j]
			if b.Start.Sub(a.End) > p.Window {
				break
			}
			if pr, ok := p.pair(items, i, j); ok {
				pairs = append(pairs, pr)
			}
		}
	}
	slices.SortFunc(pairs, func(x, y pair) int {
		if c := cmp.Compare(y.score, x.score); c != 0 {
			return c
		}
		return cmp.Or(cmp.Compare(x.a, y.a), cmp.Compare(x.b, y.b))
	})
	group := make(map[int]int) // item → group index
	var groups [][]int
	fits := func(g []int, k int) bool {
		if len(g) >= p.MaxGroup {
			return false
		}
		for _, m := range g {
			if _, ok := p.pair(items, m, k); !ok {
				return false
			}
		}
		return true
	}
	for _, pr := range pairs {
		ga, okA := group[pr.a]
		gb, okB := group[pr.b]
		switch {
		case !okA && !okB:
			group[pr.a], group[pr.b] = len(groups), len(groups)
			groups = append(groups, []int{pr.a, pr.b})
		case okA && !okB && fits(groups[ga], pr.b):
			group[pr.b] = ga
			groups[ga] = append(groups[ga], pr.b)
		case okB && !okA && fits(groups[gb], pr.a):
			group[pr.a] = gb
			groups[gb] = append(groups[gb], pr.a)
		}
	}
	var out []*domain.ClusterProposal
	for _, g := range groups {
		if prop := p.proposal(items, g); prop != nil && prop.Score >= p.MinScore {
			out = append(out, prop)
		}
	}
	slices.SortFunc(out, func(a, b *domain.ClusterProposal) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), strings.Compare(a.Key(), b.Key()))
	})
	return out
}

// pair scores two items, or says they cannot be one incident.
func (p *Params) pair(items []Item, i, j int) (pair, bool) {
	a, b := &items[i], &items[j]
	if a.Kind == domain.MemberMessage && b.Kind == domain.MemberMessage {
		return pair{}, false // two messages make no incident by themselves
	}
	if a.Kind == domain.MemberIncident && b.Kind == domain.MemberIncident && a.SubEventType != b.SubEventType {
		return pair{}, false
	}
	km := geo.DistanceKm(a.Point, b.Point)
	if km > p.MaxKm {
		return pair{}, false
	}
	gap := spanGap(a, b)
	if gap > p.Window {
		return pair{}, false
	}
	pr := pair{a: i, b: j, km: km, gap: gap.Hours()}
	// Distance and time weigh most; the type and the perpetrator confirm.
	pr.score = 0.4*(1-km/p.MaxKm) + 0.3*(1-gap.Hours()/p.Window.Hours())
	switch {
	case a.SubEventType != "" && a.SubEventType == b.SubEventType:
		pr.score += 0.15
	default: // a message: its type is unknown
		pr.score += 0.075
	}
	switch shared, known := sharedParty(a.Perpetrators, b.Perpetrators); {
	case shared != 0:
		pr.score += 0.15
	case !known:
		pr.score += 0.075
	}
	pr.score = math.Round(pr.score*1000) / 1000
	return pr, true
}

// spanGap is the time between two spans, zero when they overlap.
func spanGap(a, b *Item) time.Duration {
	switch {
	case b.Start.After(a.End):
		return b.Start.Sub(a.End)
	case a.Start.After(b.End):
		return a.Start.Sub(b.End)
	}
	return 0
}

// sharedParty returns a perpetrator both name, and whether both name any.
func sharedParty(a, b []int64) (int64, bool) {
	for _, x := range a {
		if slices.Contains(b, x) {
			return x, true
		}
	}
	return 0, len(a) > 0 && len(b) > 0
}

// proposal builds a proposal from a group, anchored on its first incident.
func (p *Params) proposal(items []Item, g []int) *domain.ClusterProposal {
	slices.SortFunc(g, func(x, y int) int {
		a, b := &items[x], &items[y]
		if a.Kind != b.Kind {
			return strings.Compare(string(a.Kind), string(b.Kind)) // incidents first
		}
		return cmp.Compare(a.ID, b.ID)
	})
	anchor := &items[g[0]]
	if anchor.Kind != domain.MemberIncident {
		return nil
	}
	prop := &domain.ClusterProposal{State: domain.ClusterProposed}
	var total float64
	n := 0
	for k, idx := range g {
		it := &items[idx]
		m := domain.ClusterMember{Kind: it.Kind, ID: it.ID, Place: it.Place}
		if k > 0 {
			pr, _ := p.pair(items, g[0], idx)
			m.DistanceKm, m.GapHours = round1(pr.km), round1(pr.gap)
			total += pr.score
			n++
			prop.Reasons = append(prop.Reasons, p.explain(anchor, it, pr))
		}
		prop.Members = append(prop.Members, m)
	}
	prop.Score = math.Round(total/float64(n)*1000) / 1000
	return prop
}

func (p *Params) explain(a, b *Item, pr pair) string {
	var parts []string
	parts = append(parts, fmt.Sprintf("%.1f km apart", pr.km))
	if pr.gap == 0 {
		parts = append(parts, "their times overlap")
	} else {
		parts = append(parts, fmt.Sprintf("%.1f h apart", pr.gap))
	}
	switch {
	case b.Kind == domain.MemberMessage:
		parts = append(parts, fmt.Sprintf("the message names %s", b.Place))
	default:
		parts = append(parts, "both "+a.SubEventType)
	}
	switch shared, known := sharedParty(a.Perpetrators, b.Perpetrators); {
	case shared != 0:
		parts = append(parts, "same alleged perpetrator ("+p.Name(shared)+")")
	case known:
		parts = append(parts, "different alleged perpetrators (contested attribution?)")
	}
	return fmt.Sprintf("%s %d and %s %d: %s", a.Kind, a.ID, b.Kind, b.ID, strings.Join(parts, ", "))
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }
