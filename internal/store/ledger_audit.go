package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/trucedesk/truce/internal/auth"
	"github.com/trucedesk/truce/internal/ledger"
)

// KindAuditEvent logs each line of the audit trail, so that who did what
// cannot be rewritten behind the desk's back any more than what was done.
// KindAdoption logs that rows written before their kind was logged were
// appended to the log later, at upgrade (migration 00011).
const (
	KindAuditEvent = "audit_event"
	KindAdoption   = "adoption"
)

// auditRecord logs an audit event as stored. A row whose old or new value
// is no longer JSON can only have been changed behind the store's back
// (AppendAudit refuses it): its record carries that text as content, which
// does not encode, so verify names the row as edited instead of failing.
func auditRecord(e *auth.AuditEvent) (ledger.Record, error) {
	c := *e
	c.At = utc(e.At)
	for _, v := range []json.RawMessage{c.Old, c.New} {
		if len(v) > 0 && !json.Valid(v) {
			return ledger.Record{Kind: KindAuditEvent, ID: e.ID, Version: 1, Time: c.At, Content: v}, nil
		}
	}
	return record(KindAuditEvent, e.ID, 1, c.At, c)
}

// LedgerAdoption says that rows of a kind written before the ledger logged
// it were appended to the log at AdoptedAt: the log vouches for them from
// then on, not from when they were written.
type LedgerAdoption struct {
	ID        int64     `json:"id"`
	Kind      string    `json:"kind"`       // the kind adopted
	ThroughID int64     `json:"through_id"` // the highest ID at the upgrade
	Rows      int64     `json:"rows"`       // how many rows were adopted
	AdoptedAt time.Time `json:"adopted_at"` // zero while pending
}

func adoptionRecord(a *LedgerAdoption) (ledger.Record, error) {
	c := *a
	c.AdoptedAt = utc(a.AdoptedAt)
	at := c.AdoptedAt
	if at.IsZero() { // never adopted: the leaf matches nothing
		at = time.Unix(0, 0).UTC()
	}
	return record(KindAdoption, a.ID, 1, at, c)
}

func scanAdoption(row interface{ Scan(...any) error }) (*LedgerAdoption, error) {
	var a LedgerAdoption
	return &a, row.Scan(&a.ID, &a.Kind, &a.ThroughID, &a.Rows, ts{&a.AdoptedAt})
}

const adoptionColumns = `id, kind, through_id, row_count, adopted_at`

// adoptUnlogged appends to the log, once, the audit events written before
// audit events were logged: those up to the ID migration 00011 recorded. It
// runs at open, before the store serves a write, so the log holds no audit
// leaf of this store's own yet. Were it to hold one, the pending adoption
// was not made by the upgrade but added by hand, and it is left undone:
// verify then names it as an inserted row.
func (db *DB) adoptUnlogged(ctx context.Context) error {
	var pending int
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM ledger_adoptions WHERE adopted_at IS NULL`).Scan(&pending); err != nil {
		return db.d.classify(fmt.Errorf("read ledger adoptions: %w", err))
	}
	if pending == 0 {
		return nil
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		// Instances starting together adopt once: the second waits here and
		// then finds nothing pending.
		if err := db.d.lock(ctx, tx, ledgerLockKey); err != nil {
			return fmt.Errorf("ledger lock: %w", err)
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+adoptionColumns+` FROM ledger_adoptions
			WHERE adopted_at IS NULL AND kind = $1 ORDER BY id`, KindAuditEvent)
		if err != nil {
			return err
		}
		var todo []*LedgerAdoption
		for rows.Next() {
			a, err := scanAdoption(rows)
			if err != nil {
				rows.Close()
				return err
			}
			todo = append(todo, a)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, a := range todo {
			var logged int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM ledger_entries WHERE kind = $1 LIMIT 1) x`,
				a.Kind).Scan(&logged); err != nil {
				return err
			}
			if logged > 0 {
				continue
			}
			n, err := db.adoptAudit(ctx, tx, a.ThroughID)
			if err != nil {
				return err
			}
			a.Rows, a.AdoptedAt = n, db.now()
			if _, err := tx.ExecContext(ctx, `UPDATE ledger_adoptions SET row_count = $1, adopted_at = $2 WHERE id = $3`,
				a.Rows, db.d.t(a.AdoptedAt), a.ID); err != nil {
				return err
			}
			rec, err := adoptionRecord(a)
			if err != nil {
				return err
			}
			if err := db.logRecords(ctx, tx, rec); err != nil {
				return err
			}
		}
		return nil
	})
}

// adoptAudit logs the audit events up to throughID a page at a time, so a
// long trail is not held in memory, and returns how many there were.
func (db *DB) adoptAudit(ctx context.Context, tx *sql.Tx, throughID int64) (int64, error) {
	var n int64
	for after := int64(0); ; {
		rows, err := tx.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit_events
			WHERE id > $1 AND id <= $2 ORDER BY id LIMIT 1000`, after, throughID)
		if err != nil {
			return 0, fmt.Errorf("read audit events: %w", err)
		}
		var recs []ledger.Record
		for rows.Next() {
			e, err := scanAudit(rows)
			if err == nil {
				var rec ledger.Record
				rec, err = auditRecord(e)
				recs = append(recs, rec)
				after = e.ID
			}
			if err != nil {
				rows.Close()
				return 0, fmt.Errorf("adopt audit event after %d: %w", after, err)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, err
		}
		if err := db.logRecords(ctx, tx, recs...); err != nil {
			return 0, err
		}
		n += int64(len(recs))
		if len(recs) < 1000 {
			return n, nil
		}
	}
}

// snapshotAudit rebuilds the record of every audit event and every
// adoption, and returns the adoptions done, which the verify report names.
func (db *DB) snapshotAudit(ctx context.Context, add func(ledger.Record, error) error) ([]*LedgerAdoption, error) {
	for after := int64(0); ; {
		page, err := queryAll(ctx, db, `SELECT `+auditColumns+` FROM audit_events WHERE id > $1 ORDER BY id LIMIT 1000`,
			[]any{after}, scanAudit)
		if err != nil {
			return nil, err
		}
		for _, e := range page {
			if err := add(auditRecord(e)); err != nil {
				return nil, err
			}
		}
		if len(page) < 1000 {
			break
		}
		after = page[len(page)-1].ID
	}
	adoptions, err := queryAll(ctx, db, `SELECT `+adoptionColumns+` FROM ledger_adoptions ORDER BY id`, nil, scanAdoption)
	if err != nil {
		return nil, err
	}
	var done []*LedgerAdoption
	for _, a := range adoptions {
		if err := add(adoptionRecord(a)); err != nil {
			return nil, err
		}
		if !a.AdoptedAt.IsZero() {
			done = append(done, a)
		}
	}
	return done, nil
}
