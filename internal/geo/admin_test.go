package geo_test

import (
	"strings"
	"testing"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/geo"
)

func TestReadRegions(t *testing.T) {
	fx := mustFixture(t)
	count := map[int]int{}
	gov := map[string]bool{}
	for _, r := range fx.regions {
		count[r.Level]++
		if r.Level == 1 {
			gov[r.PCode] = true
		}
	}
	if count[1] != 14 || count[2] != 62 {
		t.Errorf("got %d governorates and %d districts, want 14 and 62", count[1], count[2])
	}
	for _, r := range fx.regions {
		if r.Level == 2 && !gov[r.Parent] {
			t.Errorf("district %s (%s) has parent %q, not a governorate", r.PCode, r.Name, r.Parent)
		}
		if r.NameAR == "" {
			t.Errorf("region %s has no Arabic name", r.PCode)
		}
	}
}

func TestReadRegionsErrors(t *testing.T) {
	for _, tc := range []struct{ name, input, want string }{
		{"not json", "{", "boundary file is not GeoJSON"},
		{"not a collection", `{"type":"Feature"}`, `boundary file is a "Feature"`},
		{"no pcode", `{"type":"FeatureCollection","features":[{"properties":{"NAME_EN":"X"},
			"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]}`, "boundary feature 0 has no PCODE"},
		{"a point", `{"type":"FeatureCollection","features":[{"properties":{"NAME_EN":"X","PCODE":"SY99"},
			"geometry":{"type":"Point","coordinates":[0,0]}}]}`, "boundary feature 0 (SY99): geometry is a Point"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := geo.ReadRegions(strings.NewReader(tc.input), 1)
			if code := domain.ErrorCode(err); code != domain.EINVALID {
				t.Fatalf("got error %v (code %q), want code %q", err, code, domain.EINVALID)
			}
			if got := domain.ErrorMessage(err); !strings.HasPrefix(got, tc.want) {
				t.Errorf("got message %q, want prefix %q", got, tc.want)
			}
		})
	}
}

func TestAssign(t *testing.T) {
	fx := mustFixture(t)
	for _, tc := range []struct {
		name           string
		p              domain.Point
		admin1, admin2 string
		exact          bool
	}{
		{"Damascus Umayyad Mosque", domain.Point{Lat: 33.5116, Lon: 36.3065}, "SY01", "SY0100", true},
		{"Aleppo citadel", domain.Point{Lat: 36.1993, Lon: 37.1627}, "SY02", "SY0200", true},
		{"Hmeimim Air Base", domain.Point{Lat: 35.401, Lon: 35.949}, "SY06", "SY0602", true},
		{"Douma", domain.Point{Lat: 33.5722, Lon: 36.4017}, "SY03", "SY0302", true},
		{"Raqqa", domain.Point{Lat: 35.9528, Lon: 39.0079}, "SY11", "SY1101", true},
		{"Tartus Arwad island", domain.Point{Lat: 34.8563, Lon: 35.8583}, "SY10", "SY1000", true}, // a multipolygon part
		{"just off Latakia's shore", domain.Point{Lat: 35.52, Lon: 35.74}, "SY06", "SY0600", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, ok := fx.admin.Assign(tc.p)
			if !ok {
				t.Fatalf("Assign(%v) found no governorate", tc.p)
			}
			if a.Admin1.PCode != tc.admin1 || a.Admin2.PCode != tc.admin2 || a.Exact != tc.exact {
				t.Errorf("Assign(%v) = %s %s exact %v (%s, %s), want %s %s exact %v",
					tc.p, a.Admin1.PCode, a.Admin2.PCode, a.Exact, a.Admin1.Name, a.Admin2.Name, tc.admin1, tc.admin2, tc.exact)
			}
		})
	}
	for _, tc := range []struct {
		name string
		p    domain.Point
	}{
		{"Beirut", domain.Point{Lat: 33.8938, Lon: 35.5018}},
		{"mid-Mediterranean", domain.Point{Lat: 35, Lon: 20}},
		{"Baghdad", domain.Point{Lat: 33.3152, Lon: 44.3661}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if a, ok := fx.admin.Assign(tc.p); ok {
				t.Errorf("Assign(%v) = %s (%s), want no governorate", tc.p, a.Admin1.PCode, a.Admin1.Name)
			}
		})
	}
}

func TestAssignAdminNames(t *testing.T) {
	fx := mustFixture(t)
	for _, p := range fx.places {
		if p.Name == "Hmeimim Air Base" {
			if p.Admin1 != "Lattakia" || p.Admin2 != "Jablah" {
				t.Errorf("Hmeimim: admin1 %q admin2 %q, want Lattakia and Jablah", p.Admin1, p.Admin2)
			}
			return
		}
	}
	t.Fatal("Hmeimim Air Base not in the fixture")
}

func TestRegionPlacesInside(t *testing.T) {
	fx := mustFixture(t)
	places, err := geo.RegionPlaces(fx.regions)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range places {
		reg := fx.regions[i]
		a, ok := fx.admin.Assign(p.Point)
		got := a.Admin1.PCode
		if reg.Level == 2 {
			got = a.Admin2.PCode
		}
		if !ok || got != reg.PCode {
			t.Errorf("the point of %s (%s) falls in %q, want inside it", reg.PCode, reg.Name, got)
		}
	}
}
