package newsdesk

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/geo"
	"github.com/trucedesk/truce/internal/stats"
)

// IncidentStatement is a statement shown beside an incident, with its
// claims and the reasons it is there.
type IncidentStatement struct {
	Statement *domain.Statement     `json:"statement,omitempty"` // nil for a claim no one is quoted making
	Claims    []*domain.StoredClaim `json:"claims,omitempty"`
	Why       []string              `json:"why"`
}

// How far around an incident statements are looked for by what they
// mention: reports follow events by days, rarely precede them.
const (
	mentionBefore = 24 * time.Hour
	mentionAfter  = 7 * 24 * time.Hour
)

// ForIncident returns the statements that concern an incident, found by
// three simple rules:
//
//  1. a claim whose actor is an alleged perpetrator (or a party it is a
//     unit of), whose window holds the incident's time, and whose metric
//     counts the incident's type;
//  2. a statement reported from a day before to a week after the incident
//     that names its place (a part of its location, or its district) or one
//     of its parties (a name or alias of three letters or more), compared
//     as geo.Fold leaves them, word by word;
//  3. a statement made in that span by one of the incident's parties.
func (d *Desk) ForIncident(ctx context.Context, incidentID int64) ([]*IncidentStatement, error) {
	in, err := d.Store.Incident(ctx, incidentID)
	if err != nil {
		return nil, err
	}
	e, err := d.env(ctx)
	if err != nil {
		return nil, err
	}
	var out []*IncidentStatement
	byStatement := map[int64]*IncidentStatement{}
	entry := func(st *domain.Statement) *IncidentStatement {
		if is := byStatement[st.ID]; is != nil {
			return is
		}
		is := &IncidentStatement{Statement: st}
		byStatement[st.ID] = is
		out = append(out, is)
		return is
	}
	addWhy := func(is *IncidentStatement, why string) {
		if !slices.Contains(is.Why, why) {
			is.Why = append(is.Why, why)
		}
	}

	// Rule 1: claims about the perpetrators at the time.
	ev := stats.Event{At: in.OccurredAt, Type: in.SubEventType}
	var actors []int64
	for _, p := range in.Perpetrators {
		for a, n := p, 0; a != 0 && n < 64; a, n = e.parties.parents[a], n+1 {
			if !slices.Contains(actors, a) {
				actors = append(actors, a)
			}
		}
	}
	for _, a := range actors {
		cs, err := d.Store.StoredClaims(ctx, domain.ClaimFilter{ActorPartyID: a, Covers: in.OccurredAt, Limit: 1000})
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			keep, _, err := stats.MetricFilter(c.Metric)
			if err != nil || c.Metric == domain.MetricMessages || c.Metric != domain.MetricViolations && !keep(&ev) {
				continue
			}
			why := "a claim about " + e.slugs[a] + " covers its time"
			if c.StatementID == 0 {
				out = append(out, &IncidentStatement{Claims: []*domain.StoredClaim{c}, Why: []string{why}})
				continue
			}
			is := byStatement[c.StatementID]
			if is == nil {
				st, err := d.Store.Statement(ctx, c.StatementID)
				if err != nil {
					return nil, err
				}
				is = entry(st)
			}
			is.Claims = append(is.Claims, c)
			addWhy(is, why)
		}
	}

	// Rules 2 and 3: statements around the time that name its place or
	// parties, or that its parties made.
	terms := map[string]string{} // folded term → what it names
	for _, part := range append(strings.Split(in.Location, ","), in.Admin2) {
		if f := geo.Fold(part); utf8.RuneCountInString(f) >= 3 {
			terms[f] = strings.TrimSpace(part)
		}
	}
	parties := append(slices.Clone(in.Perpetrators), in.Targets...)
	ps, err := d.Store.Parties(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		if !slices.Contains(parties, p.ID) {
			continue
		}
		for _, n := range p.Names() {
			if f := geo.Fold(n); utf8.RuneCountInString(f) >= 3 {
				terms[f] = p.Name
			}
		}
	}
	day := in.OccurredAt.UTC().Truncate(24 * time.Hour)
	f := domain.StatementFilter{Since: day.Add(-mentionBefore), Until: day.Add(mentionAfter + 24*time.Hour), Limit: 1000}
	for {
		sts, err := d.Store.Statements(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, st := range sts {
			var whys []string
			if st.Speaker.PartyID != 0 && slices.Contains(parties, st.Speaker.PartyID) {
				whys = append(whys, "said by "+e.slugs[st.Speaker.PartyID]+", a party to it")
			}
			text := " " + geo.Fold(st.Text) + " "
			for term, what := range terms {
				if strings.Contains(text, " "+term+" ") {
					whys = append(whys, "names "+what)
				}
			}
			if len(whys) == 0 {
				continue
			}
			slices.Sort(whys)
			is := entry(st)
			for _, w := range slices.Compact(whys) {
				addWhy(is, w)
			}
		}
		if len(sts) < f.Limit {
			break
		}
		f.AfterID = sts[len(sts)-1].ID
	}
	// Claims of the statements found by what they mention.
	for _, is := range out {
		if is.Statement == nil || len(is.Claims) > 0 {
			continue
		}
		cs, err := d.Store.StoredClaims(ctx, domain.ClaimFilter{ArticleID: is.Statement.ArticleID, Limit: -1})
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			if c.StatementID == is.Statement.ID {
				is.Claims = append(is.Claims, c)
			}
		}
	}
	return out, nil
}
