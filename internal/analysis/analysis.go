// Package analysis answers the desk's questions about intensity from the
// store: daily series of incidents and deaths in the agreement's local days,
// change tests between windows, changepoints and claim checks. It is the
// store-backed side of internal/stats: it chooses which records count,
// aggregates them in the database, and hands the daily values to stats.
package analysis

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/news"
	"github.com/trucedesk/truce/internal/stats"
)

// MaxDays bounds the length of a series, so a typing slip (year 20160)
// cannot ask for a hundred million zero-filled days.
const MaxDays = 3660

// Verdicts is the hook through which compliance verdicts reach the series.
// By default the Analyzer pages through the store's verdicts
// (domain.VerdictStore); a store may offer this faster path, found by type
// assertion. Whichever is used, verdict counts appear as soon as verdicts
// are stored for the agreement; until then series by verdict and violation
// counts say that no verdicts are available, and bulletins count incidents
// of prohibited types instead, labelled as such.
type Verdicts interface {
	// VerdictOutcomes returns the outcome of the agreement's verdict on
	// each incident f selects, in the agreement's own view (its exclusion
	// authority's): "violation", "not_violation" or "undetermined".
	// Incidents not yet assessed are absent.
	VerdictOutcomes(ctx context.Context, agreementID int64, f domain.IncidentFilter) (map[int64]string, error)
}

// pagedVerdicts reads outcomes through domain.VerdictStore, a page at a time.
type pagedVerdicts struct{ st domain.VerdictStore }

func (p pagedVerdicts) VerdictOutcomes(ctx context.Context, agreementID int64, f domain.IncidentFilter) (map[int64]string, error) {
	out := map[int64]string{}
	f.AfterID, f.Limit = 0, 1000
	for {
		vs, err := p.st.Verdicts(ctx, domain.VerdictFilter{IncidentFilter: f, AgreementID: agreementID})
		if err != nil {
			return nil, err
		}
		for _, v := range vs {
			out[v.IncidentID] = v.Outcome
		}
		if len(vs) < f.Limit {
			return out, nil
		}
		f.AfterID = vs[len(vs)-1].IncidentID
	}
}

// Unassessed is the verdict key of incidents that have no verdict yet.
const Unassessed = "unassessed"

// Analyzer answers questions about one agreement.
type Analyzer struct {
	Store     domain.Store
	Agreement *domain.Agreement
	Loc       *time.Location
	// Now is the clock that decides which days are over; tests fix it.
	Now func() time.Time
	// Verdicts reads the verdicts' outcomes; HasVerdicts says whether any
	// are stored.
	Verdicts Verdicts
	// PublishedOnly counts only published incidents (see
	// domain.IncidentFilter), for callers who may see no others.
	PublishedOnly bool

	parties map[string]*domain.Party // by slug
	byID    map[int64]*domain.Party
}

// New returns an Analyzer for the agreement with the given slug, or for the
// only agreement when slug is empty.
func New(ctx context.Context, st domain.Store, slug string, now func() time.Time) (*Analyzer, error) {
	var a *domain.Agreement
	if slug != "" {
		var err error
		if a, err = st.AgreementBySlug(ctx, slug); err != nil {
			return nil, err
		}
	} else {
		as, err := st.Agreements(ctx)
		if err != nil {
			return nil, err
		}
		switch len(as) {
		case 0:
			return nil, domain.Errorf(domain.ENOTFOUND, "no agreement is stored, so there are no local days to count in")
		case 1:
			a = as[0]
		default:
			names := make([]string, len(as))
			for i, x := range as {
				names[i] = x.Slug
			}
			return nil, domain.FieldErrorf("agreement", "several agreements are stored (%s): name one", strings.Join(names, ", "))
		}
	}
	ps, err := st.Parties(ctx)
	if err != nil {
		return nil, err
	}
	if now == nil {
		now = time.Now
	}
	an := &Analyzer{Store: st, Agreement: a, Loc: a.Location(), Now: now,
		parties: map[string]*domain.Party{}, byID: map[int64]*domain.Party{}}
	for _, p := range ps {
		an.parties[p.Slug], an.byID[p.ID] = p, p
	}
	if v, ok := st.(Verdicts); ok {
		an.Verdicts = v
	} else {
		an.Verdicts = pagedVerdicts{st}
	}
	return an, nil
}

// Today returns the local day of the clock.
func (an *Analyzer) Today() stats.Day { return stats.DayOf(an.Now(), an.Loc) }

// Party returns the party with the given slug, or nil.
func (an *Analyzer) Party(slug string) *domain.Party { return an.parties[slug] }

// PartyByID returns the party with the given ID, or nil.
func (an *Analyzer) PartyByID(id int64) *domain.Party { return an.byID[id] }

