package geo_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/geo"
)

// aleppoRow is GeoNames' row for Aleppo, alternate names trimmed.
const aleppoRow = "170063\tAleppo\tAleppo\tAlep,Aleppo,Halab,Ḩalab,حلب\t36.20124\t37.16117\tP\tPPLA\tSY\t\t09\t\t\t\t1602264\t\t390\tAsia/Damascus\t2012-01-19"

func TestReadGeoNames(t *testing.T) {
	got, err := geo.ReadGeoNames(strings.NewReader("# a comment\n\n" + aleppoRow + "\r\n"))
	if err != nil {
		t.Fatalf("ReadGeoNames: %v", err)
	}
	want := []*domain.Place{{
		GeonameID: 170063, Name: "Aleppo", NameAR: "حلب",
		Alternates:   []string{"Alep", "Halab", "Ḩalab", "حلب"},
		Point:        domain.Point{Lat: 36.20124, Lon: 37.16117},
		FeatureClass: "P", FeatureCode: "PPLA", Admin1: "09", Population: 1602264,
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ReadGeoNames mismatch (-want +got):\n%s", diff)
	}
}

func TestReadGeoNamesErrors(t *testing.T) {
	fields := strings.Split(aleppoRow, "\t")
	with := func(i int, v string) string {
		f := append([]string(nil), fields...)
		f[i] = v
		return strings.Join(f, "\t")
	}
	for _, tc := range []struct {
		name, input, want string
	}{
		{"short row", aleppoRow + "\n170064\tX\n", "geonames line 2: want 19 tab-separated columns, got 2"},
		{"bad id", with(0, "x1"), `geonames line 1: geonameid "x1" is not a number`},
		{"bad latitude", "#\n" + with(4, "north"), "geonames line 2: latitude"},
		{"latitude out of range", with(4, "95"), "geonames line 1: latitude 95 is outside -90..90"},
		{"bad population", with(14, "many"), `geonames line 1: population "many" is not a number`},
		{"empty name", with(1, " "), "geonames line 1: name is empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := geo.ReadGeoNames(strings.NewReader(tc.input))
			if code := domain.ErrorCode(err); code != domain.EINVALID {
				t.Fatalf("got error %v (code %q), want code %q", err, code, domain.EINVALID)
			}
			if got := domain.ErrorMessage(err); !strings.HasPrefix(got, tc.want) {
				t.Errorf("got message %q, want prefix %q", got, tc.want)
			}
		})
	}
}

func TestScanGeoNamesStopsOnCallbackError(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	err := geo.ScanGeoNames(strings.NewReader(aleppoRow+"\n"+aleppoRow+"\n"), func(*domain.Place) error {
		n++
		return stop
	})
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("got err %v after %d places, want the callback's error after 1", err, n)
	}
}

func TestCities1000(t *testing.T) {
	fx := mustFixture(t)
	var n, arabic int
	for _, p := range fx.places {
		if p.GeonameID > 0 {
			n++
			if p.NameAR != "" {
				arabic++
			}
		}
	}
	if n != 281 {
		t.Errorf("got %d GeoNames places, want 281", n)
	}
	if arabic < 250 {
		t.Errorf("got %d places with an Arabic name, want most of 281", arabic)
	}
}

func TestExtraPlaces(t *testing.T) {
	extra, err := geo.ExtraPlaces()
	if err != nil {
		t.Fatal(err)
	}
	var hmeimim *domain.Place
	for _, p := range extra {
		if p.GeonameID >= 0 {
			t.Errorf("%s has id %d, want a negative id", p.Name, p.GeonameID)
		}
		if p.Name == "Hmeimim Air Base" {
			hmeimim = p
		}
	}
	if hmeimim == nil {
		t.Fatal("Hmeimim Air Base is missing from gazetteer-extra.tsv")
	}
	if d := geo.DistanceKm(hmeimim.Point, domain.Point{Lat: 35.401, Lon: 35.949}); d > 1 {
		t.Errorf("Hmeimim Air Base is %.1f km from 35.401 N 35.949 E, want within 1 km", d)
	}
	if hmeimim.FeatureClass != "S" || hmeimim.NameAR == "" {
		t.Errorf("Hmeimim: class %q, Arabic name %q; want class S and an Arabic name", hmeimim.FeatureClass, hmeimim.NameAR)
	}
}
