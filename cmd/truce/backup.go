package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/trucedesk/truce/internal/store"
)

func init() {
	commands["backup"] = command{"write a consistent backup of the database while it serves", runBackup}
	commands["restore"] = command{"restore a backup into a new data directory or an empty PostgreSQL database", runRestore}
}

func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	c.flags(fs, "truce-data")
	out := fs.String("out", "", "backup `file` to write (required; SQLite: a database file, PostgreSQL: a pg_dump archive)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("backup: --out is required")
	}
	db, err := store.Open(ctx, c.dsn())
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Backup(ctx, *out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up %s to %s\n", db.Engine(), *out)
	return nil
}

func runRestore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	c.flags(fs, "truce-data")
	from := fs.String("from", "", "the backup `file` (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from == "" {
		return errors.New("restore: --from is required")
	}
	if _, err := os.Stat(*from); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	dsn := c.dsn()
	if store.IsPostgres(dsn) {
		if err := store.RestorePostgres(ctx, dsn, *from); err != nil {
			return err
		}
	} else {
		if _, err := os.Stat(dsn); err == nil {
			return fmt.Errorf("restore: %s exists; restore into a new data directory", dsn)
		}
		data, err := os.ReadFile(*from)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(dsn), 0o750); err != nil {
			return err
		}
		if err := os.WriteFile(dsn, data, 0o640); err != nil {
			return err
		}
	}
	// Opening checks the file is a Truce database and brings its schema up to date.
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return fmt.Errorf("restore: the restored database does not open: %w", err)
	}
	defer db.Close()
	l, err := db.Ledger(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored %s from %s: %d ledger entries; run 'truce verify' against your last checkpoint\n", db.Engine(), *from, l.Size())
	return nil
}
