package store

import (
	"context"
	"database/sql"
	"time"
)

// PutBulletinDays stores a bare first version of the bulletin of each day,
// in one transaction and past the ledger, for tests that need many
// published days.
func (db *DB) PutBulletinDays(ctx context.Context, agreementID int64, days []string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		for _, d := range days {
			if _, err := tx.ExecContext(ctx, `INSERT INTO bulletins (agreement_id, day, version, title, report, html,
				markdown, pdf, content_hash, note, published_at, published_by)
				VALUES ($1, $2, 1, 'test', '{}', '<p>', '-', $3, '', '', $4, 'test')`,
				agreementID, d, []byte("%PDF"), db.d.t(time.Now())); err != nil {
				return err
			}
		}
		return nil
	})
}
