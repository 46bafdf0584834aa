package stats

import (
	"math"
	"slices"
	"strings"
	"time"

	"github.com/trucedesk/truce/internal/domain"
)

// Event is one thing to count: an incident, a violation, a message. It is a
// flat local type, not domain.Incident, so that a store can stream millions
// of rows into a Bucketer without building incidents, and so that the keys a
// series is grouped by are already resolved to strings (party slugs,
// governorates, verdicts).
type Event struct {
	At          time.Time
	Weight      float64 // what Sums add up: 1, or the fatalities of the event
	Perpetrator string
	Target      string
	Admin1      string
	Type        string // ACLED sub-event type
	Verdict     string // "violation", "not_violation", "undetermined"
}

// VerdictViolation is the Event.Verdict that MetricViolations counts.
const VerdictViolation = "violation"

// Key names the field of Event that a series is grouped by.
type Key string

// The keys a series can be grouped by. KeyNone gives a single series of all
// events.
const (
	KeyNone        Key = ""
	KeyPerpetrator Key = "perpetrator"
	KeyTarget      Key = "target"
	KeyAdmin1      Key = "admin1"
	KeyType        Key = "type"
	KeyVerdict     Key = "verdict"
)

func (k Key) of(e *Event) (string, bool) {
	switch k {
	case KeyNone:
		return "", true
	case KeyPerpetrator:
		return e.Perpetrator, true
	case KeyTarget:
		return e.Target, true
	case KeyAdmin1:
		return e.Admin1, true
	case KeyType:
		return e.Type, true
	case KeyVerdict:
		return e.Verdict, true
	}
	return "", false
}

// Key returns the value of e that a series grouped by k files it under, and
// false for a key that is not one of the Key constants.
func (e *Event) Key(k Key) (string, bool) { return k.of(e) }

// Series is a zero-filled daily series over a window: Counts[i] events and
// Sums[i] of their weights on day Window.From+i.
type Series struct {
	Key    string    `json:"key"`
	Window Window    `json:"window"`
	Counts []int64   `json:"counts"`
	Sums   []float64 `json:"sums"`
}

// NewSeries returns an all-zero series over w.
func NewSeries(key string, w Window) Series {
	return Series{Key: key, Window: w, Counts: make([]int64, w.Days()), Sums: make([]float64, w.Days())}
}

// Values returns the daily counts, or with sums the daily sums, over w as
// floats for the tests. It fails with EINVALID when the series does not cover
// w, naming the days that are missing.
func (s Series) Values(w Window, sums bool) ([]float64, error) {
	if err := w.Validate(); err != nil {
		return nil, err
	}
	if !s.Window.Covers(w) {
		return nil, domain.Errorf(domain.EINVALID, "the data cover %s, not all of %s", s.Window, w)
	}
	i, j := int(w.From-s.Window.From), int(w.To-s.Window.From)
	out := make([]float64, 0, j-i)
	for k := i; k < j; k++ {
		if sums {
			out = append(out, s.Sums[k])
		} else {
			out = append(out, float64(s.Counts[k]))
		}
	}
	return out, nil
}

// Total returns the sum of several series over the same window, keyed key.
func Total(key string, w Window, series []Series) (Series, error) {
	t := NewSeries(key, w)
	for _, s := range series {
		if s.Window != w {
			return Series{}, domain.Errorf(domain.EINVALID, "series %q covers %s, not %s", s.Key, s.Window, w)
		}
		for i := range t.Counts {
			t.Counts[i] += s.Counts[i]
			t.Sums[i] += s.Sums[i]
		}
	}
	return t, nil
}

// Bucketer builds daily series from a stream of events, so that a store can
// feed it rows as it reads them instead of holding every event in memory.
// A Bucketer is not safe for concurrent use.
type Bucketer struct {
	window  Window
	by      Key
	clock   dayClock
	groups  map[string]*Series
	lastKey string
	last    *Series
	skipped int
}

