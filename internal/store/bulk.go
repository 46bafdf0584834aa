package store

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/ledger"
)

// ImportIncidents stores a batch of dataset incidents in one transaction, so
// a batch is all there or not at all. An origin ID not yet stored is
// inserted; a stored one is updated only if the row changed, and then keeps
// the grade a monitor gave it and every source it had (a source is never
// deleted: the ledger would report it missing). Each write is logged in the
// ledger in the same transaction.
//
// It is the fast path of the importer: the batch's new incidents, their
// parties and their sources go in many-row statements, and the ledger is
// appended once, where CreateIncident pays a statement per row and a ledger
// append per incident.
func (db *DB) ImportIncidents(ctx context.Context, batch []*domain.Incident) (domain.ImportCounts, error) {
	var counts domain.ImportCounts
	for i, in := range batch {
		if in.Origin == "" {
			return counts, domain.FieldErrorf("origin", "incident %d of the batch has no origin; imports need one", i+1)
		}
		if err := in.Validate(); err != nil {
			return counts, fmt.Errorf("incident %s %s: %w", in.Origin, in.OriginID, err)
		}
	}
	if len(batch) == 0 {
		return counts, nil
	}
	now := db.now()
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		counts = domain.ImportCounts{}
		stored, err := db.storedOrigins(ctx, tx, batch)
		if err != nil {
			return err
		}
		im := &importTx{db: db, tx: tx, now: now, counts: &counts, recs: make([]ledger.Record, 0, 2*len(batch))}
		// Runs of new incidents go in together; a row already stored, or
		// repeated within the batch, is handled on its own in its place, so
		// the ledger logs the batch in file order.
		var run []*domain.Incident
		seen := make(map[originKey]bool, len(batch))
		for _, in := range batch {
			in.OccurredAt = utc(in.OccurredAt)
			if in.CreatedAt.IsZero() {
				in.CreatedAt = now
			}
			in.CreatedAt, in.UpdatedAt, in.Version = utc(in.CreatedAt), now, 1
			k := originKey{in.Origin, in.OriginID}
			if !stored[k] && !seen[k] {
				seen[k] = true
				run = append(run, in)
				continue
			}
			if err := im.insert(ctx, run); err != nil {
				return err
			}
			run = run[:0]
			if err := im.update(ctx, in); err != nil {
				return err
			}
		}
		if err := im.insert(ctx, run); err != nil {
			return err
		}
		return db.logRecords(ctx, tx, im.recs...)
	})
	return counts, err
}

type originKey struct{ origin, id string }

// storedOrigins reports which of the batch's origin IDs are already stored.
func (db *DB) storedOrigins(ctx context.Context, tx *sql.Tx, batch []*domain.Incident) (map[originKey]bool, error) {
	stored := map[originKey]bool{}
	byOrigin := map[string][]any{}
	for _, in := range batch {
		byOrigin[in.Origin] = append(byOrigin[in.Origin], in.OriginID)
	}
	for origin, ids := range byOrigin {
		for part := range slices.Chunk(ids, rowsPerStatement(1)) {
			var q strings.Builder
			// "origin <> ''" lets the planners use the partial unique index:
			// they cannot prove it from a bound parameter.
			q.WriteString(`SELECT origin_id FROM incidents WHERE origin <> '' AND origin = ` + db.d.ph(1) + ` AND origin_id IN (`)
			for i := range part {
				if i > 0 {
					q.WriteString(", ")
				}
				q.WriteString(db.d.ph(i + 2))
			}
			q.WriteByte(')')
			rows, err := tx.QueryContext(ctx, q.String(), append([]any{origin}, part...)...)
			if err != nil {
				return nil, fmt.Errorf("find stored incidents: %w", err)
			}
			for rows.Next() {
				var id string
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return nil, err
				}
				stored[originKey{origin, id}] = true
			}
			if err := rows.Close(); err != nil {
				return nil, err
			}
		}
	}
	return stored, nil
}

// importTx is one batch's import transaction: what it has counted and the
// ledger records it has yet to append.
type importTx struct {
	db     *DB
	tx     *sql.Tx
	now    time.Time
	counts *domain.ImportCounts
	recs   []ledger.Record
}

