package store_test

import (
	"testing"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/store/storetest"
)

func TestStatementsSQLite(t *testing.T) {
	storetest.RunStatements(t, func(tb testing.TB) domain.Store { return storetest.OpenSQLite(tb) })
}

func TestStatementsPostgres(t *testing.T) {
	storetest.RunStatements(t, func(tb testing.TB) domain.Store { return storetest.OpenPostgres(tb) })
}
