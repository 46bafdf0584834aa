-- +goose Up
-- Who changed an incident's verification grade, when, from what and why.
CREATE TABLE grade_changes (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id BIGINT  NOT NULL REFERENCES incidents(id),
    from_grade  TEXT    NOT NULL,
    to_grade    TEXT    NOT NULL,
    note        TEXT    NOT NULL,
    actor       TEXT    NOT NULL,
    at          TIMESTAMPTZ NOT NULL,
    version     INTEGER NOT NULL
);
CREATE INDEX grade_changes_incident ON grade_changes (incident_id, id);

-- Actor names imports could not resolve, counted per input (a file's
-- SHA-256), so importing the same file again does not inflate the counts.
CREATE TABLE unmapped_actors (
    origin     TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    input      TEXT    NOT NULL,
    count      INTEGER NOT NULL,
    first_line INTEGER NOT NULL DEFAULT 0,
    seen_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (origin, name, input)
);

-- Proposals that several reports describe one incident, and their fate.
CREATE TABLE clusters (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member_key  TEXT    NOT NULL UNIQUE,
    state       TEXT    NOT NULL CHECK (state IN ('proposed', 'accepted', 'split')),
    score       DOUBLE PRECISION    NOT NULL,
    reasons     TEXT    NOT NULL DEFAULT '[]',
    survivor_id BIGINT  REFERENCES incidents(id),
    created_at  TIMESTAMPTZ NOT NULL,
    decided_at  TIMESTAMPTZ,
    decided_by  TEXT    NOT NULL DEFAULT '',
    note        TEXT    NOT NULL DEFAULT '',
    version     INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX clusters_state ON clusters (state, id);

CREATE TABLE cluster_members (
    cluster_id  BIGINT  NOT NULL REFERENCES clusters(id),
    position    INTEGER NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('incident', 'message')),
    ref_id      BIGINT  NOT NULL,
    place       TEXT    NOT NULL DEFAULT '',
    distance_km DOUBLE PRECISION    NOT NULL DEFAULT 0,
    gap_hours   DOUBLE PRECISION    NOT NULL DEFAULT 0,
    PRIMARY KEY (cluster_id, position)
);
CREATE INDEX cluster_members_ref ON cluster_members (kind, ref_id);

-- An incident merged into another stays stored; this row says where it went.
CREATE TABLE incident_merges (
    incident_id BIGINT  PRIMARY KEY REFERENCES incidents(id),
    into_id     BIGINT  NOT NULL REFERENCES incidents(id),
    cluster_id  BIGINT  NOT NULL REFERENCES clusters(id),
    at          TIMESTAMPTZ NOT NULL,
    actor       TEXT    NOT NULL
);
CREATE INDEX incident_merges_into ON incident_merges (into_id);

-- +goose Down
DROP TABLE incident_merges;
DROP TABLE cluster_members;
DROP TABLE clusters;
DROP TABLE unmapped_actors;
DROP TABLE grade_changes;
