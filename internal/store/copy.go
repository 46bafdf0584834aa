package store

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strings"
)

// Backup writes a consistent copy of the database to path while it serves.
// SQLite uses VACUUM INTO, which reads one snapshot; PostgreSQL runs
// pg_dump in its custom format, which must be on the PATH.
func (db *DB) Backup(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("backup: %s exists; refusing to overwrite it", path)
	}
	if db.d.name() == "sqlite" {
		if _, err := db.r.ExecContext(ctx, `VACUUM INTO $1`, path); err != nil {
			return db.d.classify(fmt.Errorf("backup: %w", err))
		}
		return nil
	}
	dsn, schema, err := libpqURL(db.DSN)
	if err != nil {
		return err
	}
	args := []string{"--format=custom", "--no-owner", "--file", path, "--dbname", dsn}
	if schema != "" {
		args = append(args, "--schema", schema)
	}
	return runTool(ctx, "pg_dump", args...)
}

// RestorePostgres loads a pg_dump file into the (empty) database at dsn.
func RestorePostgres(ctx context.Context, dsn, path string) error {
	dsn, _, err := libpqURL(dsn)
	if err != nil {
		return err
	}
	return runTool(ctx, "pg_restore", "--no-owner", "--exit-on-error", "--single-transaction", "--dbname", dsn, path)
}

// libpqURL removes from a connection URL the parameter pgx accepts and the
// PostgreSQL tools do not (search_path), returning the schema it named.
func libpqURL(dsn string) (string, string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", "", fmt.Errorf("database URL: %w", err)
	}
	q := u.Query()
	schema := q.Get("search_path")
	q.Del("search_path")
	u.RawQuery = q.Encode()
	return u.String(), schema, nil
}

