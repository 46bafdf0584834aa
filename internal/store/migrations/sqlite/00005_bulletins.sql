-- +goose Up
-- Published daily bulletins. A row is never updated: a correction is a new
-- version of the same day, so every version ever published can be shown again
-- and checked against its content hash.
CREATE TABLE bulletins (
    id           INTEGER PRIMARY KEY,
    agreement_id INTEGER NOT NULL REFERENCES agreements(id),
    day          TEXT    NOT NULL,
    version      INTEGER NOT NULL,
    title        TEXT    NOT NULL,
    report       TEXT    NOT NULL,
    html         TEXT    NOT NULL,
    markdown     TEXT    NOT NULL,
    pdf          BLOB    NOT NULL,
    content_hash TEXT    NOT NULL,
    note         TEXT    NOT NULL DEFAULT '',
    published_at TEXT    NOT NULL,
    published_by TEXT    NOT NULL,
    UNIQUE (agreement_id, day, version)
);

-- A trigger, not only the code, keeps published versions immutable.
-- +goose StatementBegin
CREATE TRIGGER bulletins_immutable BEFORE UPDATE ON bulletins
BEGIN
    SELECT RAISE(ABORT, 'published bulletins cannot be changed; publish a new version');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER bulletins_immutable;
DROP TABLE bulletins;
