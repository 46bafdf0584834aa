package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/store/storetest"
)

// feature wraps a geometry in a one-feature collection held by ISIL.
func feature(geometry string) string {
	return `{"type":"FeatureCollection","features":[{"type":"Feature",
		"properties":{"controller":"isil","valid_from":"2016-01-01"},"geometry":` + geometry + `}]}`
}

func TestAreaImportErrors(t *testing.T) {
	db := storetest.OpenSQLite(t)
	if err := db.CreateParty(t.Context(), &domain.Party{Slug: "isil", Name: "Islamic State", Kind: domain.KindArmedGroup}); err != nil {
		t.Fatal(err)
	}
	ts := newServer(t, db)
	good := `{"type":"Feature","properties":{"controller":"isil","valid_from":"2016-01-01"},
		"geometry":{"type":"Polygon","coordinates":[[[38,35],[39,35],[39,36],[38,35]]]}}`
	tests := []struct {
		name, body string
		status     int
		want       string // in the message, naming the feature and the fault
	}{
		{"self-intersecting ring", feature(`{"type":"Polygon","coordinates":[[[38,35],[39,36],[39,35],[38,36],[38,35]]]}`),
			400, "feature 0: ring 0: intersects itself"},
		{"unclosed ring", feature(`{"type":"Polygon","coordinates":[[[38,35],[39,35],[39,36],[38,36]]]}`),
			400, "feature 0: ring 0: is not closed"},
		{"out of range", feature(`{"type":"Polygon","coordinates":[[[38,35],[190,35],[39,36],[38,35]]]}`),
			400, "is outside longitude ±180, latitude ±90"},
		{"empty geometry", feature(`{"type":"Polygon","coordinates":[]}`), 400, "feature 0: geometry: is an empty Polygon"},
		{"null geometry", feature(`null`), 400, "feature 0: geometry: is empty (null)"},
		{"second feature bad", `{"type":"FeatureCollection","features":[` + good + `,` +
			strings.TrimSuffix(strings.TrimPrefix(feature(`{"type":"Point","coordinates":[38,35]}`),
				`{"type":"FeatureCollection","features":[`), `]}`) + `]}`,
			400, "feature 1: geometry.type: is Point"},
		{"unknown controller", strings.Replace(feature(`{"type":"Polygon","coordinates":[[[38,35],[39,35],[39,36],[38,35]]]}`), `"isil"`, `"nobody"`, 1),
			400, `feature 0: properties.controller: no party has the slug "nobody"`},
		{"not a collection", `{"type":"Feature"}`, 400, "want FeatureCollection"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := do(t, "POST", ts.URL+"/api/v1/areas", "application/geo+json", []byte(tt.body), true)
			if resp.StatusCode != tt.status {
				t.Fatalf("status: got %d, want %d (%s)", resp.StatusCode, tt.status, body)
			}
			var e struct {
				Error  struct{ Code, Message string }
				Faults []struct {
					Feature int
					Where   string
					Problem string
				}
			}
			if err := json.Unmarshal(body, &e); err != nil {
				t.Fatal(err)
			}
			if e.Error.Code != "invalid" || !strings.Contains(e.Error.Message, tt.want) {
				t.Errorf("error: got %s %q, want invalid naming %q", e.Error.Code, e.Error.Message, tt.want)
			}
			if len(e.Faults) == 0 {
				t.Errorf("no faults listed in %s", body)
			}
		})
	}
	// All or nothing: none of the refused maps left an area behind.
	resp, body := do(t, "GET", ts.URL+"/api/v1/areas", "", nil, true)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"features":[]`) {
		t.Errorf("areas after refused imports: %d %s, want an empty collection", resp.StatusCode, body)
	}
	// A good map is stored, and warns of the repair it needed (clockwise
	// exterior) and of the overlap it makes with itself imported twice.
	cw := feature(`{"type":"Polygon","coordinates":[[[38,35],[38,36],[39,36],[39,35],[38,35]]]}`)
	for i, wantOverlaps := range []int{0, 1} {
		resp, body = do(t, "POST", ts.URL+"/api/v1/areas", "application/geo+json", []byte(cw), true)
		if resp.StatusCode != 201 {
			t.Fatalf("import %d: status %d (%s), want 201", i, resp.StatusCode, body)
		}
		var res struct {
			Areas    []struct{ ID int64 }
			Warnings []struct{ Problem string }
			Overlaps []struct{ Conflict bool }
		}
		if err := json.Unmarshal(body, &res); err != nil {
			t.Fatal(err)
		}
		if len(res.Areas) != 1 || len(res.Warnings) != 1 || len(res.Overlaps) != wantOverlaps {
			t.Errorf("import %d: got %d areas, %d warnings, %d overlaps; want 1, 1, %d (%s)",
				i, len(res.Areas), len(res.Warnings), len(res.Overlaps), wantOverlaps, body)
		}
	}
}

func TestTermsEdit(t *testing.T) {
	db := storetest.OpenSQLite(t)
	ts := newServer(t, db)
	a := domain.Agreement{Slug: "coh", Name: "Cessation", TimeZone: "Asia/Damascus",
		Start: time.Date(2016, 2, 26, 22, 0, 0, 0, time.UTC), ProhibitedActs: []string{domain.SubShelling},
		ExclusionAuthority: "UN Security Council"}
	body, _ := json.Marshal(a)
	if resp, b := do(t, "POST", ts.URL+"/api/v1/agreements", "application/json", body, true); resp.StatusCode != 201 {
		t.Fatalf("create: %d %s", resp.StatusCode, b)
	}
	a.Version = 1
	a.Grace = time.Hour
	body, _ = json.Marshal(a)
	resp, b := do(t, "PUT", ts.URL+"/api/v1/agreements/coh/terms", "application/json", body, true)
	if resp.StatusCode != 200 {
		t.Fatalf("first edit: %d %s", resp.StatusCode, b)
	}
	// A second editor who also read version 1 is refused, and shown the
	// current terms.
	a.Grace = 2 * time.Hour
	body, _ = json.Marshal(a)
	resp, b = do(t, "PUT", ts.URL+"/api/v1/agreements/coh/terms", "application/json", body, true)
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("stale edit: got %d %s, want 409", resp.StatusCode, b)
	}
	var e struct {
		Error   struct{ Code, Field string }
		Current domain.Agreement
	}
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatal(err)
	}
	if e.Error.Code != "conflict" || e.Current.Version != 2 || e.Current.Grace != time.Hour {
		t.Errorf("stale edit: got %s, current version %d grace %v; want conflict, 2, 1h", e.Error.Code, e.Current.Version, e.Current.Grace)
	}
	tests := []struct {
		name, path, body string
		auth             bool
		status           int
	}{
		{"no token", "/api/v1/agreements/coh/terms", string(body), false, 401},
		{"no version", "/api/v1/agreements/coh/terms", strings.Replace(string(body), `"version":1`, `"version":0`, 1), true, 400},
		{"unknown agreement", "/api/v1/agreements/nope/terms", string(body), true, 404},
		{"bad zone", "/api/v1/agreements/coh/terms", strings.Replace(strings.Replace(string(body), `"version":1`, `"version":2`, 1), "Asia/Damascus", "Mars/Olympus", 1), true, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, b := do(t, "PUT", ts.URL+tt.path, "application/json", []byte(tt.body), tt.auth)
			if resp.StatusCode != tt.status {
				t.Errorf("status: got %d, want %d (%s)", resp.StatusCode, tt.status, b)
			}
		})
	}
	got, err := db.AgreementBySlug(t.Context(), "coh")
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 2 || got.Grace != time.Hour {
		t.Errorf("stored: version %d grace %v, want 2 and 1h: refused edits must lose nothing", got.Version, got.Grace)
	}
}

// TestVerdictAPI walks a status, an incident and its verdict through the API.
func TestVerdictAPI(t *testing.T) {
	db := storetest.OpenSQLite(t)
	ts := newServer(t, db)
	post := func(path, body string, want int) []byte {
		t.Helper()
		resp, b := do(t, "POST", ts.URL+path, "application/json", []byte(body), true)
		if resp.StatusCode != want {
			t.Fatalf("POST %s: got %d %s, want %d", path, resp.StatusCode, b, want)
		}
		return b
	}
	post("/api/v1/agreements", `{"slug":"coh","name":"Cessation","time_zone":"Asia/Damascus","start":"2016-02-27T00:00:00+02:00",
		"prohibited_acts":["Shelling/artillery/missile attack"],"exclusion_authority":"UN Security Council"}`, 201)
	post("/api/v1/parties", `{"slug":"tr-af","name":"Turkish Armed Forces","kind":"state"}`, 201)
	post("/api/v1/parties", `{"slug":"ypg","name":"YPG","kind":"armed_group"}`, 201)
	post("/api/v1/parties", `{"slug":"ypj","name":"YPJ","kind":"armed_group","parent":"ypg"}`, 201)
	post("/api/v1/parties", `{"slug":"x","name":"X","kind":"armed_group","parent":"nope"}`, 400)
	tsk, _ := db.PartyBySlug(t.Context(), "tr-af")
	ypj, _ := db.PartyBySlug(t.Context(), "ypj")
	in := &domain.Incident{SubEventType: domain.SubShelling, OccurredAt: time.Date(2016, 2, 28, 8, 0, 0, 0, time.UTC),
		Perpetrators: []int64{tsk.ID}, Targets: []int64{ypj.ID}, CreatedBy: "test"}
	if err := db.CreateIncident(t.Context(), in); err != nil {
		t.Fatal(err)
	}
	if resp, _ := do(t, "GET", fmt.Sprintf("%s/api/v1/incidents/%d/verdict", ts.URL, in.ID), "", nil, true); resp.StatusCode != 404 {
		t.Errorf("unjudged incident: got %d, want 404", resp.StatusCode)
	}
	post("/api/v1/verdicts/recompute", ``, 200)
	post("/api/v1/agreements/coh/statuses", `{"party":"ypg","kind":"designated","designator":"Turkey","valid_from":"2016-02-22T10:00:00Z"}`, 201)
	post("/api/v1/agreements/coh/statuses", `{"party":"nobody","kind":"designated","designator":"Turkey","valid_from":"2016-02-22T10:00:00Z"}`, 400)

	resp, b := do(t, "GET", fmt.Sprintf("%s/api/v1/incidents/%d/verdict", ts.URL, in.ID), "", nil, true)
	var v struct{ Verdicts []domain.Verdict }
	if err := json.Unmarshal(b, &v); err != nil || resp.StatusCode != 200 || len(v.Verdicts) != 1 {
		t.Fatalf("verdict: %d %s", resp.StatusCode, b)
	}
	want := "violation in the co-chairs' view: Shelling/artillery/missile attack by Turkish Armed Forces on YPJ, not excluded; " +
		"not a violation in Turkey's view: target YPJ designated by Turkey"
	if got := v.Verdicts[0].Sentence; got != want {
		t.Errorf("sentence:\ngot  %q\nwant %q", got, want)
	}
	resp, b = do(t, "GET", fmt.Sprintf("%s/api/v1/incidents/%d/verdict/history", ts.URL, in.ID), "", nil, true)
	var h struct{ Changes []domain.VerdictChange }
	if err := json.Unmarshal(b, &h); err != nil || len(h.Changes) != 2 || h.Changes[1].Cause.Kind != domain.CauseStatus ||
		h.Changes[1].Cause.Actor != "monitor-1" {
		t.Errorf("history: %d %s; want the recompute, then the status row by monitor-1", resp.StatusCode, b)
	}
	for _, tt := range []struct {
		query string
		total int
	}{{"outcome=violation", 1}, {"outcome=violation&disputed=true", 1}, {"outcome=not_violation", 0}, {"agreement=coh&party=" + fmt.Sprint(ypj.ID), 1}} {
		resp, b = do(t, "GET", ts.URL+"/api/v1/verdicts?"+tt.query, "", nil, true)
		var l struct{ Total int }
		if err := json.Unmarshal(b, &l); err != nil || resp.StatusCode != 200 || l.Total != tt.total {
			t.Errorf("verdicts?%s: %d %s, want total %d", tt.query, resp.StatusCode, b, tt.total)
		}
	}
	if resp, _ := do(t, "GET", ts.URL+"/api/v1/verdicts?outcome=maybe", "", nil, true); resp.StatusCode != 400 {
		t.Errorf("bad outcome: got %d, want 400", resp.StatusCode)
	}
	if resp, _ := do(t, "GET", ts.URL+"/api/v1/agreements/coh/statuses", "", nil, false); resp.StatusCode != 200 {
		t.Errorf("public statuses: got %d, want 200", resp.StatusCode)
	}
}
