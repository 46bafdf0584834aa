package store_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/store"
	"github.com/trucedesk/truce/internal/store/storetest"
)

// edgeValues are coordinates on and beside cell edges (multiples of 0.25°),
// the poles and the antimeridian.
var (
	edgeLats = []float64{-90, -89.75, 0, 35.75, 35.999999, 36, 36.000001, 36.1, 36.25, 36.5, 89.75, 90}
	edgeLons = []float64{-180, -179.75, 0, 36, 36.249999, 36.25, 36.3, 36.5, 36.75, 179.75, 179.999999, 180}
)

func pick(rng *rand.Rand, vs []float64) float64 { return vs[rng.IntN(len(vs))] }

func TestBoxCells(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		b := domain.BBox{MinLon: pick(rng, edgeLons), MinLat: pick(rng, edgeLats)}
		b.MaxLon, b.MaxLat = b.MinLon+float64(rng.IntN(5))*0.25, b.MinLat+float64(rng.IntN(5))*0.25
		if rng.IntN(2) == 0 {
			b.MaxLon, b.MaxLat = pick(rng, edgeLons), pick(rng, edgeLats)
		}
		cells, ok := store.BoxCells(b)
		if !ok {
			continue
		}
		if len(cells) != len(slices.Compact(slices.Clone(cells))) {
			t.Fatalf("%+v: cells repeat: %v", b, cells)
		}
		// Every valid point in the box, its corners and edges above all,
		// lies in a listed cell.
		for range 20 {
			p := domain.Point{Lat: pick(rng, []float64{b.MinLat, b.MaxLat, pick(rng, edgeLats)}),
				Lon: pick(rng, []float64{b.MinLon, b.MaxLon, pick(rng, edgeLons)})}
			if p.Validate() != nil || !b.Contains(p) {
				continue
			}
			if !slices.Contains(cells, store.CellOf(p.Lat, p.Lon)) {
				t.Fatalf("%+v holds %+v, whose cell %d is not among %v", b, p, store.CellOf(p.Lat, p.Lon), cells)
			}
		}
	}
	for _, tt := range []struct {
		name  string
		b     domain.BBox
		cells int
		ok    bool
	}{
		{"one cell", domain.BBox{MinLon: 36.01, MinLat: 36.01, MaxLon: 36.2, MaxLat: 36.2}, 1, true},
		{"edges on cell edges", domain.BBox{MinLon: 36, MinLat: 36, MaxLon: 36.25, MaxLat: 36.25}, 4, true},
		{"the antimeridian has a column", domain.BBox{MinLon: 179.9, MinLat: 0, MaxLon: 180, MaxLat: 0.1}, 2, true},
		{"the pole has a row", domain.BBox{MinLon: 0, MinLat: 89.9, MaxLon: 0.1, MaxLat: 90}, 2, true},
		{"beyond the grid", domain.BBox{MinLon: 180.5, MinLat: 0, MaxLon: 181, MaxLat: 1}, 0, true},
		{"crossing the antimeridian is empty, as in SQL", domain.BBox{MinLon: 179, MinLat: 0, MaxLon: -179, MaxLat: 1}, 0, true},
		{"too large", domain.BBox{MinLon: 35, MinLat: 32, MaxLon: 43, MaxLat: 38}, 0, false},
		{"not a number", domain.BBox{MinLon: math.NaN(), MinLat: 0, MaxLon: 1, MaxLat: 1}, 0, false},
	} {
		cells, ok := store.BoxCells(tt.b)
		if len(cells) != tt.cells || ok != tt.ok {
			t.Errorf("%s: %d cells, ok %v; want %d, %v", tt.name, len(cells), ok, tt.cells, tt.ok)
		}
	}
}

func TestMapIndexSQLite(t *testing.T) { testMapIndex(t, storetest.OpenSQLite(t)) }

func TestMapIndexPostgres(t *testing.T) { testMapIndex(t, storetest.OpenPostgres(t)) }

