package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations
var migrations embed.FS

func (db *DB) provider() (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations/"+db.d.name())
	if err != nil {
		return nil, err
	}
	// Parts of the schema land from parallel work as separate migrations;
	// a database that is ahead on one may still lack an older-numbered one.
	opts := []goose.ProviderOption{goose.WithAllowOutofOrder(true)}
	dialect := goose.DialectSQLite3
	if db.d.name() == "postgres" {
		dialect = goose.DialectPostgres
		// Instances starting together must not migrate twice: the first
		// takes a session advisory lock, the others wait for it.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	return goose.NewProvider(dialect, db.w, sub, opts...)
}

// Migrate applies every pending migration.
func (db *DB) Migrate(ctx context.Context) error {
	p, err := db.provider()
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return db.d.classify(fmt.Errorf("migrate %s: %w", db.d.name(), err))
	}
	return nil
}

// SchemaVersion returns the current and the newest known migration versions.
func (db *DB) SchemaVersion(ctx context.Context) (current, newest int64, err error) {
	p, err := db.provider()
	if err != nil {
		return 0, 0, err
	}
	if current, err = p.GetDBVersion(ctx); err != nil {
		return 0, 0, err
	}
	srcs := p.ListSources()
	if len(srcs) > 0 {
		newest = srcs[len(srcs)-1].Version
	}
	return current, newest, nil
}
