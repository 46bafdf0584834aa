package control

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/paulmach/orb"
)

// Locator answers which area versions contain a point at an instant. The
// compliance engine asks through it so the indexed and the naive lookups
// can be compared in one benchmark.
type Locator interface {
	// AppendAt appends to dst the areas containing p at t, ordered by ID
	// then version, and returns the extended slice.
	AppendAt(dst []*Area, p orb.Point, t time.Time) []*Area
}

// prepared is one polygon of an area with its bounding box, so the exact
// test runs only on polygons whose box holds the point.
type prepared struct {
	area     *Area
	poly     orb.Polygon
	bound    orb.Bound
	from, to int64 // the area's validity in Unix nanoseconds; to 0 is open
}

// activeAt is Area.ActiveAt without touching the Area, which keeps the hot
// loop in the prepared slice's cache lines.
func (c *prepared) activeAt(t int64) bool {
	return t >= c.from && (c.to == 0 || t < c.to)
}

// fromNano maps a start instant to the prepared form; a zero start means
// since always.
func fromNano(t time.Time) int64 {
	if t.IsZero() {
		return math.MinInt64
	}
	return t.UnixNano()
}

// unixNano maps an instant to the prepared form; the zero time maps to 0
// only as an open end, so callers pass real instants.
func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// Index finds the areas that contain a point at an instant: a packed R-tree
// over each polygon's bounding box narrows the candidates, then an exact
// point-in-polygon test (holes excluded, boundaries included) decides. It
// is immutable once built and safe for concurrent use.
type Index struct {
	tree  *packedTree
	polys []prepared
	areas []*Area
}

var (
	_ Locator = (*Index)(nil)
	_ Locator = (*Scan)(nil)
)

// NewIndex indexes areas. The order they are given in does not matter:
// results are always ordered by ID and version.
func NewIndex(areas []*Area) *Index {
	ix := &Index{areas: slices.Clone(areas)}
	slices.SortFunc(ix.areas, compareAreas)
	var boxes []box
	for _, a := range ix.areas {
		for _, poly := range a.Shape {
			if len(poly) == 0 {
				continue
			}
			b := poly[0].Bound()
			boxes = append(boxes, box{b.Min[0], b.Min[1], b.Max[0], b.Max[1]})
			ix.polys = append(ix.polys, prepared{area: a, poly: poly, bound: b,
				from: fromNano(a.ValidFrom), to: unixNano(a.ValidTo)})
		}
	}
	ix.tree = newPackedTree(boxes)
	return ix
}

// Areas returns the indexed areas ordered by ID and version.
func (ix *Index) Areas() []*Area { return ix.areas }

// At returns the areas that contain p at t, ordered by ID then version.
func (ix *Index) At(p orb.Point, t time.Time) []*Area { return ix.AppendAt(nil, p, t) }

// AppendAt implements Locator without allocating when dst has room.
func (ix *Index) AppendAt(dst []*Area, p orb.Point, t time.Time) []*Area {
	start := len(dst)
	tn := t.UnixNano()
	// Candidates go to an array on the stack: a point rarely lies in more
	// than a few boxes, and the lookup must not allocate.
	var buf [32]int32
	for _, i := range ix.tree.appendPoint(buf[:0], p[0], p[1]) {
		c := &ix.polys[i]
		if !c.activeAt(tn) || polygonLocate(c.poly, p) < 0 {
			continue
		}
		// A multipolygon's parts do not overlap, but keep it unique anyway.
		if !slices.Contains(dst[start:], c.area) {
			dst = append(dst, c.area)
		}
	}
	if len(dst)-start > 1 {
		slices.SortFunc(dst[start:], compareAreas)
	}
	return dst
}

// Scan is the naive Locator: it tests every polygon's bounding box, then
// the exact polygon. It exists to measure the index against and to check it.
type Scan struct {
	polys []prepared
}

// NewScan prepares areas for a naive scan; like NewIndex it keeps the
// polygons' bounding boxes so the comparison measures only the tree.
func NewScan(areas []*Area) *Scan {
	ix := NewIndex(areas)
	return &Scan{polys: ix.polys}
}

// AppendAt implements Locator by testing every polygon.
func (s *Scan) AppendAt(dst []*Area, p orb.Point, t time.Time) []*Area {
	start := len(dst)
	tn := t.UnixNano()
	for i := range s.polys {
		c := &s.polys[i]
		if !c.bound.Contains(p) || !c.activeAt(tn) || polygonLocate(c.poly, p) < 0 {
			continue
		}
		if !slices.Contains(dst[start:], c.area) {
			dst = append(dst, c.area)
		}
	}
	if len(dst)-start > 1 {
		slices.SortFunc(dst[start:], compareAreas)
	}
	return dst
}

