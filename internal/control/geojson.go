package control

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/trucedesk/truce/internal/domain"
)

// Fault is one problem found in a feature. Feature is the zero-based index
// in the collection's "features" array; -1 means the collection itself.
type Fault struct {
	Feature int    `json:"feature"`
	Where   string `json:"where,omitempty"` // "polygon 0 ring 1", "properties.valid_from"
	Problem string `json:"problem"`
}

func (f Fault) String() string {
	var b strings.Builder
	if f.Feature >= 0 {
		fmt.Fprintf(&b, "feature %d: ", f.Feature)
	}
	if f.Where != "" {
		b.WriteString(f.Where)
		b.WriteString(": ")
	}
	b.WriteString(f.Problem)
	return b.String()
}

// ParseError lists every fault found in a map, so the person importing it
// can fix them all in one pass. It unwraps to an EINVALID *domain.Error so
// the web layer maps it like any other validation failure.
type ParseError struct {
	Faults []Fault
}

func (e *ParseError) Error() string {
	parts := make([]string, len(e.Faults))
	for i, f := range e.Faults {
		parts[i] = f.String()
	}
	return fmt.Sprintf("control map refused, %d fault(s): %s", len(e.Faults), strings.Join(parts, "; "))
}

// Unwrap gives the user-facing error.
func (e *ParseError) Unwrap() error {
	return domain.Errorf(domain.EINVALID, "%s", e.Error())
}

// Warning is a repair Parse made, such as reversing a clockwise exterior
// ring or dropping an altitude; the map is imported as repaired.
type Warning = Fault

// Properties the importer reads from each feature.
type properties struct {
	ID         *int64 `json:"id"`
	Version    *int   `json:"version"`
	Name       string `json:"name"`
	Controller string `json:"controller"`
	ValidFrom  string `json:"valid_from"`
	ValidTo    string `json:"valid_to"`
	Source     string `json:"source"`
}

type rawGeometry struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
}

type rawFeature struct {
	Type       string          `json:"type"`
	ID         any             `json:"id"`
	Geometry   *rawGeometry    `json:"geometry"`
	Properties json.RawMessage `json:"properties"`
}

type rawCollection struct {
	Type     string       `json:"type"`
	Features []rawFeature `json:"features"`
}

// Parse reads a GeoJSON FeatureCollection of Polygon and MultiPolygon
// features into areas. It is all or nothing: if any feature has a fault the
// result is nil and the error is a *ParseError listing every fault found.
//
// Each feature's properties give "controller" (a party slug, required),
// "valid_from" (required) and "valid_to" (optional) as RFC 3339 instants or
// YYYY-MM-DD dates read as midnight in loc (UTC if nil), and optionally
// "name", "id", "version" (default 1) and "source". A feature without an id
// gets its one-based position in the collection.
//
// Repairs, reported as warnings: a clockwise exterior ring or a
// counter-clockwise hole is reversed (RFC 7946 §3.1.6; the fix is
// unambiguous), and a third or later coordinate of a position (altitude) is
// dropped, since control of ground does not depend on height. Refused:
// anything not a Polygon or MultiPolygon, empty geometries, rings of fewer
// than four positions or three distinct points, unclosed rings,
// self-intersecting rings, rings with no area, holes outside their exterior
// ring, coordinates outside ±180/±90, and bad or missing properties.
func Parse(data []byte, loc *time.Location) ([]*Area, []Warning, error) {
	if loc == nil {
		loc = time.UTC
	}
	var fc rawCollection
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&fc); err != nil {
		return nil, nil, &ParseError{Faults: []Fault{{Feature: -1, Problem: "not JSON: " + err.Error()}}}
	}
	if fc.Type != "FeatureCollection" {
		return nil, nil, &ParseError{Faults: []Fault{{Feature: -1, Problem: fmt.Sprintf("type is %q, want FeatureCollection", fc.Type)}}}
	}
	var (
		faults   []Fault
		warnings []Warning
		areas    = make([]*Area, 0, len(fc.Features))
	)
	for i, f := range fc.Features {
		p := &featureParser{index: i}
		a := p.feature(f, loc)
		faults = append(faults, p.faults...)
		warnings = append(warnings, p.warnings...)
		if a != nil {
			areas = append(areas, a)
		}
	}
	if len(fc.Features) == 0 {
		faults = append(faults, Fault{Feature: -1, Problem: "the collection has no features"})
	}
	if len(faults) > 0 {
		return nil, warnings, &ParseError{Faults: faults}
	}
	return areas, warnings, nil
}

