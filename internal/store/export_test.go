package store

import "context"

// HoldLedgerLock takes the ledger's append lock in a transaction of its own
// and keeps it until release is called, as a slow writer would.
func (db *DB) HoldLedgerLock(ctx context.Context) (release func(), err error) {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	if err := db.d.lock(ctx, tx, ledgerLockKey); err != nil {
		tx.Rollback()
		return nil, err
	}
	return func() { tx.Rollback() }, nil
}
