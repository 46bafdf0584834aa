package store

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgxlisten"
)

// inboxChannel is the PostgreSQL NOTIFY channel on which every instance
// announces the messages it stored or moved, so desks on every instance see
// new messages without a reload.
const inboxChannel = "truce_inbox"

// inboxChannel is the channel within the store's schema; a channel name is
// an identifier of at most 63 bytes, so a long schema name is hashed.
func (db *DB) inboxChannel() string {
	ch := db.d.(postgresDialect).scoped(inboxChannel)
	if len(ch) > 63 {
		ch = inboxChannel + "_" + strconv.FormatUint(uint64(db.d.(postgresDialect).lockID(inboxChannel)), 36)
	}
	return ch
}

// watchers fans message changes out to this process's subscribers. On SQLite
// it is the only source; on PostgreSQL the notifications come back through
// LISTEN, from this instance and every other.
type watchers struct {
	mu   sync.Mutex
	next int
	subs map[int]func([]int64)
}

func (w *watchers) add(fn func([]int64)) func() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.subs == nil {
		w.subs = map[int]func([]int64){}
	}
	id := w.next
	w.next++
	w.subs[id] = fn
	return func() {
		w.mu.Lock()
		delete(w.subs, id)
		w.mu.Unlock()
	}
}

func (w *watchers) publish(ids []int64) {
	if len(ids) == 0 {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, fn := range w.subs {
		fn(ids)
	}
}

// announce tells watchers that messages changed: inside tx on PostgreSQL
// (NOTIFY is delivered at commit, so nothing uncommitted is announced), and
// to this process's watchers after commit on SQLite, which the caller does by
// calling the returned function once the transaction has committed.
func (db *DB) announce(ctx context.Context, q queryer, ids []int64) (afterCommit func(), err error) {
	if len(ids) == 0 {
		return func() {}, nil
	}
	if db.d.name() == "postgres" {
		parts := make([]string, len(ids))
		for i, id := range ids {
			parts[i] = strconv.FormatInt(id, 10)
		}
		_, err := q.ExecContext(ctx, `SELECT pg_notify($1, $2)`, db.inboxChannel(), strings.Join(parts, ","))
		return func() {}, err
	}
	return func() { db.watch.publish(ids) }, nil
}

// WatchMessages calls fn with the IDs of messages stored or moved, by this
// process or, on PostgreSQL, by any instance, until ctx ends. fn must not
// block: hand the IDs on.
func (db *DB) WatchMessages(ctx context.Context, fn func(ids []int64), logError func(error)) error {
	if db.d.name() != "postgres" {
		remove := db.watch.add(fn)
		<-ctx.Done()
		remove()
		return nil
	}
	l := &pgxlisten.Listener{
		Connect: func(ctx context.Context) (*pgx.Conn, error) { return pgx.Connect(ctx, db.DSN) },
		LogError: func(_ context.Context, err error) {
			if ctx.Err() == nil {
				logError(err)
			}
		},
		ReconnectDelay: 2 * time.Second,
	}
	l.Handle(db.inboxChannel(), pgxlisten.HandlerFunc(func(_ context.Context, n *pgconn.Notification, _ *pgx.Conn) error {
		var ids []int64
		for _, s := range strings.Split(n.Payload, ",") {
			if id, err := strconv.ParseInt(s, 10, 64); err == nil {
				ids = append(ids, id)
			}
		}
		fn(ids)
		return nil
	}))
	err := l.Listen(ctx)
	if ctx.Err() != nil {
		return nil
	}
	return err
}