// featureParser collects the faults and warnings of one feature.
type featureParser struct {
	index    int
	faults   []Fault
	warnings []Warning
}

func (p *featureParser) fault(where, format string, args ...any) {
	p.faults = append(p.faults, Fault{Feature: p.index, Where: where, Problem: fmt.Sprintf(format, args...)})
}

func (p *featureParser) warn(where, format string, args ...any) {
	p.warnings = append(p.warnings, Fault{Feature: p.index, Where: where, Problem: fmt.Sprintf(format, args...)})
}

func (p *featureParser) feature(f rawFeature, loc *time.Location) *Area {
	if f.Type != "Feature" {
		p.fault("type", "is %q, want Feature", f.Type)
	}
	a := &Area{ID: int64(p.index + 1), Version: 1}
	p.properties(f.Properties, a, loc)
	if f.Geometry == nil {
		p.fault("geometry", "is empty (null)")
	} else {
		a.Shape = p.geometry(f.Geometry)
	}
	if len(p.faults) > 0 {
		return nil
	}
	return a
}

func (p *featureParser) properties(raw json.RawMessage, a *Area, loc *time.Location) {
	var props properties
	if len(raw) == 0 || string(raw) == "null" {
		p.fault("properties", "are missing; controller and valid_from are required")
		return
	}
	if err := json.Unmarshal(raw, &props); err != nil {
		p.fault("properties", "cannot be read: %v", err)
		return
	}
	if props.ID != nil {
		if *props.ID <= 0 {
			p.fault("properties.id", "must be positive, got %d", *props.ID)
		}
		a.ID = *props.ID
	}
	if props.Version != nil {
		if *props.Version <= 0 {
			p.fault("properties.version", "must be positive, got %d", *props.Version)
		}
		a.Version = *props.Version
	}
	a.Name, a.Source = props.Name, props.Source
	a.Controller = strings.TrimSpace(props.Controller)
	if a.Controller == "" {
		p.fault("properties.controller", "is required (the controlling party's slug)")
	} else if strings.Trim(a.Controller, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
		p.fault("properties.controller", "%q is not a party slug (a–z, 0–9 and -)", a.Controller)
	}
	var err error
	if props.ValidFrom == "" {
		p.fault("properties.valid_from", "is required")
	} else if a.ValidFrom, err = parseInstant(props.ValidFrom, loc); err != nil {
		p.fault("properties.valid_from", "%v", err)
	}
	if props.ValidTo != "" {
		if a.ValidTo, err = parseInstant(props.ValidTo, loc); err != nil {
			p.fault("properties.valid_to", "%v", err)
		} else if !a.ValidFrom.IsZero() && !a.ValidTo.After(a.ValidFrom) {
			p.fault("properties.valid_to", "%s is not after valid_from %s", props.ValidTo, props.ValidFrom)
		}
	}
}

// parseInstant reads an RFC 3339 instant or a YYYY-MM-DD date.
func parseInstant(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, s, loc); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is neither RFC 3339 nor YYYY-MM-DD", s)
}

