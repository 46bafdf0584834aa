package scenario

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"

	"github.com/trucedesk/truce/internal/domain"
)

// regions reads the OCHA governorates and districts. Their English names
// are the spelling the whole scenario uses for Admin1 and Admin2.
func regions() ([]*domain.Region, error) {
	var all []*domain.Region
	for _, f := range []struct {
		level int
		path  string
	}{{1, "data/syr_admin1.geojson"}, {2, "data/syr_admin2.geojson"}} {
		b, err := files.ReadFile(f.path)
		if err != nil {
			return nil, fmt.Errorf("regions: %w", err)
		}
		// The geometry is kept as raw JSON: the store holds GeoJSON bytes,
		// and a decode and re-encode would only cost time.
		var fc struct {
			Features []struct {
				Properties map[string]string `json:"properties"`
				Geometry   json.RawMessage   `json:"geometry"`
			} `json:"features"`
		}
		if err := json.Unmarshal(b, &fc); err != nil {
			return nil, fmt.Errorf("regions: parse %s: %w", f.path, err)
		}
		for _, ft := range fc.Features {
			p := ft.Properties
			r := &domain.Region{
				PCode:    p["PCODE"],
				Level:    f.level,
				Name:     p["NAME_EN"],
				NameAR:   p["NAME_AR"],
				Parent:   p["ADM1_PCODE"],
				Geometry: []byte(ft.Geometry),
			}
			if r.PCode == "" || r.Name == "" || len(r.Geometry) == 0 {
				return nil, fmt.Errorf("regions: %s: a feature lacks a pcode, name or geometry", f.path)
			}
			all = append(all, r)
		}
	}
	return all, nil
}

// geonamesAdmin1 maps GeoNames' admin1 names for Syria (from the admin
// codes file) to OCHA pcodes, so places carry the OCHA spelling like the
// regions and the VDC series do.
var geonamesAdmin1 = map[string]string{
	"Damascus Governorate": "SY01",
	"Aleppo":               "SY02",
	"Rif-dimashq":          "SY03",
	"Homs":                 "SY04",
	"Hama":                 "SY05",
	"Latakia":              "SY06",
	"Idlib":                "SY07",
	"Al-Hasakah":           "SY08",
	"Deir ez-Zor":          "SY09",
	"Tartus":               "SY10",
	"Raqqa":                "SY11",
	"Daraa":                "SY12",
	"Suwayda":              "SY13",
	"Quneitra":             "SY14",
}

// Hmeimim is the Russian air base near Jableh where Russia's Centre for the
// Reconciliation of Opposing Sides opened on 23 February 2016. It is not in
// GeoNames' cities1000, which lists only populated places.
func hmeimim() *domain.Place {
	return &domain.Place{
		Name:         "Hmeimim Air Base",
		NameAR:       "قاعدة حميميم الجوية",
		Alternates:   []string{"Khmeimim", "Khmeimim Air Base", "Humaymim", "Hmeimim", "حميميم", "Хмеймим", "авиабаза Хмеймим"},
		Point:        domain.Point{Lat: 35.401, Lon: 35.949},
		FeatureClass: "S",
		FeatureCode:  "AIRB",
		Admin1:       "Lattakia",
	}
}

// places reads GeoNames' cities1000 rows for Syria, adds Hmeimim, and
// finds each place's district by point in polygon, since these GeoNames
// rows carry no admin2 code.
func places(regions []*domain.Region) ([]*domain.Place, error) {
	admin1, err := admin1Names(regions)
	if err != nil {
		return nil, err
	}
	districts, err := districtShapes(regions)
	if err != nil {
		return nil, err
	}
	b, err := files.ReadFile("data/SY_cities1000_geonames_2013.txt")
	if err != nil {
		return nil, fmt.Errorf("places: %w", err)
	}
	var all []*domain.Place
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for line := 1; sc.Scan(); line++ {
		p, code, err := parseGeoname(sc.Text())
		if err != nil {
			return nil, fmt.Errorf("places: line %d: %w", line, err)
		}
		name, ok := admin1[code]
		if !ok {
			return nil, fmt.Errorf("places: line %d: unknown admin1 code %q", line, code)
		}
		p.Admin1 = name
		all = append(all, p)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("places: %w", err)
	}
	all = append(all, hmeimim())
	for _, p := range all {
		p.Admin2 = districtOf(districts, p)
	}
	return all, nil
}

