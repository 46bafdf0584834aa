package web

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/trucedesk/truce/internal/auth"
	"github.com/trucedesk/truce/internal/store/storetest"
)

// TestUndeclaredRouteRefusesToStart adds a route the way a new file of the
// API would, without a declared action or with a misspelt one: the server
// must refuse to build its handler rather than serve it to anyone.
func TestUndeclaredRouteRefusesToStart(t *testing.T) {
	db := storetest.OpenSQLite(t)
	for _, access := range []Access{Undeclared, "read_publshed"} {
		t.Run(string(access), func(t *testing.T) {
			saved := routeSets
			t.Cleanup(func() { routeSets = saved })
			routeSets = append(routeSets[:len(routeSets):len(routeSets)], func(s *Server) []Route {
				return []Route{{"GET /api/v1/forgotten", access, func(w http.ResponseWriter, r *http.Request) {}}}
			})
			s := &Server{Store: db, Auth: auth.New(db, time.Now)}
			h, err := s.Handler()
			if err == nil || h != nil || !strings.Contains(err.Error(), "/api/v1/forgotten") {
				t.Errorf("Handler() = %v, %v; want a refusal naming the route", h, err)
			}
		})
	}
}
