package store_test

import (
	"testing"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/store/storetest"
)

func TestVerdictsSQLite(t *testing.T) {
	storetest.RunVerdicts(t, func(tb testing.TB) domain.Store { return storetest.OpenSQLite(tb) })
}

func TestVerdictsPostgres(t *testing.T) {
	storetest.RunVerdicts(t, func(tb testing.TB) domain.Store { return storetest.OpenPostgres(tb) })
}
