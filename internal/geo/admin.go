package geo

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/tidwall/rtree"
	"github.com/trucedesk/truce/internal/domain"
)

// kmPerDegree is the length of a degree of latitude; longitude degrees are
// scaled by the cosine of the latitude.
const kmPerDegree = 111.32

// DefaultSnapKm is how far outside every polygon a point may fall and still be
// assigned the nearest unit. OCHA's boundaries are simplified, so points on
// the coast or a river border land just outside.
const DefaultSnapKm = 5

// Unit names one administrative unit.
type Unit struct {
	PCode  string `json:"pcode"`
	Name   string `json:"name"`
	NameAR string `json:"name_ar,omitempty"`
}

// Admin is the administrative assignment of a point. Exact is false when no
// polygon contained the point and the nearest one within SnapKm was taken;
// DistanceKm then says how far it was.
type Admin struct {
	Admin1     Unit    `json:"admin1"`
	Admin2     Unit    `json:"admin2"`
	Exact      bool    `json:"exact"`
	DistanceKm float64 `json:"distance_km,omitempty"`
}

type unit struct {
	region *domain.Region
	shape  orb.MultiPolygon
}

// AdminIndex answers which governorate and district contain a point: an
// R-tree over the units' bounding boxes picks the few candidates, then an
// exact point-in-polygon test (holes and multipolygons included) decides.
// It is safe for concurrent use once built.
type AdminIndex struct {
	// SnapKm is how far outside all polygons a point may be and still be
	// assigned; zero disables snapping.
	SnapKm float64

	levels [3]rtree.RTreeG[*unit] // by admin level 1 and 2
	byCode map[string]*domain.Region
	level1 []*domain.Region
}

// NewAdminIndex builds the index from level-1 and level-2 regions (as
// ReadRegions returns them); other levels are ignored.
func NewAdminIndex(regions []*domain.Region) (*AdminIndex, error) {
	ix := &AdminIndex{SnapKm: DefaultSnapKm, byCode: make(map[string]*domain.Region)}
	for _, reg := range regions {
		if reg.Level != 1 && reg.Level != 2 {
			continue
		}
		mp, err := regionGeometry(reg)
		if err != nil {
			return nil, fmt.Errorf("admin index: region %s: %w", reg.PCode, err)
		}
		b := mp.Bound()
		ix.levels[reg.Level].Insert([2]float64{b.Min.X(), b.Min.Y()}, [2]float64{b.Max.X(), b.Max.Y()},
			&unit{region: reg, shape: mp})
		ix.byCode[reg.PCode] = reg
		if reg.Level == 1 {
			ix.level1 = append(ix.level1, reg)
		}
	}
	if len(ix.level1) == 0 {
		return nil, domain.Errorf(domain.EINVALID, "admin index needs governorate (level 1) regions")
	}
	return ix, nil
}

// Region returns the region with the given pcode.
func (ix *AdminIndex) Region(pcode string) (*domain.Region, bool) {
	r, ok := ix.byCode[pcode]
	return r, ok
}

// Governorates returns the level-1 regions in the order they were given.
func (ix *AdminIndex) Governorates() []*domain.Region { return ix.level1 }

// Assign returns the governorate and district containing p. It reports
// false when p is farther than SnapKm from every governorate. The district
// polygon is tried first and its parent taken as the governorate, which
// halves the point-in-polygon work and keeps the pair consistent; only a
// point in no district falls back to the governorate layer and snapping.
func (ix *AdminIndex) Assign(p domain.Point) (Admin, bool) {
	pt := orb.Point{p.Lon, p.Lat}
	if u2 := ix.contains(2, pt, ""); u2 != nil {
		if r1, ok := ix.byCode[u2.region.Parent]; ok {
			return Admin{Admin1: unitOf(r1), Admin2: unitOf(u2.region), Exact: true}, true
		}
	}
	u1, d1 := ix.locate(1, pt, "")
	if u1 == nil {
		return Admin{}, false
	}
	a := Admin{Admin1: unitOf(u1.region), Exact: d1 == 0, DistanceKm: d1}
	if u2, _ := ix.locate(2, pt, u1.region.PCode); u2 != nil {
		a.Admin2 = unitOf(u2.region)
	}
	return a, true
}

// contains finds the unit of a level whose polygon holds pt.
func (ix *AdminIndex) contains(level int, pt orb.Point, parent string) *unit {
	var found *unit
	ix.levels[level].Search([2]float64{pt[0], pt[1]}, [2]float64{pt[0], pt[1]}, func(_, _ [2]float64, u *unit) bool {
		if (parent == "" || u.region.Parent == parent) && planar.MultiPolygonContains(u.shape, pt) {
			found = u
			return false
		}
		return true
	})
	return found
}

func unitOf(r *domain.Region) Unit { return Unit{PCode: r.PCode, Name: r.Name, NameAR: r.NameAR} }

// locate finds the unit of a level that contains pt, or failing that the
// nearest within SnapKm, with its distance in km. A non-empty parent limits
// the search to that parent's children.
func (ix *AdminIndex) locate(level int, pt orb.Point, parent string) (*unit, float64) {
	found := ix.contains(level, pt, parent)
	if found != nil || ix.SnapKm <= 0 {
		return found, 0
	}
	tr := &ix.levels[level]
	cos := math.Cos(pt.Lat() * math.Pi / 180)
	dLat := ix.SnapKm / kmPerDegree
	dLon := dLat / math.Max(cos, 0.01)
	best := math.Inf(1)
	tr.Search([2]float64{pt[0] - dLon, pt[1] - dLat}, [2]float64{pt[0] + dLon, pt[1] + dLat}, func(_, _ [2]float64, u *unit) bool {
		if parent != "" && u.region.Parent != parent {
			return true
		}
		if d := distanceKm(u.shape, pt, cos); d < best {
			best, found = d, u
		}
		return true
	})
	if best > ix.SnapKm {
		return nil, 0
	}
	return found, best
}

// distanceKm is the distance from pt to the nearest edge of mp, on a plane
// whose longitudes are shrunk by cos: near enough at the scale of a snap.
func distanceKm(mp orb.MultiPolygon, pt orb.Point, cos float64) float64 {
	scale := func(q orb.Point) orb.Point { return orb.Point{q[0] * cos, q[1]} }
	sp := scale(pt)
	best := math.Inf(1)
	for _, poly := range mp {
		for _, ring := range poly {
			for i := 1; i < len(ring); i++ {
				d := planar.DistanceFromSegment(scale(ring[i-1]), scale(ring[i]), sp)
				best = math.Min(best, d)
			}
		}
	}
	return best * kmPerDegree
}

// AssignAdmin fills each place's Admin1 and Admin2 with the OCHA governorate
// and district names for its point, replacing GeoNames codes, so stored
// places and incidents use one naming. Places outside every unit keep what
// they had; their count is returned so a loader can report it.
func AssignAdmin(places []*domain.Place, ix *AdminIndex) (outside int) {
	for _, p := range places {
		a, ok := ix.Assign(p.Point)
		if !ok {
			outside++
			continue
		}
		p.Admin1, p.Admin2 = a.Admin1.Name, a.Admin2.Name
	}
	return outside
}
