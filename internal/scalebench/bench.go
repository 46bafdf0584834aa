package scalebench

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/trucedesk/truce/internal/domain"
)

// Stats summarises the latencies of one benchmark line.
type Stats struct {
	N        int
	P50, P99 time.Duration
	PerSec   float64 // operations per second of wall time
	Rows     float64 // mean rows returned, where that means something
}

// summarise computes the percentiles of lat; wall is the elapsed time the
// operations took together.
func summarise(lat []time.Duration, wall time.Duration) Stats {
	if len(lat) == 0 {
		return Stats{}
	}
	s := slices.Clone(lat)
	slices.Sort(s)
	pct := func(p float64) time.Duration { return s[min(len(s)-1, int(p*float64(len(s))))] }
	return Stats{N: len(s), P50: pct(0.50), P99: pct(0.99), PerSec: float64(len(s)) / wall.Seconds()}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

// thousands formats n with comma separators, as the tables in BENCHMARKS.md do.
func thousands(n float64) string {
	s := fmt.Sprintf("%.0f", n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 && s[0] != '-' {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// Window is one map view: a box, a time window and a party, drawn around a
// generated incident so that it falls where the data is.
type Window struct {
	BBox         domain.BBox
	Since, Until time.Time
	Party        int // index into Parties
}

// Windows draws n map windows from the data: around a random incident, a
// box 0.2° to 1° across (a city to a governorate), a window of one week to
// one year and one of that incident's parties.
func (g *Generator) Windows(n int, seed uint64) []Window {
	rng := rand.New(rand.NewPCG(seed, 0x3a9))
	out := make([]Window, n)
	for k := range out {
		r := g.Row(rng.Int64N(g.N))
		half := 0.1 + 0.4*rng.Float64()
		days := 7 + rng.IntN(359)
		parties := append(slices.Clone(r.Perpetrators), r.Targets...)
		out[k] = Window{
			BBox:  domain.BBox{MinLon: r.Lon - half, MinLat: r.Lat - half, MaxLon: r.Lon + half, MaxLat: r.Lat + half},
			Since: r.OccurredAt.Add(-time.Duration(days) * 12 * time.Hour).Truncate(time.Hour),
			Party: parties[rng.IntN(len(parties))],
		}
		out[k].Until = out[k].Since.Add(time.Duration(days) * 24 * time.Hour)
	}
	return out
}

// MapLimit is the page the map and list ask for.
const MapLimit = 500

// baselineMap is the same query written for PostGIS: the envelope test
// that the GiST index serves, the time window and the party, first page in
// ID order, then the page's parties.
const baselineMap = `SELECT id, event_type, sub_event_type, occurred_at, time_precision, location, lat, lon,
	geo_precision, admin1, admin2, fatalities_best, fatalities_low, fatalities_high, fatalities_civilian,
	injured, grade, summary, origin, origin_id, created_at, created_by, updated_at, version
	FROM pgis_incidents
	WHERE geom && ST_MakeEnvelope($1, $2, $3, $4, 4326) AND occurred_at >= $5 AND occurred_at < $6
	AND id IN (SELECT incident_id FROM pgis_incident_parties WHERE party_id = $7)
	ORDER BY id + 0 LIMIT $8`

// MapResult holds both sides of the map benchmark.
type MapResult struct {
	Truce, Postgis Stats
	Mismatch       int // windows where the two returned different IDs
}

// Map runs every window through the store's Incidents and through PostGIS,
// alternating so both see the same cache and load, and checks that both
// return the same incidents.
func (e *Env) Map(ctx context.Context, windows []Window) (MapResult, error) {
	var res MapResult
	var lt, lp []time.Duration
	var wt, wp time.Duration
	var rows int
	for _, w := range windows {
		f := domain.IncidentFilter{BBox: &w.BBox, Since: w.Since, Until: w.Until, PartyID: e.PartyIDs[w.Party], Limit: MapLimit}
		t0 := time.Now()
		ins, err := e.Store.Incidents(ctx, f)
		d := time.Since(t0)
		if err != nil {
			return res, fmt.Errorf("truce map query: %w", err)
		}
		lt, wt = append(lt, d), wt+d
		rows += len(ins)

		t0 = time.Now()
		ids, err := e.baselineMap(ctx, w)
		d = time.Since(t0)
		if err != nil {
			return res, fmt.Errorf("postgis map query: %w", err)
		}
		lp, wp = append(lp, d), wp+d
		if len(ids) != len(ins) {
			res.Mismatch++
			continue
		}
		for i := range ids {
			if ids[i] != ins[i].ID {
				res.Mismatch++
				break
			}
		}
	}
	res.Truce, res.Postgis = summarise(lt, wt), summarise(lp, wp)
	res.Truce.Rows = float64(rows) / float64(len(windows))
	res.Postgis.Rows = res.Truce.Rows
	return res, nil
}

// baselineMap runs the PostGIS query and reads the page and its parties, as
// the store does, returning the IDs.
func (e *Env) baselineMap(ctx context.Context, w Window) ([]int64, error) {
	rows, err := e.SQL.QueryContext(ctx, baselineMap, w.BBox.MinLon, w.BBox.MinLat, w.BBox.MaxLon, w.BBox.MaxLat,
		w.Since, w.Until, e.PartyIDs[w.Party], MapLimit)
	if err != nil {
		return nil, err
	}
	var ids []int64
	vals := make([]any, 24)
	for i := range vals {
		vals[i] = new(any)
	}
	for rows.Next() {
		if err := rows.Scan(vals...); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, (*vals[0].(*any)).(int64))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return ids, nil
	}
	prow, err := e.SQL.QueryContext(ctx, `SELECT incident_id, party_id, role FROM pgis_incident_parties
		WHERE incident_id = ANY($1) ORDER BY incident_id, role, position`, ids)
	if err != nil {
		return nil, err
	}
	defer prow.Close()
	for prow.Next() {
		var iid, pid int64
		var role string
		if err := prow.Scan(&iid, &pid, &role); err != nil {
			return nil, err
		}
	}
	return ids, prow.Err()
}

// BulletinResult holds both sides of the bulletin benchmark.
type BulletinResult struct {
	Truce, Postgis Stats
	Groups         int // groups in the last day's answer, for the record
}

// baselineBulletin is a day's incidents and deaths by governorate and by
// perpetrator, as one would write them by hand.
const baselineBulletin = `SELECT admin1, sub_event_type, COUNT(*), COALESCE(SUM(fatalities_best), 0)
	FROM pgis_incidents WHERE occurred_at >= $1 AND occurred_at < $2 GROUP BY 1, 2;
`
const baselineBulletinParty = `SELECT COALESCE(p.slug, ''), i.sub_event_type, COUNT(*), COALESCE(SUM(i.fatalities_best), 0)
	FROM pgis_incidents i LEFT JOIN pgis_incident_parties ip ON ip.incident_id = i.id AND ip.role = 'perpetrator'
	LEFT JOIN parties p ON p.id = ip.party_id
	WHERE i.occurred_at >= $1 AND i.occurred_at < $2 GROUP BY 1, 2`

// Bulletin counts the incidents of each of days (and their deaths) by
// governorate and by perpetrator: through the store's IncidentCounts, the
// aggregate the bulletin and the analysis API are built on, and by hand in
// SQL on the baseline table.
func (e *Env) Bulletin(ctx context.Context, days []time.Time, span time.Duration) (BulletinResult, error) {
	var res BulletinResult
	var lt, lp []time.Duration
	var wt, wp time.Duration
	for _, day := range days {
		f := domain.IncidentFilter{Since: day, Until: day.Add(span)}
		t0 := time.Now()
		a, err := e.Store.IncidentCounts(ctx, f, "admin1", time.Hour)
		if err != nil {
			return res, err
		}
		b, err := e.Store.IncidentCounts(ctx, f, "perpetrator", time.Hour)
		if err != nil {
			return res, err
		}
		d := time.Since(t0)
		lt, wt = append(lt, d), wt+d
		res.Groups = len(a) + len(b)

		t0 = time.Now()
		for _, q := range []string{baselineBulletin, baselineBulletinParty} {
			rows, err := e.SQL.QueryContext(ctx, q, day, day.Add(span))
			if err != nil {
				return res, err
			}
			for rows.Next() {
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return res, err
			}
		}
		d = time.Since(t0)
		lp, wp = append(lp, d), wp+d
	}
	res.Truce, res.Postgis = summarise(lt, wt), summarise(lp, wp)
	return res, nil
}

// Days draws n days from the span, at midnight UTC.
func Days(n int, seed uint64) []time.Time {
	rng := rand.New(rand.NewPCG(seed, 0xda7))
	days := int64(SpanEnd.Sub(SpanStart) / (24 * time.Hour))
	out := make([]time.Time, n)
	for i := range out {
		out[i] = SpanStart.AddDate(0, 0, int(rng.Int64N(days-31)))
	}
	return out
}

// incident turns a generated row into a domain incident for the store's
// own write paths.
func (e *Env) incident(r Row, origin string) *domain.Incident {
	in := &domain.Incident{
		EventType: r.EventType, SubEventType: r.Sub, OccurredAt: r.OccurredAt, TimePrecision: domain.TimeDay,
		Location: r.Location, Point: &domain.Point{Lat: r.Lat, Lon: r.Lon}, GeoPrecision: domain.GeoExact,
		Admin1: r.Admin1, Admin2: r.Admin2, Fatalities: r.Fatalities, Injured: r.Injured, Grade: r.Grade,
		Summary: r.Summary, Origin: origin, OriginID: fmt.Sprint(r.ID), CreatedBy: "scalebench",
	}
	for _, p := range r.Perpetrators {
		in.Perpetrators = append(in.Perpetrators, e.PartyIDs[p])
	}
	for _, p := range r.Targets {
		in.Targets = append(in.Targets, e.PartyIDs[p])
	}
	return in
}

// ImportResult is one line of the import table.
type ImportResult struct {
	Path   string
	Rows   int64
	Took   time.Duration
	Ledger bool
}

// CreateSample stores n rows one by one through CreateIncident, the path
// of the desk's forms and API, with a ledger entry each.
func (e *Env) CreateSample(ctx context.Context, g *Generator, n int) (ImportResult, error) {
	start := time.Now()
	for i := range n {
		if err := e.Store.CreateIncident(ctx, e.incident(g.Row(int64(i)), "scalebench-create")); err != nil {
			return ImportResult{}, err
		}
	}
	return ImportResult{"Truce CreateIncident, one transaction each", int64(n), time.Since(start), true}, nil
}

// ImportSample stores n rows through ImportIncidents in batches of batch,
// the path `truce import` takes, logging every row in the ledger.
func (e *Env) ImportSample(ctx context.Context, g *Generator, n, batch int) (ImportResult, error) {
	start := time.Now()
	for lo := 0; lo < n; lo += batch {
		ins := make([]*domain.Incident, 0, batch)
		for i := lo; i < min(lo+batch, n); i++ {
			ins = append(ins, e.incident(g.Row(int64(i)), "scalebench-import"))
		}
		if _, err := e.Store.ImportIncidents(ctx, ins); err != nil {
			return ImportResult{}, err
		}
	}
	return ImportResult{fmt.Sprintf("Truce ImportIncidents, batches of %d", batch), int64(n), time.Since(start), true}, nil
}

// Table prints a markdown table.
func Table(w io.Writer, head []string, rows [][]string) {
	fmt.Fprintf(w, "| %s |\n|", strings.Join(head, " | "))
	for i := range head {
		if i == 0 {
			fmt.Fprint(w, "---|")
		} else {
			fmt.Fprint(w, "---:|")
		}
	}
	fmt.Fprintln(w)
	for _, r := range rows {
		fmt.Fprintf(w, "| %s |\n", strings.Join(r, " | "))
	}
	fmt.Fprintln(w)
}
