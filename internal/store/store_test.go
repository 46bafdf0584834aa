package store_test

import (
	"testing"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/store/storetest"
)

func TestSQLite(t *testing.T) {
	storetest.Run(t, func(tb testing.TB) domain.Store { return storetest.OpenSQLite(tb) })
}

func TestPostgres(t *testing.T) {
	storetest.Run(t, func(tb testing.TB) domain.Store { return storetest.OpenPostgres(tb) })
}
