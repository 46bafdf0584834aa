package store

import (
	"context"
	"database/sql"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/ledger"
)

// CreateReconciliationFromMessage stores a new reconciliation and links the
// message it was recorded from to it in one transaction, so the desk never
// leaves a reconciliation whose message still waits in the inbox, nor a
// message triaged for a reconciliation that was refused. A received message
// goes through triaged, as a monitor would take it by hand: two moves, each
// in its history and the ledger.
func (db *DB) CreateReconciliationFromMessage(ctx context.Context, rc *domain.Reconciliation, link domain.Transition) (*domain.Message, []*domain.MessageEvent, error) {
	if err := rc.Validate(); err != nil {
		return nil, nil, err
	}
	switch {
	case link.MessageID <= 0:
		return nil, nil, domain.FieldErrorf("message_id", "is required")
	case link.Version <= 0:
		return nil, nil, domain.FieldErrorf("version", "is required: the version of the message you read")
	case link.IncidentID != 0 || link.ReconciliationID != 0:
		return nil, nil, domain.FieldErrorf("reconciliation_id", "the link is to the reconciliation being recorded; name no other record")
	case link.Reason != "":
		return nil, nil, domain.FieldErrorf("reason", "only a rejection takes a reason")
	}
	now := db.now()
	if link.At.IsZero() {
		link.At = now
	}
	link.To = domain.StateLinked
	var out *domain.Message
	var events []*domain.MessageEvent
	announced := func() {}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		events = nil
		rec, err := db.insertReconciliation(ctx, tx, rc, now)
		if err != nil {
			return err
		}
		recs := []ledger.Record{rec}
		link.ReconciliationID = rc.ID
		m, err := db.message(ctx, tx, "id = $1", link.MessageID)
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			// The message is named in the request, not the path.
			return domain.FieldErrorf("message_id", "message %d does not exist", link.MessageID)
		} else if err != nil {
			return err
		}
		moves := []domain.Transition{link}
		if m.State == domain.StateReceived {
			triage := link
			triage.To, triage.ReconciliationID, triage.Note = domain.StateTriaged, 0, ""
			moves = []domain.Transition{triage, link}
		}
		for i, t := range moves {
			if i > 0 {
				t.Version = out.Version
			}
			m, e, r, err := db.transition(ctx, tx, t)
			if err != nil {
				return err
			}
			out, events, recs = m, append(events, e), append(recs, r...)
		}
		if announced, err = db.announce(ctx, tx, []int64{out.ID}); err != nil {
			return err
		}
		return db.logRecords(ctx, tx, recs...)
	})
	if err != nil {
		return nil, nil, err
	}
	announced()
	return out, events, nil
}
