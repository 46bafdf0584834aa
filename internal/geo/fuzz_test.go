package geo

import (
	"bytes"
	"testing"

	"github.com/trucedesk/truce/internal/domain"
)

// FuzzGeoNames feeds the GeoNames reader arbitrary lines: it must not panic,
// and every place it accepts must have a name and a position on the globe.
func FuzzGeoNames(f *testing.F) {
	f.Add([]byte("170654\tDamascus\tDamascus\tDimashq,دمشق\t33.5102\t36.29128\tP\tPPLC\tSY\t\t13\t\t\t\t1569394\t\t695\tAsia/Damascus\t2012-01-19\n"))
	f.Add([]byte("1\tx\tx\t\tNaN\t999\tP\tPPL\tSY\n"))
	f.Add([]byte("\n\t\t\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ScanGeoNames(bytes.NewReader(data), func(p *domain.Place) error {
			if p.Name == "" {
				t.Fatalf("accepted a place with no name: %+v", p)
			}
			if err := p.Point.Validate(); err != nil {
				t.Fatalf("accepted a place off the globe: %+v", p)
			}
			return nil
		})
		// Names of any script must fold without panicking.
		_ = Key(string(data))
	})
}
