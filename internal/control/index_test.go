package control_test

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"
	"github.com/trucedesk/truce/internal/control"
	"github.com/trucedesk/truce/internal/control/controltest"
)

var (
	jan = time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)
	mar = time.Date(2016, 3, 1, 0, 0, 0, 0, time.UTC)
	jun = time.Date(2016, 6, 1, 0, 0, 0, 0, time.UTC)
)

func square(x0, y0, x1, y1 float64) orb.Ring {
	return orb.Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
}

func hole(x0, y0, x1, y1 float64) orb.Ring {
	r := square(x0, y0, x1, y1)
	r.Reverse()
	return r
}

func keys(areas []*control.Area) []control.Key {
	var ks []control.Key
	for _, a := range areas {
		ks = append(ks, a.Key())
	}
	return ks
}

func TestIndexAt(t *testing.T) {
	// Area 1 is held by ISIL around a government pocket (the hole), as
	// Deir ez-Zor was in 2016; area 2 is the pocket; area 3 changes hands
	// on 1 March (version 1 to version 2).
	areas := []*control.Area{
		{ID: 1, Version: 1, Controller: "isil", ValidFrom: jan,
			Shape: orb.MultiPolygon{{square(40, 35, 41, 36), hole(40.4, 35.4, 40.6, 35.6)}}},
		{ID: 2, Version: 1, Controller: "saa", ValidFrom: jan,
			Shape: orb.MultiPolygon{{square(40.4, 35.4, 40.6, 35.6)}}},
		{ID: 3, Version: 1, Controller: "isil", ValidFrom: jan, ValidTo: mar,
			Shape: orb.MultiPolygon{{square(41, 35, 42, 36)}}},
		{ID: 3, Version: 2, Controller: "ypg", ValidFrom: mar,
			Shape: orb.MultiPolygon{{square(41, 35, 42, 36)}}},
	}
	ix := control.NewIndex(areas)
	tests := []struct {
		name string
		p    orb.Point
		at   time.Time
		want []control.Key
	}{
		{"in the outer area", orb.Point{40.2, 35.2}, jun, []control.Key{{1, 1}}},
		{"in the hole: only the pocket applies", orb.Point{40.5, 35.5}, jun, []control.Key{{2, 1}}},
		{"on the hole's edge: both", orb.Point{40.4, 35.5}, jun, []control.Key{{1, 1}, {2, 1}}},
		{"on the shared border of 1 and 3", orb.Point{41, 35.5}, jun, []control.Key{{1, 1}, {3, 2}}},
		{"area 3 before the change", orb.Point{41.5, 35.5}, jan, []control.Key{{3, 1}}},
		{"area 3 at the change instant", orb.Point{41.5, 35.5}, mar, []control.Key{{3, 2}}},
		{"area 3 one nanosecond before", orb.Point{41.5, 35.5}, mar.Add(-1), []control.Key{{3, 1}}},
		{"before any map", orb.Point{40.2, 35.2}, jan.Add(-time.Hour), nil},
		{"outside every area", orb.Point{36, 33}, jun, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, keys(ix.At(tt.p, tt.at))); diff != "" {
				t.Errorf("index (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, keys(control.NewScan(areas).AppendAt(nil, tt.p, tt.at))); diff != "" {
				t.Errorf("scan (-want +got):\n%s", diff)
			}
		})
	}
}

// TestIndexMatchesScan checks the index against the naive scan on a
// generated map with overlaps and holes.
func TestIndexMatchesScan(t *testing.T) {
	areas := controltest.Areas(2000, 1, []int64{1, 2, 3})
	ix := control.NewIndex(areas)
	scan := control.NewScan(areas)
	found := 0
	for i, p := range controltest.Points(20000, 2) {
		got := keys(ix.AppendAt(nil, p, jun))
		want := keys(scan.AppendAt(nil, p, jun))
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("point %d %v (-scan +index):\n%s", i, p, diff)
		}
		found += len(got)
	}
	if found == 0 {
		t.Fatal("no point fell in any area; the test checks nothing")
	}
}