func compareAreas(a, b *Area) int {
	return cmp.Or(cmp.Compare(a.ID, b.ID), cmp.Compare(a.Version, b.Version))
}

// Overlap is two area versions that cover some of the same ground during
// some of the same time, [From, To) (a zero To means open-ended). Conflict
// is true when their controllers differ: the map then says two parties held
// the same ground, which only a person can resolve.
type Overlap struct {
	A, B     Key
	From, To time.Time
	Conflict bool
}

// Overlaps lists every pair of areas whose validity windows and interiors
// intersect, ordered by A then B. Shared borders are not overlaps: adjacent
// zones of control always touch. Versions of the same area ID overlapping in
// time are reported too, since a version should end where the next begins.
//
// Interiors are taken to intersect when two edges cross properly, or a
// vertex or an edge midpoint of one lies strictly inside the other; this
// catches every overlap of maps drawn on a shared set of border vertices.
func (ix *Index) Overlaps() []Overlap {
	var out []Overlap
	seen := map[[2]*Area]bool{}
	var cands []int32
	for i := range ix.polys {
		c := &ix.polys[i]
		cands = ix.tree.appendBox(cands[:0], box{c.bound.Min[0], c.bound.Min[1], c.bound.Max[0], c.bound.Max[1]})
		for _, j := range cands {
			d := &ix.polys[j]
			if d.area == c.area || compareAreas(c.area, d.area) > 0 {
				continue
			}
			pair := [2]*Area{c.area, d.area}
			if seen[pair] {
				continue
			}
			from, to, ok := windowOverlap(c.area, d.area)
			if !ok || !polygonsOverlap(c.poly, d.poly) {
				continue
			}
			seen[pair] = true
			out = append(out, Overlap{
				A: c.area.Key(), B: d.area.Key(), From: from, To: to,
				Conflict: c.area.Controller != d.area.Controller || c.area.ControllerID != d.area.ControllerID,
			})
		}
	}
	slices.SortFunc(out, func(x, y Overlap) int {
		return cmp.Or(cmp.Compare(x.A.ID, y.A.ID), cmp.Compare(x.A.Version, y.A.Version),
			cmp.Compare(x.B.ID, y.B.ID), cmp.Compare(x.B.Version, y.B.Version))
	})
	return out
}

// windowOverlap intersects two validity windows.
func windowOverlap(a, b *Area) (from, to time.Time, ok bool) {
	from = a.ValidFrom
	if b.ValidFrom.After(from) {
		from = b.ValidFrom
	}
	switch {
	case a.ValidTo.IsZero():
		to = b.ValidTo
	case b.ValidTo.IsZero() || a.ValidTo.Before(b.ValidTo):
		to = a.ValidTo
	default:
		to = b.ValidTo
	}
	return from, to, to.IsZero() || from.Before(to)
}

// polygonsOverlap reports whether two polygons share interior points.
func polygonsOverlap(p, q orb.Polygon) bool {
	if !p[0].Bound().Intersects(q[0].Bound()) {
		return false
	}
	for _, r := range p {
		for _, s := range q {
			for i := 0; i+1 < len(r); i++ {
				for j := 0; j+1 < len(s); j++ {
					if segmentsCross(r[i], r[i+1], s[j], s[j+1]) {
						return true
					}
				}
			}
		}
	}
	return probesInside(p, q) || probesInside(q, p)
}

// probesInside reports whether a vertex or edge midpoint of p's rings lies
// strictly inside q, or a point just inside p next to an edge midpoint of its
// exterior does; the last catches two copies of the same polygon, whose
// vertices and edges all lie on each other's boundary.
func probesInside(p, q orb.Polygon) bool {
	for _, r := range p {
		for i := 0; i+1 < len(r); i++ {
			mid := orb.Point{(r[i][0] + r[i+1][0]) / 2, (r[i][1] + r[i+1][1]) / 2}
			if polygonLocate(q, r[i]) > 0 || polygonLocate(q, mid) > 0 {
				return true
			}
		}
	}
	ext := p[0]
	for i := 0; i+1 < len(ext); i++ {
		// The exterior is counter-clockwise, so the interior is on the left.
		dx, dy := ext[i+1][0]-ext[i][0], ext[i+1][1]-ext[i][1]
		const eps = 1e-7
		in := orb.Point{(ext[i][0]+ext[i+1][0])/2 - dy*eps, (ext[i][1]+ext[i+1][1])/2 + dx*eps}
		if polygonLocate(p, in) > 0 && polygonLocate(q, in) > 0 {
			return true
		}
	}
	return false
}
