package control

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"
	"github.com/trucedesk/truce/internal/domain"
)

// collection wraps features in a FeatureCollection.
func collection(features ...string) []byte {
	return []byte(`{"type":"FeatureCollection","features":[` + strings.Join(features, ",") + `]}`)
}

// feature writes a feature with the usual properties unless props is given.
func feature(geomType, coords string, props ...string) string {
	p := `{"controller":"isil","valid_from":"2016-02-01","name":"test"}`
	if len(props) > 0 {
		p = props[0]
	}
	return fmt.Sprintf(`{"type":"Feature","properties":%s,"geometry":{"type":%q,"coordinates":%s}}`, p, geomType, coords)
}

const (
	squareCCW = `[[[38,35],[39,35],[39,36],[38,36],[38,35]]]`
	squareCW  = `[[[38,35],[38,36],[39,36],[39,35],[38,35]]]`
)

func TestParseFaults(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want []string // substrings, one per fault, in order
	}{
		{"unclosed ring", collection(feature("Polygon", `[[[38,35],[39,35],[39,36],[38,36]]]`)),
			[]string{"feature 0: ring 0: is not closed"}},
		{"self-intersecting bow tie", collection(feature("Polygon", `[[[38,35],[39,36],[39,35],[38,36],[38,35]]]`)),
			[]string{"feature 0: ring 0: intersects itself"}},
		{"self-touching at a vertex", collection(feature("Polygon", `[[[38,35],[40,35],[39,36],[40,37],[38,37],[39,36],[38,35]]]`)),
			[]string{"feature 0: ring 0: intersects itself"}},
		{"spike folding back", collection(feature("Polygon", `[[[38,35],[39,35],[40,35],[39,35],[39,36],[38,35]]]`)),
			[]string{"feature 0: ring 0: intersects itself"}},
		{"longitude out of range", collection(feature("Polygon", `[[[38,35],[190,35],[39,36],[38,35]]]`)),
			[]string{"feature 0: ring 0: position 1 (190, 35) is outside"}},
		{"latitude out of range", collection(feature("Polygon", `[[[38,35],[39,-95],[39,36],[38,35]]]`)),
			[]string{"feature 0: ring 0: position 1 (39, -95) is outside"}},
		{"too few points", collection(feature("Polygon", `[[[38,35],[39,35],[38,35]]]`)),
			[]string{"feature 0: ring 0: has 3 position(s); a ring needs at least 4"}},
		{"too few distinct points", collection(feature("Polygon", `[[[38,35],[39,35],[39,35],[38,35]]]`)),
			[]string{"feature 0: ring 0: has fewer than 3 distinct points"}},
		{"collinear ring folds onto itself", collection(feature("Polygon", `[[[38,35],[39,35],[40,35],[38,35]]]`)),
			[]string{"feature 0: ring 0: intersects itself"}},
		{"one-coordinate position", collection(feature("Polygon", `[[[38,35],[39],[39,36],[38,35]]]`)),
			[]string{"feature 0: ring 0: position 1 has 1 coordinate(s)"}},
		{"empty polygon", collection(feature("Polygon", `[]`)),
			[]string{"feature 0: geometry: is an empty Polygon"}},
		{"empty multipolygon", collection(feature("MultiPolygon", `[]`)),
			[]string{"feature 0: geometry: is an empty MultiPolygon"}},
		{"empty part of a multipolygon", collection(feature("MultiPolygon", `[`+squareCCW+`,[]]`)),
			[]string{"feature 0: polygon 1: is empty"}},
		{"null geometry", collection(`{"type":"Feature","properties":{"controller":"isil","valid_from":"2016-02-01"},"geometry":null}`),
			[]string{"feature 0: geometry: is empty (null)"}},
		{"point geometry", collection(feature("Point", `[38,35]`)),
			[]string{"feature 0: geometry.type: is Point; control areas must be Polygon or MultiPolygon"}},
		{"hole outside exterior", collection(feature("Polygon", `[[[38,35],[39,35],[39,36],[38,36],[38,35]],[[40,35],[40,36],[41,36],[41,35],[40,35]]]`)),
			[]string{"feature 0: ring 1: hole lies outside its exterior ring"}},
		{"missing controller and valid_from", collection(feature("Polygon", squareCCW, `{"name":"x"}`)),
			[]string{"feature 0: properties.controller: is required", "feature 0: properties.valid_from: is required"}},
		{"bad dates", collection(feature("Polygon", squareCCW, `{"controller":"isil","valid_from":"27/02/2016","valid_to":"2016-02-27"}`)),
			[]string{"feature 0: properties.valid_from: \"27/02/2016\" is neither RFC 3339 nor YYYY-MM-DD"}},
		{"valid_to before valid_from", collection(feature("Polygon", squareCCW, `{"controller":"isil","valid_from":"2016-03-01","valid_to":"2016-02-27"}`)),
			[]string{"feature 0: properties.valid_to: 2016-02-27 is not after valid_from 2016-03-01"}},
		{"controller not a slug", collection(feature("Polygon", squareCCW, `{"controller":"Islamic State","valid_from":"2016-03-01"}`)),
			[]string{"feature 0: properties.controller: \"Islamic State\" is not a party slug"}},
		{"no features", collection(), []string{"the collection has no features"}},
		{"not a collection", []byte(`{"type":"Feature"}`), []string{"want FeatureCollection"}},
		{"not JSON", []byte(`{"type":`), []string{"not JSON"}},
		{"every fault of every feature, no half import", collection(
			feature("Polygon", squareCCW),
			feature("Polygon", `[[[38,35],[39,35],[39,36],[38,36]]]`),
			feature("Polygon", squareCCW),
			feature("LineString", `[[38,35],[39,35]]`),
		), []string{"feature 1: ring 0: is not closed", "feature 3: geometry.type: is LineString"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			areas, _, err := Parse(tt.data, nil)
			if areas != nil {
				t.Errorf("got %d areas, want none (all or nothing)", len(areas))
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("got error %v, want a *ParseError", err)
			}
			if got := domain.ErrorCode(err); got != domain.EINVALID {
				t.Errorf("got code %q, want %q", got, domain.EINVALID)
			}
			if len(pe.Faults) != len(tt.want) {
				t.Fatalf("got %d faults %v, want %d %q", len(pe.Faults), pe.Faults, len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				if got := pe.Faults[i].String(); !strings.Contains(got, w) {
					t.Errorf("fault %d: got %q, want it to contain %q", i, got, w)
				}
			}
		})
	}
}

