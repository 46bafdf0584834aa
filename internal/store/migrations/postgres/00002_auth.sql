-- +goose Up
-- Users, sessions, API tokens and the audit trail (internal/auth).
-- Secrets are never stored: sessions and tokens are kept by the SHA-256 of
-- their secret, passwords as argon2id PHC strings.
CREATE TABLE users (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          TEXT    NOT NULL,
    name_key      TEXT    NOT NULL UNIQUE,
    full_name     TEXT    NOT NULL DEFAULT '',
    role          TEXT    NOT NULL CHECK (role IN ('co-chair', 'monitor', 'liaison', 'observer')),
    party_id      BIGINT REFERENCES parties(id),
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    password_hash TEXT    NOT NULL DEFAULT '',
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1,
    CHECK ((role = 'liaison') = (party_id IS NOT NULL))
);

CREATE TABLE sessions (
    hash         TEXT    PRIMARY KEY,
    user_id      BIGINT  NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    address      TEXT    NOT NULL DEFAULT '',
    user_agent   TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE api_tokens (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      BIGINT  NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    prefix       TEXT    NOT NULL,
    hash         TEXT    NOT NULL UNIQUE,
    scopes       JSONB   NOT NULL DEFAULT '[]',
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- actor_id has no foreign key: the trail must outlive any account. old and
-- new are TEXT, not JSONB, so they come back byte for byte as written.
CREATE TABLE audit_events (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL,
    actor_id    BIGINT,
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
-- bug or a stray UPDATE cannot rewrite history. (TRUNCATE by the owner
-- still works; revoke it from the application role in production.)
-- +goose StatementBegin
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();

-- +goose Down
DROP TRIGGER IF EXISTS audit_events_no_change ON audit_events;
DROP FUNCTION IF EXISTS audit_events_append_only();
DROP TABLE IF EXISTS audit_events;
DROP TABLE IF EXISTS api_tokens;
DROP TABLE IF EXISTS sessions;
DROP TABLE IF EXISTS users;
