-- +goose Up
-- Local reconciliation agreements (docs/reconciliations.md): a settlement
-- joins a ceasefire through its representatives or an armed group, often
-- through a guarantor, sometimes on terms. state is the newest row of the
-- timeline, kept with the agreement so lists filter on it; both are logged
-- in the ledger with each version. geoname_id names the gazetteer entry by
-- its stable GeoNames ID, not by places.id, which a reload renumbers.
CREATE TABLE reconciliations (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agreement_id   BIGINT  NOT NULL REFERENCES agreements (id),
    settlement     TEXT    NOT NULL,
    geoname_id     BIGINT,
    lat            DOUBLE PRECISION,
    lon            DOUBLE PRECISION,
    admin1         TEXT    NOT NULL,
    admin2         TEXT    NOT NULL DEFAULT '',
    signed_at      TIMESTAMPTZ NOT NULL,
    time_precision INTEGER NOT NULL DEFAULT 1,
    terms          TEXT    NOT NULL DEFAULT '[]',
    sources        TEXT    NOT NULL DEFAULT '[]',
    summary        TEXT    NOT NULL DEFAULT '',
    state          TEXT    NOT NULL CHECK (state IN ('signed', 'in_force', 'broken', 'withdrawn')),
    created_at     TIMESTAMPTZ NOT NULL,
    created_by     TEXT    NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    version        INTEGER NOT NULL
);
CREATE INDEX reconciliations_agreement ON reconciliations (agreement_id, signed_at);
CREATE INDEX reconciliations_admin1 ON reconciliations (admin1, signed_at);

CREATE TABLE reconciliation_parties (
    reconciliation_id BIGINT  NOT NULL REFERENCES reconciliations (id) ON DELETE CASCADE,
    position          INTEGER NOT NULL,
    party_id          BIGINT  REFERENCES parties (id),
    name              TEXT    NOT NULL DEFAULT '',
    role              TEXT    NOT NULL CHECK (role IN ('armed_group', 'community', 'government', 'guarantor')),
    PRIMARY KEY (reconciliation_id, position)
);
CREATE INDEX reconciliation_parties_party ON reconciliation_parties (party_id) WHERE party_id IS NOT NULL;

-- Status rows are appended, never edited.
CREATE TABLE reconciliation_statuses (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reconciliation_id BIGINT  NOT NULL REFERENCES reconciliations (id) ON DELETE CASCADE,
    state             TEXT    NOT NULL CHECK (state IN ('signed', 'in_force', 'broken', 'withdrawn')),
    at                TIMESTAMPTZ NOT NULL,
    note              TEXT    NOT NULL DEFAULT '',
    recorded_at       TIMESTAMPTZ NOT NULL,
    recorded_by       TEXT    NOT NULL
);
CREATE INDEX reconciliation_statuses_timeline ON reconciliation_statuses (reconciliation_id, at, id);

-- +goose Down
DROP TABLE reconciliation_statuses;
DROP TABLE reconciliation_parties;
DROP TABLE reconciliations;
