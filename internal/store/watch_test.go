package store_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/store"
	"github.com/trucedesk/truce/internal/store/storetest"
)

// TestWatchMessages checks that a watcher hears of messages stored and moved;
// on PostgreSQL they are written through a second store, as by another
// instance, and arrive through LISTEN/NOTIFY.
func TestWatchMessages(t *testing.T) {
	engines := map[string]func(t *testing.T) (watcher, writer *store.DB){
		"sqlite": func(t *testing.T) (*store.DB, *store.DB) { db := storetest.OpenSQLite(t); return db, db },
		"postgres": func(t *testing.T) (*store.DB, *store.DB) {
			url := storetest.PostgresURL(t)
			a, err := store.Open(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			b, err := store.Open(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { a.Close(); b.Close() })
			return a, b
		},
	}
	for name, open := range engines {
		t.Run(name, func(t *testing.T) {
			watcher, writer := open(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var mu sync.Mutex
			var got []int64
			ready := make(chan struct{})
			go func() {
				close(ready)
				watcher.WatchMessages(ctx, func(ids []int64) {
					mu.Lock()
					got = append(got, ids...)
					mu.Unlock()
				}, func(err error) { t.Log(err) })
			}()
			<-ready
			seen := func(want ...int64) bool {
				mu.Lock()
				defer mu.Unlock()
				for _, id := range want {
					if !slices.Contains(got, id) {
						return false
					}
				}
				return true
			}
			// The listener may take a moment to connect: keep writing until
			// one is heard, then check that every later one is.
			var first int64
			for deadline := time.Now().Add(15 * time.Second); ; {
				rs, err := writer.SubmitMessages(ctx, []domain.Submission{{Message: storetest.NewMessage(time.Now().String(), time.Now())}})
				if err != nil {
					t.Fatal(err)
				}
				first = rs[0].Message.ID
				time.Sleep(50 * time.Millisecond)
				if seen(first) {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("no notification of a new message")
				}
			}
			rs, _ := writer.SubmitMessages(ctx, []domain.Submission{
				{Message: storetest.NewMessage("a", time.Now())}, {Message: storetest.NewMessage("b", time.Now())}})
			if _, err := writer.TransitionMessage(ctx, domain.Transition{MessageID: first, Version: 1, To: domain.StateTriaged, Actor: "m"}); err != nil {
				t.Fatal(err)
			}
			want := []int64{rs[0].Message.ID, rs[1].Message.ID}
			// The first message is heard twice: stored, then triaged.
			heardTwice := func() bool {
				mu.Lock()
				defer mu.Unlock()
				n := 0
				for _, id := range got {
					if id == first {
						n++
					}
				}
				return n >= 2
			}
			for deadline := time.Now().Add(15 * time.Second); !seen(want...) || !heardTwice(); time.Sleep(20 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("heard %v; want %v among them and %d twice", got, want, first)
				}
			}
		})
	}
}
