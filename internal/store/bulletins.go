package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/trucedesk/truce/internal/domain"
)

// PublishBulletin stores b as the next version of its day. The version is
// taken inside the write transaction, and the unique (agreement, day,
// version) key refuses a concurrent publisher that raced to the same number,
// so two publications can never share a version. Each published version is
// logged in the ledger by the hashes of its figures and renderings.
func (db *DB) PublishBulletin(ctx context.Context, b *domain.Bulletin) error {
	if err := b.Validate(); err != nil {
		return err
	}
	sum := sha256.Sum256(b.Report)
	b.ContentHash = hex.EncodeToString(sum[:])
	b.PublishedAt = db.now()
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM agreements WHERE id = $1`, b.AgreementID).Scan(&n); err != nil {
			return fmt.Errorf("read agreement: %w", err)
		} else if n == 0 {
			return domain.Errorf(domain.ENOTFOUND, "agreement %d not found", b.AgreementID)
		}
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) + 1 FROM bulletins
			WHERE agreement_id = $1 AND day = $2`, b.AgreementID, b.Day).Scan(&b.Version); err != nil {
			return fmt.Errorf("next bulletin version: %w", err)
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO bulletins (agreement_id, day, version, title, report, html,
			markdown, pdf, content_hash, note, published_at, published_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
			b.AgreementID, b.Day, b.Version, b.Title, string(b.Report), string(b.HTML), string(b.Markdown), b.PDF,
			b.ContentHash, b.Note, db.d.t(b.PublishedAt), b.PublishedBy).Scan(&b.ID)
		if err != nil {
			return fmt.Errorf("insert bulletin: %w", err)
		}
		rec, err := bulletinRecord(b)
		if err != nil {
			return err
		}
		return db.logRecords(ctx, tx, rec)
	})
	if isUnique(err) {
		return domain.Errorf(domain.ECONFLICT, "bulletin %s was published by someone else at the same moment; try again", b.Day)
	}
	return err
}

const bulletinMeta = `id, agreement_id, day, version, title, content_hash, note, published_at, published_by`

func scanBulletinMeta(b *domain.Bulletin) []any {
	return []any{&b.ID, &b.AgreementID, &b.Day, &b.Version, &b.Title, &b.ContentHash, &b.Note,
		ts{&b.PublishedAt}, &b.PublishedBy}
}

// Bulletin returns one version of a day's bulletin, the latest for version 0.
func (db *DB) Bulletin(ctx context.Context, agreementID int64, day string, version int) (*domain.Bulletin, error) {
	if version < 0 {
		return nil, domain.FieldErrorf("version", "must be 1 or more (0 for the latest)")
	}
	var b domain.Bulletin
	var report, html, md string
	dest := append(scanBulletinMeta(&b), &report, &html, &md, &b.PDF)
	err := db.r.QueryRowContext(ctx, `SELECT `+bulletinMeta+`, report, html, markdown, pdf FROM bulletins
		WHERE agreement_id = $1 AND day = $2 AND ($3 = 0 OR version = $3)
		ORDER BY version DESC LIMIT 1`, agreementID, day, version).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		if version > 0 {
			return nil, domain.Errorf(domain.ENOTFOUND, "bulletin %s has no version %d", day, version)
		}
		return nil, domain.Errorf(domain.ENOTFOUND, "no bulletin has been published for %s", day)
	} else if err != nil {
		return nil, db.d.classify(fmt.Errorf("read bulletin: %w", err))
	}
	b.Report, b.HTML, b.Markdown = []byte(report), []byte(html), []byte(md)
	return &b, nil
}

// Bulletins lists every published version without contents, newest day and
// version first.
func (db *DB) Bulletins(ctx context.Context, agreementID int64) ([]*domain.Bulletin, error) {
	return queryAll(ctx, db, `SELECT `+bulletinMeta+` FROM bulletins WHERE agreement_id = $1
		ORDER BY day DESC, version DESC`, []any{agreementID},
		func(row interface{ Scan(...any) error }) (*domain.Bulletin, error) {
			var b domain.Bulletin
			return &b, row.Scan(scanBulletinMeta(&b)...)
		})
}
