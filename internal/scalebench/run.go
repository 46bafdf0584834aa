package scalebench

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"time"
)

// Config says what to measure.
type Config struct {
	Rows    int64  // incidents to generate
	DB      string // PostgreSQL server URL
	Schema  string // schema to use; a fresh random one if empty
	Reuse   bool   // measure an existing, loaded Schema instead of loading
	Keep    bool   // keep the schema afterwards (for EXPLAIN, or a second run with Reuse)
	Seed    uint64
	Queries int    // map windows to run
	Days    int    // bulletin days to run
	Sample  int    // rows for the store's own write paths
	Truce   string // the truce binary for the intake benchmark; empty skips it
	Intake  time.Duration
	Clients int
	Log     io.Writer // progress; the tables go to Out
	Out     io.Writer
}

// Run loads the data (unless reusing a schema) and prints the four tables.
func Run(ctx context.Context, c Config) (err error) {
	logf := func(format string, args ...any) {
		fmt.Fprintf(c.Log, "%s  "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
	}
	g, err := NewGenerator(c.Rows, c.Seed)
	if err != nil {
		return err
	}
	env, err := Open(ctx, c.DB, c.Schema, c.Reuse)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := env.Close(context.Background(), !c.Keep); err == nil {
			err = cerr
		}
		if c.Keep {
			logf("kept schema %s", env.Schema)
		}
	}()
	logf("schema %s; %d Airwars events resampled; PostGIS in schema %s", env.Schema, g.Bases(), env.Postgis)

	have, err := env.Count(ctx)
	if err != nil {
		return err
	}
	var imports []ImportResult
	if have == 0 {
		chunk := min(c.Rows, 250_000)
		step := max(c.Rows/10, 1)
		next := step
		progress := func(name string) func(int64) {
			return func(done int64) {
				if done >= next || done == c.Rows {
					logf("%s: %d rows", name, done)
					next = done + step
				}
			}
		}
		took, err := env.Copy(ctx, g, "", 0, c.Rows, chunk, progress("truce"))
		if err != nil {
			return err
		}
		imports = append(imports, ImportResult{"Truce bulk COPY (benchmark loader, no ledger entries)", c.Rows, took, false})
		next = step
		took, err = env.Copy(ctx, g, "pgis_", 0, c.Rows, chunk, progress("postgis"))
		if err != nil {
			return err
		}
		imports = append(imports, ImportResult{"PostGIS table COPY (baseline)", c.Rows, took, false})
		logf("vacuum analyze")
		if err := env.Analyze(ctx); err != nil {
			return err
		}
	} else if have < c.Rows {
		return fmt.Errorf("schema %s holds %d incidents, fewer than --rows %d", env.Schema, have, c.Rows)
	} else {
		// Opening the store may have migrated the loaded tables; index-only
		// scans need the visibility map that autovacuum would set.
		logf("reusing %d loaded incidents; vacuum analyze", have)
		if err := env.Analyze(ctx); err != nil {
			return err
		}
	}
	var size string
	env.SQL.QueryRowContext(ctx, `SELECT pg_size_pretty(pg_total_relation_size('incidents') + pg_total_relation_size('incident_parties')) || ' / ' ||
		pg_size_pretty(pg_total_relation_size('pgis_incidents') + pg_total_relation_size('pgis_incident_parties'))`).Scan(&size)

	fmt.Fprintf(c.Out, "Scale benchmark: %s incidents resampled from %d Airwars events, 2012–2024, %d parties; "+
		"tables with indexes (Truce / PostGIS): %s; GOMAXPROCS %d.\n\n",
		thousands(float64(c.Rows)), g.Bases(), len(Parties), size, runtime.GOMAXPROCS(0))

	// 1. Map and list.
	logf("map: %d windows", c.Queries)
	windows := g.Windows(c.Queries, c.Seed+1)
	// One untimed pass warms both sides' caches equally.
	if _, err := env.Map(ctx, windows[:min(len(windows), 20)]); err != nil {
		return err
	}
	m, err := env.Map(ctx, windows)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.Out, "Map/list query: bbox + time window + party, first %d in ID order, %d random windows (mean %.0f rows returned; %d windows differed between the two).\n\n",
		MapLimit, m.Truce.N, m.Truce.Rows, m.Mismatch)
	Table(c.Out, []string{"query", "p50", "p99", "queries/s", "vs PostGIS (p99)"}, [][]string{
		{"Truce store `Incidents`", ms(m.Truce.P50), ms(m.Truce.P99), fmt.Sprintf("%.0f", m.Truce.PerSec), fmt.Sprintf("%.2f×", float64(m.Truce.P99)/float64(m.Postgis.P99))},
		{"PostGIS `geom && ST_MakeEnvelope`, GiST (baseline)", ms(m.Postgis.P50), ms(m.Postgis.P99), fmt.Sprintf("%.0f", m.Postgis.PerSec), "1.00×"},
	})
	if m.Mismatch > 0 {
		// PostGIS's && compares float4 boxes, so points on a window's edge
		// may fall either way; the tests check exact agreement on small data.
		logf("map: %d windows returned different incidents from Truce and PostGIS", m.Mismatch)
	}

	// 3. Bulletin (before the import samples add rows).
	logf("bulletin: %d days", c.Days)
	var brows [][]string
	for _, span := range []struct {
		name string
		d    time.Duration
	}{{"one day", 24 * time.Hour}, {"30 days", 30 * 24 * time.Hour}} {
		b, err := env.Bulletin(ctx, Days(c.Days, c.Seed+2), span.d)
		if err != nil {
			return err
		}
		brows = append(brows,
			[]string{"Truce `IncidentCounts` by admin1 + by perpetrator, " + span.name, ms(b.Truce.P50), ms(b.Truce.P99), fmt.Sprintf("%.2f×", float64(b.Truce.P99)/float64(b.Postgis.P99))},
			[]string{"PostgreSQL GROUP BY on the PostGIS table, " + span.name + " (baseline)", ms(b.Postgis.P50), ms(b.Postgis.P99), "1.00×"})
	}
	fmt.Fprintf(c.Out, "Bulletin: counts and deaths by governorate and by perpetrator, %d random days over the whole table.\n\n", c.Days)
	Table(c.Out, []string{"query", "p50", "p99", "vs baseline (p99)"}, brows)

	// 2. Import rate.
	logf("import samples: %d rows", c.Sample)
	r, err := env.CreateSample(ctx, g, c.Sample)
	if err != nil {
		return err
	}
	imports = append(imports, r)
	if r, err = env.ImportSample(ctx, g, c.Sample*5, 500); err != nil {
		return err
	}
	imports = append(imports, r)
	var irows [][]string
	for _, r := range imports {
		ledger := "no"
		if r.Ledger {
			ledger = "yes"
		}
		irows = append(irows, []string{r.Path, thousands(float64(r.Rows)), fmt.Sprintf("%.1f s", r.Took.Seconds()),
			thousands(float64(r.Rows) / r.Took.Seconds()), ledger})
	}
	fmt.Fprintf(c.Out, "Import rate (the bulk loads went into tables with their indexes in place; the samples into the loaded %s-row table).\n\n", thousands(float64(c.Rows)))
	Table(c.Out, []string{"path", "rows", "time", "rows/s", "ledger"}, irows)

	// 4. Intake on one and two instances.
	if c.Truce == "" {
		return nil
	}
	logf("intake: %d clients, %s per configuration", c.Clients, c.Intake)
	var rows [][]string
	for _, n := range []int{1, 2} {
		s, err := Intake(ctx, c.Truce, env.DSN, n, c.Clients, c.Intake, c.Log)
		if err != nil {
			return err
		}
		rows = append(rows, []string{fmt.Sprintf("%d instance(s), %d clients", n, c.Clients), thousands(s.PerSec), ms(s.P50), ms(s.P99), thousands(float64(s.N))})
	}
	fmt.Fprintf(c.Out, "Intake: real `truce serve` processes on this database, acknowledged messages (committed before the reply).\n\n")
	Table(c.Out, []string{"configuration", "msgs/s", "p50 ack", "p99 ack", "acknowledged"}, rows)
	return nil
}
