package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/trucedesk/truce/internal/domain"
)

// mapPointColumns are what a map of incidents and its table show: no summary,
// sources, parties or bookkeeping.
const mapPointColumns = `id, sub_event_type, occurred_at, location, lat, lon, admin1, fatalities_best, grade`

// MapPoints calls each with every incident the filter selects, in ID order,
// and the outcome of its verdict under agreementID ("" when it has none, or
// when agreementID is 0). It reads them in one query (after two small ones
// that choose between the time index and the table), where paging through
// Incidents costs three per thousand incidents, each page found again from
// the start of the window: the dashboard's map of 100,000 incidents is its
// main user.
//
// The incident passed to each is lean: only ID, SubEventType, OccurredAt,
// Location, Point, Admin1, Fatalities.Best and Grade are set. It and its
// Point are reused for the next row, so each must copy what it keeps. The
// filter's Limit and AfterID are ignored: every match is passed. An error
// from each stops the scan and is returned.
func (db *DB) MapPoints(ctx context.Context, f domain.IncidentFilter, agreementID int64, each func(in *domain.Incident, outcome string) error) error {
	f.Limit, f.AfterID = 0, 0
	// Both engines keep microseconds; the test below must cut as they do.
	since, until := f.Since.Truncate(time.Microsecond), f.Until.Truncate(time.Microsecond)
	wide, err := db.mapPointsWide(ctx, f)
	if err != nil {
		return err
	}
	published, err := db.publishedSpans(ctx, f)
	if err != nil {
		return err
	}
	if wide {
		f.Since, f.Until = time.Time{}, time.Time{} // tested below instead
	}
	where, args := db.incidentWhere(f, published)
	// The incidents are selected in a subquery of their own, so that no
	// column of the filter can be confused with one of verdicts. The
	// agreement's ID is a literal (an integer, so nothing can be injected):
	// the filter numbers its own placeholders, and a placeholder of ours
	// before them would shift them on SQLite.
	outcome := `''`
	join := ""
	if agreementID != 0 {
		outcome = `COALESCE(v.outcome, '')`
		join = ` LEFT JOIN verdicts v ON v.incident_id = i.id AND v.agreement_id = ` + strconv.FormatInt(agreementID, 10)
	}
	// As in Incidents: with a time window, ordering by an expression keeps
	// the planners on the time index rather than walking the primary key.
	order := "i.id"
	if !f.Since.IsZero() || !f.Until.IsZero() {
		order = "i.id + 0"
	}
	rows, err := db.r.QueryContext(ctx, `SELECT i.id, i.sub_event_type, i.occurred_at, i.location, i.lat, i.lon,
		i.admin1, i.fatalities_best, i.grade, `+outcome+`
		FROM (SELECT `+mapPointColumns+` FROM incidents`+where+`) i`+join+`
		ORDER BY `+order, args...)
	if err != nil {
		return db.d.classify(fmt.Errorf("map incidents: %w", err))
	}
	defer rows.Close()
	var (
		in       domain.Incident
		pt       domain.Point
		lat, lon sql.NullFloat64
		o        string
	)
	for rows.Next() {
		if err := rows.Scan(&in.ID, &in.SubEventType, ts{&in.OccurredAt}, &in.Location, &lat, &lon,
			&in.Admin1, &in.Fatalities.Best, &in.Grade, &o); err != nil {
			return db.d.classify(fmt.Errorf("map incidents: %w", err))
		}
		if wide && (in.OccurredAt.Before(since) || !until.IsZero() && !in.OccurredAt.Before(until)) {
			continue
		}
		in.Point = nil
		if lat.Valid && lon.Valid {
			pt = domain.Point{Lat: lat.Float64, Lon: lon.Float64}
			in.Point = &pt
		}
		if err := each(&in, o); err != nil {
			return err
		}
	}
	return db.d.classify(rows.Err())
}

// mapPointsWide reports whether the filter's time window holds at least a
// third of the stored incidents (MAX(id) stands for their number: IDs are
// dense unless rows were deleted). Reading those through the time index
// costs a seek into the table per row; reading the whole table in ID order
// and testing the window on each row is then faster, and SQLite's planner,
// which has no statistics, cannot tell: with 100,000 incidents, all in the
// window, 250 ms against 850 ms on the project's machine. The count reads
// the time index alone.
func (db *DB) mapPointsWide(ctx context.Context, f domain.IncidentFilter) (bool, error) {
	if f.Since.IsZero() && f.Until.IsZero() {
		return false, nil
	}
	var maxID sql.NullInt64
	if err := db.r.QueryRowContext(ctx, `SELECT MAX(id) FROM incidents`).Scan(&maxID); err != nil {
		return false, db.d.classify(fmt.Errorf("map incidents: %w", err))
	}
	// Only what the index answers: the other filters are tested on the
	// rows either way.
	n, err := db.CountIncidents(ctx, domain.IncidentFilter{Since: f.Since, Until: f.Until, BBox: f.BBox})
	if err != nil {
		return false, err
	}
	return int64(n)*3 >= maxID.Int64, nil
}
