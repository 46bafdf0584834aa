package scalebench

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/store"
	"github.com/trucedesk/truce/internal/store/storetest"
)

func TestGenerator(t *testing.T) {
	g, err := NewGenerator(10_000, 7)
	if err != nil {
		t.Fatal(err)
	}
	if g.Bases() < 900 {
		t.Errorf("resampled %d Airwars events, want the file's ~990", g.Bases())
	}
	var prev Row
	seen := map[int]bool{}
	for i := range g.N {
		r := g.Row(i)
		if i > 0 && r.OccurredAt.Before(prev.OccurredAt) {
			t.Fatalf("row %d at %s is before row %d at %s: times must rise with IDs", i, r.OccurredAt, i-1, prev.OccurredAt)
		}
		if r.OccurredAt.Before(SpanStart) || !r.OccurredAt.Before(SpanEnd) {
			t.Fatalf("row %d at %s is outside 2012–2024", i, r.OccurredAt)
		}
		// Syria lies within 32–38 N, 35–43 E; jitter may push a border
		// event a few km out, no more.
		if r.Lat < 32 || r.Lat > 38 || r.Lon < 35 || r.Lon > 43 {
			t.Fatalf("row %d at %.4f,%.4f is not in Syria", i, r.Lat, r.Lon)
		}
		if r.Admin1 == "" || len(r.Perpetrators) == 0 {
			t.Fatalf("row %d has no governorate or no perpetrator: %+v", i, r)
		}
		if _, ok := domain.EventTypeOf(r.Sub); !ok {
			t.Fatalf("row %d: %q is not an ACLED sub-event type", i, r.Sub)
		}
		for _, p := range append(slices.Clone(r.Perpetrators), r.Targets...) {
			seen[p] = true
		}
		prev = r
	}
	if len(seen) != len(Parties) {
		t.Errorf("rows name %d of the %d parties", len(seen), len(Parties))
	}
	a, b := g.Row(1234), g.Row(1234)
	if a.OccurredAt != b.OccurredAt || a.Lat != b.Lat || a.Lon != b.Lon || !slices.Equal(a.Perpetrators, b.Perpetrators) {
		t.Errorf("Row(1234) differs between calls: %+v, %+v", a, b)
	}
}

func TestJitter(t *testing.T) {
	g, err := NewGenerator(1000, 7)
	if err != nil {
		t.Fatal(err)
	}
	for i := range g.N {
		r := g.Row(i)
		// The nearest base event must be within the jitter radius.
		best := math.Inf(1)
		for _, b := range g.bases {
			dy := (r.Lat - b.lat) * 111.32
			dx := (r.Lon - b.lon) * 111.32 * math.Cos(b.lat*math.Pi/180)
			best = min(best, math.Hypot(dx, dy))
		}
		if best > JitterKm+0.01 {
			t.Fatalf("row %d is %.2f km from every Airwars event, want ≤ %d", i, best, JitterKm)
		}
	}
}

// want filters rows by a window the slow, obvious way.
func want(g *Generator, n int64, w Window) []int64 {
	var ids []int64
	for i := range n {
		r := g.Row(i)
		if r.OccurredAt.Before(w.Since) || !r.OccurredAt.Before(w.Until) ||
			!w.BBox.Contains(domain.Point{Lat: r.Lat, Lon: r.Lon}) ||
			!slices.Contains(append(slices.Clone(r.Perpetrators), r.Targets...), w.Party) {
			continue
		}
		ids = append(ids, r.ID)
		if len(ids) == MapLimit {
			break
		}
	}
	return ids
}

// TestMapQuerySQLite holds the store's map query, in the shape the scale
// indexes need, to the obvious answer on SQLite: the first page in ID order.
func TestMapQuerySQLite(t *testing.T) {
	ctx := context.Background()
	const n = 3000
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "truce.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	e := &Env{Store: db}
	if err := e.parties(ctx); err != nil {
		t.Fatal(err)
	}
	g, err := NewGenerator(n, 11)
	if err != nil {
		t.Fatal(err)
	}
	var batch []*domain.Incident
	for i := range int64(n) {
		batch = append(batch, e.incident(g.Row(i), "scalebench"))
	}
	if _, err := db.ImportIncidents(ctx, batch); err != nil {
		t.Fatal(err)
	}
	checkWindows(t, e, g, n, func(in *domain.Incident) int64 { return in.ID })
}

func checkWindows(t *testing.T, e *Env, g *Generator, n int64, id func(*domain.Incident) int64) {
	t.Helper()
	nonEmpty := 0
	for k, w := range g.Windows(60, 3) {
		f := domain.IncidentFilter{BBox: &w.BBox, Since: w.Since, Until: w.Until, PartyID: e.PartyIDs[w.Party], Limit: MapLimit}
		got, err := e.Store.Incidents(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		var gotIDs []int64
		for _, in := range got {
			gotIDs = append(gotIDs, id(in))
		}
		if wantIDs := want(g, n, w); !slices.Equal(gotIDs, wantIDs) {
			t.Fatalf("window %d %+v: got %d incidents %v…, want %d %v…", k, w, len(gotIDs), head(gotIDs), len(wantIDs), head(wantIDs))
		}
		if len(got) > 0 {
			nonEmpty++
		}
	}
	if nonEmpty < 30 {
		t.Errorf("only %d of 60 windows found incidents; the windows do not fall where the data is", nonEmpty)
	}
}

func head(ids []int64) []int64 { return ids[:min(5, len(ids))] }

// TestMapQueryPostgres loads rows by COPY into Truce's tables and the
// PostGIS baseline and checks that the store, the baseline and the obvious
// answer agree. It needs the postgis extension on the test server.
func TestMapQueryPostgres(t *testing.T) {
	base := os.Getenv(storetest.PostgresEnv)
	if base == "" {
		t.Skipf("%s is not set; skipping PostgreSQL", storetest.PostgresEnv)
	}
	ctx := context.Background()
	e, err := Open(ctx, base, "", false)
	if err != nil {
		t.Skipf("cannot set up the PostGIS baseline: %v", err)
	}
	t.Cleanup(func() { e.Close(context.Background(), true) })
	const n = 20_000
	g, err := NewGenerator(n, 11)
	if err != nil {
		t.Fatal(err)
	}
	for _, prefix := range []string{"", "pgis_"} {
		if _, err := e.Copy(ctx, g, prefix, 0, n, 3000, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Analyze(ctx); err != nil {
		t.Fatal(err)
	}
	checkWindows(t, e, g, n, func(in *domain.Incident) int64 { return in.ID })
	m, err := e.Map(ctx, g.Windows(60, 3))
	if err != nil {
		t.Fatal(err)
	}
	if m.Mismatch != 0 {
		t.Errorf("%d of 60 windows differ between the store and PostGIS", m.Mismatch)
	}
	// The store's own write path continues after the copied IDs.
	in := e.incident(g.Row(5), "after-copy")
	if err := e.Store.CreateIncident(ctx, in); err != nil {
		t.Fatal(err)
	}
	if in.ID <= n {
		t.Errorf("CreateIncident after the copy got ID %d, want > %d", in.ID, n)
	}
}
