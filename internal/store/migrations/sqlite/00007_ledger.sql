-- +goose Up
-- The tamper-evident log (docs/ledger.md): one entry per logged write, with
-- the record's key so a verifier can say which record was touched, and the
-- instant of the write, which the leaf covers.
CREATE TABLE ledger_entries (
    idx       INTEGER PRIMARY KEY,
    kind      TEXT    NOT NULL,
    record_id INTEGER NOT NULL,
    version   INTEGER NOT NULL,
    at        TEXT    NOT NULL,
    leaf_hash BLOB    NOT NULL
);
CREATE INDEX ledger_entries_record ON ledger_entries (kind, record_id, version);

CREATE TABLE ledger_nodes (
    level INTEGER NOT NULL,
    idx   INTEGER NOT NULL,
    hash  BLOB    NOT NULL,
    PRIMARY KEY (level, idx)
);

CREATE TABLE ledger_checkpoints (
    size       INTEGER PRIMARY KEY,
    note       TEXT    NOT NULL,
    created_at TEXT    NOT NULL
);

-- +goose Down
DROP TABLE ledger_checkpoints;
DROP TABLE ledger_nodes;
DROP TABLE ledger_entries;
