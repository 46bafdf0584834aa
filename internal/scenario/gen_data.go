//go:build ignore

// gen_data refreshes the files the scenario embeds from the team's copy of
// the public data (/work/shared/data). It simplifies the OCHA boundaries so
// the binary stays small, and copies the other sources byte for byte so
// their checksums still match the data manifest.
//
//	go run gen_data.go -src /work/shared/data
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"path/filepath"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/simplify"
)

// tolerance is the Douglas-Peucker tolerance in degrees (about 200 m):
// enough for governorate and district maps and point-in-district lookups,
// while cutting the boundaries to a small share of their size.
const tolerance = 0.002

// roundFactor keeps five decimals (about 1 m), well below the tolerance.
const roundFactor = 1e5

// keep lists the OCHA properties the scenario reads; the rest are dropped.
var keep = []string{"NAME_EN", "NAM_EN_REF", "NAME_AR", "PCODE", "ADM1_EN", "ADM1_PCODE", "UPDATE_DAT"}

func main() {
	src := flag.String("src", "/work/shared/data", "the shared data directory")
	dst := flag.String("dst", "data", "where the embedded files go")
	flag.Parse()
	if err := run(*src, *dst); err != nil {
		log.Fatal(err)
	}
}

func run(src, dst string) error {
	for _, name := range []string{"syr_admin1.geojson", "syr_admin2.geojson"} {
		if err := simplifyFile(filepath.Join(src, "ocha_syria_admin", name), filepath.Join(dst, name)); err != nil {
			return err
		}
	}
	copies := [][2]string{
		{"vdc_syria_aggregates/casualties_by_province_by_day.csv", "casualties_by_province_by_day.csv"},
		{"geonames/SY_cities1000_geonames_2013.txt", "SY_cities1000_geonames_2013.txt"},
		{"geonames/SY_admin_codes_geonames_citiesjson_v1.1.64.json", "SY_admin_codes_geonames_citiesjson_v1.1.64.json"},
		{"airwars/airwars_syria_incidents_flat.csv", "airwars_syria_incidents_flat.csv"},
	}
	for _, c := range copies {
		b, err := os.ReadFile(filepath.Join(src, c[0]))
		if err != nil {
			return fmt.Errorf("copy: %w", err)
		}
		if err := os.WriteFile(filepath.Join(dst, c[1]), b, 0o644); err != nil {
			return fmt.Errorf("copy: %w", err)
		}
	}
	return nil
}

// simplifyFile writes a simplified copy of a feature collection, one feature
// per line so diffs stay readable.
func simplifyFile(in, out string) error {
	b, err := os.ReadFile(in)
	if err != nil {
		return fmt.Errorf("read boundaries: %w", err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		return fmt.Errorf("parse %s: %w", in, err)
	}
	var buf bytes.Buffer
	buf.WriteString(`{"type":"FeatureCollection","features":[` + "\n")
	before, after := 0, 0
	for i, f := range fc.Features {
		before += countPoints(f.Geometry)
		g, tol := simplifyValid(f.Geometry)
		after += countPoints(g)
		props := geojson.Properties{}
		for _, k := range keep {
			if v, ok := f.Properties[k]; ok {
				props[k] = v
			}
		}
		nf := geojson.NewFeature(g)
		nf.Properties = props
		line, err := json.Marshal(nf)
		if err != nil {
			return fmt.Errorf("encode %v: %w", props["PCODE"], err)
		}
		buf.Write(line)
		if i < len(fc.Features)-1 {
			buf.WriteByte(',')
		}
		buf.WriteByte('\n')
		if tol != tolerance {
			log.Printf("%s %v: tolerance lowered to %g to stay valid", filepath.Base(in), props["PCODE"], tol)
		}
	}
	buf.WriteString("]}\n")
	log.Printf("%s: %d features, %d → %d points, %d bytes", filepath.Base(in), len(fc.Features), before, after, buf.Len())
	return os.WriteFile(out, buf.Bytes(), 0o644)
}

// simplifyValid simplifies g at the tolerance, lowering it until the result
// is a valid polygon; at worst it keeps the rounded original.
func simplifyValid(g orb.Geometry) (orb.Geometry, float64) {
	for tol := tolerance; tol >= tolerance/16; tol /= 2 {
		s := orb.Round(simplify.DouglasPeucker(tol).Simplify(orb.Clone(g)), roundFactor)
		if valid(s) {
			return s, tol
		}
	}
	return orb.Round(orb.Clone(g), roundFactor), 0
}

// valid checks what Douglas-Peucker can break: closed rings of at least four
// points, and no two edges of a polygon crossing.
func valid(g orb.Geometry) bool {
	switch g := g.(type) {
	case orb.Polygon:
		return validPolygon(g)
	case orb.MultiPolygon:
		for _, p := range g {
			if !validPolygon(p) {
				return false
			}
		}
		return len(g) > 0
	}
	return false
}

func validPolygon(p orb.Polygon) bool {
	if len(p) == 0 {
		return false
	}
	type edge struct {
		a, b        orb.Point
		ring, index int
		n           int
	}
	var edges []edge
	for ri, r := range p {
		if len(r) < 4 || r[0] != r[len(r)-1] || math.Abs(ringArea(r)) == 0 {
			return false
		}
		for i := 0; i+1 < len(r); i++ {
			edges = append(edges, edge{r[i], r[i+1], ri, i, len(r) - 1})
		}
	}
	for i := range edges {
		for j := i + 1; j < len(edges); j++ {
			e, f := edges[i], edges[j]
			if e.ring == f.ring {
				d := f.index - e.index
				if d == 1 || d == e.n-1 { // neighbours share a vertex
					continue
				}
			}
			if cross(e.a, e.b, f.a, f.b) {
				return false
			}
		}
	}
	return true
}

// cross reports whether segments ab and cd touch or cross.
func cross(a, b, c, d orb.Point) bool {
	d1, d2 := orient(c, d, a), orient(c, d, b)
	d3, d4 := orient(a, b, c), orient(a, b, d)
	if ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)) {
		return true
	}
	return (d1 == 0 && on(c, d, a)) || (d2 == 0 && on(c, d, b)) || (d3 == 0 && on(a, b, c)) || (d4 == 0 && on(a, b, d))
}

func orient(a, b, c orb.Point) float64 {
	return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
}

func on(a, b, p orb.Point) bool {
	return math.Min(a[0], b[0]) <= p[0] && p[0] <= math.Max(a[0], b[0]) &&
		math.Min(a[1], b[1]) <= p[1] && p[1] <= math.Max(a[1], b[1])
}

func ringArea(r orb.Ring) float64 {
	s := 0.0
	for i := 0; i+1 < len(r); i++ {
		s += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
	}
	return s / 2
}

func countPoints(g orb.Geometry) int {
	n := 0
	switch g := g.(type) {
	case orb.Polygon:
		for _, r := range g {
			n += len(r)
		}
	case orb.MultiPolygon:
		for _, p := range g {
			n += countPoints(p)
		}
	}
	return n
}
