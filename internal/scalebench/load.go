package scalebench

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/store"
)

// Env is a schema of its own on the PostgreSQL server, holding Truce's
// tables (migrated by the store) and the PostGIS baseline tables beside
// them, so both are measured on the same server, disk and load.
type Env struct {
	Base   string // the server URL given
	Schema string
	DSN    string // Base with search_path set to Schema
	Store  *store.DB
	SQL    *sql.DB // the same schema, for the baseline and the raw COPY
	// PartyIDs maps an index of Parties to its stored ID.
	PartyIDs []int64
	// Postgis is the schema the postgis extension lives in.
	Postgis string
	created bool
}

// Open creates schema (a fresh random one if empty), migrates Truce's
// tables into it, stores the parties and creates the PostGIS extension and
// baseline tables. With reuse, an existing, already loaded schema is opened
// as it is.
func Open(ctx context.Context, base, schema string, reuse bool) (*Env, error) {
	if schema == "" {
		var b [4]byte
		rand.Read(b[:])
		schema = "truce_scale_" + hex.EncodeToString(b[:])
	}
	e := &Env{Base: base, Schema: schema}
	u, err := url.Parse(base)
	if err != nil {
		return nil, fmt.Errorf("database URL: %w", err)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return nil, err
	}
	defer admin.Close()
	var exists bool
	if err := admin.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)`, schema).Scan(&exists); err != nil {
		return nil, fmt.Errorf("reach PostgreSQL at %s: %w", u.Redacted(), err)
	}
	if exists && !reuse {
		return nil, fmt.Errorf("schema %s exists; pass --reuse to measure it as loaded, or drop it", schema)
	}
	if !exists {
		if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+pgx.Identifier{schema}.Sanitize()); err != nil {
			return nil, fmt.Errorf("create schema: %w", err)
		}
		e.created = true
	}
	// PostGIS is one extension per database: create it in this schema
	// unless another schema already has it, and then search there too.
	if _, err := admin.ExecContext(ctx, `CREATE EXTENSION IF NOT EXISTS postgis SCHEMA `+pgx.Identifier{schema}.Sanitize()); err != nil {
		e.Close(ctx, false)
		return nil, fmt.Errorf("create extension postgis (apt-get install postgresql-15-postgis-3): %w", err)
	}
	if err := admin.QueryRowContext(ctx, `SELECT n.nspname FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace
		WHERE x.extname = 'postgis'`).Scan(&e.Postgis); err != nil {
		e.Close(ctx, false)
		return nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	e.DSN = u.String()
	if e.Store, err = store.Open(ctx, e.DSN); err != nil {
		e.Close(ctx, false)
		return nil, err
	}
	path := schema
	if e.Postgis != schema {
		path += "," + e.Postgis
	}
	q.Set("search_path", path)
	u.RawQuery = q.Encode()
	if e.SQL, err = sql.Open("pgx", u.String()); err != nil {
		e.Close(ctx, false)
		return nil, err
	}
	e.SQL.SetMaxOpenConns(16)
	if err := e.parties(ctx); err != nil {
		e.Close(ctx, false)
		return nil, err
	}
	if _, err := e.SQL.ExecContext(ctx, baselineSchema); err != nil {
		e.Close(ctx, false)
		return nil, fmt.Errorf("baseline tables: %w", err)
	}
	return e, nil
}

// baselineSchema is the PostGIS table a GIS engineer would write for the
// same rows: the same columns, a geometry(Point, 4326) computed from them
// with a GiST index, a btree on time, and the same party table.
const baselineSchema = `
CREATE TABLE IF NOT EXISTS pgis_incidents (
    id                  BIGINT PRIMARY KEY,
    event_type          TEXT NOT NULL,
    sub_event_type      TEXT NOT NULL,
    occurred_at         TIMESTAMPTZ NOT NULL,
    time_precision      INTEGER NOT NULL,
    location            TEXT NOT NULL DEFAULT '',
    lat                 DOUBLE PRECISION,
    lon                 DOUBLE PRECISION,
    geom                geometry(Point, 4326) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED,
    geo_precision       INTEGER NOT NULL,
    admin1              TEXT NOT NULL DEFAULT '',
    admin2              TEXT NOT NULL DEFAULT '',
    fatalities_best     INTEGER NOT NULL DEFAULT 0,
    fatalities_low      INTEGER NOT NULL DEFAULT 0,
    fatalities_high     INTEGER NOT NULL DEFAULT 0,
    fatalities_civilian INTEGER NOT NULL DEFAULT 0,
    injured             INTEGER NOT NULL DEFAULT 0,
    grade               TEXT NOT NULL DEFAULT '',
    summary             TEXT NOT NULL DEFAULT '',
    origin              TEXT NOT NULL DEFAULT '',
    origin_id           TEXT NOT NULL DEFAULT '',
    created_at          TIMESTAMPTZ NOT NULL,
    created_by          TEXT NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL,
    version             INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS pgis_incidents_geom ON pgis_incidents USING gist (geom);
CREATE INDEX IF NOT EXISTS pgis_incidents_occurred ON pgis_incidents (occurred_at);
CREATE TABLE IF NOT EXISTS pgis_incident_parties (
    incident_id BIGINT NOT NULL REFERENCES pgis_incidents(id) ON DELETE CASCADE,
    party_id    BIGINT NOT NULL,
    role        TEXT NOT NULL,
    position    INTEGER NOT NULL,
    PRIMARY KEY (incident_id, role, position)
);
CREATE INDEX IF NOT EXISTS pgis_incident_parties_party ON pgis_incident_parties (party_id, incident_id);
`

// parties stores Parties through the store (so they are in the ledger like
// any party) or finds them when the schema is reused.
func (e *Env) parties(ctx context.Context) error {
	e.PartyIDs = make([]int64, len(Parties))
	for i, spec := range Parties {
		p, err := e.Store.PartyBySlug(ctx, spec.Slug)
		if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
			return err
		}
		if p == nil {
			p = &domain.Party{Slug: spec.Slug, Name: spec.Name, Kind: spec.Kind}
			if err := e.Store.CreateParty(ctx, p); err != nil {
				return fmt.Errorf("party %s: %w", spec.Slug, err)
			}
		}
		e.PartyIDs[i] = p.ID
	}
	return nil
}

// Close closes the connections and, if drop is set and Open created the
// schema, drops it with everything in it (the postgis extension too, when
// it was created there).
func (e *Env) Close(ctx context.Context, drop bool) error {
	if e.Store != nil {
		e.Store.Close()
	}
	if e.SQL != nil {
		e.SQL.Close()
	}
	if !drop || !e.created {
		return nil
	}
	admin, err := sql.Open("pgx", e.Base)
	if err != nil {
		return err
	}
	defer admin.Close()
	_, err = admin.ExecContext(ctx, `DROP SCHEMA `+pgx.Identifier{e.Schema}.Sanitize()+` CASCADE`)
	return err
}

// Count returns the number of incidents in Truce's table.
func (e *Env) Count(ctx context.Context) (int64, error) {
	var n int64
	err := e.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM incidents`).Scan(&n)
	return n, err
}

