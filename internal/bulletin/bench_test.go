package bulletin

import (
	"context"
	"database/sql"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/trucedesk/truce/internal/analysis"
	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/scenario"
	"github.com/trucedesk/truce/internal/stats"
	"github.com/trucedesk/truce/internal/store"
	"github.com/trucedesk/truce/internal/store/storetest"
)

// BenchmarkBulletinPostgres builds the bulletin of one day over a year of
// generated incidents on PostgreSQL, beside the plain SQL GROUP BY that
// counts the same days. The size is TRUCE_BENCH_INCIDENTS (default
// 100,000); the 10M run of docs/statistics.md is
//
//	TRUCE_TEST_POSTGRES=postgres://… TRUCE_BENCH_INCIDENTS=10000000 \
//	  go test ./internal/bulletin -run '^$' -bench BulletinPostgres -benchtime 5x -timeout 30m
func BenchmarkBulletinPostgres(b *testing.B) {
	n := 100_000
	if v := os.Getenv("TRUCE_BENCH_INCIDENTS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			b.Fatalf("TRUCE_BENCH_INCIDENTS=%q is not a count", v)
		}
	}
	ctx := context.Background()
	url := storetest.PostgresURL(b)
	db, err := store.Open(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	sc, err := scenario.Load()
	if err != nil {
		b.Fatal(err)
	}
	if err := db.CreateAgreement(ctx, sc.Agreement); err != nil {
		b.Fatal(err)
	}
	for _, p := range sc.Parties[:6] {
		if err := db.CreateParty(ctx, p); err != nil {
			b.Fatal(err)
		}
	}
	if err := db.PutRegions(ctx, sc.Regions[:14]); err != nil {
		b.Fatal(err)
	}
	raw, err := sql.Open("pgx", url)
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	start := time.Now()
	// A year of incidents, evenly spread, of four types in seven
	// governorates, each with one of the six parties as perpetrator.
	for _, q := range []string{
		`INSERT INTO incidents (event_type, sub_event_type, occurred_at, time_precision, geo_precision, admin1,
			lat, lon, fatalities_best, created_at, created_by, updated_at)
		SELECT 'Explosions/Remote violence',
			(ARRAY['Air/drone strike','Shelling/artillery/missile attack','Armed clash','Peaceful protest'])[1 + g % 4],
			TIMESTAMPTZ '2016-01-01 00:00:00+00' + (g * (366.0 * 86400 / $1)) * INTERVAL '1 second', 1, 1,
			(ARRAY['Aleppo','Idleb','Hama','Homs','Dar''a','Rural Damascus','Ar-Raqqa'])[1 + g % 7],
			33 + (g % 400) / 100.0, 36 + (g % 300) / 100.0, g % 3, now(), 'bench', now()
		FROM generate_series(1, $1) g`,
		`INSERT INTO incident_parties (incident_id, party_id, role, position)
		SELECT id, (SELECT min(id) FROM parties) + id % 6, 'perpetrator', 0 FROM incidents`,
		`ANALYZE`,
	} {
		var args []any
		if len(q) > 300 && q[:6] == "INSERT" && q[12:21] == "incidents" {
			args = []any{n}
		}
		if _, err := raw.ExecContext(ctx, q, args...); err != nil {
			b.Fatalf("generate: %v", err)
		}
	}
	b.Logf("generated %d incidents in %s", n, time.Since(start).Round(time.Millisecond))
	clock := func() time.Time { return time.Date(2017, 1, 2, 0, 0, 0, 0, time.UTC) }
	an, err := analysis.New(ctx, db, scenario.AgreementSlug, clock)
	if err != nil {
		b.Fatal(err)
	}
	day := stats.DayFromDate(2016, 6, 15)
	span := stats.Window{From: day - ChartDays + 1 - BaselineDays, To: day + 1}
	from, to := an.LocalRange(span)

	b.Run("bulletin", func(b *testing.B) {
		for b.Loop() {
			r, err := Build(ctx, an, day)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := PDF(r, Options{}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n), "incidents")
	})
	b.Run("daily-series-42d", func(b *testing.B) {
		for b.Loop() {
			if _, err := an.Daily(ctx, analysis.Query{Window: span, By: stats.KeyAdmin1}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("daily-series-stream-42d", func(b *testing.B) {
		// The alternative to grouping by hour in SQL: stream a row per
		// incident and bucket in Go.
		for b.Loop() {
			bk, _ := stats.NewBucketer(an.Loc, span, stats.KeyAdmin1)
			var e stats.Event
			err := db.IncidentEvents(ctx, domain.IncidentFilter{Since: from, Until: to}, func(ie *domain.IncidentEvent) error {
				e = stats.Event{At: ie.OccurredAt, Admin1: ie.Admin1, Weight: float64(ie.Fatalities)}
				bk.Add(&e)
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("sql-group-by-local-date-42d", func(b *testing.B) {
		// The equivalent GROUP BY in PostgreSQL alone, which has the zone's
		// rules (SQLite does not).
		for b.Loop() {
			rows, err := raw.QueryContext(ctx, `SELECT (occurred_at AT TIME ZONE 'Asia/Damascus')::date AS d, admin1,
				COUNT(*), SUM(fatalities_best) FROM incidents WHERE occurred_at >= $1 AND occurred_at < $2 GROUP BY 1, 2`, from, to)
			if err != nil {
				b.Fatal(err)
			}
			for rows.Next() {
			}
			rows.Close()
		}
	})
	b.Run("sql-group-by-local-date-all", func(b *testing.B) {
		for b.Loop() {
			rows, err := raw.QueryContext(ctx, `SELECT (occurred_at AT TIME ZONE 'Asia/Damascus')::date AS d, admin1,
				COUNT(*) FROM incidents GROUP BY 1, 2`)
			if err != nil {
				b.Fatal(err)
			}
			for rows.Next() {
			}
			rows.Close()
		}
	})
	b.Run("daily-series-all", func(b *testing.B) {
		all := stats.Window{From: stats.DayFromDate(2016, 1, 1), To: stats.DayFromDate(2017, 1, 2)}
		for b.Loop() {
			if _, err := an.Daily(ctx, analysis.Query{Window: all, By: stats.KeyAdmin1}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
