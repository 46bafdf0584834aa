package control

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"
)

// TestPackedTree checks both searches of the packed tree against testing
// every box, for sizes around the node size and a tree several levels
// deep, with boxes that are points, lines and duplicates, and queries on
// box edges and corners.
func TestPackedTree(t *testing.T) {
	for _, n := range []int{0, 1, nodeSize - 1, nodeSize, nodeSize + 1, nodeSize*nodeSize + 3, 5000} {
		rng := rand.New(rand.NewPCG(uint64(n), 7))
		items := make([]box, n)
		for i := range items {
			x, y := 35+rng.Float64()*7, 32+rng.Float64()*5
			w, h := rng.Float64()*0.3, rng.Float64()*0.3
			switch i % 7 {
			case 0: // a point
				w, h = 0, 0
			case 1: // a vertical line
				w = 0
			case 2: // the same box as the one before
				if i > 0 {
					items[i] = items[i-1]
					continue
				}
			}
			items[i] = box{x, y, x + w, y + h}
		}
		tr := newPackedTree(items)
		var queries []box
		for i := range 300 {
			x, y := 34.5+rng.Float64()*8, 31.5+rng.Float64()*6
			queries = append(queries, box{x, y, x, y}, box{x, y, x + rng.Float64(), y + rng.Float64()*0.5})
			if n > 0 { // corners and edges of a box
				b := items[i%n]
				queries = append(queries, box{b.minX, b.minY, b.minX, b.minY}, box{b.maxX, b.maxY, b.maxX, b.maxY},
					box{b.minX, (b.minY + b.maxY) / 2, b.minX, (b.minY + b.maxY) / 2})
			}
		}
		queries = append(queries, box{math.NaN(), 33, math.NaN(), 33})
		for _, q := range queries {
			var want []int32
			for i, b := range items {
				if b.intersects(q) {
					want = append(want, int32(i))
				}
			}
			got := tr.appendBox(nil, q)
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Fatalf("n=%d box %v: got %v, want %v", n, q, got, want)
			}
			if q.minX == q.maxX && q.minY == q.maxY || q.minX != q.minX {
				got = tr.appendPoint(nil, q.minX, q.minY)
				slices.Sort(got)
				if !slices.Equal(got, want) {
					t.Fatalf("n=%d point (%v, %v): got %v, want %v", n, q.minX, q.minY, got, want)
				}
			}
		}
	}
}

// ringLocateOracle is ringLocate as first written, edge by edge: the
// rewritten loop must answer the same to the last bit.
func ringLocateOracle(r orb.Ring, p orb.Point) int {
	in := false
	px, py := p[0], p[1]
	for i := 0; i+1 < len(r); i++ {
		ax, ay := r[i][0], r[i][1]
		bx, by := r[i+1][0], r[i+1][1]
		if (ay > py) != (by > py) {
			x := ax + (py-ay)*(bx-ax)/(by-ay)
			if px < x {
				in = !in
			} else if px == x {
				return 0
			}
			continue
		}
		if (ay == py || by == py) && px >= min(ax, bx) && px <= max(ax, bx) && (ay == by || (px == ax && py == ay) || (px == bx && py == by)) {
			return 0
		}
	}
	if in {
		return 1
	}
	return -1
}

func TestRingLocateMatchesOracle(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 26))
	rings := []orb.Ring{
		{},
		{{38, 35}},
		{{38, 35}, {40, 35}, {40, 37}, {38, 37}, {38, 35}},             // axis-aligned
		{{38, 35}, {38, 37}, {40, 37}, {40, 35}, {38, 35}},             // clockwise
		{{38, 35}, {40, 35}, {39, 36}, {40, 37}, {38, 37}, {38, 35}},   // a notch with a vertex at the ray's height
		{{38, 35}, {39, 35}, {40, 35}, {40, 36}, {39, 36}, {38, 35.5}}, // collinear points, unclosed
	}
	for range 200 { // stars of 3 to 40 vertices, on a coarse grid so points meet vertices
		k := 3 + rng.IntN(38)
		r := make(orb.Ring, k+1)
		for j := range k {
			a := 2 * math.Pi * (float64(j) + 0.5*rng.Float64()) / float64(k)
			d := 0.5 + rng.Float64()
			r[j] = orb.Point{math.Round((39+d*math.Cos(a))*8) / 8, math.Round((36+d*math.Sin(a))*8) / 8}
		}
		r[k] = r[0]
		rings = append(rings, r)
	}
	for i, r := range rings {
		var pts []orb.Point
		for j := range r {
			pts = append(pts, r[j])
			if j+1 < len(r) {
				pts = append(pts, orb.Point{(r[j][0] + r[j+1][0]) / 2, (r[j][1] + r[j+1][1]) / 2})
			}
		}
		for x := 37.5; x <= 40.5; x += 0.0625 {
			for y := 34.5; y <= 37.5; y += 0.0625 {
				pts = append(pts, orb.Point{x, y})
			}
		}
		for range 200 {
			pts = append(pts, orb.Point{37.5 + 3*rng.Float64(), 34.5 + 3*rng.Float64()})
		}
		seen := map[int]bool{}
		for _, p := range pts {
			got, want := ringLocate(r, p), ringLocateOracle(r, p)
			if got != want {
				t.Fatalf("ring %d %v, point %v: got %d, want %d", i, r, p, got, want)
			}
			seen[want] = true
		}
		if len(r) > 3 && len(seen) != 3 {
			t.Fatalf("ring %d: points reach only %v; the test misses a case", i, seen)
		}
	}
}
