package control

import (
	"slices"

	"github.com/paulmach/orb"
)

// orient is the sign of the cross product (b-a)×(c-a): positive when c is
// left of a→b, negative when right, zero when collinear.
func orient(a, b, c orb.Point) float64 {
	return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
}

// onSegment reports whether c, known collinear with a and b, lies between them.
func onSegment(a, b, c orb.Point) bool {
	return c[0] >= min(a[0], b[0]) && c[0] <= max(a[0], b[0]) &&
		c[1] >= min(a[1], b[1]) && c[1] <= max(a[1], b[1])
}

// segmentsMeet reports whether segments ab and cd share any point.
func segmentsMeet(a, b, c, d orb.Point) bool {
	o1, o2 := orient(a, b, c), orient(a, b, d)
	o3, o4 := orient(c, d, a), orient(c, d, b)
	if ((o1 > 0 && o2 < 0) || (o1 < 0 && o2 > 0)) && ((o3 > 0 && o4 < 0) || (o3 < 0 && o4 > 0)) {
		return true
	}
	return (o1 == 0 && onSegment(a, b, c)) || (o2 == 0 && onSegment(a, b, d)) ||
		(o3 == 0 && onSegment(c, d, a)) || (o4 == 0 && onSegment(c, d, b))
}

// segmentsCross reports whether ab and cd cross at a point interior to
// both; touching and collinear overlap do not count. Two areas that share a
// border touch along it without crossing.
func segmentsCross(a, b, c, d orb.Point) bool {
	o1, o2 := orient(a, b, c), orient(a, b, d)
	o3, o4 := orient(c, d, a), orient(c, d, b)
	return ((o1 > 0 && o2 < 0) || (o1 < 0 && o2 > 0)) && ((o3 > 0 && o4 < 0) || (o3 < 0 && o4 > 0))
}

// foldsBack reports whether two consecutive segments p→q and q→s double back
// over each other, which makes a spike of zero width.
func foldsBack(p, q, s orb.Point) bool {
	if orient(p, q, s) != 0 {
		return false
	}
	return (p[0]-q[0])*(s[0]-q[0])+(p[1]-q[1])*(s[1]-q[1]) > 0
}

// selfIntersection finds two segments of the closed ring r that meet other
// than at the vertex they share, returning their indices (counted after
// dropping repeated consecutive points). It sweeps segments sorted by their
// smallest longitude, so typical rings cost O(n log n), not O(n²).
func selfIntersection(r orb.Ring) (int, int, bool) {
	pts := make([]orb.Point, 0, len(r))
	for _, p := range r {
		if len(pts) == 0 || pts[len(pts)-1] != p {
			pts = append(pts, p)
		}
	}
	n := len(pts) - 1 // segments; pts is closed
	if n < 3 {
		return 0, 0, false
	}
	type seg struct {
		i          int
		minX, maxX float64
	}
	segs := make([]seg, n)
	for i := range n {
		segs[i] = seg{i, min(pts[i][0], pts[i+1][0]), max(pts[i][0], pts[i+1][0])}
	}
	slices.SortFunc(segs, func(a, b seg) int {
		switch {
		case a.minX < b.minX:
			return -1
		case a.minX > b.minX:
			return 1
		}
		return a.i - b.i
	})
	for x, s := range segs {
		for _, t := range segs[x+1:] {
			if t.minX > s.maxX {
				break
			}
			i, j := min(s.i, t.i), max(s.i, t.i)
			a, b, c, d := pts[i], pts[i+1], pts[j], pts[j+1]
			switch {
			case j == i+1: // share b == c
				if foldsBack(a, b, d) {
					return i, j, true
				}
			case i == 0 && j == n-1: // share a == d
				if foldsBack(b, a, c) {
					return i, j, true
				}
			default:
				if segmentsMeet(a, b, c, d) {
					return i, j, true
				}
			}
		}
	}
	return 0, 0, false
}
