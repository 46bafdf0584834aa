package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/store/storetest"
)

func TestAnalysisAPI(t *testing.T) {
	db := storetest.OpenSQLite(t)
	ctx := context.Background()
	a := &domain.Agreement{Slug: "coh", Name: "Cessation", TimeZone: "Asia/Damascus",
		Start: time.Date(2016, 2, 26, 22, 0, 0, 0, time.UTC), ProhibitedActs: []string{domain.SubAirStrike}}
	if err := db.CreateAgreement(ctx, a); err != nil {
		t.Fatal(err)
	}
	in := &domain.Incident{SubEventType: domain.SubAirStrike, OccurredAt: time.Date(2016, 2, 27, 23, 0, 0, 0, time.UTC),
		Admin1: "Aleppo", CreatedBy: "test"}
	if err := db.CreateIncident(ctx, in); err != nil {
		t.Fatal(err)
	}
	ts := newServer(t, db)
	tests := []struct {
		name, method, path, body string
		auth                     bool
		status                   int
		contains                 string
	}{
		{"series zero-filled in local days", "GET", "/api/v1/series/daily?since=2016-02-27&until=2016-03-01&by=admin1", "", true, 200, `"values":[0,1,0]`},
		{"series needs a token", "GET", "/api/v1/series/daily?since=2016-02-27&until=2016-03-01", "", false, 401, "token"},
		{"series future", "GET", "/api/v1/series/daily?since=2099-01-01&until=2099-01-03", "", true, 400, "past today"},
		{"series bad by", "GET", "/api/v1/series/daily?since=2016-02-27&until=2016-03-01&by=colour", "", true, 400, "cannot group"},
		{"compare with no events", "GET", "/api/v1/analysis/compare?until=2016-02-10&window=2d&baseline=14d", "", true, 400, "no test"},
		{"claim unknown actor", "POST", "/api/v1/claims/check", `{"actor":"Atlantis","metric":"strikes","direction":"down","window_start":"2016-02-27T00:00:00+02:00","window_end":"2016-02-29T00:00:00+02:00"}`, true, 200, `"not_testable"`},
		{"bulletin not published", "GET", "/api/v1/bulletins/2016-02-28.html", "", false, 404, "no bulletin"},
		{"bulletin bad file", "GET", "/api/v1/bulletins/2016-02-28.docx", "", false, 400, "DAY.pdf"},
		{"publish", "POST", "/api/v1/bulletins/2016-02-28/publish", "", true, 201, `"version":1`},
		{"publish again", "POST", "/api/v1/bulletins/2016-02-28/publish", `{"note":"corrected"}`, true, 201, `"version":2`},
		{"published is public", "GET", "/api/v1/bulletins/2016-02-28.md?version=1", "", false, 200, "# Daily bulletin, 28 February 2016"},
		{"list", "GET", "/api/v1/bulletins", "", false, 200, `"note":"corrected"`},
		{"publish the future", "POST", "/api/v1/bulletins/2099-02-28/publish", "", true, 400, "has not happened"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct := ""
			if tt.body != "" {
				ct = "application/json"
			}
			resp, body := do(t, tt.method, ts.URL+tt.path, ct, []byte(tt.body), tt.auth)
			if resp.StatusCode != tt.status || !strings.Contains(string(body), tt.contains) {
				t.Errorf("got %d %s; want %d containing %q", resp.StatusCode, body, tt.status, tt.contains)
			}
		})
	}
}