// testMapIndex stores incidents on cell and box edges, through every write
// path, with IDs that do not follow time, and holds the merged map query
// to the obvious answer for random boxes, windows, pages and parties.
func testMapIndex(t *testing.T, db *store.DB) {
	ctx := context.Background()
	var parties []int64
	for _, slug := range []string{"a", "b", "c"} {
		p := &domain.Party{Slug: slug, Name: slug, Kind: domain.KindArmedGroup}
		if err := db.CreateParty(ctx, p); err != nil {
			t.Fatal(err)
		}
		parties = append(parties, p.ID)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	day0 := time.Date(2016, 2, 27, 0, 0, 0, 0, time.UTC)
	times := []time.Time{day0, day0.Add(time.Microsecond), day0.Add(-time.Microsecond), day0.Add(36 * time.Hour), day0.AddDate(0, 0, 3)}
	incident := func(i int) *domain.Incident {
		in := &domain.Incident{SubEventType: "Air/drone strike", OccurredAt: times[rng.IntN(len(times))].Add(time.Duration(rng.IntN(3)) * 24 * time.Hour),
			TimePrecision: domain.TimeDay, GeoPrecision: domain.GeoExact, Origin: "maptest", CreatedBy: "test",
			Point: &domain.Point{Lat: pick(rng, edgeLats), Lon: pick(rng, edgeLons)}}
		in.OriginID = in.OccurredAt.String() + string(rune('a'+i%26)) + string(rune('a'+i/26))
		in.EventType, _ = domain.EventTypeOf(in.SubEventType)
		in.Perpetrators = []int64{parties[rng.IntN(3)]}
		in.Targets = []int64{parties[rng.IntN(3)]} // sometimes the perpetrator too: listed once
		if i%17 == 0 {
			in.Point = nil
		}
		return in
	}
	var batch []*domain.Incident
	for i := range 200 {
		batch = append(batch, incident(i))
	}
	// IDs follow time, as on a desk, so the days' ID bounds are tight;
	// the incidents created afterwards are backdated.
	slices.SortStableFunc(batch, func(a, b *domain.Incident) int { return a.OccurredAt.Compare(b.OccurredAt) })
	if _, err := db.ImportIncidents(ctx, batch); err != nil {
		t.Fatal(err)
	}
	for i := 200; i < 230; i++ {
		in := incident(i)
		in.OccurredAt = times[3] // backdated to one day: windows ending earlier keep tight bounds
		if err := db.CreateIncident(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	// Moved afterwards: the party rows must follow their incident.
	for _, in := range batch[:20] {
		in.OccurredAt = in.OccurredAt.AddDate(0, 0, -2)
		in.Point = &domain.Point{Lat: pick(rng, edgeLats), Lon: pick(rng, edgeLons)}
		in.Perpetrators = []int64{parties[rng.IntN(3)]}
		if err := db.UpdateIncident(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	// Moved behind the store's back: the triggers alone must follow.
	moved := batch[len(batch)-1]
	movedAt, movedTo := times[0].AddDate(0, 0, -10), domain.Point{Lat: 36.000001, Lon: 36.25}
	if err := db.MoveIncidentRaw(ctx, moved.ID, movedAt, movedTo); err != nil {
		t.Fatal(err)
	}
	f := domain.IncidentFilter{BBox: &domain.BBox{MinLon: 36.25, MinLat: 36.000001, MaxLon: 36.25, MaxLat: 36.000001},
		PartyID: moved.Perpetrators[0], Since: movedAt, Until: movedAt.Add(time.Microsecond), Limit: 10}
	if got, err := db.Incidents(ctx, f); err != nil || len(got) != 1 || got[0].ID != moved.ID {
		t.Fatalf("incident %d moved in SQL: the map finds %v (%v)", moved.ID, got, err)
	}
	all, err := db.Incidents(ctx, domain.IncidentFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	want := func(f domain.IncidentFilter) []int64 {
		var ids []int64
		for _, in := range all {
			if in.Point == nil || !f.BBox.Contains(*in.Point) || in.OccurredAt.Before(f.Since) ||
				!in.OccurredAt.Before(f.Until) || in.ID <= f.AfterID ||
				!slices.Contains(append(slices.Clone(in.Perpetrators), in.Targets...), f.PartyID) {
				continue
			}
			if ids = append(ids, in.ID); len(ids) == f.Limit {
				break
			}
		}
		return ids
	}
	nonEmpty := 0
	for k := range 300 {
		b := domain.BBox{MinLon: pick(rng, edgeLons), MinLat: pick(rng, edgeLats)}
		b.MaxLon, b.MaxLat = b.MinLon+float64(rng.IntN(4))*0.25, b.MinLat+float64(rng.IntN(4))*0.25
		f := domain.IncidentFilter{BBox: &b, PartyID: parties[rng.IntN(3)], Since: times[rng.IntN(len(times))].AddDate(0, 0, -rng.IntN(3)),
			Limit: 1 + rng.IntN(4)}
		f.Until = f.Since.Add(time.Duration(rng.IntN(5)) * 24 * time.Hour)
		if k%2 == 0 {
			f.Limit = 1000 // the whole window, to its last day
		}
		if k%3 == 0 {
			f.AfterID = all[rng.IntN(len(all))].ID
		}
		if !db.UsesMapIndex(f) {
			t.Fatalf("filter %d %+v does not take the merged query", k, f)
		}
		got, err := db.Incidents(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, in := range got {
			ids = append(ids, in.ID)
		}
		if w := want(f); !slices.Equal(ids, w) {
			general, _ := db.IncidentIDsGeneral(ctx, f)
			t.Fatalf("filter %d %+v %+v: got %v, want %v (general query: %v)", k, f, b, ids, w, general)
		}
		if len(ids) > 0 {
			nonEmpty++
		}
	}
	if nonEmpty < 30 {
		t.Errorf("only %d of 300 filters found incidents", nonEmpty)
	}
}

func TestMapIndexCutCellsSQLite(t *testing.T) { testMapIndexCutCells(t, storetest.OpenSQLite(t)) }

func TestMapIndexCutCellsPostgres(t *testing.T) { testMapIndexCutCells(t, storetest.OpenPostgres(t)) }

// testMapIndexCutCells interleaves incidents in cells wholly inside a box
// with incidents in cells its edge cuts (inside and outside the box): the
// page of the cells inside bounds the others' scans, and must not cut off
// their matches.
func testMapIndexCutCells(t *testing.T, db *store.DB) {
	ctx := context.Background()
	p := &domain.Party{Slug: "a", Name: "a", Kind: domain.KindArmedGroup}
	if err := db.CreateParty(ctx, p); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2016, 2, 28, 6, 0, 0, 0, time.UTC)
	var batch []*domain.Incident
	for i := range 30 {
		pt := []domain.Point{{Lat: 36.1, Lon: 36.1}, {Lat: 36.1, Lon: 36.55}, {Lat: 36.1, Lon: 36.7}}[i%3]
		batch = append(batch, &domain.Incident{EventType: "Explosions/Remote violence", SubEventType: "Air/drone strike",
			OccurredAt: at.Add(time.Duration(i) * time.Minute), TimePrecision: domain.TimeDay, GeoPrecision: domain.GeoExact,
			Origin: "cut", OriginID: fmt.Sprint(i), CreatedBy: "test", Point: &pt, Perpetrators: []int64{p.ID}})
	}
	if _, err := db.ImportIncidents(ctx, batch); err != nil {
		t.Fatal(err)
	}
	// Cells [36, 36.5)² lie inside; those of longitude 36.5–36.75 and of
	// latitude 36.5 are cut.
	f := domain.IncidentFilter{BBox: &domain.BBox{MinLon: 36, MinLat: 36, MaxLon: 36.6, MaxLat: 36.5}, PartyID: p.ID,
		Since: at, Until: at.Add(time.Hour)}
	for _, n := range []int{1, 2, 3, 5, 8, 20, 21} {
		f.Limit = n
		got, err := db.Incidents(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var ids, want []int64
		for _, in := range got {
			ids = append(ids, in.ID)
		}
		for _, in := range batch {
			if in.Point.Lon < 36.6 && len(want) < n {
				want = append(want, in.ID)
			}
		}
		if !slices.Equal(ids, want) {
			t.Fatalf("page of %d: got %v, want %v", n, ids, want)
		}
	}
}

// TestMapIndexCopyTo moves a SQLite desk to PostgreSQL: the copied party
// rows and day bounds must serve the map query there too.
func TestMapIndexCopyTo(t *testing.T) {
	ctx := context.Background()
	src, dst := storetest.OpenSQLite(t), storetest.OpenPostgres(t)
	p := &domain.Party{Slug: "a", Name: "a", Kind: domain.KindArmedGroup}
	if err := src.CreateParty(ctx, p); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for i, at := range []time.Time{time.Date(2016, 2, 28, 6, 0, 0, 0, time.UTC), time.Date(2016, 2, 20, 6, 0, 0, 0, time.UTC)} {
		in := &domain.Incident{EventType: "Explosions/Remote violence", SubEventType: "Air/drone strike", OccurredAt: at,
			TimePrecision: domain.TimeDay, GeoPrecision: domain.GeoExact, CreatedBy: "test",
			Point: &domain.Point{Lat: 36, Lon: 36.25 + float64(i)}, Perpetrators: []int64{p.ID}}
		if err := src.CreateIncident(ctx, in); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, in.ID)
	}
	if _, err := src.CopyTo(ctx, dst); err != nil {
		t.Fatal(err)
	}
	f := domain.IncidentFilter{BBox: &domain.BBox{MinLon: 36, MinLat: 35.5, MaxLon: 38, MaxLat: 36}, PartyID: p.ID,
		Since: time.Date(2016, 2, 1, 0, 0, 0, 0, time.UTC), Until: time.Date(2016, 3, 1, 0, 0, 0, 0, time.UTC), Limit: 10}
	got, err := dst.Incidents(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != ids[0] || got[1].ID != ids[1] {
		t.Fatalf("after the copy the map finds %v, want incidents %v", got, ids)
	}
}