func (p *featureParser) geometry(g *rawGeometry) orb.MultiPolygon {
	if len(g.Coordinates) == 0 || string(g.Coordinates) == "null" {
		p.fault("geometry", "has no coordinates")
		return nil
	}
	switch g.Type {
	case "Polygon":
		var c [][][]float64
		if err := json.Unmarshal(g.Coordinates, &c); err != nil {
			p.fault("geometry.coordinates", "are not a Polygon's array of rings: %v", err)
			return nil
		}
		if len(c) == 0 {
			p.fault("geometry", "is an empty Polygon")
			return nil
		}
		if poly := p.polygon("", c); poly != nil {
			return orb.MultiPolygon{poly}
		}
	case "MultiPolygon":
		var c [][][][]float64
		if err := json.Unmarshal(g.Coordinates, &c); err != nil {
			p.fault("geometry.coordinates", "are not a MultiPolygon's array of polygons: %v", err)
			return nil
		}
		if len(c) == 0 {
			p.fault("geometry", "is an empty MultiPolygon")
			return nil
		}
		mp := make(orb.MultiPolygon, 0, len(c))
		for i, pc := range c {
			where := fmt.Sprintf("polygon %d ", i)
			if len(pc) == 0 {
				p.fault(strings.TrimSpace(where), "is empty")
				continue
			}
			if poly := p.polygon(where, pc); poly != nil {
				mp = append(mp, poly)
			}
		}
		if len(mp) == len(c) {
			return mp
		}
	case "":
		p.fault("geometry.type", "is missing")
	default:
		p.fault("geometry.type", "is %s; control areas must be Polygon or MultiPolygon", g.Type)
	}
	return nil
}

// polygon validates and repairs one polygon's rings; it returns nil after
// recording a fault.
func (p *featureParser) polygon(where string, c [][][]float64) orb.Polygon {
	poly := make(orb.Polygon, 0, len(c))
	ok := true
	for ri, rc := range c {
		w := fmt.Sprintf("%sring %d", where, ri)
		r := p.ring(w, rc)
		if r == nil {
			ok = false
			continue
		}
		// A self-intersecting ring has no meaningful winding, so check first.
		if seg, other, bad := selfIntersection(r); bad {
			p.fault(w, "intersects itself (segments %d and %d)", seg, other)
			ok = false
			continue
		}
		// RFC 7946: exterior counter-clockwise, holes clockwise.
		o := r.Orientation()
		switch {
		case o == 0:
			p.fault(w, "has no area")
			ok = false
			continue
		case ri == 0 && o != orb.CCW:
			r.Reverse()
			p.warn(w, "exterior ring was clockwise; reversed to counter-clockwise (RFC 7946)")
		case ri > 0 && o != orb.CW:
			r.Reverse()
			p.warn(w, "hole was counter-clockwise; reversed to clockwise (RFC 7946)")
		}
		poly = append(poly, r)
	}
	if !ok {
		return nil
	}
	for hi, hole := range poly[1:] {
		if !holeInside(poly[0], hole) {
			p.fault(fmt.Sprintf("%sring %d", where, hi+1), "hole lies outside its exterior ring")
			return nil
		}
	}
	return poly
}

// ring checks positions: range, dimension, closure and count.
func (p *featureParser) ring(where string, rc [][]float64) orb.Ring {
	r := make(orb.Ring, 0, len(rc))
	ok, dropped := true, false
	for i, pos := range rc {
		if len(pos) < 2 {
			p.fault(where, "position %d has %d coordinate(s), want longitude and latitude", i, len(pos))
			ok = false
			continue
		}
		if len(pos) > 2 {
			dropped = true
		}
		lon, lat := pos[0], pos[1]
		if math.IsNaN(lon) || lon < -180 || lon > 180 || math.IsNaN(lat) || lat < -90 || lat > 90 {
			p.fault(where, "position %d (%v, %v) is outside longitude ±180, latitude ±90", i, lon, lat)
			ok = false
			continue
		}
		r = append(r, orb.Point{lon, lat})
	}
	if dropped {
		p.warn(where, "positions had a third coordinate (altitude); dropped")
	}
	if !ok {
		return nil
	}
	if len(r) < 4 {
		p.fault(where, "has %d position(s); a ring needs at least 4", len(r))
		return nil
	}
	if r[0] != r[len(r)-1] {
		p.fault(where, "is not closed: first position %v differs from last %v", r[0], r[len(r)-1])
		return nil
	}
	if distinct(r) < 3 {
		p.fault(where, "has fewer than 3 distinct points")
		return nil
	}
	return r
}

