package geo

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"
	"github.com/trucedesk/truce/internal/domain"
)

// ochaFeatureCollection is the part of an OCHA COD-AB GeoJSON file that
// ReadRegions needs. The geometry is kept raw so a Region stores exactly what
// OCHA published.
type ochaFeatureCollection struct {
	Type     string `json:"type"`
	Features []struct {
		Properties map[string]any  `json:"properties"`
		Geometry   json.RawMessage `json:"geometry"`
	} `json:"features"`
}

// ReadRegions reads an OCHA administrative-boundary GeoJSON file (COD-AB,
// such as syr_admin1.geojson or syr_admin2.geojson) into regions of the
// given level. It takes NAME_EN, NAME_AR and PCODE from each feature and the
// parent from ADM<level-1>_PCODE; a feature missing its PCODE or name, or
// with a geometry that is not a Polygon or MultiPolygon, is an EINVALID
// error naming the feature.
func ReadRegions(r io.Reader, level int) ([]*domain.Region, error) {
	if level < 1 || level > 4 {
		return nil, domain.Errorf(domain.EINVALID, "admin level %d is outside 1..4", level)
	}
	var fc ochaFeatureCollection
	if err := json.NewDecoder(r).Decode(&fc); err != nil {
		return nil, domain.Errorf(domain.EINVALID, "boundary file is not GeoJSON: %v", err)
	}
	if fc.Type != "FeatureCollection" {
		return nil, domain.Errorf(domain.EINVALID, "boundary file is a %q, not a FeatureCollection", fc.Type)
	}
	parentKey := fmt.Sprintf("ADM%d_PCODE", level-1)
	regions := make([]*domain.Region, 0, len(fc.Features))
	for i, f := range fc.Features {
		prop := func(k string) string {
			s, _ := f.Properties[k].(string)
			return strings.TrimSpace(s)
		}
		reg := &domain.Region{
			PCode:    prop("PCODE"),
			Level:    level,
			Name:     prop("NAME_EN"),
			NameAR:   prop("NAME_AR"),
			Geometry: []byte(f.Geometry),
		}
		if level > 1 {
			reg.Parent = prop(parentKey)
		}
		if reg.PCode == "" || reg.Name == "" {
			return nil, domain.Errorf(domain.EINVALID, "boundary feature %d has no PCODE or NAME_EN", i)
		}
		if _, err := regionGeometry(reg); err != nil {
			return nil, domain.Errorf(domain.EINVALID, "boundary feature %d (%s): %v", i, reg.PCode, err)
		}
		regions = append(regions, reg)
	}
	return regions, nil
}

// regionGeometry decodes a region's boundary as a multipolygon, the one shape
// the admin index has to handle.
func regionGeometry(reg *domain.Region) (orb.MultiPolygon, error) {
	g, err := geojson.UnmarshalGeometry(reg.Geometry)
	if err != nil {
		return nil, fmt.Errorf("geometry: %w", err)
	}
	switch g := g.Geometry().(type) {
	case orb.Polygon:
		return orb.MultiPolygon{g}, nil
	case orb.MultiPolygon:
		return g, nil
	default:
		return nil, fmt.Errorf("geometry is a %s, want Polygon or MultiPolygon", g.GeoJSONType())
	}
}

// RegionPlaces turns regions into gazetteer entries (feature class A, code
// ADM1 or ADM2), so a report that names only a governorate or district still
// geocodes, to a point inside it. The point is the area centroid, or, when a
// crescent-shaped unit puts that outside, the nearest vertex of the largest
// ring, which is at least on the boundary.
func RegionPlaces(regions []*domain.Region) ([]*domain.Place, error) {
	places := make([]*domain.Place, 0, len(regions))
	for _, reg := range regions {
		mp, err := regionGeometry(reg)
		if err != nil {
			return nil, fmt.Errorf("region %s: %w", reg.PCode, err)
		}
		c, _ := planar.CentroidArea(mp)
		if !planar.MultiPolygonContains(mp, c) {
			c = nearestVertex(mp, c)
		}
		p := &domain.Place{
			Name:         reg.Name,
			NameAR:       reg.NameAR,
			Point:        domain.Point{Lat: c.Lat(), Lon: c.Lon()},
			FeatureClass: "A",
			FeatureCode:  fmt.Sprintf("ADM%d", reg.Level),
		}
		if reg.NameAR != "" {
			p.Alternates = []string{reg.NameAR}
		}
		places = append(places, p)
	}
	return places, nil
}

func nearestVertex(mp orb.MultiPolygon, c orb.Point) orb.Point {
	best, bestD := c, -1.0
	for _, poly := range mp {
		for _, v := range poly[0] {
			if d := planar.DistanceSquared(v, c); bestD < 0 || d < bestD {
				best, bestD = v, d
			}
		}
	}
	return best
}