// admin1Names maps GeoNames admin1 codes ("01"…"14") to OCHA governorate
// names, through the GeoNames admin codes file.
func admin1Names(regions []*domain.Region) (map[string]string, error) {
	b, err := files.ReadFile("data/SY_admin_codes_geonames_citiesjson_v1.1.64.json")
	if err != nil {
		return nil, fmt.Errorf("admin codes: %w", err)
	}
	var codes struct {
		Admin1 []struct{ Code, Name string } `json:"admin1"`
	}
	if err := json.Unmarshal(b, &codes); err != nil {
		return nil, fmt.Errorf("admin codes: %w", err)
	}
	ocha := map[string]string{}
	for _, r := range regions {
		if r.Level == 1 {
			ocha[r.PCode] = r.Name
		}
	}
	m := map[string]string{}
	for _, c := range codes.Admin1 {
		name, ok := ocha[geonamesAdmin1[c.Name]]
		if !ok {
			return nil, fmt.Errorf("admin codes: no OCHA governorate for GeoNames %q", c.Name)
		}
		m[strings.TrimPrefix(c.Code, "SY.")] = name
	}
	return m, nil
}

// parseGeoname parses one row of a GeoNames geoname table and returns the
// place and its admin1 code.
func parseGeoname(line string) (*domain.Place, string, error) {
	f := strings.Split(line, "\t")
	if len(f) != 19 {
		return nil, "", fmt.Errorf("got %d columns, want 19", len(f))
	}
	id, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil {
		return nil, "", fmt.Errorf("geonameid: %w", err)
	}
	lat, err := strconv.ParseFloat(f[4], 64)
	if err != nil {
		return nil, "", fmt.Errorf("latitude: %w", err)
	}
	lon, err := strconv.ParseFloat(f[5], 64)
	if err != nil {
		return nil, "", fmt.Errorf("longitude: %w", err)
	}
	var pop int64
	if f[14] != "" {
		if pop, err = strconv.ParseInt(f[14], 10, 64); err != nil {
			return nil, "", fmt.Errorf("population: %w", err)
		}
	}
	p := &domain.Place{
		GeonameID:    id,
		Name:         f[1],
		Point:        domain.Point{Lat: lat, Lon: lon},
		FeatureClass: f[6],
		FeatureCode:  f[7],
		Population:   pop,
	}
	seen := map[string]bool{p.Name: true}
	add := func(n string) {
		if n = strings.TrimSpace(n); n != "" && !seen[n] {
			seen[n] = true
			p.Alternates = append(p.Alternates, n)
		}
	}
	add(f[2]) // the ASCII name, when it differs
	for _, n := range strings.Split(f[3], ",") {
		if p.NameAR == "" && arabic(n) {
			p.NameAR = n
			seen[n] = true
			continue
		}
		add(n)
	}
	return p, f[10], nil
}

// arabic reports whether s is written in Arabic script. GeoNames mixes
// Persian and Urdu names in too; for Syrian places the first one listed is
// nearly always the Arabic name.
func arabic(s string) bool {
	letters := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			if !unicode.Is(unicode.Arabic, r) {
				return false
			}
			letters++
		}
	}
	return letters > 0
}

type district struct {
	name, parent string // parent: the governorate's name
	geom         orb.Geometry
	bound        orb.Bound
}

func districtShapes(regions []*domain.Region) ([]district, error) {
	gov := map[string]string{}
	for _, r := range regions {
		if r.Level == 1 {
			gov[r.PCode] = r.Name
		}
	}
	var ds []district
	for _, r := range regions {
		if r.Level != 2 {
			continue
		}
		g, err := geojson.UnmarshalGeometry(r.Geometry)
		if err != nil {
			return nil, fmt.Errorf("district %s: %w", r.PCode, err)
		}
		ds = append(ds, district{r.Name, gov[r.Parent], g.Geometry(), g.Geometry().Bound()})
	}
	return ds, nil
}

// districtOf returns the district containing p within p's governorate.
// The simplified boundaries can leave a coastal or border town just
// outside; then the nearest district of the governorate within
// maxDistrictGap is taken, and "" if there is none.
func districtOf(ds []district, p *domain.Place) string {
	pt := orb.Point{p.Point.Lon, p.Point.Lat}
	nearest, best := "", maxDistrictGap
	for _, d := range ds {
		if d.parent != p.Admin1 {
			continue
		}
		if d.bound.Contains(pt) {
			switch g := d.geom.(type) {
			case orb.Polygon:
				if planar.PolygonContains(g, pt) {
					return d.name
				}
			case orb.MultiPolygon:
				if planar.MultiPolygonContains(g, pt) {
					return d.name
				}
			}
		}
		if dist := planar.DistanceFrom(d.geom, pt); dist < best {
			nearest, best = d.name, dist
		}
	}
	return nearest
}

// maxDistrictGap is how far, in degrees (about 2 km), a place may lie
// outside its simplified district and still be assigned to it.
const maxDistrictGap = 0.02
