package store

import "context"

// MigrateDownTo rolls the schema back to version, as a database written by
// an older release would be, for the upgrade tests in store_test.
func (db *DB) MigrateDownTo(ctx context.Context, version int64) error {
	p, err := db.provider()
	if err != nil {
		return err
	}
	_, err = p.DownTo(ctx, version)
	return err
}
