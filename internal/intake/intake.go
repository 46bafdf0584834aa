// Package intake accepts messages: it validates them, gives each a tracking
// number, and acknowledges nothing until the store has committed it.
//
// Durable acknowledgement costs a disk sync per commit. To keep that cost off
// every request, concurrent submissions are grouped: a committer takes all the
// requests that arrived while the previous commit was syncing and commits them
// in one transaction (group commit). A lone request commits at once, so the
// batch costs no latency when the desk is quiet.
package intake

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/trucedesk/truce/internal/domain"
)

// Desk is the intake desk.
type Desk struct {
	// RepeatWindow is how long the same content from the same sender counts
	// as a repeat of the first message rather than a new one.
	RepeatWindow time.Duration
	// MaxBatch bounds how many submissions one transaction takes.
	MaxBatch int
	// Committers is how many batches may commit at once: 1 for SQLite, which
	// has one writer anyway; more for PostgreSQL.
	Committers int
	// Now is the clock that stamps received instants.
	Now    func() time.Time
	Logger *slog.Logger
	// Observe, if set, is told each committed batch's size and commit time.
	Observe func(messages int, took time.Duration, err error)

	store   Store
	queue   chan *request
	wg      sync.WaitGroup
	mu      sync.RWMutex // guards closed against Submit racing Close
	closed  bool
	started bool
}

type request struct {
	sub   domain.Submission
	reply chan result
}

type result struct {
	receipt domain.Receipt
	err     error
}

// Store is what the desk needs of the store.
type Store interface {
	domain.MessageStore
	Party(ctx context.Context, id int64) (*domain.Party, error)
}

// New returns a desk that stores into s; call Start before Submit.
func New(s Store) *Desk {
	return &Desk{
		RepeatWindow: 24 * time.Hour,
		MaxBatch:     256,
		Committers:   1,
		Now:          time.Now,
		Logger:       slog.Default(),
		store:        s,
	}
}

// QueueDepth returns how many submissions wait for a committer.
func (d *Desk) QueueDepth() int { return len(d.queue) }

// Start launches the committers.
func (d *Desk) Start() {
	d.queue = make(chan *request, 4*d.MaxBatch)
	d.started = true
	for range max(d.Committers, 1) {
		d.wg.Add(1)
		go d.commitLoop()
	}
}

// Close stops taking submissions and waits until every queued one is
// committed or has failed, so a graceful shutdown acknowledges what it took.
func (d *Desk) Close() {
	d.mu.Lock()
	if d.closed || !d.started {
		d.mu.Unlock()
		return
	}
	d.closed = true
	close(d.queue)
	d.mu.Unlock()
	d.wg.Wait()
}

// Submit prepares m (received instant, tracking number, content hash, sender
// key), validates it, and returns once it is committed. clientKey identifies
// an anonymous sender for repeat detection (their address, say). If Submit
// returns an error the message may or may not have been stored, but it was
// not acknowledged: a retry of the same content is recognised as a repeat.
func (d *Desk) Submit(ctx context.Context, m *domain.Message, clientKey string) (domain.Receipt, error) {
	m.ReceivedAt = d.Now().UTC().Truncate(time.Microsecond)
	m.Tracking = domain.NewTrackingNumber()
	m.SenderKey = m.Sender.Key(clientKey)
	m.State = domain.StateReceived
	m.ComputeContentHash()
	if err := m.Validate(); err != nil {
		return domain.Receipt{}, err
	}
	if m.Sender.PartyID != 0 {
		if _, err := d.store.Party(ctx, m.Sender.PartyID); domain.ErrorCode(err) == domain.ENOTFOUND {
			return domain.Receipt{}, domain.FieldErrorf("sender.party_id", "party %d does not exist", m.Sender.PartyID)
		} else if err != nil {
			return domain.Receipt{}, err
		}
	}
	req := &request{sub: domain.Submission{Message: m, RepeatWindow: d.RepeatWindow}, reply: make(chan result, 1)}

	d.mu.RLock()
	if d.closed {
		d.mu.RUnlock()
		return domain.Receipt{}, domain.Errorf(domain.EUNAVAILABLE, "the desk is shutting down; try again shortly")
	}
	select {
	case d.queue <- req:
		d.mu.RUnlock()
	case <-ctx.Done():
		d.mu.RUnlock()
		return domain.Receipt{}, ctx.Err()
	}
	select {
	case r := <-req.reply:
		return r.receipt, r.err
	case <-ctx.Done():
		return domain.Receipt{}, ctx.Err()
	}
}

func (d *Desk) commitLoop() {
	defer d.wg.Done()
	batch := make([]*request, 0, d.MaxBatch)
	for first := range d.queue {
		batch = append(batch[:0], first)
	fill:
		for len(batch) < d.MaxBatch {
			select {
			case req, ok := <-d.queue:
				if !ok {
					break fill
				}
				batch = append(batch, req)
			default:
				break fill
			}
		}
		d.commit(batch)
	}
}

func (d *Desk) commit(batch []*request) {
	subs := make([]domain.Submission, len(batch))
	for i, r := range batch {
		subs[i] = r.sub
	}
	// The requests' own contexts may be cancelled by impatient clients; the
	// batch is shared, so it runs on its own deadline.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := time.Now()
	receipts, err := d.store.SubmitMessages(ctx, subs)
	if err != nil && domain.ErrorCode(err) != domain.EUNAVAILABLE && len(batch) > 1 {
		// One bad submission must not fail its neighbours: commit them
		// one by one so each gets its own answer.
		d.Logger.Warn("intake batch failed; committing one by one", "messages", len(batch), "err", err)
		for _, r := range batch {
			d.commit([]*request{r})
		}
		return
	}
	if err != nil && domain.ErrorCode(err) == domain.EINTERNAL {
		// A tracking number collision (one in 2^55 per pair) or a transient
		// fault: try once more with a fresh number before failing.
		subs[0].Message.Tracking = domain.NewTrackingNumber()
		subs[0].Message.ID = 0
		receipts, err = d.store.SubmitMessages(ctx, subs)
	}
	if d.Observe != nil {
		d.Observe(len(batch), time.Since(start), err)
	}
	if err != nil {
		d.Logger.Error("intake batch failed", "messages", len(batch), "err", err)
		if domain.ErrorCode(err) == domain.EINTERNAL {
			err = fmt.Errorf("store batch: %w", errors.Join(err, domain.Errorf(domain.EUNAVAILABLE, "could not store the message; try again shortly")))
		}
		for _, r := range batch {
			r.reply <- result{err: err}
		}
		return
	}
	d.Logger.Debug("intake batch committed", "messages", len(batch), "took", time.Since(start))
	for i, r := range batch {
		r.reply <- result{receipt: receipts[i]}
	}
}
