package intake_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/intake"
	"github.com/trucedesk/truce/internal/store/storetest"
)

// countingStore is a real store that remembers the size of each batch.
type countingStore struct {
	intake.Store
	mu      sync.Mutex
	batches []int
}

func (c *countingStore) SubmitMessages(ctx context.Context, subs []domain.Submission) ([]domain.Receipt, error) {
	c.mu.Lock()
	c.batches = append(c.batches, len(subs))
	c.mu.Unlock()
	return c.Store.SubmitMessages(ctx, subs)
}

func newDesk(t *testing.T, s intake.Store) *intake.Desk {
	d := intake.New(s)
	d.Logger = slog.New(slog.DiscardHandler)
	d.Now = func() time.Time { return time.Date(2016, 2, 27, 8, 0, 0, 0, time.UTC) }
	d.Start()
	t.Cleanup(d.Close)
	return d
}

func TestConcurrentSubmissionsAreGrouped(t *testing.T) {
	for name, open := range map[string]func(testing.TB) intake.Store{
		"sqlite":   func(tb testing.TB) intake.Store { return storetest.OpenSQLite(tb) },
		"postgres": func(tb testing.TB) intake.Store { return storetest.OpenPostgres(tb) },
	} {
		t.Run(name, func(t *testing.T) {
			cs := &countingStore{Store: open(t)}
			d := newDesk(t, cs)
			const n = 400
			var wg sync.WaitGroup
			receipts := make([]domain.Receipt, n)
			errs := make([]error, n)
			for i := range n {
				wg.Go(func() {
					m := &domain.Message{Channel: domain.ChannelSMS, Sender: domain.Sender{Kind: domain.SenderPublic},
						Body: fmt.Sprintf("report %d", i)}
					receipts[i], errs[i] = d.Submit(context.Background(), m, fmt.Sprintf("10.0.0.%d", i))
				})
			}
			wg.Wait()
			seen := map[string]bool{}
			for i, r := range receipts {
				if errs[i] != nil {
					t.Fatalf("submit %d: %v", i, errs[i])
				}
				if r.Message.ID == 0 || seen[r.Message.Tracking] || r.Repeat {
					t.Fatalf("receipt %d = %+v: want a new stored message with a unique tracking number", i, r)
				}
				seen[r.Message.Tracking] = true
			}
			if len(cs.batches) >= n {
				t.Errorf("%d submissions took %d transactions: no grouping", n, len(cs.batches))
			}
			t.Logf("%d submissions in %d transactions", n, len(cs.batches))
		})
	}
}

func TestSubmitValidatesBeforeQueueing(t *testing.T) {
	cs := &countingStore{Store: storetest.OpenSQLite(t)}
	d := newDesk(t, cs)
	tests := []struct {
		name  string
		m     domain.Message
		field string
	}{
		{"empty body", domain.Message{Channel: domain.ChannelWeb, Sender: domain.Sender{Kind: domain.SenderPublic}}, "body"},
		{"unknown party", domain.Message{Channel: domain.ChannelWeb, Body: "x", Sender: domain.Sender{Kind: domain.SenderLiaison, PartyID: 42}}, "sender.party_id"},
		{"bad channel", domain.Message{Channel: "pigeon", Body: "x", Sender: domain.Sender{Kind: domain.SenderPublic}}, "channel"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := d.Submit(context.Background(), &tt.m, "")
			if domain.ErrorField(err) != tt.field {
				t.Errorf("err = %v, want a fault in %s", err, tt.field)
			}
		})
	}
	if len(cs.batches) != 0 {
		t.Errorf("invalid messages reached the store in %d batches", len(cs.batches))
	}
}

func TestRepeatFromSameSender(t *testing.T) {
	d := newDesk(t, storetest.OpenSQLite(t))
	mk := func() *domain.Message {
		return &domain.Message{Channel: domain.ChannelWeb, Sender: domain.Sender{Kind: domain.SenderPublic}, Body: "shelling near the bakery"}
	}
	first, err := d.Submit(context.Background(), mk(), "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	again, _ := d.Submit(context.Background(), mk(), "192.0.2.1")
	other, _ := d.Submit(context.Background(), mk(), "192.0.2.2")
	if !again.Repeat || again.Message.Tracking != first.Message.Tracking {
		t.Errorf("same anonymous sender again: repeat %v tracking %s, want repeat of %s", again.Repeat, again.Message.Tracking, first.Message.Tracking)
	}
	if other.Repeat {
		t.Error("another sender's identical report was taken as a repeat")
	}
}

func TestCloseDrainsAndRefuses(t *testing.T) {
	s := storetest.OpenSQLite(t)
	d := intake.New(s)
	d.Logger = slog.New(slog.DiscardHandler)
	d.Start()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var acked []string
	for i := range 50 {
		wg.Go(func() {
			r, err := d.Submit(context.Background(), &domain.Message{Channel: domain.ChannelAPI,
				Sender: domain.Sender{Kind: domain.SenderPublic}, Body: fmt.Sprint("m", i)}, fmt.Sprint(i))
			if err == nil {
				mu.Lock()
				acked = append(acked, r.Message.Tracking)
				mu.Unlock()
			}
		})
	}
	time.Sleep(time.Millisecond) // let some submissions queue before closing
	d.Close()
	wg.Wait()
	for _, tr := range acked {
		if _, err := s.MessageByTracking(context.Background(), tr); err != nil {
			t.Errorf("acknowledged %s not stored: %v", tr, err)
		}
	}
	_, err := d.Submit(context.Background(), &domain.Message{Channel: domain.ChannelAPI, Sender: domain.Sender{Kind: domain.SenderPublic}, Body: "late"}, "")
	if domain.ErrorCode(err) != domain.EUNAVAILABLE {
		t.Errorf("submit after close = %v, want unavailable", err)
	}
}

func TestStoreDownIsUnavailable(t *testing.T) {
	s := storetest.OpenSQLite(t)
	d := newDesk(t, s)
	s.Close()
	_, err := d.Submit(context.Background(), &domain.Message{Channel: domain.ChannelAPI, Sender: domain.Sender{Kind: domain.SenderPublic}, Body: "x"}, "")
	if domain.ErrorCode(err) != domain.EUNAVAILABLE {
		t.Errorf("submit with the store closed = %v (code %s), want unavailable", err, domain.ErrorCode(err))
	}
}
