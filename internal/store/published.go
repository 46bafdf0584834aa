package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/stats"
)

// MaxPublishedSpans bounds the separate periods of published days one
// query may test. Adjacent days merge into one period, so a desk that
// publishes daily has one per run of bulletins; the bound keeps the
// statement's size and the planners' work in check, and an answer past it
// asks for a narrower window rather than scanning every incident.
const MaxPublishedSpans = 1000

// span is the instants [from, to) of one run of published local days.
type span struct{ from, to time.Time }

// publishedSpans returns, for a filter with PublishedOnly, the periods the
// published bulletins cover, clipped to the filter's window: each
// bulletin's local day in its agreement's zone (the day rule of
// stats.DayOf, which bulletins are built with), adjacent and overlapping
// days merged. A filter without PublishedOnly gets nil and no query.
// Reading the days first lets the incidents be selected by ranges of the
// time index, where a per-row test of the local day could use none (and
// SQLite has no time zones to compute it with).
func (db *DB) publishedSpans(ctx context.Context, f domain.IncidentFilter) ([]span, error) {
	if !f.PublishedOnly {
		return nil, nil
	}
	// Days are compared as text (YYYY-MM-DD); a day either side of the
	// window's UTC dates covers every zone's offset.
	where, args := "", []any{}
	if !f.Since.IsZero() {
		args = append(args, f.Since.UTC().AddDate(0, 0, -1).Format(time.DateOnly))
		where += fmt.Sprintf(" AND b.day >= $%d", len(args))
	}
	if !f.Until.IsZero() {
		args = append(args, f.Until.UTC().AddDate(0, 0, 1).Format(time.DateOnly))
		where += fmt.Sprintf(" AND b.day <= $%d", len(args))
	}
	rows, err := db.r.QueryContext(ctx, `SELECT DISTINCT b.day, a.time_zone FROM bulletins b
		JOIN agreements a ON a.id = b.agreement_id WHERE 1 = 1`+where, args...)
	if err != nil {
		return nil, db.d.classify(fmt.Errorf("read published days: %w", err))
	}
	defer rows.Close()
	zones := map[string]*time.Location{}
	var spans []span
	for rows.Next() {
		var day, zone string
		if err := rows.Scan(&day, &zone); err != nil {
			return nil, fmt.Errorf("scan published day: %w", err)
		}
		loc, ok := zones[zone]
		if !ok {
			loc = (&domain.Agreement{TimeZone: zone}).Location()
			zones[zone] = loc
		}
		d, err := stats.ParseDay(day)
		if err != nil {
			return nil, fmt.Errorf("published bulletin: %w", err)
		}
		s := span{d.In(loc), (d + 1).In(loc)}
		if !f.Since.IsZero() && s.from.Before(f.Since) {
			s.from = f.Since
		}
		if !f.Until.IsZero() && s.to.After(f.Until) {
			s.to = f.Until
		}
		if s.from.Before(s.to) {
			spans = append(spans, s)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, db.d.classify(err)
	}
	slices.SortFunc(spans, func(a, b span) int { return a.from.Compare(b.from) })
	merged := spans[:0]
	for _, s := range spans {
		if n := len(merged); n > 0 && !s.from.After(merged[n-1].to) {
			if s.to.After(merged[n-1].to) {
				merged[n-1].to = s.to
			}
			continue
		}
		merged = append(merged, s)
	}
	if len(merged) > MaxPublishedSpans {
		return nil, domain.Errorf(domain.EINVALID, "the published days in this window fall in %d separate periods, more than %d: narrow since and until",
			len(merged), MaxPublishedSpans)
	}
	return merged, nil
}

// publishedWhere is the condition that keeps the incidents inside spans:
// one range of occurred_at per period, ORed. SQLite answers such an OR with
// one index range per period, or walks the table in ID order for a page
// when the periods hold most incidents; an enclosing range ANDed to it
// would make it scan the whole enclosing range instead (10x slower for a
// count over a year of fortnights). The ORs form a balanced tree, as
// SQLite bounds the depth of an expression (1,000) and a chain would be as
// deep as it is long. No spans means nothing is published: no incident.
func (db *DB) publishedWhere(spans []span, arg func(any) string) string {
	if len(spans) == 0 {
		return "1 = 0"
	}
	var or func(s []span) string
	or = func(s []span) string {
		if len(s) == 1 {
			return "(occurred_at >= " + arg(db.d.t(s[0].from)) + " AND occurred_at < " + arg(db.d.t(s[0].to)) + ")"
		}
		return "(" + or(s[:len(s)/2]) + " OR " + or(s[len(s)/2:]) + ")"
	}
	return or(spans)
}