// incidentCols are the columns COPY fills, in Truce's table and the
// baseline's alike (the baseline computes geom from lon and lat).
var incidentCols = []string{"id", "event_type", "sub_event_type", "occurred_at", "time_precision", "location", "lat", "lon",
	"geo_precision", "admin1", "admin2", "fatalities_best", "fatalities_low", "fatalities_high", "fatalities_civilian",
	"injured", "grade", "summary", "origin", "origin_id", "created_at", "created_by", "updated_at", "version"}

// partyCols are the columns COPY fills in the baseline's party table;
// Truce's also takes the map index's copies of the incident's time, point
// and cell (migration 00009), which spares its trigger a lookup per row.
var (
	partyCols      = []string{"incident_id", "party_id", "role", "position"}
	trucePartyCols = append(partyCols[:len(partyCols):len(partyCols)], "occurred_at", "lat", "lon", "cell")
)

// Copy loads rows [from, to) of g into the incidents and incident parties
// of table prefix ("" for Truce's tables, "pgis_" for the baseline) by
// COPY, in transactions of chunk rows over two connections (the machine has
// two cores), and returns how long it took.
//
// For Truce's tables it is the benchmark's bulk path and bypasses the
// tamper-evident ledger: no ledger_entries are written for these rows, so
// `truce verify` would not vouch for them. A desk's own imports go through
// ImportIncidents, which logs every row.
func (e *Env) Copy(ctx context.Context, g *Generator, prefix string, from, to, chunk int64, progress func(int64)) (time.Duration, error) {
	const workers = 2
	now := time.Now().UTC().Truncate(time.Microsecond)
	start := time.Now()
	var mu sync.Mutex
	var done int64
	errc := make(chan error, workers)
	for w := range int64(workers) {
		go func() {
			errc <- e.copyChunks(ctx, g, prefix, now, from+w*chunk, to, chunk, workers*chunk, func(n int64) {
				mu.Lock()
				defer mu.Unlock()
				done += n
				if progress != nil {
					progress(done)
				}
			})
		}()
	}
	var err error
	for range workers {
		if e := <-errc; err == nil {
			err = e
		}
	}
	took := time.Since(start)
	if err != nil {
		return took, err
	}
	if prefix == "" {
		// The rows carry their own IDs; the store's next insert must not
		// collide with them.
		_, err = e.SQL.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('incidents', 'id'), (SELECT MAX(id) FROM incidents))`)
	}
	return took, err
}

// copyChunks copies the chunks starting at lo, lo+stride, … on one connection.
func (e *Env) copyChunks(ctx context.Context, g *Generator, prefix string, now time.Time, lo, to, chunk, stride int64, done func(int64)) error {
	conn, err := e.SQL.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		c := dc.(*stdlib.Conn).Conn()
		for ; lo < to; lo += stride {
			hi := min(lo+chunk, to)
			tx, err := c.Begin(ctx)
			if err != nil {
				return err
			}
			var parties [][]any
			i := lo
			_, err = tx.CopyFrom(ctx, pgx.Identifier{prefix + "incidents"}, incidentCols, pgx.CopyFromFunc(func() ([]any, error) {
				if i >= hi {
					return nil, nil
				}
				r := g.Row(i)
				i++
				row := func(p int, role string, pos int) []any {
					if prefix != "" {
						return []any{r.ID, e.PartyIDs[p], role, pos}
					}
					return []any{r.ID, e.PartyIDs[p], role, pos, r.OccurredAt, r.Lat, r.Lon, store.MapCell(r.Lat, r.Lon)}
				}
				for pos, p := range r.Perpetrators {
					parties = append(parties, row(p, "perpetrator", pos))
				}
				for pos, p := range r.Targets {
					parties = append(parties, row(p, "target", pos))
				}
				f := r.Fatalities
				return []any{r.ID, r.EventType, r.Sub, r.OccurredAt, int(domain.TimeDay), r.Location, r.Lat, r.Lon,
					int(domain.GeoExact), r.Admin1, r.Admin2, f.Best, f.Low, f.High, f.Civilian, r.Injured, string(r.Grade),
					r.Summary, "scalebench", fmt.Sprintf("%09d", r.ID), now, "scalebench", now, 1}, nil
			}))
			if err != nil {
				tx.Rollback(ctx)
				return fmt.Errorf("copy %sincidents: %w", prefix, err)
			}
			cols := trucePartyCols
			if prefix != "" {
				cols = partyCols
			}
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{prefix + "incident_parties"}, cols, pgx.CopyFromRows(parties)); err != nil {
				tx.Rollback(ctx)
				return fmt.Errorf("copy %sincident_parties: %w", prefix, err)
			}
			if err := tx.Commit(ctx); err != nil {
				return err
			}
			done(hi - lo)
		}
		return nil
	})
}

// Analyze refreshes the planner's statistics and the visibility map of
// every table measured, as autovacuum would after a load.
func (e *Env) Analyze(ctx context.Context) error {
	for _, t := range []string{"incidents", "incident_parties", "pgis_incidents", "pgis_incident_parties"} {
		if _, err := e.SQL.ExecContext(ctx, `VACUUM (ANALYZE) `+t); err != nil {
			return fmt.Errorf("vacuum %s: %w", t, err)
		}
	}
	return nil
}
