-- +goose Up
-- The map query (bbox + time window + party, first page in ID order) at ten
-- million incidents (BENCHMARKS.md, "Scale"). Each party row carries its
-- incident's time, point and 0.25° grid cell, so one index answers party,
-- place and time together and yields incident IDs in order per cell; the
-- store merges the cells of a box and stops at the page (mapindex.go).
-- Triggers keep the copies right whatever writes the rows.
ALTER TABLE incident_parties ADD COLUMN occurred_at TIMESTAMPTZ, ADD COLUMN lat DOUBLE PRECISION,
    ADD COLUMN lon DOUBLE PRECISION, ADD COLUMN cell INTEGER;

-- +goose StatementBegin
-- map_cell numbers the 0.25° cell of a point; mapindex.go's cellOf must agree.
CREATE FUNCTION map_cell(lat DOUBLE PRECISION, lon DOUBLE PRECISION) RETURNS INTEGER
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT floor((lat + 90) * 4)::int * 1441 + floor((lon + 180) * 4)::int $$;
-- +goose StatementEnd

UPDATE incident_parties ip SET occurred_at = i.occurred_at, lat = i.lat, lon = i.lon, cell = map_cell(i.lat, i.lon)
    FROM incidents i WHERE i.id = ip.incident_id;

-- +goose StatementBegin
CREATE FUNCTION incident_parties_fill() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- A writer that already knows the copies (the importer's many-row
    -- insert, a bulk COPY) gives them and saves a lookup per row; an update
    -- always reads the incident again, since it follows a moved one.
    IF TG_OP = 'INSERT' AND NEW.occurred_at IS NOT NULL THEN
        RETURN NEW;
    END IF;
    SELECT occurred_at, lat, lon, map_cell(lat, lon) INTO NEW.occurred_at, NEW.lat, NEW.lon, NEW.cell
        FROM incidents WHERE id = NEW.incident_id;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER incident_parties_fill BEFORE INSERT OR UPDATE ON incident_parties
    FOR EACH ROW EXECUTE FUNCTION incident_parties_fill();

-- +goose StatementBegin
CREATE FUNCTION incidents_move_parties() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- incident_parties_fill copies the rest.
    UPDATE incident_parties SET occurred_at = NEW.occurred_at WHERE incident_id = NEW.id;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER incidents_move_parties AFTER UPDATE OF occurred_at, lat, lon ON incidents FOR EACH ROW
    WHEN (OLD.occurred_at IS DISTINCT FROM NEW.occurred_at OR OLD.lat IS DISTINCT FROM NEW.lat OR OLD.lon IS DISTINCT FROM NEW.lon)
    EXECUTE FUNCTION incidents_move_parties();

CREATE INDEX incident_parties_map ON incident_parties (party_id, cell, incident_id) INCLUDE (occurred_at, lon, lat);
-- 00008's party test index, now also answering loadParties (a page's
-- parties) without reading the table.
DROP INDEX incident_parties_incident;
CREATE INDEX incident_parties_incident ON incident_parties (incident_id, party_id) INCLUDE (role, position);

-- The lowest and highest incident ID of each UTC day (days since 1970). IDs
-- follow time on a desk, so a time window becomes a narrow ID range that
-- the ID-ordered scans above start and stop at. A deleted incident leaves
-- its day's bounds wider than needed, which is still exact.
CREATE TABLE incident_days (
    day    INTEGER PRIMARY KEY,
    min_id BIGINT NOT NULL,
    max_id BIGINT NOT NULL
);
INSERT INTO incident_days (day, min_id, max_id)
    SELECT (occurred_at AT TIME ZONE 'UTC')::date - DATE '1970-01-01', MIN(id), MAX(id) FROM incidents GROUP BY 1;

-- +goose StatementBegin
-- An insert of a day already held widens it instead: CopyTo copies the
-- table after the incidents whose triggers below have filled it.
CREATE FUNCTION incident_days_merge() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE incident_days SET min_id = LEAST(min_id, NEW.min_id), max_id = GREATEST(max_id, NEW.max_id) WHERE day = NEW.day;
    IF FOUND THEN
        RETURN NULL;
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER incident_days_merge BEFORE INSERT ON incident_days FOR EACH ROW EXECUTE FUNCTION incident_days_merge();

-- +goose StatementBegin
-- Once per statement, so a COPY of many rows costs one upsert per day; the
-- upsert covers a day first inserted by a concurrent transaction.
CREATE FUNCTION incident_days_note() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO incident_days (day, min_id, max_id)
        SELECT (occurred_at AT TIME ZONE 'UTC')::date - DATE '1970-01-01', MIN(id), MAX(id) FROM new_rows GROUP BY 1
        ON CONFLICT (day) DO UPDATE SET min_id = LEAST(incident_days.min_id, excluded.min_id),
            max_id = GREATEST(incident_days.max_id, excluded.max_id)
        WHERE excluded.min_id < incident_days.min_id OR excluded.max_id > incident_days.max_id;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER incident_days_insert AFTER INSERT ON incidents REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION incident_days_note();
CREATE TRIGGER incident_days_update AFTER UPDATE ON incidents REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION incident_days_note();

-- +goose Down
DROP TRIGGER incident_days_update ON incidents;
DROP TRIGGER incident_days_insert ON incidents;
DROP FUNCTION incident_days_note();
DROP TABLE incident_days;
DROP FUNCTION incident_days_merge();
DROP INDEX incident_parties_map;
DROP INDEX incident_parties_incident;
CREATE INDEX incident_parties_incident ON incident_parties (incident_id, party_id);
DROP TRIGGER incidents_move_parties ON incidents;
DROP FUNCTION incidents_move_parties();
DROP TRIGGER incident_parties_fill ON incident_parties;
DROP FUNCTION incident_parties_fill();
DROP FUNCTION map_cell(DOUBLE PRECISION, DOUBLE PRECISION);
ALTER TABLE incident_parties DROP COLUMN cell, DROP COLUMN lon, DROP COLUMN lat, DROP COLUMN occurred_at;
