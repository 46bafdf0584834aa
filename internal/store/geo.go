package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/trucedesk/truce/internal/domain"
)

// PutPlaces inserts gazetteer entries, replacing those with the same GeoNames ID.
func (db *DB) PutPlaces(ctx context.Context, places []*domain.Place) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		for _, p := range places {
			alt, _ := json.Marshal(nonNil(p.Alternates))
			if p.GeonameID != 0 {
				if _, err := tx.ExecContext(ctx, `DELETE FROM places WHERE geoname_id = $1`, p.GeonameID); err != nil {
					return err
				}
			}
			err := tx.QueryRowContext(ctx, `INSERT INTO places (geoname_id, name, name_ar, alternates, lat, lon,
				feature_class, feature_code, admin1, admin2, population)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
				nullID(p.GeonameID), p.Name, p.NameAR, string(alt), p.Point.Lat, p.Point.Lon, p.FeatureClass,
				p.FeatureCode, p.Admin1, p.Admin2, p.Population).Scan(&p.ID)
			if err != nil {
				return fmt.Errorf("insert place %q: %w", p.Name, err)
			}
		}
		return nil
	})
}

// Places returns the whole gazetteer; the geocoder indexes it in memory.
func (db *DB) Places(ctx context.Context) ([]*domain.Place, error) {
	return queryAll(ctx, db, `SELECT id, COALESCE(geoname_id, 0), name, name_ar, alternates, lat, lon,
		feature_class, feature_code, admin1, admin2, population FROM places ORDER BY id`, nil,
		func(row interface{ Scan(...any) error }) (*domain.Place, error) {
			var p domain.Place
			var alt string
			if err := row.Scan(&p.ID, &p.GeonameID, &p.Name, &p.NameAR, &alt, &p.Point.Lat, &p.Point.Lon,
				&p.FeatureClass, &p.FeatureCode, &p.Admin1, &p.Admin2, &p.Population); err != nil {
				return nil, err
			}
			if err := json.Unmarshal([]byte(alt), &p.Alternates); err != nil {
				return nil, err
			}
			if len(p.Alternates) == 0 {
				p.Alternates = nil
			}
			return &p, nil
		})
}

// PutRegions inserts or replaces administrative regions by P-code.
func (db *DB) PutRegions(ctx context.Context, regions []*domain.Region) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		for _, r := range regions {
			if !json.Valid(r.Geometry) {
				return domain.FieldErrorf("geometry", "region %s: geometry is not valid JSON", r.PCode)
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO regions (pcode, level, name, name_ar, parent, geometry)
				VALUES ($1, $2, $3, $4, $5, $6)
				ON CONFLICT (pcode) DO UPDATE SET level = excluded.level, name = excluded.name,
					name_ar = excluded.name_ar, parent = excluded.parent, geometry = excluded.geometry`,
				r.PCode, r.Level, r.Name, r.NameAR, r.Parent, string(r.Geometry))
			if err != nil {
				return fmt.Errorf("put region %s: %w", r.PCode, err)
			}
		}
		return nil
	})
}

// Regions returns the regions of one level (0 for all), by P-code.
func (db *DB) Regions(ctx context.Context, level int) ([]*domain.Region, error) {
	return queryAll(ctx, db, `SELECT pcode, level, name, name_ar, parent, geometry FROM regions
		WHERE $1 = 0 OR level = $1 ORDER BY pcode`, []any{level},
		func(row interface{ Scan(...any) error }) (*domain.Region, error) {
			var r domain.Region
			var g string
			err := row.Scan(&r.PCode, &r.Level, &r.Name, &r.NameAR, &r.Parent, &g)
			r.Geometry = []byte(g)
			return &r, err
		})
}

// CreateArea stores a version of a control area.
func (db *DB) CreateArea(ctx context.Context, a *domain.Area) error {
	switch {
	case a.ControllerID == 0:
		return domain.FieldErrorf("controller_id", "is required")
	case a.ValidFrom.IsZero():
		return domain.FieldErrorf("valid_from", "is required")
	case !a.ValidTo.IsZero() && !a.ValidTo.After(a.ValidFrom):
		return domain.FieldErrorf("valid_to", "must come after valid_from")
	case !json.Valid(a.Geometry):
		return domain.FieldErrorf("geometry", "is not valid JSON")
	}
	a.ValidFrom, a.ValidTo = utc(a.ValidFrom), utc(a.ValidTo)
	return db.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO areas (name, controller_id, valid_from, valid_to, geometry, source)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			a.Name, a.ControllerID, db.d.t(a.ValidFrom), db.d.t(a.ValidTo), string(a.Geometry), a.Source).Scan(&a.ID)
		if isForeignKey(db.d.classify(err)) {
			return domain.FieldErrorf("controller_id", "party %d does not exist", a.ControllerID)
		} else if err != nil {
			return err
		}
		rec, err := areaRecord(a, db.now())
		if err != nil {
			return err
		}
		return db.logRecords(ctx, tx, rec)
	})
}

// Areas returns every version of every control area.
func (db *DB) Areas(ctx context.Context) ([]*domain.Area, error) {
	return queryAll(ctx, db, `SELECT id, name, controller_id, valid_from, valid_to, geometry, source
		FROM areas ORDER BY id`, nil, func(row interface{ Scan(...any) error }) (*domain.Area, error) {
		var a domain.Area
		var g string
		err := row.Scan(&a.ID, &a.Name, &a.ControllerID, ts{&a.ValidFrom}, ts{&a.ValidTo}, &g, &a.Source)
		a.Geometry = []byte(g)
		return &a, err
	})
}

// PutDailyCounts inserts or replaces figures of published daily series.
func (db *DB) PutDailyCounts(ctx context.Context, counts []domain.DailyCount) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		for _, c := range counts {
			if _, err := time.Parse(time.DateOnly, c.Day); err != nil {
				return domain.FieldErrorf("day", "%q is not a YYYY-MM-DD date", c.Day)
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO daily_counts (series, region, day, value) VALUES ($1, $2, $3, $4)
				ON CONFLICT (series, region, day) DO UPDATE SET value = excluded.value`,
				c.Series, c.Region, c.Day, c.Value)
			if err != nil {
				return fmt.Errorf("put count: %w", err)
			}
		}
		return nil
	})
}

// DailyCounts returns a series' figures for days in [from, to], by day then region.
func (db *DB) DailyCounts(ctx context.Context, series, from, to string) ([]domain.DailyCount, error) {
	for _, d := range []string{from, to} {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			return nil, domain.Errorf(domain.EINVALID, "%q is not a YYYY-MM-DD date", d)
		}
	}
	return queryAll(ctx, db, `SELECT series, region, day, value FROM daily_counts
		WHERE series = $1 AND day >= $2 AND day <= $3 ORDER BY day, region`, []any{series, from, to},
		func(row interface{ Scan(...any) error }) (domain.DailyCount, error) {
			var c domain.DailyCount
			var day any
			err := row.Scan(&c.Series, &c.Region, &day, &c.Value)
			switch d := day.(type) {
			case time.Time:
				c.Day = d.Format(time.DateOnly)
			case string:
				c.Day = d
			case []byte:
				c.Day = string(d)
			}
			return c, err
		})
}
