package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trucedesk/truce/internal/auth"
	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/store/storetest"
)

// TestPublishedIncidents publishes the bulletin of 28 February 2016 and
// checks, on both engines, what each role then reads of four incidents a
// minute either side of that day's two Damascus midnights (UTC+2): liaisons
// and observers get exactly the two of the 28th from every list, export and
// series, in pages whose totals agree, and "not found" for the others;
// monitors and co-chairs get all four; the public none.
func TestPublishedIncidents(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db := e.Open(t)
			ts := newServer(t, db)
			ctx := context.Background()
			a := &domain.Agreement{Slug: "coh", Name: "Cessation", TimeZone: "Asia/Damascus",
				Start: time.Date(2016, 2, 26, 22, 0, 0, 0, time.UTC)}
			if err := db.CreateAgreement(ctx, a); err != nil {
				t.Fatal(err)
			}
			ids := map[string]int64{}
			for _, in := range []struct {
				name string
				at   time.Time
			}{
				{"27th-23h59", time.Date(2016, 2, 27, 21, 59, 0, 0, time.UTC)},
				{"28th-00h01", time.Date(2016, 2, 27, 22, 1, 0, 0, time.UTC)},
				{"28th-23h59", time.Date(2016, 2, 28, 21, 59, 0, 0, time.UTC)},
				{"29th-00h01", time.Date(2016, 2, 28, 22, 1, 0, 0, time.UTC)},
			} {
				rec := &domain.Incident{SubEventType: domain.SubShelling, OccurredAt: in.at, Location: "at-" + in.name,
					Admin1: "Hama", CreatedBy: "test", Sources: []domain.Source{
						{Kind: domain.SourceMedia, URL: "https://example.org/" + in.name},
						{Kind: domain.SourceMessage, Note: "hotline call " + in.name}}}
				if err := db.CreateIncident(ctx, rec); err != nil {
					t.Fatal(err)
				}
				ids[in.name] = rec.ID
			}
			tokens := map[auth.Role]string{}
			a2 := auth.New(db, time.Now)
			for _, role := range []auth.Role{auth.RoleCoChair, auth.RoleMonitor, auth.RoleObserver, auth.RoleLiaison} {
				u := &auth.User{Name: string(role) + "-user", Role: role}
				if role == auth.RoleLiaison {
					p := &domain.Party{Slug: "fsa", Name: "Free Syrian Army", Kind: domain.KindCoalition}
					if err := db.CreateParty(ctx, p); err != nil {
						t.Fatal(err)
					}
					u.PartyID = p.ID
				}
				if err := db.CreateUser(ctx, u); err != nil {
					t.Fatal(err)
				}
				secret, _, err := a2.IssueToken(ctx, u, "test", []auth.Scope{auth.ScopeRead, auth.ScopeAdmin}, time.Hour)
				if err != nil {
					t.Fatal(err)
				}
				tokens[role] = secret
			}
			get := func(t *testing.T, role auth.Role, method, path string) (int, string) {
				t.Helper()
				req, _ := http.NewRequest(method, ts.URL+path, nil)
				if tok := tokens[role]; tok != "" {
					req.Header.Set("Authorization", "Bearer "+tok)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				body, _ := io.ReadAll(resp.Body)
				return resp.StatusCode, string(body)
			}
			list := func(t *testing.T, role auth.Role, query string) ([]string, int) {
				t.Helper()
				status, body := get(t, role, "GET", "/api/v1/incidents"+query)
				var page struct {
					Incidents []domain.Incident
					Total     int
				}
				if err := json.Unmarshal([]byte(body), &page); status != 200 || err != nil {
					t.Fatalf("%s lists incidents%s: %d %.200s", role, query, status, body)
				}
				var got []string
				for _, in := range page.Incidents {
					got = append(got, strings.TrimPrefix(in.Location, "at-"))
				}
				return got, page.Total
			}
			all := []string{"27th-23h59", "28th-00h01", "28th-23h59", "29th-00h01"}
			published := []string{"28th-00h01", "28th-23h59"}

			// Nothing is published yet.
			if got, total := list(t, auth.RoleObserver, ""); len(got) != 0 || total != 0 {
				t.Fatalf("before any bulletin an observer lists %v (total %d), want none", got, total)
			}
			if status, body := get(t, auth.RoleCoChair, "POST", "/api/v1/bulletins/2016-02-28/publish"); status != 201 {
				t.Fatalf("publish: %d %.300s", status, body)
			}

			for _, tt := range []struct {
				role  auth.Role
				query string
				want  []string
				total int
			}{
				{auth.RoleObserver, "", published, 2},
				{auth.RoleLiaison, "", published, 2},
				{auth.RoleMonitor, "", all, 4},
				{auth.RoleCoChair, "", all, 4},
				// Pages and totals come from the store's query, not a filter
				// after it: the first page of one is the first published.
				{auth.RoleObserver, "?limit=1", published[:1], 2},
				{auth.RoleObserver, fmt.Sprintf("?limit=1&after=%d", ids["28th-00h01"]), published[1:], 2},
				{auth.RoleObserver, "?since=2016-02-28T00:00:00Z", published[1:], 1},
				{auth.RoleMonitor, "?since=2016-02-28T00:00:00Z", all[2:], 2},
			} {
				t.Run(fmt.Sprintf("%s lists%s", tt.role, tt.query), func(t *testing.T) {
					got, total := list(t, tt.role, tt.query)
					if !slices.Equal(got, tt.want) || total != tt.total {
						t.Errorf("got %v (total %d), want %v (total %d)", got, total, tt.want, tt.total)
					}
				})
			}
			if status, _ := get(t, auth.RolePublic, "GET", "/api/v1/incidents"); status != 401 {
				t.Errorf("the public lists incidents: %d, want 401", status)
			}

			// Single reads: an unpublished incident does not exist for an
			// observer; a published one comes without the desk's messages.
			for _, tt := range []struct {
				role   auth.Role
				name   string
				status int
			}{
				{auth.RoleObserver, "27th-23h59", 404},
				{auth.RoleObserver, "28th-00h01", 200},
				{auth.RoleObserver, "28th-23h59", 200},
				{auth.RoleObserver, "29th-00h01", 404},
				{auth.RoleLiaison, "29th-00h01", 404},
				{auth.RoleMonitor, "27th-23h59", 200},
				{auth.RoleMonitor, "29th-00h01", 200},
			} {
				status, body := get(t, tt.role, "GET", fmt.Sprintf("/api/v1/incidents/%d", ids[tt.name]))
				if status != tt.status {
					t.Errorf("%s reads %s: %d, want %d (%.200s)", tt.role, tt.name, status, tt.status, body)
				}
				if status == 404 && strings.Contains(body, tt.name) {
					t.Errorf("%s's 404 for %s names it: %s", tt.role, tt.name, body)
				}
				if status == 200 && strings.Contains(body, "hotline call") != (tt.role == auth.RoleMonitor) {
					t.Errorf("%s reads %s with message sources %v: %.300s", tt.role, tt.name, tt.role == auth.RoleMonitor, body)
				}
			}
			if status, body := get(t, auth.RoleObserver, "GET", "/api/v1/incidents/999"); status != 404 {
				t.Errorf("observer reads a missing incident: %d %s", status, body)
			}

			// Exports, the records behind a figure and the series carry the
			// same incidents.
			for _, path := range []string{
				"/api/v1/exports/incidents.csv?format=acled",
				"/api/v1/exports/incidents.csv?format=ucdp",
				"/api/v1/exports/incidents.geojson",
				"/api/v1/series/incidents?agreement=coh&since=2016-02-27&until=2016-03-01",
			} {
				for _, role := range []auth.Role{auth.RoleObserver, auth.RoleMonitor} {
					status, body := get(t, role, "GET", path)
					want := published
					if role == auth.RoleMonitor {
						want = all
					}
					if status != 200 {
						t.Errorf("%s GET %s: %d %.300s", role, path, status, body)
						continue
					}
					for _, name := range all {
						// The records list has IDs, not locations.
						has := strings.Contains(body, "at-"+name) ||
							strings.Contains(body, fmt.Sprintf(`"link":"/api/v1/incidents/%d"`, ids[name]))
						if has != slices.Contains(want, name) {
							t.Errorf("%s GET %s: has %s = %v, want %v", role, path, name, has, !has)
						}
					}
				}
			}
			for _, tt := range []struct {
				role auth.Role
				want string
			}{
				{auth.RoleObserver, `"values":[0,2,0]`},
				{auth.RoleMonitor, `"values":[1,2,1]`},
			} {
				status, body := get(t, tt.role, "GET", "/api/v1/series/daily?agreement=coh&since=2016-02-27&until=2016-03-01")
				if status != 200 || !strings.Contains(body, tt.want) {
					t.Errorf("%s daily series: %d %.300s, want %s", tt.role, status, body, tt.want)
				}
			}
		})
	}
}
