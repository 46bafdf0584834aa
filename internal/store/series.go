package store

import (
	"context"
	"fmt"
	"time"

	"github.com/trucedesk/truce/internal/domain"
)

// slotExpr returns the SQL for the start of an incident's time slot of
// the given length, as unix seconds (SQLite) or an instant (PostgreSQL).
// Slots are counted in absolute time, not in any time zone, so callers can
// fold them into local days across daylight-saving changes: a GROUP BY on
// the local date in SQL would need the zone's rules inside the database,
// which SQLite does not have.
func (db *DB) slotExpr(col string, slot time.Duration) string {
	s := int64(slot / time.Second)
	if db.d.name() == "postgres" {
		return fmt.Sprintf("date_bin('%d seconds', %s, TIMESTAMPTZ '1970-01-01 00:00:00+00')", s, col)
	}
	return fmt.Sprintf("(unixepoch(%s) / %d * %d)", col, s, s)
}

// projection selects the incidents of f with the columns series need; the
// outer queries join parties to it without clashing with its bare column
// names.
func (db *DB) projection(ctx context.Context, f domain.IncidentFilter) (string, []any, error) {
	f.AfterID, f.Limit = 0, 0
	published, err := db.publishedSpans(ctx, f)
	if err != nil {
		return "", nil, err
	}
	where, args := db.incidentWhere(f, published)
	return `(SELECT id, occurred_at, sub_event_type, admin1, fatalities_best FROM incidents` + where + `) i`, args, nil
}

// IncidentCounts groups incidents by slot, key and sub-event type in SQL.
func (db *DB) IncidentCounts(ctx context.Context, f domain.IncidentFilter, by string, slot time.Duration) ([]domain.IncidentCount, error) {
	if slot < time.Minute || slot > 24*time.Hour || slot%time.Minute != 0 {
		return nil, domain.FieldErrorf("slot", "a slot is whole minutes, from one minute to a day, not %s", slot)
	}
	from, args, err := db.projection(ctx, f)
	if err != nil {
		return nil, err
	}
	var key, join string
	switch by {
	case "":
		key = "''"
	case "admin1":
		key = "i.admin1"
	case "perpetrator", "target":
		key = "COALESCE(p.slug, '')"
		args = append(args, by)
		join = fmt.Sprintf(` LEFT JOIN incident_parties ip ON ip.incident_id = i.id AND ip.role = $%d
			LEFT JOIN parties p ON p.id = ip.party_id`, len(args))
	default:
		return nil, domain.FieldErrorf("by", "cannot count incidents by %q: use admin1, perpetrator or target", by)
	}
	q := `SELECT ` + db.slotExpr("i.occurred_at", slot) + ` AS slot, ` + key + ` AS k, i.sub_event_type,
		COUNT(*), COALESCE(SUM(i.fatalities_best), 0)
		FROM ` + from + join + ` GROUP BY 1, 2, 3`
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, db.d.classify(fmt.Errorf("count incidents: %w", err))
	}
	defer rows.Close()
	var out []domain.IncidentCount
	for rows.Next() {
		var c domain.IncidentCount
		var s any
		if err := rows.Scan(&s, &c.Key, &c.Type, &c.Count, &c.Fatalities); err != nil {
			return nil, fmt.Errorf("scan incident count: %w", err)
		}
		switch s := s.(type) {
		case int64:
			c.Slot = time.Unix(s, 0).UTC()
		case time.Time:
			c.Slot = s.UTC()
		default:
			return nil, fmt.Errorf("incident count: unexpected slot %T", s)
		}
		out = append(out, c)
	}
	return out, db.d.classify(rows.Err())
}

// IncidentEvents streams the incidents of f in time order, with the slugs of
// their parties, for series that need each incident (verdicts are looked up
// per incident).
func (db *DB) IncidentEvents(ctx context.Context, f domain.IncidentFilter, fn func(*domain.IncidentEvent) error) error {
	from, args, err := db.projection(ctx, f)
	if err != nil {
		return err
	}
	rows, err := db.r.QueryContext(ctx, `SELECT i.id, i.occurred_at, i.sub_event_type, i.admin1, i.fatalities_best,
		COALESCE(ip.role, ''), COALESCE(p.slug, '')
		FROM `+from+` LEFT JOIN incident_parties ip ON ip.incident_id = i.id
		LEFT JOIN parties p ON p.id = ip.party_id
		ORDER BY i.occurred_at, i.id, ip.role, ip.position`, args...)
	if err != nil {
		return db.d.classify(fmt.Errorf("stream incidents: %w", err))
	}
	defer rows.Close()
	var cur, next domain.IncidentEvent
	var role, slug string
	for rows.Next() {
		if err := rows.Scan(&next.ID, ts{&next.OccurredAt}, &next.Type, &next.Admin1, &next.Fatalities, &role, &slug); err != nil {
			return fmt.Errorf("scan incident event: %w", err)
		}
		if next.ID != cur.ID {
			if cur.ID != 0 {
				if err := fn(&cur); err != nil {
					return err
				}
			}
			// The slices are reused: fn must not keep them.
			perps, targets := cur.Perpetrators[:0], cur.Targets[:0]
			cur = next
			cur.Perpetrators, cur.Targets = perps, targets
		}
		switch role {
		case "perpetrator":
			cur.Perpetrators = append(cur.Perpetrators, slug)
		case "target":
			cur.Targets = append(cur.Targets, slug)
		}
	}
	if err := rows.Err(); err != nil {
		return db.d.classify(err)
	}
	if cur.ID != 0 {
		return fn(&cur)
	}
	return nil
}
