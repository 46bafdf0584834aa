package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/ledger"
)

const messageColumns = `id, tracking, channel, sender_kind, sender_name, sender_contact,
	COALESCE(sender_party_id, 0), sender_key, received_at, language, subject, body, attachments,
	content_hash, state, reason, COALESCE(reconciliation_id, 0), repeats, version, updated_at`

func scanMessage(row interface{ Scan(...any) error }) (*domain.Message, error) {
	var m domain.Message
	var attachments string
	if err := row.Scan(&m.ID, &m.Tracking, &m.Channel, &m.Sender.Kind, &m.Sender.Name, &m.Sender.Contact,
		&m.Sender.PartyID, &m.SenderKey, ts{&m.ReceivedAt}, &m.Language, &m.Subject, &m.Body, &attachments,
		&m.ContentHash, &m.State, &m.Reason, &m.ReconciliationID, &m.Repeats, &m.Version, ts{&m.UpdatedAt}); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(attachments), &m.Attachments); err != nil {
		return nil, fmt.Errorf("message %d attachments: %w", m.ID, err)
	}
	return &m, nil
}

// SubmitMessages stores a batch of submissions in one transaction. A message
// whose sender sent the same content within its repeat window is recorded as
// a repeat of the original, and the original comes back in its receipt.
func (db *DB) SubmitMessages(ctx context.Context, subs []domain.Submission) ([]domain.Receipt, error) {
	receipts := make([]domain.Receipt, len(subs))
	var announced func()
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		recs := make([]ledger.Record, 0, len(subs))
		var fresh []int64
		for i, sub := range subs {
			r, rec, err := db.submit(ctx, tx, sub)
			if err != nil {
				return err
			}
			receipts[i] = r
			recs = append(recs, rec)
			if !r.Repeat {
				fresh = append(fresh, r.Message.ID)
			}
		}
		var err error
		if announced, err = db.announce(ctx, tx, fresh); err != nil {
			return err
		}
		return db.logRecords(ctx, tx, recs...)
	})
	if err != nil {
		return nil, err
	}
	announced()
	return receipts, nil
}

