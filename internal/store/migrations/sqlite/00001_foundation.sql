-- +goose Up
CREATE TABLE agreements (
    id                  INTEGER PRIMARY KEY,
    slug                TEXT    NOT NULL UNIQUE,
    name                TEXT    NOT NULL,
    time_zone           TEXT    NOT NULL,
    start_at            TEXT    NOT NULL,
    end_at              TEXT,
    commit_by           TEXT,
    prohibited_acts     TEXT    NOT NULL DEFAULT '[]',
    country             TEXT    NOT NULL DEFAULT '',
    scope               TEXT    NOT NULL DEFAULT '[]',
    exclusion_authority TEXT    NOT NULL DEFAULT '',
    grace_seconds       INTEGER NOT NULL DEFAULT 0,
    text                TEXT    NOT NULL DEFAULT '',
    source              TEXT    NOT NULL DEFAULT '',
    version             INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE parties (
    id        INTEGER PRIMARY KEY,
    slug      TEXT    NOT NULL UNIQUE,
    name      TEXT    NOT NULL,
    kind      TEXT    NOT NULL,
    aliases   TEXT    NOT NULL DEFAULT '[]',
    parent_id INTEGER REFERENCES parties(id),
    sponsor   TEXT    NOT NULL DEFAULT '',
    version   INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE party_statuses (
    id           INTEGER PRIMARY KEY,
    agreement_id INTEGER NOT NULL REFERENCES agreements(id),
    party_id     INTEGER NOT NULL REFERENCES parties(id),
    kind         TEXT    NOT NULL,
    designator   TEXT    NOT NULL DEFAULT '',
    valid_from   TEXT    NOT NULL,
    source       TEXT    NOT NULL DEFAULT '',
    note         TEXT    NOT NULL DEFAULT '',
    recorded_at  TEXT    NOT NULL,
    recorded_by  TEXT    NOT NULL
);
CREATE INDEX party_statuses_agreement ON party_statuses (agreement_id, party_id, valid_from);

CREATE TABLE incidents (
    id                  INTEGER PRIMARY KEY,
    event_type          TEXT    NOT NULL,
    sub_event_type      TEXT    NOT NULL,
    occurred_at         TEXT    NOT NULL,
    time_precision      INTEGER NOT NULL,
    location            TEXT    NOT NULL DEFAULT '',
    lat                 REAL,
    lon                 REAL,
    geo_precision       INTEGER NOT NULL,
    admin1              TEXT    NOT NULL DEFAULT '',
    admin2              TEXT    NOT NULL DEFAULT '',
    fatalities_best     INTEGER NOT NULL DEFAULT 0,
    fatalities_low      INTEGER NOT NULL DEFAULT 0,
    fatalities_high     INTEGER NOT NULL DEFAULT 0,
    fatalities_civilian INTEGER NOT NULL DEFAULT 0,
    injured             INTEGER NOT NULL DEFAULT 0,
    grade               TEXT    NOT NULL DEFAULT '',
    summary             TEXT    NOT NULL DEFAULT '',
    origin              TEXT    NOT NULL DEFAULT '',
    origin_id           TEXT    NOT NULL DEFAULT '',
    created_at          TEXT    NOT NULL,
    created_by          TEXT    NOT NULL,
    updated_at          TEXT    NOT NULL,
    version             INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX incidents_origin ON incidents (origin, origin_id) WHERE origin <> '';
CREATE INDEX incidents_occurred ON incidents (occurred_at);
CREATE INDEX incidents_admin1 ON incidents (admin1, occurred_at);

CREATE TABLE incident_parties (
    incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    party_id    INTEGER NOT NULL REFERENCES parties(id),
    role        TEXT    NOT NULL CHECK (role IN ('perpetrator', 'target')),
    position    INTEGER NOT NULL,
    PRIMARY KEY (incident_id, role, position)
);
CREATE INDEX incident_parties_party ON incident_parties (party_id, role);

-- Times are stored as fixed-width UTC text (2006-01-02T15:04:05.000000Z) so
-- that text order is time order and sqlite's date functions read them.
CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    tracking        TEXT    NOT NULL UNIQUE,
    channel         TEXT    NOT NULL,
    sender_kind     TEXT    NOT NULL,
    sender_name     TEXT    NOT NULL DEFAULT '',
    sender_contact  TEXT    NOT NULL DEFAULT '',
    sender_party_id INTEGER REFERENCES parties(id),
    sender_key      TEXT    NOT NULL,
    received_at     TEXT    NOT NULL,
    language        TEXT    NOT NULL DEFAULT '',
    subject         TEXT    NOT NULL DEFAULT '',
    body            TEXT    NOT NULL,
    attachments     TEXT    NOT NULL DEFAULT '[]',
    content_hash    TEXT    NOT NULL,
    state           TEXT    NOT NULL,
    reason          TEXT    NOT NULL DEFAULT '',
    repeats         INTEGER NOT NULL DEFAULT 0,
    version         INTEGER NOT NULL DEFAULT 1,
    updated_at      TEXT    NOT NULL
);
CREATE INDEX messages_dedup ON messages (sender_key, content_hash, received_at);
CREATE INDEX messages_state ON messages (state, id);
CREATE INDEX messages_received ON messages (received_at);

CREATE TABLE message_repeats (
    id          INTEGER PRIMARY KEY,
    message_id  INTEGER NOT NULL REFERENCES messages(id),
    received_at TEXT    NOT NULL,
    channel     TEXT    NOT NULL
);
CREATE INDEX message_repeats_message ON message_repeats (message_id);

CREATE TABLE message_events (
    id          INTEGER PRIMARY KEY,
    message_id  INTEGER NOT NULL REFERENCES messages(id),
    at          TEXT    NOT NULL,
    actor       TEXT    NOT NULL,
    from_state  TEXT    NOT NULL,
    to_state    TEXT    NOT NULL,
    reason      TEXT    NOT NULL DEFAULT '',
    incident_id INTEGER REFERENCES incidents(id),
    note        TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX message_events_message ON message_events (message_id, id);

CREATE TABLE sources (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL,
    message_id  INTEGER REFERENCES messages(id),
    url         TEXT    NOT NULL DEFAULT '',
    publisher   TEXT    NOT NULL DEFAULT '',
    note        TEXT    NOT NULL DEFAULT '',
    added_at    TEXT    NOT NULL,
    added_by    TEXT    NOT NULL
);
CREATE INDEX sources_incident ON sources (incident_id);
CREATE INDEX sources_message ON sources (message_id);

CREATE TABLE places (
    id            INTEGER PRIMARY KEY,
    geoname_id    INTEGER,
    name          TEXT    NOT NULL,
    name_ar       TEXT    NOT NULL DEFAULT '',
    alternates    TEXT    NOT NULL DEFAULT '[]',
    lat           REAL    NOT NULL,
    lon           REAL    NOT NULL,
    feature_class TEXT    NOT NULL DEFAULT '',
    feature_code  TEXT    NOT NULL DEFAULT '',
    admin1        TEXT    NOT NULL DEFAULT '',
    admin2        TEXT    NOT NULL DEFAULT '',
    population    INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX places_geoname ON places (geoname_id) WHERE geoname_id IS NOT NULL;

CREATE TABLE regions (
    pcode    TEXT    PRIMARY KEY,
    level    INTEGER NOT NULL,
    name     TEXT    NOT NULL,
    name_ar  TEXT    NOT NULL DEFAULT '',
    parent   TEXT    NOT NULL DEFAULT '',
    geometry TEXT    NOT NULL
);

CREATE TABLE areas (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL,
    controller_id INTEGER NOT NULL REFERENCES parties(id),
    valid_from    TEXT    NOT NULL,
    valid_to      TEXT,
    geometry      TEXT    NOT NULL,
    source        TEXT    NOT NULL DEFAULT ''
);

CREATE TABLE daily_counts (
    series TEXT NOT NULL,
    region TEXT NOT NULL,
    day    TEXT NOT NULL,
    value  REAL NOT NULL,
    PRIMARY KEY (series, region, day)
);

-- +goose Down
DROP TABLE daily_counts;
DROP TABLE areas;
DROP TABLE regions;
DROP TABLE places;
DROP TABLE sources;
DROP TABLE message_events;
DROP TABLE message_repeats;
DROP TABLE messages;
DROP TABLE incident_parties;
DROP TABLE incidents;
DROP TABLE party_statuses;
DROP TABLE parties;
DROP TABLE agreements;
