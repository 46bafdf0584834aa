package web_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/store/storetest"
)

// TestIncidentStatementsPage shows the seed article's statements and its
// checked strikes claim beside a Russian air strike of 23 February 2016,
// and nothing beside one a month later.
func TestIncidentStatementsPage(t *testing.T) {
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			db := eng.Open(t)
			ids := newsRegistry(t, db)
			ts := newServer(t, db)
			ctx := context.Background()
			seed, err := os.ReadFile("../newsdesk/testdata/seed.txt")
			if err != nil {
				t.Fatal(err)
			}
			if resp, body := do(t, "POST", ts.URL+"/api/v1/articles?date=2016-02-24&source=lidtime.com", "text/plain", seed, true); resp.StatusCode != http.StatusCreated {
				t.Fatalf("POST seed: status %d: %s", resp.StatusCode, body)
			}
			loc, _ := time.LoadLocation("Asia/Damascus")
			near := &domain.Incident{SubEventType: domain.SubAirStrike, OccurredAt: time.Date(2016, 2, 23, 9, 0, 0, 0, loc),
				Location: "Latakia", Perpetrators: []int64{ids["ru-af"]}, CreatedBy: "t"}
			far := &domain.Incident{SubEventType: domain.SubAirStrike, OccurredAt: time.Date(2016, 3, 25, 9, 0, 0, 0, loc),
				Location: "Talbiseh", Perpetrators: []int64{ids["ru-af"]}, CreatedBy: "t"}
			for _, in := range []*domain.Incident{near, far} {
				if err := db.CreateIncident(ctx, in); err != nil {
					t.Fatal(err)
				}
			}
			tests := []struct {
				name     string
				path     string
				status   int
				contains []string
			}{
				{"beside the strike of 23 Feb", fmt.Sprintf("/desk/incidents/%d/statements", near.ID), 200, []string{
					"Igor Konashenkov", "significantly", `<span class="verdict v-not_testable">not_testable</span>`,
					"strikes down (significant)", "a claim about ru-af covers its time", "Russian President Vladimir Putin",
					"Russian Federation says significantly decreased intensity", "/api/v1/articles/1",
				}},
				{"nothing a month later", fmt.Sprintf("/desk/incidents/%d/statements", far.ID), 200, []string{
					"No statement or claim in the desk's articles concerns this incident.",
				}},
				{"the incident page links to it", fmt.Sprintf("/desk/incidents/%d", near.ID), 200, []string{
					fmt.Sprintf(`<a href="/desk/incidents/%d/statements">`, near.ID),
				}},
				{"no such incident", "/desk/incidents/424242/statements", 404, nil},
				{"not an ID", "/desk/incidents/x/statements", 400, nil},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					resp, body := do(t, "GET", ts.URL+tt.path, "", nil, true)
					if resp.StatusCode != tt.status {
						t.Errorf("status %d, want %d: %.500s", resp.StatusCode, tt.status, body)
					}
					for _, want := range tt.contains {
						if !strings.Contains(string(body), want) {
							t.Errorf("the page lacks %q:\n%.3000s", want, body)
						}
					}
				})
			}
		})
	}
}