// submit stores one submission and returns the record the ledger logs for it.
func (db *DB) submit(ctx context.Context, tx *sql.Tx, sub domain.Submission) (domain.Receipt, ledger.Record, error) {
	var none ledger.Record
	m := sub.Message
	if err := db.d.lock(ctx, tx, m.SenderKey+"\x00"+m.ContentHash); err != nil {
		return domain.Receipt{}, none, fmt.Errorf("lock sender: %w", err)
	}
	if sub.RepeatWindow > 0 {
		// A repeat must come from the same party (or none): the sender key
		// is only a name the caller chose, and matching across parties
		// would hand another party's tracking number to whoever guesses
		// its name and text, and file the copy in that party's name.
		orig, err := scanMessage(tx.QueryRowContext(ctx, `SELECT `+messageColumns+` FROM messages
			WHERE sender_key = $1 AND content_hash = $2 AND received_at >= $3
			AND COALESCE(sender_party_id, 0) = $4
			ORDER BY id LIMIT 1`,
			m.SenderKey, m.ContentHash, db.d.t(m.ReceivedAt.Add(-sub.RepeatWindow)), m.Sender.PartyID))
		switch {
		case err == nil:
			var id int64
			if err := tx.QueryRowContext(ctx, `INSERT INTO message_repeats (message_id, received_at, channel)
				VALUES ($1, $2, $3) RETURNING id`, orig.ID, db.d.t(m.ReceivedAt), m.Channel).Scan(&id); err != nil {
				return domain.Receipt{}, none, fmt.Errorf("record repeat: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE messages SET repeats = repeats + 1 WHERE id = $1`, orig.ID); err != nil {
				return domain.Receipt{}, none, fmt.Errorf("count repeat: %w", err)
			}
			orig.Repeats++
			rec, err := repeatRecord(id, orig.ID, m.ReceivedAt, m.Channel)
			return domain.Receipt{Message: orig, Repeat: true}, rec, err
		case !errors.Is(err, sql.ErrNoRows):
			return domain.Receipt{}, none, fmt.Errorf("find repeat: %w", err)
		}
	}
	attachments, err := json.Marshal(nonNil(m.Attachments))
	if err != nil {
		return domain.Receipt{}, none, err
	}
	m.State, m.Version, m.UpdatedAt = domain.StateReceived, 1, m.ReceivedAt
	err = tx.QueryRowContext(ctx, `INSERT INTO messages (tracking, channel, sender_kind, sender_name,
		sender_contact, sender_party_id, sender_key, received_at, language, subject, body, attachments,
		content_hash, state, version, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id`,
		m.Tracking, m.Channel, m.Sender.Kind, m.Sender.Name, m.Sender.Contact, nullID(m.Sender.PartyID),
		m.SenderKey, db.d.t(m.ReceivedAt), m.Language, m.Subject, m.Body, string(attachments),
		m.ContentHash, m.State, m.Version, db.d.t(m.UpdatedAt)).Scan(&m.ID)
	if err != nil {
		err = db.d.classify(err)
		if isForeignKey(err) {
			return domain.Receipt{}, none, domain.FieldErrorf("sender.party_id", "party %d does not exist", m.Sender.PartyID)
		}
		return domain.Receipt{}, none, fmt.Errorf("insert message: %w", err)
	}
	rec, err := messageRecord(m, m.ReceivedAt)
	return domain.Receipt{Message: m}, rec, err
}

// Message returns the message with the given ID.
func (db *DB) Message(ctx context.Context, id int64) (*domain.Message, error) {
	return db.message(ctx, db.r, "id = $1", id)
}

// MessageByTracking returns the message with the given tracking number.
func (db *DB) MessageByTracking(ctx context.Context, tracking string) (*domain.Message, error) {
	return db.message(ctx, db.r, "tracking = $1", tracking)
}

func (db *DB) message(ctx context.Context, q queryer, where string, arg any) (*domain.Message, error) {
	m, err := scanMessage(q.QueryRowContext(ctx, `SELECT `+messageColumns+` FROM messages WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.ENOTFOUND, "message %v not found", arg)
	} else if err != nil {
		return nil, db.d.classify(fmt.Errorf("read message: %w", err))
	}
	return m, nil
}

// Messages lists messages newest first.
func (db *DB) Messages(ctx context.Context, f domain.MessageFilter) ([]*domain.Message, error) {
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if len(f.States) > 0 {
		var ph []string
		for _, s := range f.States {
			ph = append(ph, arg(s))
		}
		where = append(where, "state IN ("+strings.Join(ph, ", ")+")")
	}
	if f.Channel != "" {
		where = append(where, "channel = "+arg(f.Channel))
	}
	if f.PartyID != 0 {
		where = append(where, "sender_party_id = "+arg(f.PartyID))
	}
	if f.ReconciliationID != 0 {
		where = append(where, "reconciliation_id = "+arg(f.ReconciliationID))
	}
	if !f.Since.IsZero() {
		where = append(where, "received_at >= "+arg(db.d.t(f.Since)))
	}
	if !f.Until.IsZero() {
		where = append(where, "received_at < "+arg(db.d.t(f.Until)))
	}
	if f.AfterID != 0 {
		where = append(where, "id < "+arg(f.AfterID))
	}
	q := `SELECT ` + messageColumns + ` FROM messages`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id DESC LIMIT " + arg(limit(f.Limit))
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, db.d.classify(fmt.Errorf("list messages: %w", err))
	}
	defer rows.Close()
	var out []*domain.Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, db.d.classify(rows.Err())
}

// TransitionMessage moves a message to a new state if the request's version
// is current and the state machine allows it, and records who did it.
func (db *DB) TransitionMessage(ctx context.Context, t domain.Transition) (*domain.Message, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}
	if t.At.IsZero() {
		t.At = db.now()
	}
	var out *domain.Message
	announced := func() {}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		m, _, recs, err := db.transition(ctx, tx, t)
		if err != nil {
			return err
		}
		out = m
		if announced, err = db.announce(ctx, tx, []int64{m.ID}); err != nil {
			return err
		}
		return db.logRecords(ctx, tx, recs...)
	})
	if err == nil {
		announced()
	}
	return out, err
}

// transition moves a message inside tx and returns it as moved, the event
// recorded, and the records the ledger must log for the move, which the
// caller appends (logRecords must be the transaction's last statement).
func (db *DB) transition(ctx context.Context, tx *sql.Tx, t domain.Transition) (*domain.Message, *domain.MessageEvent, []ledger.Record, error) {
	if err := t.Validate(); err != nil {
		return nil, nil, nil, err
	}
	t.At = utc(t.At)
	m, err := db.message(ctx, tx, "id = $1", t.MessageID)
	if err != nil {
		return nil, nil, nil, err
	}
	if m.Version != t.Version {
		return nil, nil, nil, domain.Errorf(domain.ECONFLICT, "message %s changed since you read it (version %d, you had %d)", m.Tracking, m.Version, t.Version)
	}
	if !m.State.CanTransition(t.To) {
		return nil, nil, nil, domain.Errorf(domain.ECONFLICT, "message %s cannot go from %s to %s", m.Tracking, m.State, t.To)
	}
	var recs []ledger.Record
	if t.IncidentID != 0 {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM incidents WHERE id = $1`, t.IncidentID).Scan(&n); err != nil {
			return nil, nil, nil, err
		}
		if n == 0 {
			return nil, nil, nil, domain.FieldErrorf("incident_id", "incident %d does not exist", t.IncidentID)
		}
		src := &domain.Source{Kind: domain.SourceMessage, MessageID: m.ID, AddedAt: t.At, AddedBy: t.Actor}
		if err := db.addSource(ctx, tx, t.IncidentID, src); err != nil {
			return nil, nil, nil, fmt.Errorf("link source: %w", err)
		}
		rec, err := sourceRecord(t.IncidentID, src)
		if err != nil {
			return nil, nil, nil, err
		}
		recs = append(recs, rec)
	}
	// A link to a reconciliation is kept on the message itself, so that
	// its ledger record names it; other moves leave the last link as it is.
	set, args := "", []any{t.To, t.Reason, db.d.t(t.At), m.ID, t.Version}
	if t.ReconciliationID != 0 {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM reconciliations WHERE id = $1`, t.ReconciliationID).Scan(&n); err != nil {
			return nil, nil, nil, err
		}
		if n == 0 {
			return nil, nil, nil, domain.FieldErrorf("reconciliation_id", "reconciliation %d does not exist", t.ReconciliationID)
		}
		set, args = ", reconciliation_id = $6", append(args, t.ReconciliationID)
		m.ReconciliationID = t.ReconciliationID
	}
	res, err := tx.ExecContext(ctx, `UPDATE messages SET state = $1, reason = $2, version = version + 1, updated_at = $3`+set+`
		WHERE id = $4 AND version = $5`, args...)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("update message: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil, nil, nil, domain.Errorf(domain.ECONFLICT, "message %s changed since you read it", m.Tracking)
	}
	e := &domain.MessageEvent{MessageID: m.ID, At: t.At, Actor: t.Actor, From: m.State, To: t.To,
		Reason: t.Reason, IncidentID: t.IncidentID, ReconciliationID: t.ReconciliationID, Note: t.Note}
	if err := tx.QueryRowContext(ctx, `INSERT INTO message_events (message_id, at, actor, from_state, to_state, reason,
		incident_id, reconciliation_id, note)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, m.ID, db.d.t(t.At), t.Actor, m.State, t.To, t.Reason,
		nullID(t.IncidentID), nullID(t.ReconciliationID), t.Note).Scan(&e.ID); err != nil {
		return nil, nil, nil, fmt.Errorf("record event: %w", err)
	}
	m.State, m.Reason, m.Version, m.UpdatedAt = t.To, t.Reason, m.Version+1, t.At
	mrec, err := messageRecord(m, t.At)
	if err != nil {
		return nil, nil, nil, err
	}
	erec, err := eventRecord(e)
	if err != nil {
		return nil, nil, nil, err
	}
	return m, e, append(recs, mrec, erec), nil
}

// MessageEvents returns a message's triage history, oldest first.
func (db *DB) MessageEvents(ctx context.Context, messageID int64) ([]*domain.MessageEvent, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+eventColumns+` FROM message_events WHERE message_id = $1 ORDER BY id`, messageID)
	if err != nil {
		return nil, db.d.classify(fmt.Errorf("list events: %w", err))
	}
	defer rows.Close()
	var out []*domain.MessageEvent
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, db.d.classify(rows.Err())
}

