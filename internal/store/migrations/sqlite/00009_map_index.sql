-- +goose Up
-- The same map index as PostgreSQL's 00009: each party row carries its
-- incident's time, point and 0.25° cell, kept by triggers; incident_days
-- bounds the IDs of each UTC day. SQLite's CAST truncates, which is floor
-- for the non-negative lat + 90 and lon + 180 of a valid point.
ALTER TABLE incident_parties ADD COLUMN occurred_at TEXT;
ALTER TABLE incident_parties ADD COLUMN lat REAL;
ALTER TABLE incident_parties ADD COLUMN lon REAL;
ALTER TABLE incident_parties ADD COLUMN cell INTEGER;
UPDATE incident_parties SET (occurred_at, lat, lon, cell) = (SELECT occurred_at, lat, lon,
    CAST((lat + 90) * 4 AS INTEGER) * 1441 + CAST((lon + 180) * 4 AS INTEGER) FROM incidents WHERE id = incident_id);

-- +goose StatementBegin
-- A writer that already knows the copies (the importer's many-row insert)
-- gives them, and the trigger's per-row UPDATE is skipped.
CREATE TRIGGER incident_parties_fill AFTER INSERT ON incident_parties WHEN NEW.occurred_at IS NULL BEGIN
    UPDATE incident_parties SET (occurred_at, lat, lon, cell) = (SELECT occurred_at, lat, lon,
        CAST((lat + 90) * 4 AS INTEGER) * 1441 + CAST((lon + 180) * 4 AS INTEGER) FROM incidents WHERE id = NEW.incident_id)
    WHERE incident_id = NEW.incident_id AND role = NEW.role AND position = NEW.position;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER incidents_move_parties AFTER UPDATE OF occurred_at, lat, lon ON incidents BEGIN
    UPDATE incident_parties SET occurred_at = NEW.occurred_at, lat = NEW.lat, lon = NEW.lon,
        cell = CAST((NEW.lat + 90) * 4 AS INTEGER) * 1441 + CAST((NEW.lon + 180) * 4 AS INTEGER)
    WHERE incident_id = NEW.id;
END;
-- +goose StatementEnd
CREATE INDEX incident_parties_map ON incident_parties (party_id, cell, incident_id, occurred_at, lon, lat);
DROP INDEX incident_parties_incident;
CREATE INDEX incident_parties_incident ON incident_parties (incident_id, party_id, role, position);

CREATE TABLE incident_days (
    day    INTEGER PRIMARY KEY,
    min_id INTEGER NOT NULL,
    max_id INTEGER NOT NULL
);
INSERT INTO incident_days (day, min_id, max_id)
    SELECT unixepoch(occurred_at) / 86400, MIN(id), MAX(id) FROM incidents WHERE true GROUP BY 1;
-- +goose StatementBegin
CREATE TRIGGER incident_days_insert AFTER INSERT ON incidents BEGIN
    INSERT INTO incident_days (day, min_id, max_id) VALUES (unixepoch(NEW.occurred_at) / 86400, NEW.id, NEW.id)
        ON CONFLICT (day) DO UPDATE SET min_id = MIN(min_id, excluded.min_id), max_id = MAX(max_id, excluded.max_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER incident_days_update AFTER UPDATE OF occurred_at ON incidents BEGIN
    INSERT INTO incident_days (day, min_id, max_id) VALUES (unixepoch(NEW.occurred_at) / 86400, NEW.id, NEW.id)
        ON CONFLICT (day) DO UPDATE SET min_id = MIN(min_id, excluded.min_id), max_id = MAX(max_id, excluded.max_id);
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER incident_days_update;
DROP TRIGGER incident_days_insert;
DROP TABLE incident_days;
DROP INDEX incident_parties_map;
DROP INDEX incident_parties_incident;
CREATE INDEX incident_parties_incident ON incident_parties (incident_id, party_id);
DROP TRIGGER incidents_move_parties;
DROP TRIGGER incident_parties_fill;
ALTER TABLE incident_parties DROP COLUMN cell;
ALTER TABLE incident_parties DROP COLUMN lon;
ALTER TABLE incident_parties DROP COLUMN lat;
ALTER TABLE incident_parties DROP COLUMN occurred_at;