// NewBucketer returns a Bucketer for the days of w in loc (the agreement's
// time zone, so that a day means what it means on the ground), grouping by.
func NewBucketer(loc *time.Location, w Window, by Key) (*Bucketer, error) {
	if loc == nil {
		return nil, domain.Errorf(domain.EINVALID, "a time zone is required to cut events into days")
	}
	if err := w.Validate(); err != nil {
		return nil, err
	}
	if _, ok := by.of(&Event{}); !ok {
		return nil, domain.Errorf(domain.EINVALID, "cannot group by %q: use perpetrator, target, admin1, type or verdict", by)
	}
	b := &Bucketer{window: w, by: by, clock: newDayClock(loc), groups: map[string]*Series{}}
	if by == KeyNone {
		s := NewSeries("", w)
		b.groups[""] = &s
	}
	return b, nil
}

// Add counts e on its local day; events outside the window are skipped and
// counted in Skipped.
func (b *Bucketer) Add(e *Event) {
	d := b.clock.day(e.At)
	if !b.window.Contains(d) {
		b.skipped++
		return
	}
	k, _ := b.by.of(e)
	s := b.last
	if s == nil || k != b.lastKey {
		s = b.groups[k]
		if s == nil {
			ns := NewSeries(strings.Clone(k), b.window)
			s = &ns
			b.groups[ns.Key] = s
		}
		b.last, b.lastKey = s, s.Key
	}
	i := d - b.window.From
	s.Counts[i]++
	s.Sums[i] += e.Weight
}

// Skipped returns how many events fell outside the window.
func (b *Bucketer) Skipped() int { return b.skipped }

// Series returns the series built so far, sorted by key.
func (b *Bucketer) Series() []Series {
	out := make([]Series, 0, len(b.groups))
	for _, s := range b.groups {
		out = append(out, *s)
	}
	slices.SortFunc(out, func(a, b Series) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// Bucket cuts events into daily series over w in loc, one per value of by.
func Bucket(events []Event, loc *time.Location, w Window, by Key) ([]Series, error) {
	b, err := NewBucketer(loc, w, by)
	if err != nil {
		return nil, err
	}
	for i := range events {
		b.Add(&events[i])
	}
	return b.Series(), nil
}

// FromDailyCounts turns a published daily series (one row per region and
// day) into series over w keyed by region. Days with no row count as zero,
// as publishers such as the VDC omit days with no deaths. Values must be
// whole numbers, as counts are.
func FromDailyCounts(rows []domain.DailyCount, w Window) ([]Series, error) {
	if err := w.Validate(); err != nil {
		return nil, err
	}
	groups := map[string]*Series{}
	for _, r := range rows {
		d, err := ParseDay(r.Day)
		if err != nil {
			return nil, err
		}
		if !w.Contains(d) {
			continue
		}
		if r.Value < 0 || r.Value != math.Trunc(r.Value) || math.IsInf(r.Value, 0) {
			return nil, domain.Errorf(domain.EINVALID, "%s %s on %s: %v is not a count", r.Series, r.Region, r.Day, r.Value)
		}
		s := groups[r.Region]
		if s == nil {
			ns := NewSeries(r.Region, w)
			s = &ns
			groups[r.Region] = s
		}
		i := d - w.From
		s.Counts[i] += int64(r.Value)
		s.Sums[i] += r.Value
	}
	out := make([]Series, 0, len(groups))
	for _, s := range groups {
		out = append(out, *s)
	}
	slices.SortFunc(out, func(a, b Series) int { return strings.Compare(a.Key, b.Key) })
	return out, nil
}

// MetricFilter returns which events a claim's metric counts, and whether
// the claim is about their weights (fatalities) rather than their number.
// It fails for a metric the event stream does not carry.
func MetricFilter(m domain.Metric) (keep func(*Event) bool, sums bool, err error) {
	switch m {
	case domain.MetricStrikes:
		return func(e *Event) bool { return e.Type == domain.SubAirStrike }, false, nil
	case domain.MetricShelling:
		return func(e *Event) bool { return e.Type == domain.SubShelling }, false, nil
	case domain.MetricAttacks, domain.MetricMessages:
		return func(*Event) bool { return true }, false, nil
	case domain.MetricViolations:
		return func(e *Event) bool { return e.Verdict == VerdictViolation }, false, nil
	case domain.MetricFatalities:
		return func(*Event) bool { return true }, true, nil
	}
	return nil, false, domain.FieldErrorf("metric", "unknown metric %q", m)
}