const eventColumns = `id, message_id, at, actor, from_state, to_state, reason, COALESCE(incident_id, 0),
	COALESCE(reconciliation_id, 0), note`

func scanEvent(row interface{ Scan(...any) error }) (*domain.MessageEvent, error) {
	var e domain.MessageEvent
	return &e, row.Scan(&e.ID, &e.MessageID, ts{&e.At}, &e.Actor, &e.From, &e.To, &e.Reason, &e.IncidentID,
		&e.ReconciliationID, &e.Note)
}

// CountMessages counts messages per state.
func (db *DB) CountMessages(ctx context.Context) (map[domain.MessageState]int, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT state, COUNT(*) FROM messages GROUP BY state`)
	if err != nil {
		return nil, db.d.classify(fmt.Errorf("count messages: %w", err))
	}
	defer rows.Close()
	out := map[domain.MessageState]int{}
	for rows.Next() {
		var s domain.MessageState
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, err
		}
		out[s] = n
	}
	return out, db.d.classify(rows.Err())
}

// nullID stores a zero ID as NULL, so foreign keys only bind real rows.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// nonNil makes a nil slice encode as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// limit bounds a page size: default 100, at most 1000.
func limit(n int) int {
	switch {
	case n <= 0:
		return 100
	case n > 1000:
		return 1000
	}
	return n
}
