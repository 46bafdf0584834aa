-- +goose Up
-- Audit events are ledger leaves from this version on (docs/ledger.md §6).
-- Rows written before it have none: the store adopts them into the log once,
-- at its first start after this migration, up to the highest ID recorded
-- here, and logs the adoption as a leaf of its own. A row added later
-- without a leaf is reported as inserted, never adopted.
CREATE TABLE ledger_adoptions (
    id         BIGINT PRIMARY KEY,
    kind       TEXT   NOT NULL UNIQUE,
    through_id BIGINT NOT NULL,
    row_count  BIGINT NOT NULL DEFAULT 0,
    adopted_at TIMESTAMPTZ
);
INSERT INTO ledger_adoptions (id, kind, through_id)
    SELECT 1, 'audit_event', MAX(id) FROM audit_events HAVING COUNT(*) > 0;

-- +goose Down
DROP TABLE IF EXISTS ledger_adoptions;
