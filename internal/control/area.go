// Package control holds areas of control: polygons held by a party for a span
// of time. It parses and validates them from GeoJSON, writes them back, and
// indexes them so the compliance engine can ask who held the ground at a
// point and an instant. It does no I/O; callers hand it bytes.
package control

import (
	"time"

	"github.com/paulmach/orb"
)

// Area is one version of a zone of control. It carries more than
// domain.Area (the controller's slug, a version number and a parsed shape)
// because verdict traces must name the exact version of the map they used.
type Area struct {
	ID      int64  `json:"id"`
	Version int    `json:"version"`
	Name    string `json:"name,omitempty"`
	// Controller is the controlling party's slug as the map gives it;
	// ControllerID is that party's ID once resolved against the registry
	// (zero until then).
	Controller   string `json:"controller"`
	ControllerID int64  `json:"controller_id,omitempty"`
	// ValidFrom and ValidTo bound the version, [ValidFrom, ValidTo); a zero
	// ValidTo means the version still holds.
	ValidFrom time.Time `json:"valid_from"`
	ValidTo   time.Time `json:"valid_to,omitzero"`
	Source    string    `json:"source,omitempty"`
	// Shape has exterior rings counter-clockwise and holes clockwise, as
	// RFC 7946 asks; Parse repairs winding so this always holds.
	Shape orb.MultiPolygon `json:"-"`
}

// ActiveAt reports whether the version holds at instant t.
func (a *Area) ActiveAt(t time.Time) bool {
	return !t.Before(a.ValidFrom) && (a.ValidTo.IsZero() || t.Before(a.ValidTo))
}

// Bound returns the area's bounding box.
func (a *Area) Bound() orb.Bound { return a.Shape.Bound() }

// Contains reports whether p lies in the area: inside an exterior ring and
// not strictly inside one of its holes. Points on a boundary count as in,
// so a point on a shared border lies in both neighbours and the caller sees
// the ambiguity instead of an arbitrary pick.
func (a *Area) Contains(p orb.Point) bool {
	for _, poly := range a.Shape {
		if polygonLocate(poly, p) >= 0 {
			return true
		}
	}
	return false
}

// Key identifies an area version in traces and diffs.
type Key struct {
	ID      int64 `json:"id"`
	Version int   `json:"version"`
}

// Key returns the area's ID and version.
func (a *Area) Key() Key { return Key{a.ID, a.Version} }

// ringLocate says where p lies relative to the closed ring r: -1 outside,
// 0 on the boundary, 1 inside. It is the crossing-number test with an exact
// on-segment check; unlike planar.RingContains it does not recompute the
// ring's bound on every call, which the index has already checked.
func ringLocate(r orb.Ring, p orb.Point) int {
	if len(r) == 0 {
		return -1
	}
	in := false
	px, py := p[0], p[1]
	// Each edge runs from a to b; a is the previous edge's b, so each vertex
	// is loaded and compared with py once.
	ax, ay := r[0][0], r[0][1]
	aAbove := ay > py
	for _, q := range r[1:] {
		bx, by := q[0], q[1]
		bAbove := by > py
		if aAbove != bAbove {
			x := ax + (py-ay)*(bx-ax)/(by-ay)
			if px < x {
				in = !in
			} else if px == x {
				return 0
			}
		} else if (ay == py || by == py) && px >= min(ax, bx) && px <= max(ax, bx) && (ay == by || (px == ax && py == ay) || (px == bx && py == by)) {
			// Horizontal or touching segments: only the on-boundary case
			// matters.
			return 0
		}
		ax, ay, aAbove = bx, by, bAbove
	}
	if in {
		return 1
	}
	return -1
}

// polygonLocate is ringLocate for a polygon with holes: inside a hole is
// outside the polygon, on a hole's edge is on the boundary.
func polygonLocate(poly orb.Polygon, p orb.Point) int {
	if len(poly) == 0 {
		return -1
	}
	loc := ringLocate(poly[0], p)
	if loc < 0 {
		return -1
	}
	for _, hole := range poly[1:] {
		switch ringLocate(hole, p) {
		case 1:
			return -1
		case 0:
			return 0
		}
	}
	return loc
}