const incidentInsertColumns = `event_type, sub_event_type, occurred_at, time_precision, location, lat, lon,
	geo_precision, admin1, admin2, fatalities_best, fatalities_low, fatalities_high, fatalities_civilian,
	injured, grade, summary, origin, origin_id, created_at, created_by, updated_at, version`

// insert stores incidents whose origin IDs were not stored when the batch
// began, with their parties and sources.
func (im *importTx) insert(ctx context.Context, run []*domain.Incident) error {
	const width = 23
	for part := range slices.Chunk(run, rowsPerStatement(width)) {
		var q strings.Builder
		q.WriteString(`INSERT INTO incidents (` + incidentInsertColumns + `) VALUES `)
		valuesList(im.db.d, &q, len(part), width)
		// Another instance may have imported the same row since the batch
		// looked: that row is skipped here and updated below instead.
		q.WriteString(` ON CONFLICT (origin, origin_id) WHERE origin <> '' DO NOTHING RETURNING id, origin, origin_id`)
		args := make([]any, 0, width*len(part))
		for _, in := range part {
			lat, lon := point(in.Point)
			f := in.Fatalities
			args = append(args, in.EventType, in.SubEventType, im.db.d.t(in.OccurredAt), in.TimePrecision,
				in.Location, lat, lon, in.GeoPrecision, in.Admin1, in.Admin2, f.Best, f.Low, f.High, f.Civilian,
				in.Injured, in.Grade, in.Summary, in.Origin, in.OriginID, im.db.d.t(in.CreatedAt), in.CreatedBy,
				im.db.d.t(in.UpdatedAt), 1)
		}
		ids := make(map[originKey]int64, len(part))
		if err := queryEach(ctx, im.tx, q.String(), args, func(rows *sql.Rows) error {
			var id int64
			var k originKey
			if err := rows.Scan(&id, &k.origin, &k.id); err != nil {
				return err
			}
			ids[k] = id
			return nil
		}); err != nil {
			return fmt.Errorf("import incidents: %w", err)
		}
		var created []*domain.Incident
		for _, in := range part {
			id, ok := ids[originKey{in.Origin, in.OriginID}]
			if !ok {
				if err := im.update(ctx, in); err != nil {
					return err
				}
				continue
			}
			in.ID = id
			created = append(created, in)
		}
		if err := im.insertParties(ctx, created); err != nil {
			return err
		}
		for _, in := range created {
			im.counts.Created++
			rec, err := incidentRecord(in, im.now)
			if err != nil {
				return err
			}
			im.recs = append(im.recs, rec)
		}
		if err := im.insertSources(ctx, created); err != nil {
			return err
		}
	}
	return nil
}

// insertParties stores the parties of new incidents with the copies of
// their incident's time, point and map cell that the map index reads
// (migration 00009), which the triggers would otherwise fill row by row.
func (im *importTx) insertParties(ctx context.Context, created []*domain.Incident) error {
	var args []any
	for _, in := range created {
		lat, lon := point(in.Point)
		var cell any
		if in.Point != nil {
			cell = cellOf(in.Point.Lat, in.Point.Lon)
		}
		at := im.db.d.t(in.OccurredAt)
		for i, id := range in.Perpetrators {
			args = append(args, in.ID, id, "perpetrator", i, at, lat, lon, cell)
		}
		for i, id := range in.Targets {
			args = append(args, in.ID, id, "target", i, at, lat, lon, cell)
		}
	}
	if err := im.checkParties(ctx, created); err != nil {
		return err
	}
	const width = 8
	for part := range slices.Chunk(args, width*rowsPerStatement(width)) {
		var q strings.Builder
		q.WriteString(`INSERT INTO incident_parties (incident_id, party_id, role, position, occurred_at, lat, lon, cell) VALUES `)
		valuesList(im.db.d, &q, len(part)/width, width)
		if _, err := im.tx.ExecContext(ctx, q.String(), part...); err != nil {
			return fmt.Errorf("import parties: %w", err)
		}
	}
	return nil
}

