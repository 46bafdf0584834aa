-- +goose Up
-- A message may be linked to the reconciliation it reports, as it may be
-- to incidents (docs/reconciliations.md, "Linked messages"). The message
-- keeps the reconciliation it was last linked to, logged with its version
-- in the ledger; each link is also a row of its history, as a link to an
-- incident is. NULL for every message before it: their ledger leaves,
-- which leave out a zero reconciliation_id, do not change. A nullable
-- column without a default is added without rewriting the table.
ALTER TABLE messages ADD COLUMN reconciliation_id BIGINT REFERENCES reconciliations (id);
ALTER TABLE message_events ADD COLUMN reconciliation_id BIGINT REFERENCES reconciliations (id);
-- The reconciliation's page lists its messages.
CREATE INDEX messages_reconciliation ON messages (reconciliation_id) WHERE reconciliation_id IS NOT NULL;

-- +goose Down
DROP INDEX messages_reconciliation;
ALTER TABLE message_events DROP COLUMN reconciliation_id;
ALTER TABLE messages DROP COLUMN reconciliation_id;
