package store_test

import (
	"testing"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/store/storetest"
)

func TestBulletinsSQLite(t *testing.T) {
	storetest.RunBulletins(t, func(tb testing.TB) domain.Store { return storetest.OpenSQLite(tb) })
}

func TestBulletinsPostgres(t *testing.T) {
	storetest.RunBulletins(t, func(tb testing.TB) domain.Store { return storetest.OpenPostgres(tb) })
}
