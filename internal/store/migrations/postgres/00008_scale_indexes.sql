-- +goose Up
-- Indexes for the map and list query (bbox + time window + party) at ACLED
-- scale (BENCHMARKS.md, "Scale"). The time index carries the point, so the
-- box is tested inside the index and only matching rows are read from the
-- table; it replaces the plain time index, whose every use it serves.
CREATE INDEX incidents_occurred_point ON incidents (occurred_at) INCLUDE (lon, lat);
DROP INDEX incidents_occurred;
-- The party test of each candidate incident is then answered from the index
-- alone, where the primary key (incident_id, role, position) needed the row.
CREATE INDEX incident_parties_incident ON incident_parties (incident_id, party_id);

-- +goose Down
DROP INDEX incident_parties_incident;
CREATE INDEX incidents_occurred ON incidents (occurred_at);
DROP INDEX incidents_occurred_point;
