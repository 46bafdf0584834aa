package analysis

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/stats"
)

// Query selects a daily series of incidents.
type Query struct {
	// Window is the local days of the series.
	Window stats.Window
	// By groups the series (perpetrator, target, admin1, type, verdict), or
	// gives one series for KeyNone.
	By stats.Key
	// Filter narrows the incidents (party, type, grade, admin1, bbox); its
	// Since and Until, if set, narrow the window's instants further.
	Filter domain.IncidentFilter
	// Types, when not empty, keeps only incidents of these sub-event types.
	Types []string
	// Verdict, when not empty, keeps only incidents with this outcome; it
	// needs verdicts in the store.
	Verdict string
}

// Daily returns the zero-filled daily series of the query, one per key,
// sorted by key; for KeyNone, one series keyed "". Counts are incidents and
// Sums their best-estimate fatalities.
//
// The grouping runs in the database by hour (by quarter hour in zones with
// such offsets), and the hours are folded into local days here: a GROUP BY
// on the local date would need the zone's daylight-saving rules inside the
// database, which SQLite lacks. Series by verdict stream one row per
// incident instead, since verdicts are looked up per incident.
func (an *Analyzer) Daily(ctx context.Context, q Query) ([]stats.Series, error) {
	series, err := an.daily(ctx, q)
	if err != nil {
		return nil, err
	}
	if q.Filter.Admin1 != "" && empty(series) {
		if err := an.checkAdmin1(ctx, q.Filter.Admin1, q.Window); err != nil {
			return nil, err
		}
	}
	return series, nil
}

func (an *Analyzer) daily(ctx context.Context, q Query) ([]stats.Series, error) {
	if err := an.CheckQuery(ctx, q); err != nil {
		return nil, err
	}
	f := an.filter(q)
	if q.By == stats.KeyVerdict || q.Verdict != "" {
		return an.dailyByEvent(ctx, q, f)
	}
	var by string
	switch q.By {
	case stats.KeyNone, stats.KeyType:
	case stats.KeyAdmin1, stats.KeyPerpetrator, stats.KeyTarget:
		by = string(q.By)
	default:
		return nil, domain.FieldErrorf("by", "cannot group by %q: use perpetrator, target, admin1, type or verdict", q.By)
	}
	counts, err := an.Store.IncidentCounts(ctx, f, by, SlotFor(an.Loc, f.Since, f.Until))
	if err != nil {
		return nil, err
	}
	groups := map[string]*stats.Series{}
	if q.By == stats.KeyNone {
		s := stats.NewSeries("", q.Window)
		groups[""] = &s
	}
	keep := typeSet(q.Types)
	for _, c := range counts {
		if keep != nil && !keep[c.Type] {
			continue
		}
		d := stats.DayOf(c.Slot, an.Loc)
		if !q.Window.Contains(d) {
			continue // cannot happen: the filter is the window's instants
		}
		k := c.Key
		if q.By == stats.KeyType {
			k = c.Type
		}
		s := groups[k]
		if s == nil {
			ns := stats.NewSeries(k, q.Window)
			s = &ns
			groups[k] = s
		}
		s.Counts[d-q.Window.From] += c.Count
		s.Sums[d-q.Window.From] += float64(c.Fatalities)
	}
	return sorted(groups), nil
}

func (an *Analyzer) dailyByEvent(ctx context.Context, q Query, f domain.IncidentFilter) ([]stats.Series, error) {
	b, err := stats.NewBucketer(an.Loc, q.Window, q.By)
	if err != nil {
		return nil, err
	}
	err = an.eachEvent(ctx, q, f, func(e *stats.Event, _ *domain.IncidentEvent) { b.Add(e) })
	if err != nil {
		return nil, err
	}
	return b.Series(), nil
}

// eachEvent streams the incidents q selects (f is q's store filter) to fn as
// events, with their verdict when q needs verdicts. An incident with several
// perpetrators (or targets) is passed once for each when q groups by them,
// as the SQL grouping counts it; one with none, once with the key "". Both
// dailyByEvent and Records read incidents through it, so a figure and the
// list of records behind it cannot disagree.
func (an *Analyzer) eachEvent(ctx context.Context, q Query, f domain.IncidentFilter, fn func(*stats.Event, *domain.IncidentEvent)) error {
	var verdicts map[int64]string
	if q.By == stats.KeyVerdict || q.Verdict != "" {
		if !an.HasVerdicts(ctx) {
			return domain.Errorf(domain.EINVALID, "no compliance verdicts are stored for %s yet, so incidents cannot be counted by verdict", an.Agreement.Slug)
		}
		var err error
		if verdicts, err = an.Verdicts.VerdictOutcomes(ctx, an.Agreement.ID, f); err != nil {
			return err
		}
	}
	keep := typeSet(q.Types)
	var e stats.Event
	return an.Store.IncidentEvents(ctx, f, func(ie *domain.IncidentEvent) error {
		if keep != nil && !keep[ie.Type] {
			return nil
		}
		v := ""
		if verdicts != nil {
			var ok bool
			if v, ok = verdicts[ie.ID]; !ok {
				v = Unassessed
			}
		}
		if q.Verdict != "" && v != q.Verdict {
			return nil
		}
		e = stats.Event{At: ie.OccurredAt, Weight: float64(ie.Fatalities), Admin1: ie.Admin1, Type: ie.Type, Verdict: v}
		parties := []string{""}
		switch q.By {
		case stats.KeyPerpetrator:
			parties = orNone(ie.Perpetrators)
		case stats.KeyTarget:
			parties = orNone(ie.Targets)
		}
		for _, p := range parties {
			e.Perpetrator, e.Target = p, p
			fn(&e, ie)
		}
		return nil
	})
}

