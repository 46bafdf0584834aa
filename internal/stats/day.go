package stats

import (
	"math"
	"time"

	"github.com/trucedesk/truce/internal/domain"
)

// Day is a calendar day counted from 1970-01-01. Which time zone the day is
// in is the caller's choice (the agreement's); integer days make windows cheap
// to compare and index, and keep daylight-saving changes out of day arithmetic.
type Day int32

const secondsPerDay = 86400

// DayFromDate returns the day of a calendar date.
func DayFromDate(year int, month time.Month, day int) Day {
	return Day(floorDiv(time.Date(year, month, day, 0, 0, 0, 0, time.UTC).Unix(), secondsPerDay))
}

// ParseDay reads a day written YYYY-MM-DD, as domain.DailyCount stores it.
func ParseDay(s string) (Day, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return 0, domain.Errorf(domain.EINVALID, "day %q is not a date written YYYY-MM-DD", s)
	}
	return DayFromDate(t.Date()), nil
}

// DayOf returns the day on which t falls in loc.
func DayOf(t time.Time, loc *time.Location) Day {
	return DayFromDate(t.In(loc).Date())
}

// Date returns the day's midnight in UTC, for formatting and date arithmetic.
func (d Day) Date() time.Time { return time.Unix(int64(d)*secondsPerDay, 0).UTC() }

// In returns the instant the day begins in loc.
func (d Day) In(loc *time.Location) time.Time {
	y, m, dd := d.Date().Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, loc)
}

// String writes the day as YYYY-MM-DD.
func (d Day) String() string { return d.Date().Format(time.DateOnly) }

// MarshalText writes the day as YYYY-MM-DD so JSON shows dates, not integers.
func (d Day) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads a day written YYYY-MM-DD.
func (d *Day) UnmarshalText(b []byte) error {
	v, err := ParseDay(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Window is the days From through To-1. It is half-open so that a window and
// the baseline just before it share no day and their lengths add up.
type Window struct {
	From Day `json:"from"`
	To   Day `json:"to"` // the first day after the window
}

// Days returns the number of days in the window.
func (w Window) Days() int { return int(w.To) - int(w.From) }

// Contains reports whether d is one of the window's days.
func (w Window) Contains(d Day) bool { return d >= w.From && d < w.To }

// Covers reports whether every day of v is in w.
func (w Window) Covers(v Window) bool { return v.From >= w.From && v.To <= w.To }

// Before returns the n days just before w, the usual baseline.
func (w Window) Before(n int) Window { return Window{From: w.From - Day(n), To: w.From} }

// String writes the window with its last day included, as people read it:
// "2016-02-27 to 2016-03-11".
func (w Window) String() string {
	if w.Days() == 1 {
		return w.From.String()
	}
	return w.From.String() + " to " + (w.To - 1).String()
}

// Validate reports a window with no days in it.
func (w Window) Validate() error {
	if w.To <= w.From {
		return domain.Errorf(domain.EINVALID, "the window %s–%s has no days: it must end after it starts", w.From, w.To)
	}
	return nil
}

// WindowOf returns the local days that the instants [start, end) touch. A
// window that ends at local midnight does not include the day that begins
// then, so "the past two days" said at 00:00 on 24 Feb is 22–23 Feb.
func WindowOf(start, end time.Time, loc *time.Location) (Window, error) {
	if !end.After(start) {
		return Window{}, domain.Errorf(domain.EINVALID, "the window must end after it starts (%s, %s)",
			start.Format(time.RFC3339), end.Format(time.RFC3339))
	}
	return Window{From: DayOf(start, loc), To: DayOf(end.Add(-time.Nanosecond), loc) + 1}, nil
}

// dayClock maps instants to local days without a time-zone lookup per event:
// it remembers the UTC offset and the span over which that offset holds, and
// asks the location again only when an instant falls outside the span.
type dayClock struct {
	loc        *time.Location
	start, end int64 // unix seconds; the cached offset holds in [start, end)
	offset     int64
}

func newDayClock(loc *time.Location) dayClock {
	return dayClock{loc: loc, start: 1, end: 0} // empty span: first call looks up
}

func (c *dayClock) day(t time.Time) Day {
	u := t.Unix()
	if u < c.start || u >= c.end {
		lt := t.In(c.loc)
		_, off := lt.Zone()
		s, e := lt.ZoneBounds()
		c.offset = int64(off)
		c.start, c.end = math.MinInt64, math.MaxInt64
		if !s.IsZero() {
			c.start = s.Unix()
		}
		if !e.IsZero() {
			c.end = e.Unix()
		}
	}
	return Day(floorDiv(u+c.offset, secondsPerDay))
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