// checkParties names a party the incidents refer to that does not exist.
// It asks first: a failed insert would abort a PostgreSQL transaction
// before anything could say which party was missing.
func (im *importTx) checkParties(ctx context.Context, incidents []*domain.Incident) error {
	role := map[int64]string{}
	for _, in := range incidents {
		for _, id := range in.Targets {
			role[id] = "targets"
		}
		for _, id := range in.Perpetrators {
			role[id] = "perpetrators"
		}
	}
	for ids := range slices.Chunk(slices.Sorted(maps.Keys(role)), rowsPerStatement(1)) {
		var q strings.Builder
		q.WriteString(`SELECT id FROM parties WHERE id IN (`)
		args := make([]any, len(ids))
		for i, id := range ids {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString(im.db.d.ph(i + 1))
			args[i] = id
		}
		q.WriteByte(')')
		if err := queryEach(ctx, im.tx, q.String(), args, func(rows *sql.Rows) error {
			var id int64
			err := rows.Scan(&id)
			delete(role, id)
			return err
		}); err != nil {
			return fmt.Errorf("check parties: %w", err)
		}
	}
	if len(role) > 0 {
		id := slices.Min(slices.Collect(maps.Keys(role)))
		return domain.FieldErrorf(role[id], "party %d does not exist", id)
	}
	return nil
}

// insertSources stores the sources in.Sources of each incident and logs
// them. The stored rows come back with their IDs and are matched to the
// sources they store by content, which does not rely on either engine
// returning rows in the order they were given.
func (im *importTx) insertSources(ctx context.Context, incidents []*domain.Incident) error {
	type pending struct {
		in *domain.Incident
		s  *domain.Source
	}
	var all []pending
	for _, in := range incidents {
		for i := range in.Sources {
			s := &in.Sources[i]
			if s.AddedAt.IsZero() {
				s.AddedAt = im.now
			}
			s.AddedAt = utc(s.AddedAt)
			if s.AddedBy == "" {
				s.AddedBy = in.CreatedBy
			}
			all = append(all, pending{in, s})
		}
	}
	const width = 8
	for part := range slices.Chunk(all, rowsPerStatement(width)) {
		var q strings.Builder
		q.WriteString(`INSERT INTO sources (incident_id, kind, message_id, url, publisher, note, added_at, added_by) VALUES `)
		valuesList(im.db.d, &q, len(part), width)
		q.WriteString(` RETURNING id, incident_id, kind, COALESCE(message_id, 0), url, publisher, note`)
		args := make([]any, 0, width*len(part))
		for _, p := range part {
			s := p.s
			args = append(args, p.in.ID, s.Kind, nullID(s.MessageID), s.URL, s.Publisher, s.Note, im.db.d.t(s.AddedAt), s.AddedBy)
		}
		// The stored rows by incident: an incident has few sources, so
		// matching within its own is short whatever the batch's size.
		got := make(map[int64][]domain.Source, len(part))
		if err := queryEach(ctx, im.tx, q.String(), args, func(rows *sql.Rows) error {
			var s domain.Source
			var incident int64
			if err := rows.Scan(&s.ID, &incident, &s.Kind, &s.MessageID, &s.URL, &s.Publisher, &s.Note); err != nil {
				return err
			}
			got[incident] = append(got[incident], s)
			return nil
		}); err != nil {
			return fmt.Errorf("import sources: %w", err)
		}
		for _, p := range part {
			mine := got[p.in.ID]
			i := slices.IndexFunc(mine, func(s domain.Source) bool { return sameSource(s, *p.s) })
			if i < 0 {
				return fmt.Errorf("import sources: source of incident %d not returned", p.in.ID)
			}
			p.s.ID = mine[i].ID
			got[p.in.ID] = slices.Delete(mine, i, i+1)
			rec, err := sourceRecord(p.in.ID, p.s)
			if err != nil {
				return err
			}
			im.recs = append(im.recs, rec)
		}
	}
	return nil
}

// update handles an incident whose origin ID is already stored: the row is
// updated if the dataset changed it, and sources it did not have are added.
func (im *importTx) update(ctx context.Context, in *domain.Incident) error {
	rowChanged, err := im.db.reimport(ctx, im.tx, in)
	if err != nil {
		return err
	}
	if !rowChanged && len(in.Sources) == 0 {
		im.counts.Unchanged++
		return nil
	}
	im.counts.Updated++
	if rowChanged {
		rec, err := incidentRecord(in, im.now)
		if err != nil {
			return err
		}
		im.recs = append(im.recs, rec)
	}
	return im.insertSources(ctx, []*domain.Incident{in})
}

