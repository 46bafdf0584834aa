package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/ledger"
)

const incidentColumns = `id, event_type, sub_event_type, occurred_at, time_precision, location, lat, lon,
	geo_precision, admin1, admin2, fatalities_best, fatalities_low, fatalities_high, fatalities_civilian,
	injured, grade, summary, origin, origin_id, created_at, created_by, updated_at, version`

func scanIncident(row interface{ Scan(...any) error }) (*domain.Incident, error) {
	var in domain.Incident
	var lat, lon sql.NullFloat64
	f := &in.Fatalities
	if err := row.Scan(&in.ID, &in.EventType, &in.SubEventType, ts{&in.OccurredAt}, &in.TimePrecision,
		&in.Location, &lat, &lon, &in.GeoPrecision, &in.Admin1, &in.Admin2, &f.Best, &f.Low, &f.High,
		&f.Civilian, &in.Injured, &in.Grade, &in.Summary, &in.Origin, &in.OriginID, ts{&in.CreatedAt},
		&in.CreatedBy, ts{&in.UpdatedAt}, &in.Version); err != nil {
		return nil, err
	}
	if lat.Valid && lon.Valid {
		in.Point = &domain.Point{Lat: lat.Float64, Lon: lon.Float64}
	}
	return &in, nil
}

func point(p *domain.Point) (lat, lon any) {
	if p == nil {
		return nil, nil
	}
	return p.Lat, p.Lon
}

// CreateIncident stores a new incident. An incident with an Origin that is
// already stored is updated in place instead, so re-importing a file neither
// duplicates nor loses rows.
func (db *DB) CreateIncident(ctx context.Context, in *domain.Incident) error {
	if err := in.Validate(); err != nil {
		return err
	}
	now := db.now()
	if in.CreatedAt.IsZero() {
		in.CreatedAt = now
	}
	in.CreatedAt, in.OccurredAt = utc(in.CreatedAt), utc(in.OccurredAt)
	in.UpdatedAt = now
	return db.inTx(ctx, func(tx *sql.Tx) error {
		lat, lon := point(in.Point)
		f := in.Fatalities
		err := tx.QueryRowContext(ctx, `INSERT INTO incidents (event_type, sub_event_type, occurred_at,
			time_precision, location, lat, lon, geo_precision, admin1, admin2, fatalities_best, fatalities_low,
			fatalities_high, fatalities_civilian, injured, grade, summary, origin, origin_id, created_at,
			created_by, updated_at, version)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, 1)
			ON CONFLICT (origin, origin_id) WHERE origin <> '' DO UPDATE SET
				event_type = excluded.event_type, sub_event_type = excluded.sub_event_type,
				occurred_at = excluded.occurred_at, time_precision = excluded.time_precision,
				location = excluded.location, lat = excluded.lat, lon = excluded.lon,
				geo_precision = excluded.geo_precision, admin1 = excluded.admin1, admin2 = excluded.admin2,
				fatalities_best = excluded.fatalities_best, fatalities_low = excluded.fatalities_low,
				fatalities_high = excluded.fatalities_high, fatalities_civilian = excluded.fatalities_civilian,
				injured = excluded.injured, grade = excluded.grade, summary = excluded.summary,
				updated_at = excluded.updated_at, version = incidents.version + 1
			RETURNING id, version, created_at`,
			in.EventType, in.SubEventType, db.d.t(in.OccurredAt), in.TimePrecision, in.Location, lat, lon,
			in.GeoPrecision, in.Admin1, in.Admin2, f.Best, f.Low, f.High, f.Civilian, in.Injured, in.Grade,
			in.Summary, in.Origin, in.OriginID, db.d.t(in.CreatedAt), in.CreatedBy, db.d.t(in.UpdatedAt),
		).Scan(&in.ID, &in.Version, ts{&in.CreatedAt})
		if err != nil {
			return fmt.Errorf("insert incident: %w", err)
		}
		if err := db.putIncidentParties(ctx, tx, in); err != nil {
			return err
		}
		if in.Version > 1 {
			// A re-import replaces the dataset's sources; sources a monitor
			// added (messages, media) stay.
			if _, err := tx.ExecContext(ctx, `DELETE FROM sources WHERE incident_id = $1 AND kind = $2`,
				in.ID, domain.SourceDataset); err != nil {
				return err
			}
		}
		rec, err := incidentRecord(in, now)
		if err != nil {
			return err
		}
		recs := []ledger.Record{rec}
		for i := range in.Sources {
			if err := db.addSource(ctx, tx, in.ID, &in.Sources[i]); err != nil {
				return err
			}
			rec, err := sourceRecord(in.ID, &in.Sources[i])
			if err != nil {
				return err
			}
			recs = append(recs, rec)
		}
		return db.logRecords(ctx, tx, recs...)
	})
}

