// Package controltest generates deterministic control maps and strike
// points over Syria for tests and benchmarks of the control and compliance
// packages, so both measure against the same ground.
package controltest

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/paulmach/orb"
	"github.com/trucedesk/truce/internal/control"
)

// Syria's bounding box, as the benchmarks are asked to use it.
var Syria = orb.Bound{Min: orb.Point{35.7, 32.3}, Max: orb.Point{42.4, 37.3}}

// Areas returns n star-shaped areas (12 to 24 vertices, counter-clockwise)
// scattered over Syria, every fourth with a clockwise hole, controlled in
// turn by the parties in controllers and valid through 2016. The same n and
// seed give the same areas.
func Areas(n int, seed uint64, controllers []int64) []*control.Area {
	rng := rand.New(rand.NewPCG(seed, 0x7275636521))
	from := time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC)
	// Size areas so that together they cover about the whole box once.
	cell := math.Sqrt((Syria.Max[0] - Syria.Min[0]) * (Syria.Max[1] - Syria.Min[1]) / float64(n))
	areas := make([]*control.Area, n)
	for i := range areas {
		c := orb.Point{
			Syria.Min[0] + rng.Float64()*(Syria.Max[0]-Syria.Min[0]),
			Syria.Min[1] + rng.Float64()*(Syria.Max[1]-Syria.Min[1]),
		}
		k := 12 + rng.IntN(13)
		rmin := cell * 0.4
		ext := make(orb.Ring, k+1)
		for j := range k {
			a := 2 * math.Pi * (float64(j) + 0.8*rng.Float64()) / float64(k)
			r := rmin + rng.Float64()*cell*0.4
			ext[j] = orb.Point{c[0] + r*math.Cos(a), c[1] + r*math.Sin(a)}
		}
		ext[k] = ext[0]
		poly := orb.Polygon{ext}
		if i%4 == 0 {
			h := rmin * 0.5
			poly = append(poly, orb.Ring{
				{c[0] - h, c[1] - h}, {c[0] - h, c[1] + h}, {c[0] + h, c[1] + h}, {c[0] + h, c[1] - h}, {c[0] - h, c[1] - h},
			})
		}
		var ctl int64
		if len(controllers) > 0 {
			ctl = controllers[i%len(controllers)]
		}
		areas[i] = &control.Area{
			ID: int64(i + 1), Version: 1, Controller: "p", ControllerID: ctl,
			ValidFrom: from, ValidTo: to, Shape: orb.MultiPolygon{poly},
		}
	}
	return areas
}

// Points returns n points spread uniformly over Syria.
func Points(n int, seed uint64) []orb.Point {
	rng := rand.New(rand.NewPCG(seed, 0x706f696e7473))
	pts := make([]orb.Point, n)
	for i := range pts {
		pts[i] = orb.Point{
			Syria.Min[0] + rng.Float64()*(Syria.Max[0]-Syria.Min[0]),
			Syria.Min[1] + rng.Float64()*(Syria.Max[1]-Syria.Min[1]),
		}
	}
	return pts
}