// Verdict outcomes a query may select, besides Unassessed.
var outcomes = []string{"violation", "not_violation", "undetermined"}

// CheckQuery refuses a query that names what does not exist: a window
// past today or too long, a party ID, a sub-event type or a verdict outcome
// the desk does not know. Without it such a query would answer with zeros,
// which a reader takes for a real count.
func (an *Analyzer) CheckQuery(ctx context.Context, q Query) error {
	if err := an.CheckWindow(q.Window); err != nil {
		return err
	}
	if id := q.Filter.PartyID; id != 0 && an.byID[id] == nil {
		return domain.FieldErrorf("party", "no party has the ID %d (GET /api/v1/parties lists them)", id)
	}
	if t := q.Filter.SubEventType; t != "" {
		if _, ok := domain.EventTypeOf(t); !ok {
			return domain.FieldErrorf("type", "%q is not an ACLED sub-event type (for example %q)", t, domain.SubAirStrike)
		}
	}
	if v := q.Verdict; v != "" && v != Unassessed && !slices.Contains(outcomes, v) {
		return domain.FieldErrorf("verdict", "unknown verdict %q: use %s or %s", v, strings.Join(outcomes, ", "), Unassessed)
	}
	return nil
}

// checkAdmin1 explains an all-zero series for a governorate: when the name
// is none of the stored governorates, the zeros are a misspelling, not a
// quiet day. Names incidents carry that are not governorates (older
// sources' spellings) stay queryable, since they are only checked when
// nothing matched.
func (an *Analyzer) checkAdmin1(ctx context.Context, name string, w stats.Window) error {
	regions, err := an.Store.Regions(ctx, 1)
	if err != nil || len(regions) == 0 {
		return err // no governorates stored: nothing to check against
	}
	names := make([]string, 0, len(regions))
	for _, r := range regions {
		if r.Name == name {
			return nil
		}
		if strings.EqualFold(r.Name, strings.TrimSpace(name)) {
			return domain.FieldErrorf("admin1", "no incident in %s is in %q; the governorate is spelt %q", an.describe(w), name, r.Name)
		}
		names = append(names, r.Name)
	}
	return domain.FieldErrorf("admin1", "no governorate is called %q and no incident in %s names it: the governorates are %s",
		name, an.describe(w), strings.Join(names, ", "))
}

func empty(series []stats.Series) bool {
	for _, s := range series {
		for _, c := range s.Counts {
			if c != 0 {
				return false
			}
		}
	}
	return true
}

// Record is one incident behind a figure of a series.
type Record struct {
	ID           int64     `json:"id"`
	OccurredAt   time.Time `json:"occurred_at"`
	Day          stats.Day `json:"day"` // in the agreement's time zone
	Type         string    `json:"type"`
	Admin1       string    `json:"admin1"`
	Perpetrators []string  `json:"perpetrators"`
	Targets      []string  `json:"targets"`
	Fatalities   int64     `json:"fatalities"`
	Verdict      string    `json:"verdict,omitempty"`
	Link         string    `json:"link"`
}

// Records is the list of incidents behind a figure: Count and Fatalities
// are what the series shows for the key over the window, and Records the
// incidents themselves, the first Limit of them when Truncated.
type Records struct {
	Window     stats.Window `json:"window"`
	By         stats.Key    `json:"by"`
	Key        string       `json:"key"`
	Count      int64        `json:"count"`
	Fatalities int64        `json:"fatalities"`
	Records    []Record     `json:"records"`
	Truncated  bool         `json:"truncated,omitempty"`
}

// MaxRecords bounds the records one answer lists.
const MaxRecords = 10000