func TestParseRepairs(t *testing.T) {
	tests := []struct {
		name      string
		data      []byte
		wantShape orb.MultiPolygon
		wantWarn  []string
	}{
		{"counter-clockwise exterior kept", collection(feature("Polygon", squareCCW)),
			orb.MultiPolygon{{{{38, 35}, {39, 35}, {39, 36}, {38, 36}, {38, 35}}}}, nil},
		{"clockwise exterior reversed", collection(feature("Polygon", squareCW)),
			orb.MultiPolygon{{{{38, 35}, {39, 35}, {39, 36}, {38, 36}, {38, 35}}}},
			[]string{"feature 0: ring 0: exterior ring was clockwise; reversed"}},
		{"counter-clockwise hole reversed", collection(feature("Polygon", `[[[38,35],[40,35],[40,37],[38,37],[38,35]],[[38.5,35.5],[39.5,35.5],[39.5,36.5],[38.5,36.5],[38.5,35.5]]]`)),
			orb.MultiPolygon{{{{38, 35}, {40, 35}, {40, 37}, {38, 37}, {38, 35}}, {{38.5, 35.5}, {38.5, 36.5}, {39.5, 36.5}, {39.5, 35.5}, {38.5, 35.5}}}},
			[]string{"feature 0: ring 1: hole was counter-clockwise; reversed"}},
		{"altitude dropped", collection(feature("MultiPolygon", `[[[[38,35,400],[39,35,410],[39,36,420],[38,36,0],[38,35,400]]]]`)),
			orb.MultiPolygon{{{{38, 35}, {39, 35}, {39, 36}, {38, 36}, {38, 35}}}},
			[]string{"feature 0: polygon 0 ring 0: positions had a third coordinate (altitude); dropped"}},
		{"repeated consecutive points tolerated", collection(feature("Polygon", `[[[38,35],[39,35],[39,35],[39,36],[38,36],[38,35]]]`)),
			orb.MultiPolygon{{{{38, 35}, {39, 35}, {39, 35}, {39, 36}, {38, 36}, {38, 35}}}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			areas, warns, err := Parse(tt.data, nil)
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if diff := cmp.Diff(tt.wantShape, areas[0].Shape); diff != "" {
				t.Errorf("shape (-want +got):\n%s", diff)
			}
			var got []string
			for _, w := range warns {
				got = append(got, w.String())
			}
			if len(got) != len(tt.wantWarn) {
				t.Fatalf("got warnings %q, want %q", got, tt.wantWarn)
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tt.wantWarn[i]) {
					t.Errorf("warning %d: got %q, want prefix %q", i, got[i], tt.wantWarn[i])
				}
			}
		})
	}
}

