package newsdesk

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/formats"
	"github.com/trucedesk/truce/internal/geo"
	"github.com/trucedesk/truce/internal/news"
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

// placeRadiusKm is how near an incident a place a statement names must be
// for the statement to concern it: a town and its outskirts, not the next
// town.
const placeRadiusKm = 10.0

// ForIncident returns the statements that concern an incident, found by
// three simple rules:
//
//  1. a claim whose actor is an alleged perpetrator (or a party it is a
//     unit of), whose window holds the incident's time, and whose metric
//     counts the incident's type;
//  2. a statement reported from a day before to a week after the incident
//     that names its place: a part of its location or its district, word
//     by word as geo.Fold leaves them; or a gazetteer place within
//     placeRadiusKm of its point (in its district when it has no point);
//     or its governorate as an area ("Idlib province"); or one of its
//     parties (a name or alias of three letters or more);
//  3. a statement made in that span by one of the incident's parties,
//     unless it names only places elsewhere.
//
// A statement whose sentence names days ("on Tuesday", "over the past two
// days", resolved against its article's date) concerns only incidents on
// those days, give or take one for time zones.
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
	gaz, err := d.gazetteer(ctx)
	if err != nil {
		return nil, err
	}
	y, m, dd := in.OccurredAt.In(e.loc).Date()
	localDay := time.Date(y, m, dd, 0, 0, 0, 0, time.UTC) // as news.ResolveTimes writes days
	day := in.OccurredAt.UTC().Truncate(24 * time.Hour)
	f := domain.StatementFilter{Since: day.Add(-mentionBefore), Until: day.Add(mentionAfter + 24*time.Hour), Limit: 1000}
	for {
		sts, err := d.Store.Statements(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, st := range sts {
			if !namesDay(st, localDay) {
				continue
			}
			var whys []string
			text := " " + geo.Fold(st.Text) + " "
			for term, what := range terms {
				if strings.Contains(text, " "+term+" ") {
					whys = append(whys, "names "+what)
				}
			}
			near, elsewhere := placesAround(in, news.FindPlaces(st.Text, gaz))
			whys = append(whys, near...)
			if st.Speaker.PartyID != 0 && slices.Contains(parties, st.Speaker.PartyID) && (len(whys) > 0 || !elsewhere) {
				whys = append(whys, "said by "+e.slugs[st.Speaker.PartyID]+", a party to it")
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

// gazetteer indexes the store's places, or returns nil when it has none.
func (d *Desk) gazetteer(ctx context.Context) (*Gazetteer, error) {
	ps, err := d.Store.Places(ctx)
	if err != nil {
		return nil, fmt.Errorf("read places: %w", err)
	}
	return NewGazetteer(ps), nil
}

// namesDay reports whether a statement may concern an incident on day (a
// calendar day at midnight UTC): yes when its sentence names no day, else
// when one of the days it names, widened by a day either side, holds it.
func namesDay(st *domain.Statement, day time.Time) bool {
	refs := news.ResolveTimes(st.Text, st.Date)
	if len(refs) == 0 {
		return true
	}
	for _, r := range refs {
		if !day.Before(r.Start.AddDate(0, 0, -1)) && day.Before(r.End.AddDate(0, 0, 1)) {
			return true
		}
	}
	return false
}

// placesAround says why the places a statement names put it at an
// incident, and whether it names places, none of them in its governorate
// (then a party's statement is about somewhere else).
func placesAround(in *domain.Incident, places []news.Place) (whys []string, elsewhere bool) {
	gov, _ := formats.Governorate(in.Admin1)
	sameGov := false
	for _, p := range places {
		pl := p.Place
		pgov, _ := formats.Governorate(pl.Admin1)
		sameGov = sameGov || gov == "" || pgov == gov
		switch {
		case p.Area && gov != "" && (pgov == gov || pgov == "Damascus" && gov == "Rural Damascus"):
			// "Damascus countryside" and "Damascus province" are Rural Damascus.
			whys = append(whys, "names "+pl.Name+", its governorate")
		case !p.Area && in.Point != nil && geo.DistanceKm(*in.Point, pl.Point) <= placeRadiusKm:
			whys = append(whys, fmt.Sprintf("names %s, %.0f km away", pl.Name, geo.DistanceKm(*in.Point, pl.Point)))
		case !p.Area && in.Point == nil && in.Admin2 != "" && geo.Fold(pl.Admin2) == geo.Fold(in.Admin2):
			whys = append(whys, "names "+pl.Name+", in its district")
		}
	}
	return whys, len(places) > 0 && len(whys) == 0 && !sameGov
}
