package control

import (
	"testing"
	"time"

	"github.com/trucedesk/truce/internal/domain"
)

// FuzzParse feeds the area importer arbitrary GeoJSON: it must not panic, and
// it either imports every feature or refuses the map with a user error.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"controller":"isil","valid_from":"2016-02-01"},"geometry":{"type":"Polygon","coordinates":[[[38,35],[39,35],[39,36],[38,35]]]}}]}`))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}}]}`))
	f.Add([]byte(`{"type":"Point"}`))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, data []byte) {
		areas, _, err := Parse(data, time.UTC)
		if err != nil {
			if domain.ErrorCode(err) == domain.EINTERNAL {
				t.Fatalf("internal error on bad input: %v", err)
			}
			if len(areas) != 0 {
				t.Fatalf("a refused map still returned %d areas", len(areas))
			}
		}
	})
}
