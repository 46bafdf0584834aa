package geo_test

import (
	"math/rand/v2"
	"testing"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/geo"
)

func benchGeocode(b *testing.B, names []string, hint geo.Hint) {
	fx := mustFixture(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if len(fx.coder.Geocode(names[i%len(names)], hint)) == 0 {
			b.Fatalf("Geocode(%q) found nothing", names[i%len(names)])
		}
	}
}

// BenchmarkGeocodeExact looks up spellings the gazetteer lists or that
// share their key with one.
func BenchmarkGeocodeExact(b *testing.B) {
	benchGeocode(b, []string{"Aleppo", "Khmeimim", "Deir Ezzor", "حلب", "Sarmin", "Jisr ash-Shugur"}, geo.Hint{})
}

// BenchmarkGeocodeFuzzy looks up near misses, which go through the bigram
// index and edit distances.
func BenchmarkGeocodeFuzzy(b *testing.B) {
	benchGeocode(b, []string{"Hmeimam", "Sarmeen", "Alepo", "Darat Ezza", "Qamishlo", "Khan Sheikhoun"}, geo.Hint{})
}

// BenchmarkGeocodeLong looks up a multi-phrase location field as Airwars
// writes them.
func BenchmarkGeocodeLong(b *testing.B) {
	benchGeocode(b, []string{"Al-Basel Roundabout area, New Aleppo neighbourhood, Aleppo"}, geo.Hint{})
}

// BenchmarkAssign assigns governorate and district to random points over
// Syria's bounding box (about 20% fall outside the country).
func BenchmarkAssign(b *testing.B) {
	fx := mustFixture(b)
	r := rand.New(rand.NewPCG(1, 2))
	pts := make([]domain.Point, 1024)
	for i := range pts {
		pts[i] = domain.Point{Lat: 32.3 + r.Float64()*5.1, Lon: 35.7 + r.Float64()*6.7}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		fx.admin.Assign(pts[i%len(pts)])
	}
}

// BenchmarkAssignPlaces assigns the gazetteer's own points, all inside
// Syria, as loading a gazetteer does.
func BenchmarkAssignPlaces(b *testing.B) {
	fx := mustFixture(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		fx.admin.Assign(fx.places[i%len(fx.places)].Point)
	}
}

// BenchmarkNewGeocoder measures building the index from the fixture's
// places, which a server does once at start.
func BenchmarkNewGeocoder(b *testing.B) {
	fx := mustFixture(b)
	b.ReportAllocs()
	for b.Loop() {
		geo.NewGeocoder(fx.places, fx.admin)
	}
}
