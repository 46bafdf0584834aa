-- +goose Up
-- The current compliance verdict per incident and agreement (docs/compliance.md).
-- Verdicts are derived: they can always be recomputed from the logged
-- incidents, terms, statuses and areas, so they are not in the ledger.
CREATE TABLE verdicts (
    incident_id       INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    agreement_id      INTEGER NOT NULL REFERENCES agreements(id),
    incident_version  INTEGER NOT NULL,
    agreement_version INTEGER NOT NULL,
    outcome           TEXT    NOT NULL,
    reason            TEXT    NOT NULL DEFAULT '',
    disputed          INTEGER NOT NULL DEFAULT 0,
    outcomes          TEXT    NOT NULL,
    views             TEXT    NOT NULL,
    sentence          TEXT    NOT NULL,
    fingerprint       TEXT    NOT NULL,
    computed_at       TEXT    NOT NULL,
    PRIMARY KEY (incident_id, agreement_id)
);
CREATE INDEX verdicts_outcome ON verdicts (agreement_id, outcome, incident_id);

-- Append-only: each row is one incident whose outcome changed in some view.
CREATE TABLE verdict_changes (
    id           INTEGER PRIMARY KEY,
    incident_id  INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    agreement_id INTEGER NOT NULL REFERENCES agreements(id),
    old_outcome  TEXT    NOT NULL DEFAULT '',
    new_outcome  TEXT    NOT NULL,
    old_views    TEXT    NOT NULL,
    new_views    TEXT    NOT NULL,
    cause_kind   TEXT    NOT NULL,
    cause_id     INTEGER NOT NULL DEFAULT 0,
    cause        TEXT    NOT NULL,
    at           TEXT    NOT NULL,
    actor        TEXT    NOT NULL
);
CREATE INDEX verdict_changes_incident ON verdict_changes (incident_id, id);

-- +goose Down
DROP TABLE verdict_changes;
DROP TABLE verdicts;
