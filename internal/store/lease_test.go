package store_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/store"
	"github.com/trucedesk/truce/internal/store/storetest"
)

// TestRunOnce starts the same job on two instances of one PostgreSQL store
// while the first holds it: the second does not run it.
func TestRunOnce(t *testing.T) {
	url := storetest.PostgresURL(t)
	ctx := context.Background()
	a, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var runs atomic.Int32
	ranA, err := a.RunOnce(ctx, "checkpoint", func(ctx context.Context) error {
		runs.Add(1)
		ranB, err := b.RunOnce(ctx, "checkpoint", func(context.Context) error { runs.Add(1); return nil })
		if err != nil || ranB {
			t.Errorf("the second instance ran the job while the first held it (%v, %v)", ranB, err)
		}
		return nil
	})
	if err != nil || !ranA || runs.Load() != 1 {
		t.Fatalf("first run: ran %v, %d runs, %v", ranA, runs.Load(), err)
	}
	// Released: the other instance may run it now.
	if ran, err := b.RunOnce(ctx, "checkpoint", func(context.Context) error { return nil }); !ran || err != nil {
		t.Errorf("after release: ran %v, %v", ran, err)
	}
}

// TestLocksAreScopedToSchema holds the ledger lock of a store while another
// store writes. Advisory locks are database-wide, but stores in separate
// schemas of one database are separate deployments: the other schema's write
// goes through, while a second instance of the same store waits its turn.
func TestLocksAreScopedToSchema(t *testing.T) {
	ctx := context.Background()
	url := storetest.PostgresURL(t)
	open := func(url string) *store.DB {
		db, err := store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	holder, sameSchema, otherSchema := open(url), open(url), open(storetest.PostgresURL(t))
	release, err := holder.HoldLedgerLock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	submit := func(db *store.DB, wait time.Duration) error {
		ctx, cancel := context.WithTimeout(ctx, wait)
		defer cancel()
		_, err := db.SubmitMessages(ctx, []domain.Submission{{Message: storetest.NewMessage("shelling near Daraa", time.Now())}})
		return err
	}
	if err := submit(otherSchema, 10*time.Second); err != nil {
		t.Errorf("a store in another schema waited on this one's ledger lock: %v", err)
	}
	if err := submit(sameSchema, 300*time.Millisecond); err == nil {
		t.Error("a second instance of the same store appended while the ledger lock was held")
	}
}
