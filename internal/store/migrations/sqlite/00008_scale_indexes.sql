-- +goose Up
-- The same indexes as PostgreSQL's 00008 (SQLite has no INCLUDE, so the
-- point is a key column): the map query tests its box inside the time index
-- and its party inside the party index, without reading table rows.
CREATE INDEX incidents_occurred_point ON incidents (occurred_at, lon, lat);
DROP INDEX incidents_occurred;
CREATE INDEX incident_parties_incident ON incident_parties (incident_id, party_id);

-- +goose Down
DROP INDEX incident_parties_incident;
CREATE INDEX incidents_occurred ON incidents (occurred_at);
DROP INDEX incidents_occurred_point;
