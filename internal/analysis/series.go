package analysis

import (
	"context"
	"fmt"
	"slices"
	"strings"

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
	if err := an.CheckWindow(q.Window); err != nil {
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
	if !an.HasVerdicts(ctx) {
		return nil, domain.Errorf(domain.EINVALID, "no compliance verdicts are stored for %s yet, so incidents cannot be counted by verdict", an.Agreement.Slug)
	}
	verdicts, err := an.Verdicts.VerdictOutcomes(ctx, an.Agreement.ID, f)
	if err != nil {
		return nil, err
	}
	b, err := stats.NewBucketer(an.Loc, q.Window, q.By)
	if err != nil {
		return nil, err
	}
	keep := typeSet(q.Types)
	var e stats.Event
	err = an.Store.IncidentEvents(ctx, f, func(ie *domain.IncidentEvent) error {
		if keep != nil && !keep[ie.Type] {
			return nil
		}
		v, ok := verdicts[ie.ID]
		if !ok {
			v = Unassessed
		}
		if q.Verdict != "" && v != q.Verdict {
			return nil
		}
		e = stats.Event{At: ie.OccurredAt, Weight: float64(ie.Fatalities), Admin1: ie.Admin1, Type: ie.Type, Verdict: v}
		// An incident with several perpetrators (or targets) counts for
		// each, as the SQL grouping does.
		parties := []string{""}
		switch q.By {
		case stats.KeyPerpetrator:
			parties = orNone(ie.Perpetrators)
		case stats.KeyTarget:
			parties = orNone(ie.Targets)
		}
		for _, p := range parties {
			e.Perpetrator, e.Target = p, p
			b.Add(&e)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return b.Series(), nil
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