func TestParseProperties(t *testing.T) {
	damascus := time.FixedZone("EET", 2*3600)
	data := collection(
		feature("Polygon", squareCCW, `{"id":7,"version":3,"name":"Raqqa","controller":"isil","valid_from":"2016-02-27","valid_to":"2016-03-01T12:00:00Z","source":"map"}`),
		feature("Polygon", squareCCW, `{"controller":"ypg","valid_from":"2016-02-26T22:00:00Z"}`),
	)
	areas, _, err := Parse(data, damascus)
	if err != nil {
		t.Fatal(err)
	}
	want := []*Area{
		{ID: 7, Version: 3, Name: "Raqqa", Controller: "isil", Source: "map",
			ValidFrom: time.Date(2016, 2, 27, 0, 0, 0, 0, damascus), ValidTo: time.Date(2016, 3, 1, 12, 0, 0, 0, time.UTC),
			Shape: orb.MultiPolygon{{{{38, 35}, {39, 35}, {39, 36}, {38, 36}, {38, 35}}}}},
		{ID: 2, Version: 1, Controller: "ypg", ValidFrom: time.Date(2016, 2, 26, 22, 0, 0, 0, time.UTC),
			Shape: orb.MultiPolygon{{{{38, 35}, {39, 35}, {39, 36}, {38, 36}, {38, 35}}}}},
	}
	if diff := cmp.Diff(want, areas, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
		t.Errorf("areas (-want +got):\n%s", diff)
	}
}

// TestExportRoundTrip checks that Export writes what Parse reads back, on
// real OCHA governorate boundaries.
func TestExportRoundTrip(t *testing.T) {
	data, err := os.ReadFile("testdata/ocha_admin1_control.geojson")
	if err != nil {
		t.Fatal(err)
	}
	areas, warns, err := Parse(data, nil)
	if err != nil {
		t.Fatalf("parse OCHA boundaries: %v", err)
	}
	if len(warns) != 0 {
		t.Errorf("got warnings %v, want none for RFC 7946 output", warns)
	}
	if len(areas) != 4 {
		t.Fatalf("got %d areas, want 4", len(areas))
	}
	out, err := Export(areas)
	if err != nil {
		t.Fatal(err)
	}
	again, _, err := Parse(out, nil)
	if err != nil {
		t.Fatalf("parse exported: %v", err)
	}
	if diff := cmp.Diff(areas, again, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	// The same through domain.Area, as the store keeps it.
	for _, a := range areas {
		d, err := a.Domain()
		if err != nil {
			t.Fatal(err)
		}
		back, _, err := FromDomain(d)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(a.Shape, back.Shape); diff != "" {
			t.Errorf("area %d via domain.Area (-want +got):\n%s", a.ID, diff)
		}
	}
}

func TestFromDomainRefusesBadGeometry(t *testing.T) {
	_, _, err := FromDomain(&domain.Area{ID: 1, Geometry: []byte(`{"type":"Polygon","coordinates":[[[38,35],[39,35],[39,36],[38,36]]]}`)})
	if got := domain.ErrorCode(err); got != domain.EINVALID {
		t.Errorf("got code %q (%v), want %q", got, err, domain.EINVALID)
	}
}