func TestOverlaps(t *testing.T) {
	areas := []*control.Area{
		// 1 and 2 share a border only.
		{ID: 1, Version: 1, Controller: "isil", ValidFrom: jan, Shape: orb.MultiPolygon{{square(40, 35, 41, 36)}}},
		{ID: 2, Version: 1, Controller: "ypg", ValidFrom: jan, Shape: orb.MultiPolygon{{square(41, 35, 42, 36)}}},
		// 3 overlaps 2 in space, but only from March.
		{ID: 3, Version: 1, Controller: "saa", ValidFrom: mar, Shape: orb.MultiPolygon{{square(41.5, 35.5, 42.5, 36.5)}}},
		// 4 sits in 1's hole-free interior, during January and February only.
		{ID: 4, Version: 1, Controller: "nusra", ValidFrom: jan, ValidTo: mar, Shape: orb.MultiPolygon{{square(40.2, 35.2, 40.4, 35.4)}}},
		// 5 is a copy of 1 with the same controller.
		{ID: 5, Version: 1, Controller: "isil", ValidFrom: jun, Shape: orb.MultiPolygon{{square(40, 35, 41, 36)}}},
		// 6 is far away and 7 fills 8's hole exactly: no overlap.
		{ID: 6, Version: 1, Controller: "saa", ValidFrom: jan, Shape: orb.MultiPolygon{{square(36, 33, 37, 34)}}},
		{ID: 7, Version: 1, Controller: "saa", ValidFrom: jan, Shape: orb.MultiPolygon{{square(38.4, 33.4, 38.6, 33.6)}}},
		{ID: 8, Version: 1, Controller: "isil", ValidFrom: jan, Shape: orb.MultiPolygon{{square(38, 33, 39, 34), hole(38.4, 33.4, 38.6, 33.6)}}},
		// 9 has two versions that overlap in time by mistake.
		{ID: 9, Version: 1, Controller: "saa", ValidFrom: jan, ValidTo: jun, Shape: orb.MultiPolygon{{square(36, 36, 37, 37)}}},
		{ID: 9, Version: 2, Controller: "saa", ValidFrom: mar, Shape: orb.MultiPolygon{{square(36, 36, 37, 37)}}},
	}
	want := []control.Overlap{
		{A: control.Key{ID: 1, Version: 1}, B: control.Key{ID: 4, Version: 1}, From: jan, To: mar, Conflict: true},
		{A: control.Key{ID: 1, Version: 1}, B: control.Key{ID: 5, Version: 1}, From: jun},
		{A: control.Key{ID: 2, Version: 1}, B: control.Key{ID: 3, Version: 1}, From: mar, Conflict: true},
		{A: control.Key{ID: 9, Version: 1}, B: control.Key{ID: 9, Version: 2}, From: mar, To: jun},
	}
	got := control.NewIndex(areas).Overlaps()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("overlaps (-want +got):\n%s", diff)
	}
}

// TestRealBoundaries checks points against OCHA governorate boundaries:
// Raqqa city lies in Ar-Raqqa, Qamishli in Al-Hasakeh, Damascus in neither.
func TestRealBoundaries(t *testing.T) {
	data, err := os.ReadFile("testdata/ocha_admin1_control.geojson")
	if err != nil {
		t.Fatal(err)
	}
	areas, _, err := control.Parse(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	ix := control.NewIndex(areas)
	tests := []struct {
		name string
		p    orb.Point
		want []control.Key
	}{
		{"Raqqa city", orb.Point{39.0094, 35.9594}, []control.Key{{11, 1}}},
		{"Qamishli", orb.Point{41.2264, 37.0519}, []control.Key{{8, 1}}},
		{"Deir ez-Zor city", orb.Point{40.1408, 35.3359}, []control.Key{{9, 1}}},
		{"Damascus", orb.Point{36.2913, 33.5102}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, keys(ix.At(tt.p, jun))); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	// OCHA's neighbouring governorates were digitised separately, so their
	// shared borders overlap in slivers; Overlaps must report them (and not
	// Tartous, which borders none of the others).
	var got [][2]control.Key
	for _, o := range ix.Overlaps() {
		got = append(got, [2]control.Key{o.A, o.B})
	}
	want := [][2]control.Key{{{8, 1}, {9, 1}}, {{8, 1}, {11, 1}}, {{9, 1}, {11, 1}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("overlaps (-want +got):\n%s", diff)
	}
}

// BenchmarkLocate measures the lookup alone over 10,000 generated polygons:
// the R-tree with exact tests beside the naive scan.
func BenchmarkLocate(b *testing.B) {
	areas := controltest.Areas(10000, 1, []int64{1})
	pts := controltest.Points(1<<16, 2)
	for _, lc := range []struct {
		name string
		loc  control.Locator
	}{{"indexed", control.NewIndex(areas)}, {"naive", control.NewScan(areas)}} {
		b.Run(fmt.Sprintf("%s/polygons=%d", lc.name, len(areas)), func(b *testing.B) {
			dst := make([]*control.Area, 0, 16)
			i := 0
			for b.Loop() {
				dst = lc.loc.AppendAt(dst[:0], pts[i&(len(pts)-1)], jun)
				i++
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
		})
	}
}
