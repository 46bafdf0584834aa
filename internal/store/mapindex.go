package store

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/trucedesk/truce/internal/domain"
)

// The map index (migration 00009): every incident_parties row carries its
// incident's time, point and grid cell, indexed by (party, cell, incident),
// and incident_days holds the lowest and highest incident ID of each day.
// The map's query (a box, a time window and a party, first page in ID
// order) then reads, for each cell the box touches, that party's incidents
// in ID order within the IDs of the window's days, and merges the cells,
// stopping at the page: the work follows the page, not the window. Exact
// for any IDs; fastest where IDs follow time, as on a desk (an import of
// old events widens the ID range of later windows, never their answer).

// Cells are 0.25° squares numbered row by row from (-90, -180); map_cell in
// the migrations computes the same numbers with the same float operations.
const (
	cellsPerDegree = 4
	cellColumns    = 360*cellsPerDegree + 1 // longitude 180 has a column of its own
	cellRows       = 180*cellsPerDegree + 1
	// maxMapCells bounds the branches of the merged query (a 1° box
	// touches at most 25 cells); larger boxes take the general query.
	maxMapCells = 49
)

// MapCell returns the map index's cell of a valid point, for a bulk
// loader that gives incident_parties its copies itself (migration 00009).
func MapCell(lat, lon float64) int { return cellOf(lat, lon) }

// cellOf returns the cell of a valid point.
func cellOf(lat, lon float64) int {
	return int(math.Floor((lat+90)*cellsPerDegree))*cellColumns + int(math.Floor((lon+180)*cellsPerDegree))
}

// boxCells lists the cells holding every point of b, edges included; none
// if b is empty. ok is false if b is too large for the merged query or
// not finite.
func boxCells(b domain.BBox) (cells []int, ok bool) {
	for _, v := range []float64{b.MinLon, b.MinLat, b.MaxLon, b.MaxLat} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, false
		}
	}
	// Clamped to the grid: a valid point's cell is always on it.
	span := func(lo, hi, offset float64, n int) (int, int) {
		a := math.Max(math.Floor((lo+offset)*cellsPerDegree), 0)
		z := math.Min(math.Floor((hi+offset)*cellsPerDegree), float64(n-1))
		return int(a), int(z)
	}
	y0, y1 := span(b.MinLat, b.MaxLat, 90, cellRows)
	x0, x1 := span(b.MinLon, b.MaxLon, 180, cellColumns)
	if y0 > y1 || x0 > x1 {
		return nil, true
	}
	if (y1-y0+1)*(x1-x0+1) > maxMapCells {
		return nil, false
	}
	for y := y0; y <= y1; y++ {
		for x := x0; x <= x1; x++ {
			cells = append(cells, y*cellColumns+x)
		}
	}
	return cells, true
}

// cellInside reports whether cell c lies wholly within b.
func cellInside(b domain.BBox, c int) bool {
	lat, lon := float64(c/cellColumns)/cellsPerDegree-90, float64(c%cellColumns)/cellsPerDegree-180
	const side = 1.0 / cellsPerDegree
	return lat >= b.MinLat && lat+side <= b.MaxLat && lon >= b.MinLon && lon+side <= b.MaxLon
}

// dayOf is the UTC day number (days since 1970) incident_days keys on.
func dayOf(t time.Time) int64 {
	s := t.Unix()
	d := s / 86400
	if s%86400 < 0 {
		d--
	}
	return d
}

// mapQuery returns the merged query for f, or ok false when f is not the
// map's query: the page limit may only be taken inside the merge when
// nothing but party, box, window and page filter the incidents.
func (db *DB) mapQuery(f domain.IncidentFilter) (query string, args []any, ok bool) {
	if f.BBox == nil || f.PartyID == 0 || f.SubEventType != "" || f.Grade != "" || f.Admin1 != "" || f.Origin != "" || f.PublishedOnly {
		return "", nil, false
	}
	cells, ok := boxCells(*f.BBox)
	if !ok {
		return "", nil, false
	}
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	where := []string{"party_id = " + arg(f.PartyID),
		fmt.Sprintf("lon >= %s AND lon <= %s AND lat >= %s AND lat <= %s",
			arg(f.BBox.MinLon), arg(f.BBox.MaxLon), arg(f.BBox.MinLat), arg(f.BBox.MaxLat))}
	// The window's ID range, read in the same statement (one snapshot). A
	// day either side covers SQLite's day numbers, which truncate.
	bounds := []string{"NULL", "NULL"}
	if !f.Since.IsZero() {
		bounds[0] = "(SELECT MIN(min_id) FROM incident_days WHERE day >= " + arg(dayOf(f.Since)-1) + ")"
		where = append(where, "occurred_at >= "+arg(db.d.t(f.Since)), "incident_id >= (SELECT lo FROM bounds)")
	}
	if !f.Until.IsZero() {
		bounds[1] = "(SELECT MAX(max_id) FROM incident_days WHERE day <= " + arg(dayOf(f.Until)+1) + ")"
		where = append(where, "occurred_at < "+arg(db.d.t(f.Until)), "incident_id <= (SELECT hi FROM bounds)")
	}
	if f.AfterID != 0 {
		where = append(where, "incident_id > "+arg(f.AfterID))
	}
	common := strings.Join(where, " AND ")
	n := arg(limit(f.Limit))
	// Each cell gives at most a page, in ID order, so the merges below read
	// a page or little more (PostgreSQL merges sorted branches lazily).
	branch := func(i, c int, extra string) string {
		return fmt.Sprintf(`SELECT incident_id FROM (SELECT DISTINCT incident_id FROM incident_parties
			WHERE cell = %s AND %s%s ORDER BY incident_id LIMIT %s) c%d`, arg(c), common, extra, n, i)
	}
	// A cell the box cuts may hold many rows of the party outside the box,
	// all read and dropped if its branch finds no match. So the cells
	// wholly inside go first: once they fill a page, its last ID bounds
	// the cut cells' scans. Which cells go first only steers the work:
	// every branch tests the box exactly. (SQLite, whose desks are
	// smaller, refuses the nesting; there every cell goes in one merge.)
	twoStep := db.d.name() == "postgres"
	none := "SELECT incident_id FROM incident_parties WHERE false"
	inner, cut := []string{none}, []string{"SELECT incident_id FROM inner_page"}
	capped := ""
	for i, c := range cells {
		if twoStep && cellInside(*f.BBox, c) {
			inner = append(inner, branch(i, c, ""))
			continue
		}
		if capped == "" && twoStep {
			capped = " AND incident_id <= COALESCE((SELECT x FROM cap), (SELECT hi FROM bounds), " + arg(int64(math.MaxInt64)) + ")"
		}
		cut = append(cut, branch(i, c, capped))
	}
	query = `WITH bounds (lo, hi) AS (SELECT ` + strings.Join(bounds, ", ") + `),
		inner_page AS (SELECT DISTINCT incident_id FROM (` + strings.Join(inner, " UNION ALL ") + `) i
			ORDER BY incident_id LIMIT ` + n + `),
		cap (x) AS (SELECT CASE WHEN COUNT(*) = ` + n + ` THEN MAX(incident_id) END FROM inner_page)
		SELECT ` + incidentColumns + ` FROM incidents WHERE id IN (
		SELECT DISTINCT incident_id FROM (` + strings.Join(cut, " UNION ALL ") + `) m
		ORDER BY incident_id LIMIT ` + n + `) ORDER BY id`
	return query, args, true
}