func runTool(ctx context.Context, name string, args ...string) error {
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w: %s", name, err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// CopyTo copies every table of a SQLite store into an empty PostgreSQL
// store at the same schema version, keeping IDs, so an installation that
// outgrew one machine moves without renumbering anything its ledger names.
// Tables are copied parents first; identity sequences are moved past the
// copied IDs afterwards.
func (db *DB) CopyTo(ctx context.Context, dst *DB) (map[string]int, error) {
	if db.d.name() != "sqlite" || dst.d.name() != "postgres" {
		return nil, fmt.Errorf("copy: only SQLite to PostgreSQL is supported")
	}
	srcV, _, err := db.SchemaVersion(ctx)
	if err != nil {
		return nil, err
	}
	dstV, _, err := dst.SchemaVersion(ctx)
	if err != nil {
		return nil, err
	}
	if srcV != dstV {
		return nil, fmt.Errorf("copy: schema versions differ (%d and %d); upgrade both first", srcV, dstV)
	}
	tables, err := db.tablesInOrder(ctx)
	if err != nil {
		return nil, err
	}
	counts := map[string]int{}
	err = dst.inTx(ctx, func(tx *sql.Tx) error {
		for _, t := range tables {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+t).Scan(&n); err != nil {
				return fmt.Errorf("copy: table %s: %w", t, err)
			}
			if n > 0 {
				return fmt.Errorf("copy: the target already has rows in %s; it must be empty", t)
			}
		}
		for _, t := range tables {
			n, err := db.copyTable(ctx, tx, t)
			if err != nil {
				return fmt.Errorf("copy %s: %w", t, err)
			}
			counts[t] = n
		}
		// Move identity sequences past the copied IDs.
		rows, err := tx.QueryContext(ctx, `SELECT table_name, column_name FROM information_schema.columns
			WHERE table_schema = current_schema() AND is_identity = 'YES'`)
		if err != nil {
			return err
		}
		var seqs [][2]string
		for rows.Next() {
			var t, c string
			rows.Scan(&t, &c)
			seqs = append(seqs, [2]string{t, c})
		}
		rows.Close()
		for _, s := range seqs {
			if _, err := tx.ExecContext(ctx, fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%s', '%s'),
				COALESCE((SELECT MAX(%s) FROM %s), 0) + 1, false)`, s[0], s[1], s[1], s[0])); err != nil {
				return fmt.Errorf("copy: sequence of %s: %w", s[0], err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// The copy's log was written behind its Log's back: reload its edge.
	return counts, dst.openLedger(ctx)
}

// tablesInOrder lists the application's tables so that every table comes
// after the tables its foreign keys reference.
func (db *DB) tablesInOrder(ctx context.Context) ([]string, error) {
	names, err := queryAll(ctx, db, `SELECT name FROM sqlite_master WHERE type = 'table'
		AND name NOT LIKE 'sqlite_%' AND name <> 'goose_db_version' ORDER BY name`, nil,
		func(row interface{ Scan(...any) error }) (string, error) {
			var s string
			return s, row.Scan(&s)
		})
	if err != nil {
		return nil, err
	}
	deps := map[string][]string{}
	for _, t := range names {
		refs, err := queryAll(ctx, db, `SELECT "table" FROM pragma_foreign_key_list($1)`, []any{t},
			func(row interface{ Scan(...any) error }) (string, error) {
				var s string
				return s, row.Scan(&s)
			})
		if err != nil {
			return nil, err
		}
		deps[t] = refs
	}
	var order []string
	done := map[string]bool{}
	var visit func(t string, path []string) error
	visit = func(t string, path []string) error {
		if done[t] {
			return nil
		}
		if slices.Contains(path, t) {
			return nil // a self-reference: rows are copied in ID order
		}
		for _, d := range deps[t] {
			if err := visit(d, append(path, t)); err != nil {
				return err
			}
		}
		done[t] = true
		order = append(order, t)
		return nil
	}
	for _, t := range names {
		if err := visit(t, nil); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// copyTable streams one table's rows into the transaction, converting the
// few values whose SQLite form PostgreSQL would not take as is.
func (db *DB) copyTable(ctx context.Context, tx *sql.Tx, table string) (int, error) {
	types := map[string]string{}
	rows, err := tx.QueryContext(ctx, `SELECT column_name, data_type FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1`, table)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var c, t string
		rows.Scan(&c, &t)
		types[c] = t
	}
	rows.Close()
	if len(types) == 0 {
		return 0, fmt.Errorf("no such table in the target")
	}
	src, err := db.r.QueryContext(ctx, `SELECT * FROM `+table+` ORDER BY rowid`)
	if err != nil {
		// WITHOUT ROWID tables have none; their primary key orders them.
		if src, err = db.r.QueryContext(ctx, `SELECT * FROM `+table); err != nil {
			return 0, err
		}
	}
	defer src.Close()
	cols, err := src.Columns()
	if err != nil {
		return 0, err
	}
	ph := make([]string, len(cols))
	for i := range cols {
		ph[i] = fmt.Sprintf("$%d", i+1)
	}
	insert := fmt.Sprintf(`INSERT INTO %s (%s) OVERRIDING SYSTEM VALUE VALUES (%s)`, table, strings.Join(cols, ", "), strings.Join(ph, ", "))
	stmt, err := tx.PrepareContext(ctx, insert)
	if err != nil {
		return 0, err
	}
	defer stmt.Close()
	n := 0
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for src.Next() {
		if err := src.Scan(ptrs...); err != nil {
			return n, err
		}
		for i, c := range cols {
			switch v := vals[i].(type) {
			case int64:
				if types[c] == "boolean" {
					vals[i] = v != 0
				}
			case []byte:
				if types[c] != "bytea" {
					vals[i] = string(v)
				}
			}
		}
		if _, err := stmt.ExecContext(ctx, vals...); err != nil {
			return n, fmt.Errorf("row %d: %w", n+1, err)
		}
		n++
	}
	return n, src.Err()
}