func (db *DB) putIncidentParties(ctx context.Context, tx *sql.Tx, in *domain.Incident) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM incident_parties WHERE incident_id = $1`, in.ID); err != nil {
		return err
	}
	for role, ids := range map[string][]int64{"perpetrator": in.Perpetrators, "target": in.Targets} {
		for i, id := range ids {
			_, err := tx.ExecContext(ctx, `INSERT INTO incident_parties (incident_id, party_id, role, position)
				VALUES ($1, $2, $3, $4)`, in.ID, id, role, i)
			if err != nil {
				if isForeignKey(db.d.classify(err)) {
					return domain.FieldErrorf(role+"s", "party %d does not exist", id)
				}
				return fmt.Errorf("store %s: %w", role, err)
			}
		}
	}
	return nil
}

func (db *DB) addSource(ctx context.Context, tx *sql.Tx, incidentID int64, s *domain.Source) error {
	if s.AddedAt.IsZero() {
		s.AddedAt = db.now()
	}
	s.AddedAt = utc(s.AddedAt)
	err := tx.QueryRowContext(ctx, `INSERT INTO sources (incident_id, kind, message_id, url, publisher, note, added_at, added_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		incidentID, s.Kind, nullID(s.MessageID), s.URL, s.Publisher, s.Note, db.d.t(s.AddedAt), s.AddedBy).Scan(&s.ID)
	if err != nil {
		if isForeignKey(db.d.classify(err)) {
			return domain.FieldErrorf("sources", "source refers to a record that does not exist")
		}
		return fmt.Errorf("add source: %w", err)
	}
	return nil
}

// AddSource attaches a source to an incident.
func (db *DB) AddSource(ctx context.Context, incidentID int64, s *domain.Source) error {
	switch s.Kind {
	case domain.SourceMessage:
		if s.MessageID == 0 {
			return domain.FieldErrorf("message_id", "a message source needs the message")
		}
	case domain.SourceMedia, domain.SourceDataset:
		if s.URL == "" && s.Publisher == "" {
			return domain.FieldErrorf("url", "a media source needs a URL or a publisher")
		}
	default:
		return domain.FieldErrorf("kind", "unknown source kind %q", s.Kind)
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := db.incident(ctx, tx, incidentID); err != nil {
			return err
		}
		if err := db.addSource(ctx, tx, incidentID, s); err != nil {
			return err
		}
		rec, err := sourceRecord(incidentID, s)
		if err != nil {
			return err
		}
		return db.logRecords(ctx, tx, rec)
	})
}

// Incident returns an incident with its parties and sources.
func (db *DB) Incident(ctx context.Context, id int64) (*domain.Incident, error) {
	return db.incident(ctx, db.r, id)
}

