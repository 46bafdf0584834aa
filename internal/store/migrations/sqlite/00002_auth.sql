-- +goose Up
-- Users, sessions, API tokens and the audit trail (internal/auth).
-- Secrets are never stored: sessions and tokens are kept by the SHA-256 of
-- their secret, passwords as argon2id PHC strings.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL,
    name_key      TEXT    NOT NULL UNIQUE,
    full_name     TEXT    NOT NULL DEFAULT '',
    role          TEXT    NOT NULL CHECK (role IN ('co-chair', 'monitor', 'liaison', 'observer')),
    party_id      INTEGER REFERENCES parties(id),
    disabled      INTEGER NOT NULL DEFAULT 0,
    password_hash TEXT    NOT NULL DEFAULT '',
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1,
    CHECK ((role = 'liaison') = (party_id IS NOT NULL))
);

CREATE TABLE sessions (
    hash         TEXT    PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at   TEXT    NOT NULL,
    expires_at   TEXT    NOT NULL,
    last_seen_at TEXT    NOT NULL,
    address      TEXT    NOT NULL DEFAULT '',
    user_agent   TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    prefix       TEXT    NOT NULL,
    hash         TEXT    NOT NULL UNIQUE,
    scopes       TEXT    NOT NULL DEFAULT '[]',
    created_at   TEXT    NOT NULL,
    expires_at   TEXT    NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- actor_id has no foreign key: the trail must outlive any account.
CREATE TABLE audit_events (
    id          INTEGER PRIMARY KEY,
    at          TEXT    NOT NULL,
    actor_id    INTEGER,
    actor       TEXT    NOT NULL,
    role        TEXT    NOT NULL DEFAULT '',
    address     TEXT    NOT NULL DEFAULT '',
    action      TEXT    NOT NULL,
    record_kind TEXT    NOT NULL DEFAULT '',
    record_id   TEXT    NOT NULL DEFAULT '',
    old_value   TEXT,
    new_value   TEXT
);
CREATE INDEX audit_events_at ON audit_events (at);
CREATE INDEX audit_events_actor ON audit_events (actor, id);
CREATE INDEX audit_events_record ON audit_events (record_kind, record_id, id);

-- The trail only grows: the engine itself refuses edits and deletions, so a
-- bug or a stray UPDATE cannot rewrite history.
-- +goose StatementBegin
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER audit_events_no_delete;
DROP TRIGGER audit_events_no_update;
DROP TABLE audit_events;
DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE users;