// ResolveParty finds a party by slug, name or alias, ignoring case and
// surrounding space, so "Russia", "ru-af" and "Российские вооружённые силы"
// reach the same record. It fails with ENOTFOUND naming the text.
func (an *Analyzer) ResolveParty(text string) (*domain.Party, error) {
	t := strings.TrimSpace(text)
	if p := an.parties[strings.ToLower(t)]; p != nil {
		return p, nil
	}
	var found []*domain.Party
	for _, p := range an.byID {
		for _, n := range p.Names() {
			if strings.EqualFold(strings.TrimSpace(n), t) {
				found = append(found, p)
				break
			}
		}
	}
	if len(found) == 0 {
		found = an.stateOf(t)
	}
	switch len(found) {
	case 0:
		return nil, domain.FieldErrorf("actor", "no party is called %q: use a party's slug, name or alias (GET /api/v1/parties)", text)
	case 1:
		return found[0], nil
	}
	slices.SortFunc(found, func(a, b *domain.Party) int { return strings.Compare(a.Slug, b.Slug) })
	slugs := make([]string, len(found))
	for i, p := range found {
		slugs[i] = p.Slug
	}
	return nil, domain.FieldErrorf("actor", "%q names several parties (%s): use a slug", text, strings.Join(slugs, ", "))
}

// stateOf finds the state parties whose names are a country's forces when
// text names only that country ("Russia", "Moscow" → "Russian Armed
// Forces"), the way the news desk attributes a country's statements: a
// journalist checks "Russia's" claim, not the registry's name for its army.
func (an *Analyzer) stateOf(text string) []*domain.Party {
	c, ok := news.CountryOf(text)
	if !ok {
		return nil
	}
	var found []*domain.Party
	for _, p := range an.byID {
		if p.Kind != domain.KindState {
			continue
		}
		for _, n := range p.Names() {
			if pc, ok := news.CountryOf(n); ok && pc == c {
				found = append(found, p)
				break
			}
		}
	}
	return found
}

// ParseDays reads a length of days written "14d", "14" or as a duration of
// whole days ("48h").
func ParseDays(field, s string) (int, error) {
	v := strings.TrimSpace(s)
	if n, err := strconv.Atoi(strings.TrimSuffix(v, "d")); err == nil {
		if n < 1 || n > MaxDays {
			return 0, domain.FieldErrorf(field, "%q: want between 1 and %d days", s, MaxDays)
		}
		return n, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 || d%(24*time.Hour) != 0 {
		return 0, domain.FieldErrorf(field, "%q is not a number of days (14d) or whole days (48h)", s)
	}
	return ParseDays(field, strconv.Itoa(int(d/(24*time.Hour))))
}

// CheckWindow refuses windows that are too long or that reach past today:
// a day that has not ended has no complete count, and a figure for it would
// be made up.
func (an *Analyzer) CheckWindow(w stats.Window) error {
	if err := w.Validate(); err != nil {
		return err
	}
	if w.Days() > MaxDays {
		return domain.Errorf(domain.EINVALID, "%s is %d days; at most %d days at a time", w, w.Days(), MaxDays)
	}
	if today := an.Today(); w.To > today+1 {
		return domain.Errorf(domain.EINVALID, "%s reaches past today (%s): there are no data for days that have not happened", w, today)
	}
	return nil
}

// LocalRange returns the instants [from, to) that bound the window's days.
func (an *Analyzer) LocalRange(w stats.Window) (time.Time, time.Time) {
	return w.From.In(an.Loc), w.To.In(an.Loc)
}

// SlotFor returns the longest slot (an hour, half an hour or a quarter)
// that divides every UTC offset the zone uses over the window, so that no
// slot straddles a local midnight.
func SlotFor(loc *time.Location, from, to time.Time) time.Duration {
	slot := time.Hour
	for t := from; t.Before(to); {
		lt := t.In(loc)
		_, off := lt.Zone()
		switch {
		case off%3600 == 0:
		case off%1800 == 0:
			slot = min(slot, 30*time.Minute)
		default:
			slot = min(slot, 15*time.Minute)
		}
		_, end := lt.ZoneBounds()
		if end.IsZero() || !end.After(t) {
			break
		}
		t = end
	}
	return slot
}

func (an *Analyzer) describe(w stats.Window) string {
	return fmt.Sprintf("%s (%s)", w, an.Agreement.TimeZone)
}

// HasVerdicts reports whether any verdict is stored for the agreement. A
// store that cannot count them (an older schema) has none.
func (an *Analyzer) HasVerdicts(ctx context.Context) bool {
	if an.Verdicts == nil {
		return false
	}
	n, err := an.Store.CountVerdicts(ctx, domain.VerdictFilter{AgreementID: an.Agreement.ID})
	return err == nil && n > 0
}
