package store_test

import (
	"context"
	"sync/atomic"
	"testing"

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
