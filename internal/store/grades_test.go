package store_test

import (
	"testing"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/store/storetest"
)

func TestGradesSQLite(t *testing.T) {
	storetest.RunGrades(t, func(tb testing.TB) domain.Store { return storetest.OpenSQLite(tb) })
}

func TestGradesPostgres(t *testing.T) {
	storetest.RunGrades(t, func(tb testing.TB) domain.Store { return storetest.OpenPostgres(tb) })
}
