-- +goose Up
-- The tamper-evident log (docs/ledger.md): one entry per logged write, with
-- the record's key so a verifier can say which record was touched, and the
-- instant of the write, which the leaf covers.
CREATE TABLE ledger_entries (
    idx       BIGINT PRIMARY KEY,
    kind      TEXT    NOT NULL,
    record_id BIGINT NOT NULL,
    version   BIGINT NOT NULL,
    at        TIMESTAMPTZ   NOT NULL,
    leaf_hash BYTEA   NOT NULL
);
CREATE INDEX ledger_entries_record ON ledger_entries (kind, record_id, version);

CREATE TABLE ledger_nodes (
    level INTEGER NOT NULL,
    idx   BIGINT NOT NULL,
    hash  BYTEA   NOT NULL,
    PRIMARY KEY (level, idx)
);

CREATE TABLE ledger_checkpoints (
    size       BIGINT PRIMARY KEY,
    note       TEXT    NOT NULL,
    created_at TIMESTAMPTZ   NOT NULL
);

-- +goose Down
DROP TABLE IF EXISTS ledger_checkpoints;
DROP TABLE IF EXISTS ledger_nodes;
DROP TABLE IF EXISTS ledger_entries;
