package bulletin

import (
	"context"
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/trucedesk/truce/internal/analysis"
	"github.com/trucedesk/truce/internal/domain"
)

// mapTolerance is how far (in degrees, about 1 km) outlines are simplified:
// a bulletin map is a few centimetres wide, and the published report should
// not carry every vertex of the boundaries.
const mapTolerance = 0.01

func buildMap(ctx context.Context, an *analysis.Analyzer, r *Report) error {
	regions, err := an.Store.Regions(ctx, 1)
	if err != nil {
		return err
	}
	r.Map.Regions = []Shape{}
	for _, reg := range regions {
		g, err := geojson.UnmarshalGeometry(reg.Geometry)
		if err != nil {
			return fmt.Errorf("region %s: %w", reg.PCode, err)
		}
		s := Shape{Name: reg.Name}
		var polys orb.MultiPolygon
		switch g := g.Geometry().(type) {
		case orb.Polygon:
			polys = orb.MultiPolygon{g}
		case orb.MultiPolygon:
			polys = g
		default:
			return domain.Errorf(domain.EINVALID, "region %s is a %s, not a polygon", reg.PCode, g.GeoJSONType())
		}
		for _, p := range polys {
			var poly [][][2]float64
			for _, ring := range p {
				poly = append(poly, simplify(ring))
			}
			s.Polygons = append(s.Polygons, poly)
		}
		r.Map.Regions = append(r.Map.Regions, s)
	}
	r.Map.Dots = []Dot{}
	prohibited := map[string]bool{}
	for _, t := range an.Agreement.ProhibitedActs {
		prohibited[t] = true
	}
	f := domain.IncidentFilter{Since: r.From, Until: r.Until, Limit: 1000}
	for {
		ins, err := an.Store.Incidents(ctx, f)
		if err != nil {
			return err
		}
		for _, in := range ins {
			if in.Point == nil {
				r.Map.Missing++
				continue
			}
			r.Map.Dots = append(r.Map.Dots, Dot{Lat: round(in.Point.Lat), Lon: round(in.Point.Lon),
				Prohibited: prohibited[in.SubEventType], Link: fmt.Sprintf("/api/v1/incidents/%d", in.ID)})
		}
		if len(ins) < f.Limit || len(r.Map.Dots) >= 5000 {
			break
		}
		f.AfterID = ins[len(ins)-1].ID
	}
	return nil
}

func round(v float64) float64 { return math.Round(v*1e4) / 1e4 }

// simplify drops vertices closer than mapTolerance to the last kept one,
// keeping the ring closed and at least a triangle.
func simplify(ring orb.Ring) [][2]float64 {
	out := make([][2]float64, 0, len(ring)/4+4)
	for i, p := range ring {
		q := [2]float64{round(p[0]), round(p[1])}
		if i > 0 && i < len(ring)-1 {
			last := out[len(out)-1]
			if math.Abs(q[0]-last[0]) < mapTolerance && math.Abs(q[1]-last[1]) < mapTolerance {
				continue
			}
		}
		out = append(out, q)
	}
	if len(out) < 4 {
		out = out[:0]
		for _, p := range ring {
			out = append(out, [2]float64{round(p[0]), round(p[1])})
		}
	}
	return out
}

// projection maps lon/lat to a w×h box keeping the shape of the country:
// an equirectangular projection with longitudes shrunk by the cosine of the
// middle latitude, which is accurate enough across Syria's six degrees.
type projection struct {
	minLon, maxLat, scale, kx float64
	w, h                      float64
}

func newProjection(m Map, w float64) projection {
	minLon, minLat, maxLon, maxLat := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, s := range m.Regions {
		for _, poly := range s.Polygons {
			for _, ring := range poly {
				for _, p := range ring {
					minLon, maxLon = math.Min(minLon, p[0]), math.Max(maxLon, p[0])
					minLat, maxLat = math.Min(minLat, p[1]), math.Max(maxLat, p[1])
				}
			}
		}
	}
	if math.IsInf(minLon, 1) { // no regions: frame the dots
		for _, d := range m.Dots {
			minLon, maxLon = math.Min(minLon, d.Lon), math.Max(maxLon, d.Lon)
			minLat, maxLat = math.Min(minLat, d.Lat), math.Max(maxLat, d.Lat)
		}
	}
	if math.IsInf(minLon, 1) || maxLon-minLon < 1e-9 || maxLat-minLat < 1e-9 {
		return projection{minLon: 0, maxLat: 1, scale: w, kx: 1, w: w, h: w / 2}
	}
	kx := math.Cos((minLat + maxLat) / 2 * math.Pi / 180)
	scale := w / ((maxLon - minLon) * kx)
	return projection{minLon: minLon, maxLat: maxLat, scale: scale, kx: kx, w: w, h: (maxLat - minLat) * scale}
}

func (p projection) xy(lon, lat float64) (float64, float64) {
	return (lon - p.minLon) * p.kx * p.scale, (p.maxLat - lat) * p.scale
}