// Records lists the incidents that Daily counts under key (for KeyNone,
// key must be "") on the days of q.Window, in time order, at most limit of
// them (0 or more than MaxRecords: MaxRecords); the count and fatalities
// cover them all.
func (an *Analyzer) Records(ctx context.Context, q Query, key string, limit int) (*Records, error) {
	if err := an.CheckQuery(ctx, q); err != nil {
		return nil, err
	}
	if _, ok := (&stats.Event{}).Key(q.By); !ok {
		return nil, domain.FieldErrorf("by", "cannot group by %q: use perpetrator, target, admin1, type or verdict", q.By)
	}
	if q.By == stats.KeyNone && key != "" {
		return nil, domain.FieldErrorf("key", "%q needs by: a key is a value of perpetrator, target, admin1, type or verdict", key)
	}
	if limit <= 0 || limit > MaxRecords {
		limit = MaxRecords
	}
	out := &Records{Window: q.Window, By: q.By, Key: key, Records: []Record{}}
	f := an.filter(q)
	err := an.eachEvent(ctx, q, f, func(e *stats.Event, ie *domain.IncidentEvent) {
		if k, _ := e.Key(q.By); k != key || !q.Window.Contains(stats.DayOf(e.At, an.Loc)) {
			return
		}
		out.Count++
		out.Fatalities += ie.Fatalities
		if len(out.Records) == limit {
			out.Truncated = true
			return
		}
		out.Records = append(out.Records, Record{ID: ie.ID, OccurredAt: ie.OccurredAt.UTC(), Day: stats.DayOf(ie.OccurredAt, an.Loc),
			Type: ie.Type, Admin1: ie.Admin1, Perpetrators: append([]string{}, ie.Perpetrators...),
			Targets: append([]string{}, ie.Targets...), Fatalities: ie.Fatalities, Verdict: e.Verdict,
			Link: fmt.Sprintf("/api/v1/incidents/%d", ie.ID)})
	})
	if err != nil {
		return nil, err
	}
	if q.Filter.Admin1 != "" && out.Count == 0 {
		if err := an.checkAdmin1(ctx, q.Filter.Admin1, q.Window); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func orNone(s []string) []string {
	if len(s) == 0 {
		return []string{""}
	}
	return s
}

// filter turns the query into the store's filter over the window's instants.
func (an *Analyzer) filter(q Query) domain.IncidentFilter {
	f := q.Filter
	from, to := an.LocalRange(q.Window)
	if f.Since.Before(from) {
		f.Since = from
	}
	if f.Until.IsZero() || f.Until.After(to) {
		f.Until = to
	}
	if f.Until.Before(f.Since) {
		f.Until = f.Since
	}
	if len(q.Types) == 1 && f.SubEventType == "" {
		f.SubEventType = q.Types[0]
	}
	f.AfterID, f.Limit = 0, 0
	f.PublishedOnly = f.PublishedOnly || an.PublishedOnly
	return f
}

func typeSet(types []string) map[string]bool {
	if len(types) == 0 {
		return nil
	}
	m := make(map[string]bool, len(types))
	for _, t := range types {
		m[t] = true
	}
	return m
}

func sorted(groups map[string]*stats.Series) []stats.Series {
	out := make([]stats.Series, 0, len(groups))
	for _, s := range groups {
		out = append(out, *s)
	}
	slices.SortFunc(out, func(a, b stats.Series) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// One returns the series for key among series, or an all-zero one over w
// when no incident had that key.
func One(series []stats.Series, key string, w stats.Window) stats.Series {
	for _, s := range series {
		if s.Key == key {
			return s
		}
	}
	return stats.NewSeries(key, w)
}

// VDC returns the published VDC daily deaths over w for one governorate, or
// the country total for region "". The region must be one the series has.
func (an *Analyzer) VDC(ctx context.Context, region string, w stats.Window) (stats.Series, error) {
	if err := an.CheckWindow(w); err != nil {
		return stats.Series{}, err
	}
	rows, err := an.Store.DailyCounts(ctx, SeriesVDC, w.From.String(), (w.To - 1).String())
	if err != nil {
		return stats.Series{}, err
	}
	series, err := stats.FromDailyCounts(rows, w)
	if err != nil {
		return stats.Series{}, err
	}
	for _, s := range series {
		if s.Key == region {
			return s, nil
		}
	}
	if len(series) == 0 {
		return stats.Series{}, domain.Errorf(domain.ENOTFOUND, "the VDC series has no figures for %s", w)
	}
	names := make([]string, 0, len(series))
	for _, s := range series {
		if s.Key != "" {
			names = append(names, s.Key)
		}
	}
	return stats.Series{}, domain.FieldErrorf("region", "the VDC series has no governorate %q in %s; it has %s",
		region, w, strings.Join(names, ", "))
}

// SeriesVDC names the Violations Documentation Center's daily deaths in the
// store's published series.
const SeriesVDC = "vdc-deaths"

// FormatKey names a series key for people: a party's name, or "unattributed"
// for incidents with no party.
func (an *Analyzer) FormatKey(by stats.Key, key string) string {
	switch {
	case key == "" && (by == stats.KeyPerpetrator || by == stats.KeyTarget):
		return "unattributed"
	case key == "" && by == stats.KeyAdmin1:
		return "governorate unknown"
	case by == stats.KeyPerpetrator || by == stats.KeyTarget:
		if p := an.parties[key]; p != nil {
			return p.Name
		}
	}
	return fmt.Sprint(key)
}
