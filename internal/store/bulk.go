package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

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
// It is the fast path of the importer: statements are prepared once per
// batch and the ledger is appended once, where CreateIncident pays both per
// incident.
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
		ins, err := tx.PrepareContext(ctx, `INSERT INTO incidents (event_type, sub_event_type, occurred_at,
			time_precision, location, lat, lon, geo_precision, admin1, admin2, fatalities_best, fatalities_low,
			fatalities_high, fatalities_civilian, injured, grade, summary, origin, origin_id, created_at,
			created_by, updated_at, version)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, 1)
			ON CONFLICT (origin, origin_id) WHERE origin <> '' DO NOTHING
			RETURNING id`)
		if err != nil {
			return fmt.Errorf("prepare import: %w", err)
		}
		defer ins.Close()
		party, err := tx.PrepareContext(ctx, `INSERT INTO incident_parties (incident_id, party_id, role, position)
			VALUES ($1, $2, $3, $4)`)
		if err != nil {
			return fmt.Errorf("prepare import: %w", err)
		}
		defer party.Close()
		src, err := tx.PrepareContext(ctx, `INSERT INTO sources (incident_id, kind, message_id, url, publisher, note, added_at, added_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`)
		if err != nil {
			return fmt.Errorf("prepare import: %w", err)
		}
		defer src.Close()

		recs := make([]ledger.Record, 0, 2*len(batch))
		for _, in := range batch {
			in.OccurredAt = utc(in.OccurredAt)
			if in.CreatedAt.IsZero() {
				in.CreatedAt = now
			}
			in.CreatedAt, in.UpdatedAt, in.Version = utc(in.CreatedAt), now, 1
			lat, lon := point(in.Point)
			f := in.Fatalities
			err := ins.QueryRowContext(ctx, in.EventType, in.SubEventType, db.d.t(in.OccurredAt), in.TimePrecision,
				in.Location, lat, lon, in.GeoPrecision, in.Admin1, in.Admin2, f.Best, f.Low, f.High, f.Civilian,
				in.Injured, in.Grade, in.Summary, in.Origin, in.OriginID, db.d.t(in.CreatedAt), in.CreatedBy,
				db.d.t(in.UpdatedAt)).Scan(&in.ID)
			var newSources []domain.Source
			logIncident := true
			switch {
			case errors.Is(err, sql.ErrNoRows):
				rowChanged, err := db.reimport(ctx, tx, in)
				if err != nil {
					return err
				}
				if !rowChanged && len(in.Sources) == 0 {
					counts.Unchanged++
					continue
				}
				counts.Updated++
				logIncident = rowChanged
				newSources = in.Sources
				in.Sources = nil
			case err != nil:
				return fmt.Errorf("import incident %s %s: %w", in.Origin, in.OriginID, err)
			default:
				counts.Created++
				for role, ids := range map[string][]int64{"perpetrator": in.Perpetrators, "target": in.Targets} {
					for i, id := range ids {
						if _, err := party.ExecContext(ctx, in.ID, id, role, i); err != nil {
							if isForeignKey(db.d.classify(err)) {
								return domain.FieldErrorf(role+"s", "party %d does not exist", id)
							}
							return fmt.Errorf("import %s: %w", role, err)
						}
					}
				}
				newSources = in.Sources
			}
			if logIncident {
				rec, err := incidentRecord(in, now)
				if err != nil {
					return err
				}
				recs = append(recs, rec)
			}
			for i := range newSources {
				s := &newSources[i]
				if s.AddedAt.IsZero() {
					s.AddedAt = now
				}
				s.AddedAt = utc(s.AddedAt)
				if s.AddedBy == "" {
					s.AddedBy = in.CreatedBy
				}
				if err := src.QueryRowContext(ctx, in.ID, s.Kind, nullID(s.MessageID), s.URL, s.Publisher, s.Note,
					db.d.t(s.AddedAt), s.AddedBy).Scan(&s.ID); err != nil {
					return fmt.Errorf("import source: %w", err)
				}
				rec, err := sourceRecord(in.ID, s)
				if err != nil {
					return err
				}
				recs = append(recs, rec)
			}
			if in.Sources == nil {
				in.Sources = newSources
			}
		}
		return db.logRecords(ctx, tx, recs...)
	})
	return counts, err
}

// reimport handles an incident whose origin ID is already stored. It reports
// whether it updated the stored row; on return in carries the stored ID,
// version and creation, and in.Sources only the sources still to be added.
func (db *DB) reimport(ctx context.Context, tx *sql.Tx, in *domain.Incident) (bool, error) {
	var id int64
	if err := tx.QueryRowContext(ctx, `SELECT id FROM incidents WHERE origin = $1 AND origin_id = $2`,
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