func (db *DB) incident(ctx context.Context, q queryer, id int64) (*domain.Incident, error) {
	in, err := scanIncident(q.QueryRowContext(ctx, `SELECT `+incidentColumns+` FROM incidents WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.ENOTFOUND, "incident %d not found", id)
	} else if err != nil {
		return nil, db.d.classify(fmt.Errorf("read incident: %w", err))
	}
	if err := db.loadParties(ctx, q, []*domain.Incident{in}); err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT id, kind, COALESCE(message_id, 0), url, publisher, note, added_at, added_by
		FROM sources WHERE incident_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, db.d.classify(err)
	}
	defer rows.Close()
	for rows.Next() {
		var s domain.Source
		if err := rows.Scan(&s.ID, &s.Kind, &s.MessageID, &s.URL, &s.Publisher, &s.Note, ts{&s.AddedAt}, &s.AddedBy); err != nil {
			return nil, err
		}
		in.Sources = append(in.Sources, s)
	}
	return in, db.d.classify(rows.Err())
}

// loadParties fills perpetrators and targets for a page of incidents.
func (db *DB) loadParties(ctx context.Context, q queryer, ins []*domain.Incident) error {
	if len(ins) == 0 {
		return nil
	}
	byID := make(map[int64]*domain.Incident, len(ins))
	ph := make([]string, len(ins))
	args := make([]any, len(ins))
	for i, in := range ins {
		byID[in.ID] = in
		ph[i] = fmt.Sprintf("$%d", i+1)
		args[i] = in.ID
	}
	rows, err := q.QueryContext(ctx, `SELECT incident_id, party_id, role FROM incident_parties
		WHERE incident_id IN (`+strings.Join(ph, ",")+`) ORDER BY incident_id, role, position`, args...)
	if err != nil {
		return db.d.classify(fmt.Errorf("read incident parties: %w", err))
	}
	defer rows.Close()
	for rows.Next() {
		var iid, pid int64
		var role string
		if err := rows.Scan(&iid, &pid, &role); err != nil {
			return err
		}
		in := byID[iid]
		if role == "perpetrator" {
			in.Perpetrators = append(in.Perpetrators, pid)
		} else {
			in.Targets = append(in.Targets, pid)
		}
	}
	return db.d.classify(rows.Err())
}

// incidentWhere builds the WHERE clause of f; published is what
// publishedSpans read for it (used only when f.PublishedOnly).
func (db *DB) incidentWhere(f domain.IncidentFilter, published []span) (string, []any) {
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if f.PublishedOnly {
		where = append(where, db.publishedWhere(published, arg))
	}
	if !f.Since.IsZero() {
		where = append(where, "occurred_at >= "+arg(db.d.t(f.Since)))
	}
	if !f.Until.IsZero() {
		where = append(where, "occurred_at < "+arg(db.d.t(f.Until)))
	}
	if f.BBox != nil {
		where = append(where, fmt.Sprintf("lon >= %s AND lon <= %s AND lat >= %s AND lat <= %s",
			arg(f.BBox.MinLon), arg(f.BBox.MaxLon), arg(f.BBox.MinLat), arg(f.BBox.MaxLat)))
	}
	if f.PartyID != 0 {
		where = append(where, "id IN (SELECT incident_id FROM incident_parties WHERE party_id = "+arg(f.PartyID)+")")
	}
	if f.SubEventType != "" {
		where = append(where, "sub_event_type = "+arg(f.SubEventType))
	}
	if f.Grade != "" {
		where = append(where, "grade = "+arg(f.Grade))
	}
	if f.Admin1 != "" {
		where = append(where, "admin1 = "+arg(f.Admin1))
	}
	if f.Origin != "" {
		where = append(where, "origin = "+arg(f.Origin))
	}
	if f.AfterID != 0 {
		where = append(where, "id > "+arg(f.AfterID))
	}
	if len(where) == 0 {
		return "", args
	}
	return " WHERE " + strings.Join(where, " AND "), args
}

// Incidents lists incidents in ID order, with their parties but not sources.
func (db *DB) Incidents(ctx context.Context, f domain.IncidentFilter) ([]*domain.Incident, error) {
	published, err := db.publishedSpans(ctx, f)
	if err != nil {
		return nil, err
	}
	query, args, ok := db.mapQuery(f)
	if !ok {
		query, args = db.incidentsQuery(f, published)
	}
	rows, err := db.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, db.d.classify(fmt.Errorf("list incidents: %w", err))
	}
	var out []*domain.Incident
	for rows.Next() {
		in, err := scanIncident(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, in)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, db.d.classify(err)
	}
	return out, db.loadParties(ctx, db.r, out)
}

// incidentsQuery is the general form of Incidents' query.
func (db *DB) incidentsQuery(f domain.IncidentFilter, published []span) (string, []any) {
	where, args := db.incidentWhere(f, published)
	args = append(args, limit(f.Limit))
	// A time window is the map's query. IDs follow time on a desk (incidents
	// are recorded as they happen), which the planners cannot know: they
	// would walk the primary key in order, expecting matches to be spread
	// evenly, and at ten million rows first pass every incident before the
	// window. Ordering by an expression keeps them on the time index
	// (BENCHMARKS.md, "Scale"); the order is the same.
	order := "id"
	if !f.Since.IsZero() || !f.Until.IsZero() {
		order = "id + 0"
	}
	return `SELECT ` + incidentColumns + ` FROM incidents` + where +
		fmt.Sprintf(" ORDER BY %s LIMIT $%d", order, len(args)), args
}

// CountIncidents counts the incidents a filter selects, ignoring its page.
func (db *DB) CountIncidents(ctx context.Context, f domain.IncidentFilter) (int, error) {
	f.AfterID = 0
	published, err := db.publishedSpans(ctx, f)
	if err != nil {
		return 0, err
	}
	where, args := db.incidentWhere(f, published)
	var n int
	err = db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM incidents`+where, args...).Scan(&n)
	return n, db.d.classify(err)
}

// UpdateIncident replaces an incident's fields and parties if the version it
// carries is current; sources are added with AddSource, never replaced.
func (db *DB) UpdateIncident(ctx context.Context, in *domain.Incident) error {
	if err := in.Validate(); err != nil {
		return err
	}
	in.UpdatedAt = db.now()
	in.OccurredAt, in.CreatedAt = utc(in.OccurredAt), utc(in.CreatedAt)
	return db.inTx(ctx, func(tx *sql.Tx) error {
		lat, lon := point(in.Point)
		f := in.Fatalities
		res, err := tx.ExecContext(ctx, `UPDATE incidents SET event_type = $1, sub_event_type = $2,
			occurred_at = $3, time_precision = $4, location = $5, lat = $6, lon = $7, geo_precision = $8,
			admin1 = $9, admin2 = $10, fatalities_best = $11, fatalities_low = $12, fatalities_high = $13,
			fatalities_civilian = $14, injured = $15, grade = $16, summary = $17, updated_at = $18,
			version = version + 1
			WHERE id = $19 AND version = $20`,
			in.EventType, in.SubEventType, db.d.t(in.OccurredAt), in.TimePrecision, in.Location, lat, lon,
			in.GeoPrecision, in.Admin1, in.Admin2, f.Best, f.Low, f.High, f.Civilian, in.Injured, in.Grade,
			in.Summary, db.d.t(in.UpdatedAt), in.ID, in.Version)
		if err != nil {
			return fmt.Errorf("update incident: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			cur, err := db.incident(ctx, tx, in.ID)
			if err != nil {
				return err
			}
			return domain.Errorf(domain.ECONFLICT, "incident %d changed since you read it (version %d, you had %d)", in.ID, cur.Version, in.Version)
		}
		in.Version++
		if err := db.putIncidentParties(ctx, tx, in); err != nil {
			return err
		}
		rec, err := incidentRecord(in, in.UpdatedAt)
		if err != nil {
			return err
		}
		return db.logRecords(ctx, tx, rec)
	})
}
