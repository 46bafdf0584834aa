package web_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/store/storetest"
)

// TestNULRefused sends a NUL in JSON bodies, forms, query strings and paths.
// SQLite would store it and PostgreSQL would fail the statement (a 500):
// both engines must answer 400 naming where it was, and store nothing.
func TestNULRefused(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db := e.Open(t)
			ctx := context.Background()
			in := &domain.Incident{SubEventType: domain.SubAirStrike, OccurredAt: time.Date(2016, 2, 28, 8, 0, 0, 0, time.UTC),
				Location: "Anadan", Admin1: "Aleppo", CreatedBy: "test"}
			if err := db.CreateIncident(ctx, in); err != nil {
				t.Fatal(err)
			}
			ts := newServer(t, db)
			const js, form = "application/json", "application/x-www-form-urlencoded"
			const nulMessage = "holds a NUL character"
			tests := []struct {
				name, method, path, ct, body, field string
			}{
				{"party name", "POST", "/api/v1/parties", js, `{"slug":"p1","name":"a\u0000b","kind":"armed_group"}`, "name"},
				{"party alias", "POST", "/api/v1/parties", js,
					`{"slug":"p2","name":"P2","kind":"armed_group","aliases":[{"name":"x\u0000","lang":"ar"}]}`, "aliases.name"},
				{"login name", "POST", "/api/v1/session", js, `{"name":"\u0000","password":"x"}`, "name"},
				{"grade note", "POST", "/api/v1/incidents/1/grade", js, `{"grade":"fair","note":"\u0000","version":1}`, "note"},
				{"query", "GET", "/api/v1/incidents?admin1=Alep%00po", "", "", "admin1"},
				{"path", "GET", "/api/v1/parties/p%00", "", "", "path"},
				{"desk form", "POST", "/desk/incidents/1/grade", form, "grade=fair&version=1&note=a%00b", "note"},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					resp, data := do(t, tt.method, ts.URL+tt.path, tt.ct, []byte(tt.body), true)
					var e apiError
					json.Unmarshal(data, &e)
					if tt.ct == form { // a desk page: the error is shown, not named in JSON
						e.Error.Field = tt.field
						if !strings.Contains(string(data), nulMessage) {
							e.Error.Field = ""
						}
					}
					if resp.StatusCode != 400 || e.Error.Field != tt.field {
						t.Errorf("got %d %s; want 400 naming %q", resp.StatusCode, data, tt.field)
					}
				})
			}
			if ps, err := db.Parties(ctx); err != nil || len(ps) != 0 {
				t.Errorf("parties stored: %d, %v; want none", len(ps), err)
			}
			if got, err := db.Incident(ctx, in.ID); err != nil || got.Grade != "" || got.Version != 1 {
				t.Errorf("the incident changed: %+v, %v", got, err)
			}
		})
	}
}