// queryEach runs a query in tx and calls fn for each row.
func queryEach(ctx context.Context, tx *sql.Tx, q string, args []any, fn func(*sql.Rows) error) error {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// reimport handles an incident whose origin ID is already stored. It reports
// whether it updated the stored row; on return in carries the stored ID,
// version and creation, and in.Sources only the sources still to be added.
func (db *DB) reimport(ctx context.Context, tx *sql.Tx, in *domain.Incident) (bool, error) {
	var id int64
	if err := tx.QueryRowContext(ctx, `SELECT id FROM incidents WHERE origin <> '' AND origin = $1 AND origin_id = $2`,
		in.Origin, in.OriginID).Scan(&id); err != nil {
		return false, fmt.Errorf("find incident %s %s: %w", in.Origin, in.OriginID, err)
	}
	cur, err := db.incident(ctx, tx, id)
	if err != nil {
		return false, err
	}
	var graded int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM grade_changes WHERE incident_id = $1`, id).Scan(&graded); err != nil {
		return false, fmt.Errorf("read grade changes: %w", err)
	}
	if graded > 0 {
		in.Grade = cur.Grade // a monitor's grade outranks the dataset's
	}
	in.ID, in.CreatedAt, in.CreatedBy, in.Version = cur.ID, cur.CreatedAt, cur.CreatedBy, cur.Version
	var missing []domain.Source
	for _, s := range in.Sources {
		if !slices.ContainsFunc(cur.Sources, func(c domain.Source) bool { return sameSource(c, s) }) &&
			!slices.ContainsFunc(missing, func(c domain.Source) bool { return sameSource(c, s) }) {
			missing = append(missing, s)
		}
	}
	in.Sources = missing
	if sameIncident(cur, in) {
		in.UpdatedAt = cur.UpdatedAt
		return false, nil
	}
	lat, lon := point(in.Point)
	f := in.Fatalities
	if _, err := tx.ExecContext(ctx, `UPDATE incidents SET event_type = $1, sub_event_type = $2,
		occurred_at = $3, time_precision = $4, location = $5, lat = $6, lon = $7, geo_precision = $8,
		admin1 = $9, admin2 = $10, fatalities_best = $11, fatalities_low = $12, fatalities_high = $13,
		fatalities_civilian = $14, injured = $15, grade = $16, summary = $17, updated_at = $18,
		version = version + 1 WHERE id = $19`,
		in.EventType, in.SubEventType, db.d.t(in.OccurredAt), in.TimePrecision, in.Location, lat, lon,
		in.GeoPrecision, in.Admin1, in.Admin2, f.Best, f.Low, f.High, f.Civilian, in.Injured, in.Grade,
		in.Summary, db.d.t(in.UpdatedAt), in.ID); err != nil {
		return false, fmt.Errorf("update incident %d: %w", in.ID, err)
	}
	in.Version++
	return true, db.putIncidentParties(ctx, tx, in)
}

// sameIncident compares what a dataset row sets.
func sameIncident(a, b *domain.Incident) bool {
	samePoint := (a.Point == nil) == (b.Point == nil) && (a.Point == nil || *a.Point == *b.Point)
	return a.EventType == b.EventType && a.SubEventType == b.SubEventType && a.OccurredAt.Equal(b.OccurredAt) &&
		a.TimePrecision == b.TimePrecision && a.Location == b.Location && samePoint &&
		a.GeoPrecision == b.GeoPrecision && a.Admin1 == b.Admin1 && a.Admin2 == b.Admin2 &&
		slices.Equal(a.Perpetrators, b.Perpetrators) && slices.Equal(a.Targets, b.Targets) &&
		a.Fatalities == b.Fatalities && a.Injured == b.Injured && a.Grade == b.Grade && a.Summary == b.Summary
}

func sameSource(a, b domain.Source) bool {
	return a.Kind == b.Kind && a.MessageID == b.MessageID && a.URL == b.URL && a.Publisher == b.Publisher && a.Note == b.Note
}
