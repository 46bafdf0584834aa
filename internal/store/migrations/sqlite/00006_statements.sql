-- +goose Up
-- News and statements (docs/news.md): articles as read, the statements
-- attributed in them with the byte offsets of their sentences, and the
-- checkable claims with the latest check of each. The content hash makes the
-- same article read twice one article.
CREATE TABLE articles (
    id           INTEGER PRIMARY KEY,
    title        TEXT    NOT NULL DEFAULT '',
    body         TEXT    NOT NULL,
    published_on TEXT,
    source       TEXT    NOT NULL DEFAULT '',
    url          TEXT    NOT NULL DEFAULT '',
    content_hash TEXT    NOT NULL UNIQUE,
    warnings     TEXT    NOT NULL DEFAULT '[]',
    ingested_at  TEXT    NOT NULL,
    ingested_by  TEXT    NOT NULL
);
CREATE INDEX articles_published ON articles (published_on);

CREATE TABLE statements (
    id              INTEGER PRIMARY KEY,
    article_id      INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    start_offset    INTEGER NOT NULL,
    end_offset      INTEGER NOT NULL,
    body            TEXT    NOT NULL,
    quotes          TEXT    NOT NULL DEFAULT '[]',
    verb            TEXT    NOT NULL DEFAULT '',
    speaker_name    TEXT    NOT NULL,
    speaker_kind    TEXT    NOT NULL DEFAULT '',
    speaker_title   TEXT    NOT NULL DEFAULT '',
    speaker_org     TEXT    NOT NULL DEFAULT '',
    speaker_country TEXT    NOT NULL DEFAULT '',
    speaker_mention TEXT    NOT NULL DEFAULT '',
    speaker_via     TEXT    NOT NULL DEFAULT '',
    party_id        INTEGER REFERENCES parties (id)
);
CREATE INDEX statements_article ON statements (article_id, start_offset);
CREATE INDEX statements_party ON statements (party_id) WHERE party_id IS NOT NULL;

CREATE TABLE claims (
    id             INTEGER PRIMARY KEY,
    article_id     INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    statement_id   INTEGER REFERENCES statements (id) ON DELETE CASCADE,
    start_offset   INTEGER NOT NULL,
    end_offset     INTEGER NOT NULL,
    speaker        TEXT    NOT NULL DEFAULT '',
    at_least       INTEGER NOT NULL DEFAULT 0,
    actor          TEXT    NOT NULL DEFAULT '',
    actor_party_id INTEGER REFERENCES parties (id),
    metric         TEXT    NOT NULL,
    window_start   TEXT,
    window_end     TEXT,
    baseline_s     INTEGER NOT NULL DEFAULT 0,
    direction      TEXT    NOT NULL,
    strength       TEXT    NOT NULL DEFAULT '',
    value          REAL    NOT NULL DEFAULT 0,
    body           TEXT    NOT NULL DEFAULT '',
    verdict        TEXT    NOT NULL DEFAULT '',
    reason         TEXT    NOT NULL DEFAULT '',
    sentence       TEXT    NOT NULL DEFAULT '',
    p_value        REAL    NOT NULL DEFAULT 0,
    detail         TEXT    NOT NULL DEFAULT '',
    checked_at     TEXT,
    checked_by     TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX claims_article ON claims (article_id, start_offset);
CREATE INDEX claims_verdict ON claims (verdict);
CREATE INDEX claims_actor ON claims (actor_party_id, window_start) WHERE actor_party_id IS NOT NULL;

-- +goose Down
DROP TABLE claims;
DROP TABLE statements;
DROP TABLE articles;
