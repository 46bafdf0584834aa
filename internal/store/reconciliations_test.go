package store_test

import (
	"testing"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/store/storetest"
)

func TestReconciliationsSQLite(t *testing.T) {
	storetest.RunReconciliations(t, func(tb testing.TB) domain.Store { return storetest.OpenSQLite(tb) })
}

func TestReconciliationsPostgres(t *testing.T) {
	storetest.RunReconciliations(t, func(tb testing.TB) domain.Store { return storetest.OpenPostgres(tb) })
}
