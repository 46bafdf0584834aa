package geo_test

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/geo"
)

// fixture is the gazetteer built from testdata once per test binary: OCHA
// governorates and districts, GeoNames cities1000 for Syria and the curated
// supplement.
type fixture struct {
	regions []*domain.Region
	places  []*domain.Place
	admin   *geo.AdminIndex
	coder   *geo.Geocoder
}

var (
	fixtureOnce sync.Once
	fixtureVal  *fixture
	fixtureErr  error
)

// mustFixture returns the shared fixture, failing tb if it cannot be built.
func mustFixture(tb testing.TB) *fixture {
	tb.Helper()
	fixtureOnce.Do(func() { fixtureVal, fixtureErr = buildFixture() })
	if fixtureErr != nil {
		tb.Fatalf("build fixture: %v", fixtureErr)
	}
	return fixtureVal
}

func buildFixture() (*fixture, error) {
	f := &fixture{}
	for level, name := range map[int]string{1: "syr_admin1.geojson", 2: "syr_admin2.geojson"} {
		r, err := os.Open(filepath.Join("testdata", name))
		if err != nil {
			return nil, err
		}
		regs, err := geo.ReadRegions(r, level)
		r.Close()
		if err != nil {
			return nil, err
		}
		f.regions = append(f.regions, regs...)
	}
	var err error
	if f.admin, err = geo.NewAdminIndex(f.regions); err != nil {
		return nil, err
	}
	r, err := os.Open(filepath.Join("testdata", "SY_cities1000_geonames_2013.txt"))
	if err != nil {
		return nil, err
	}
	defer r.Close()
	if f.places, err = geo.ReadGeoNames(r); err != nil {
		return nil, err
	}
	extra, err := geo.ExtraPlaces()
	if err != nil {
		return nil, err
	}
	admins, err := geo.RegionPlaces(f.regions)
	if err != nil {
		return nil, err
	}
	f.places = append(append(f.places, extra...), admins...)
	geo.AssignAdmin(f.places, f.admin)
	f.coder = geo.NewGeocoder(f.places, f.admin)
	return f, nil
}