// distinct counts the distinct points of a closed ring (closing point
// excluded), stopping at 3 since that is all the caller needs to know.
func distinct(r orb.Ring) int {
	var seen []orb.Point
outer:
	for _, pt := range r[:len(r)-1] {
		for _, s := range seen {
			if s == pt {
				continue outer
			}
		}
		seen = append(seen, pt)
		if len(seen) == 3 {
			break
		}
	}
	return len(seen)
}

// holeInside reports whether no vertex of the hole lies outside the exterior
// ring. It catches a hole drawn in the wrong place; a hole whose edges cross
// the exterior between vertices inside it is not caught, so this is a
// plausibility check, not a full topology test.
func holeInside(exterior, hole orb.Ring) bool {
	for _, pt := range hole {
		if ringLocate(exterior, pt) < 0 {
			return false
		}
	}
	return true
}

// areaProps is how an area's fields appear in exported GeoJSON.
type areaProps struct {
	ID           int64  `json:"id"`
	Version      int    `json:"version"`
	Name         string `json:"name,omitempty"`
	Controller   string `json:"controller"`
	ControllerID int64  `json:"controller_id,omitempty"`
	ValidFrom    string `json:"valid_from"`
	ValidTo      string `json:"valid_to,omitempty"`
	Source       string `json:"source,omitempty"`
}

// Export writes areas as a GeoJSON FeatureCollection that Parse reads back
// to the same areas: single-polygon areas as Polygon, others as
// MultiPolygon, instants in RFC 3339 UTC.
func Export(areas []*Area) ([]byte, error) {
	fc := geojson.FeatureCollectionOf[areaProps]{Type: "FeatureCollection"}
	for _, a := range areas {
		var g orb.Geometry = a.Shape
		if len(a.Shape) == 1 {
			g = a.Shape[0]
		}
		props := areaProps{
			ID: a.ID, Version: a.Version, Name: a.Name, Controller: a.Controller,
			ControllerID: a.ControllerID, ValidFrom: a.ValidFrom.UTC().Format(time.RFC3339), Source: a.Source,
		}
		if !a.ValidTo.IsZero() {
			props.ValidTo = a.ValidTo.UTC().Format(time.RFC3339)
		}
		fc.Features = append(fc.Features, &geojson.FeatureOf[areaProps]{Type: "Feature", ID: a.ID, Geometry: g, Properties: props})
	}
	if fc.Features == nil {
		fc.Features = []*geojson.FeatureOf[areaProps]{}
	}
	b, err := json.Marshal(fc)
	if err != nil {
		return nil, fmt.Errorf("export control areas: %w", err)
	}
	return b, nil
}

// FromDomain converts a stored domain.Area, whose geometry is a GeoJSON
// Polygon or MultiPolygon, into an Area with the same validation as Parse.
// The controller's slug is not stored in domain.Area; ControllerID is kept.
func FromDomain(d *domain.Area) (*Area, []Warning, error) {
	p := &featureParser{index: 0}
	var g rawGeometry
	if err := json.Unmarshal(d.Geometry, &g); err != nil {
		return nil, nil, domain.FieldErrorf("geometry", "is not GeoJSON: %v", err)
	}
	shape := p.geometry(&g)
	if len(p.faults) > 0 {
		return nil, p.warnings, &ParseError{Faults: p.faults}
	}
	return &Area{
		ID: d.ID, Version: 1, Name: d.Name, ControllerID: d.ControllerID,
		ValidFrom: d.ValidFrom, ValidTo: d.ValidTo, Source: d.Source, Shape: shape,
	}, p.warnings, nil
}

// Domain converts the area to a domain.Area for the store.
func (a *Area) Domain() (*domain.Area, error) {
	var g orb.Geometry = a.Shape
	if len(a.Shape) == 1 {
		g = a.Shape[0]
	}
	b, err := json.Marshal(geojson.NewGeometry(g))
	if err != nil {
		return nil, fmt.Errorf("encode area %d geometry: %w", a.ID, err)
	}
	return &domain.Area{
		ID: a.ID, Name: a.Name, ControllerID: a.ControllerID,
		ValidFrom: a.ValidFrom, ValidTo: a.ValidTo, Geometry: b, Source: a.Source,
	}, nil
}
