package store

import (
	"context"
	"time"

	"github.com/trucedesk/truce/internal/domain"
)

// Exported for the map index tests in store_test.
var (
	BoxCells = boxCells
	CellOf   = cellOf
)

// UsesMapIndex reports whether Incidents answers f with the merged query.
func (db *DB) UsesMapIndex(f domain.IncidentFilter) bool {
	_, _, ok := db.mapQuery(f)
	return ok
}

// IncidentIDsGeneral lists the IDs Incidents' general query returns for f.
func (db *DB) IncidentIDsGeneral(ctx context.Context, f domain.IncidentFilter) ([]int64, error) {
	published, err := db.publishedSpans(ctx, f)
	if err != nil {
		return nil, err
	}
	q, args := db.incidentsQuery(f, published)
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		in, err := scanIncident(rows)
		if err != nil {
			return nil, err
		}
		ids = append(ids, in.ID)
	}
	return ids, rows.Err()
}

// MoveIncidentRaw changes an incident's time and point in SQL alone, as no
// write path of the store does, so that only the triggers can carry the
// change to the map index.
func (db *DB) MoveIncidentRaw(ctx context.Context, id int64, at time.Time, p domain.Point) error {
	_, err := db.w.ExecContext(ctx, `UPDATE incidents SET occurred_at = $1, lat = $2, lon = $3 WHERE id = $4`,
		db.d.t(at), p.Lat, p.Lon, id)
	return err
}
