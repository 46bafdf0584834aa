package importer_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/geo"
	"github.com/trucedesk/truce/internal/scenario"
)

// benchRows is the size of the generated ACLED file. The default keeps `go
// test -bench .` quick; BENCHMARKS.md's figures use a million:
//
//	go test ./internal/importer -run '^$' -bench Import -benchtime 1x -import.rows 1000000
var benchRows = flag.Int("import.rows", 20000, "rows in the generated ACLED file of BenchmarkImport")

// generateACLED writes n rows resampled from the ACLED fixture, each with
// its own event ID; every tenth row loses its coordinates, so the import
// geocodes it by place name as it would a real file's vaguer rows.
func generateACLED(tb testing.TB, n int) string {
	tb.Helper()
	f, err := os.Open(filepath.Join("..", "formats", "testdata", "acled_syria_synthetic.csv"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	head, rows := recs[0], recs[1:]
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	path := filepath.Join(tb.TempDir(), fmt.Sprintf("acled_%d.csv", n))
	out, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := csv.NewWriter(out)
	w.Write(head)
	rec := make([]string, len(head))
	for i := range n {
		copy(rec, rows[i%len(rows)])
		rec[col["event_id_cnty"]] = fmt.Sprintf("GEN%08d", i)
		if i%10 == 9 {
			rec[col["latitude"]], rec[col["longitude"]] = "", ""
		}
		w.Write(rec)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		tb.Fatal(err)
	}
	if err := out.Close(); err != nil {
		tb.Fatal(err)
	}
	return path
}

// BenchmarkImport imports the generated file into a fresh SQLite store
// (resolving actors, geocoding, filling admin units, logging every row in
// the ledger) in batches of importer.DefaultBatchSize, as `truce import`
// does; "read-only" runs the same reading, resolving and geocoding with a
// store that keeps nothing, the ceiling the writes leave room for; beside
// the floor: the sqlite3 shell's .import of the same CSV into a bare table,
// skipped when sqlite3 is not on PATH.
func BenchmarkImport(b *testing.B) {
	n := *benchRows
	path := generateACLED(b, n)
	b.Run("truce", func(b *testing.B) { benchImport(b, path, n, false) })
	b.Run("read-only", func(b *testing.B) { benchImport(b, path, n, true) })
	b.Run("sqlite3-cli", func(b *testing.B) {
		bin, err := exec.LookPath("sqlite3")
		if err != nil {
			b.Skip("sqlite3 is not on PATH")
		}
		for b.Loop() {
			b.StopTimer()
			db := filepath.Join(b.TempDir(), "bare.db")
			b.StartTimer()
			cmd := exec.Command(bin, db, ".mode csv", ".import "+path+" acled")
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("sqlite3: %v\n%s", err, out)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	})
}

// discard is an import store that keeps nothing and counts every row new.
type discard struct{}

func (discard) ImportIncidents(_ context.Context, batch []*domain.Incident) (domain.ImportCounts, error) {
	return domain.ImportCounts{Created: len(batch)}, nil
}

func (discard) PutUnmappedActors(context.Context, string, []domain.UnmappedActor) error { return nil }

func benchImport(b *testing.B, path string, n int, readOnly bool) {
	for b.Loop() {
		b.StopTimer()
		fx := newFixture(b, openSQLite)
		fx.im.BatchSize = 0 // the default, as the command runs
		if readOnly {
			fx.im.Store = discard{}
		}
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		rep, err := fx.im.Import(context.Background(), "acled", f, 0)
		if err != nil {
			b.Fatal(err)
		}
		f.Close()
		if rep.Accepted != n {
			b.Fatalf("accepted %d of %d rows: %v", rep.Accepted, n, rep.Errors)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkGeocode looks up every Airwars location name (English and
// Arabic) in the demo gazetteer, uncached.
func BenchmarkGeocode(b *testing.B) {
	sc, err := scenario.Load()
	if err != nil {
		b.Fatal(err)
	}
	ix, err := geo.NewAdminIndex(sc.Regions)
	if err != nil {
		b.Fatal(err)
	}
	g := geo.NewGeocoder(sc.Places, ix)
	recs, err := csv.NewReader(bytes.NewReader(sc.Airwars)).ReadAll()
	if err != nil {
		b.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	var names []string
	for _, r := range recs[1:] {
		for _, c := range []string{"location_en", "location_ar"} {
			if v := r[col[c]]; v != "" {
				names = append(names, v)
			}
		}
	}
	lookups := 0
	for b.Loop() {
		for _, n := range names {
			g.Geocode(n, geo.Hint{})
		}
		lookups += len(names)
	}
	b.ReportMetric(float64(lookups)/b.Elapsed().Seconds(), "lookups/s")
}
