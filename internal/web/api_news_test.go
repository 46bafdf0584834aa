package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/scenario"
	"github.com/trucedesk/truce/internal/store"
	"github.com/trucedesk/truce/internal/store/storetest"
)

// newsRegistry stores the scenario's agreement and parties.
func newsRegistry(t *testing.T, db *store.DB) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	sc, err := scenario.Load()
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CreateAgreement(ctx, sc.Agreement); err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	for pending := sc.Parties; len(pending) > 0; {
		var next []*domain.Party
		for _, p := range pending {
			if parent := sc.Parents[p.Slug]; parent != "" && ids[parent] == 0 {
				next = append(next, p)
				continue
			}
			p.ParentID = ids[sc.Parents[p.Slug]]
			if err := db.CreateParty(ctx, p); err != nil {
				t.Fatal(err)
			}
			ids[p.Slug] = p.ID
		}
		pending = next
	}
	return ids
}

func TestNewsAPI(t *testing.T) {
	db := storetest.OpenSQLite(t)
	ids := newsRegistry(t, db)
	ts := newServer(t, db)
	seed, err := os.ReadFile("../newsdesk/testdata/seed.txt")
	if err != nil {
		t.Fatal(err)
	}

	var created struct {
		Article domain.Article `json:"article"`
		Created bool           `json:"created"`
	}
	resp, body := do(t, "POST", ts.URL+"/api/v1/articles?date=2016-02-24&source=lidtime.com", "text/plain; charset=utf-8", seed, true)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST text/plain: status %d: %s", resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, &created); err != nil {
		t.Fatal(err)
	}
	a := created.Article
	if !created.Created || a.ID == 0 || len(a.Statements) == 0 || len(a.Claims) == 0 {
		t.Fatalf("created = %v, article %d with %d statements and %d claims", created.Created, a.ID, len(a.Statements), len(a.Claims))
	}
	if got := resp.Header.Get("Location"); got != "/api/v1/articles/1" {
		t.Errorf("Location = %q", got)
	}

	t.Run("same article as JSON", func(t *testing.T) {
		req, _ := json.Marshal(map[string]string{"text": string(seed), "date": "2016-02-24"})
		resp, body := do(t, "POST", ts.URL+"/api/v1/articles", "application/json", req, true)
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"created":false`) {
			t.Errorf("status %d, body %.200s; want 200 and created false", resp.StatusCode, body)
		}
	})

	t.Run("bad input", func(t *testing.T) {
		tests := []struct {
			name, contentType, body string
			auth                    bool
			status                  int
			code, field             string
		}{
			{"no token", "text/plain", "Russia said so.", false, 401, "unauthorized", ""},
			{"form", "application/x-www-form-urlencoded", "a=b", true, 415, "unsupported_media_type", ""},
			{"empty text", "text/plain", "   ", true, 400, "invalid", ""},
			{"binary", "text/plain", "ab\x00cd", true, 400, "invalid", ""},
			{"json without text", "application/json", `{"title":"x"}`, true, 400, "invalid", "text"},
			{"json unknown field", "application/json", `{"text":"x","when":"now"}`, true, 400, "invalid", "when"},
			{"json bad date", "application/json", `{"text":"Russia said so.","date":"soon"}`, true, 400, "invalid", "date"},
			{"json not json", "application/json", `{"text":`, true, 400, "invalid", ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				resp, body := do(t, "POST", ts.URL+"/api/v1/articles", tt.contentType, []byte(tt.body), tt.auth)
				var e apiError
				json.Unmarshal(body, &e)
				if resp.StatusCode != tt.status || e.Error.Code != tt.code || e.Error.Field != tt.field {
					t.Errorf("status %d code %q field %q, want %d %q %q (%s)", resp.StatusCode, e.Error.Code, e.Error.Field,
						tt.status, tt.code, tt.field, body)
				}
			})
		}
		var page struct{ Articles []domain.Article }
		_, body := do(t, "GET", ts.URL+"/api/v1/articles", "", nil, true)
		json.Unmarshal(body, &page)
		if len(page.Articles) != 1 {
			t.Errorf("articles after refusals = %d, want 1", len(page.Articles))
		}
	})

	t.Run("statements by party", func(t *testing.T) {
		var page struct{ Statements []domain.Statement }
		resp, body := do(t, "GET", ts.URL+"/api/v1/statements?party=tr-af&since=2016-02-01&until=2016-03-01", "", nil, true)
		if resp.StatusCode != 200 {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		json.Unmarshal(body, &page)
		if len(page.Statements) == 0 {
			t.Fatal("no statements by Turkey")
		}
		for _, st := range page.Statements {
			if st.Speaker.PartyID != ids["tr-af"] {
				t.Errorf("statement %d by party %d, want %d", st.ID, st.Speaker.PartyID, ids["tr-af"])
			}
		}
		resp, _ = do(t, "GET", ts.URL+"/api/v1/statements?party=nobody", "", nil, true)
		if resp.StatusCode != 400 {
			t.Errorf("unknown party: status %d, want 400", resp.StatusCode)
		}
	})

	t.Run("statements page by page", func(t *testing.T) {
		var all struct{ Statements []domain.Statement }
		_, body := do(t, "GET", ts.URL+"/api/v1/statements?limit=1000", "", nil, true)
		json.Unmarshal(body, &all)
		if len(all.Statements) < 3 {
			t.Fatalf("%d statements; the test needs 3", len(all.Statements))
		}
		var got []int64
		for u := "/api/v1/statements?limit=2"; ; {
			var page struct {
				Statements []domain.Statement
				NextAfter  *int64 `json:"next_after"`
			}
			_, body := do(t, "GET", ts.URL+u, "", nil, true)
			json.Unmarshal(body, &page)
			for _, st := range page.Statements {
				got = append(got, st.ID)
			}
			if page.NextAfter == nil {
				break
			}
			u = "/api/v1/statements?limit=2&after=" + itoa(*page.NextAfter)
		}
		if len(got) != len(all.Statements) {
			t.Errorf("paged %d statements, listed %d", len(got), len(all.Statements))
		}
		for i, st := range all.Statements {
			if i < len(got) && got[i] != st.ID {
				t.Fatalf("page order %v differs from the full list at %d", got, i)
			}
		}
	})

	t.Run("claims and recheck", func(t *testing.T) {
		var page struct{ Claims []domain.StoredClaim }
		_, body := do(t, "GET", ts.URL+"/api/v1/claims?verdict=not_testable&metric=strikes&party=ru-af", "", nil, true)
		json.Unmarshal(body, &page)
		if len(page.Claims) != 1 || page.Claims[0].Check == nil {
			t.Fatalf("strikes claims of ru-af = %s", body)
		}
		id := page.Claims[0].ID
		resp, body := do(t, "POST", ts.URL+"/api/v1/claims/"+itoa(id)+"/recheck", "", nil, true)
		var c domain.StoredClaim
		json.Unmarshal(body, &c)
		if resp.StatusCode != 200 || c.Check == nil || c.Check.Verdict != domain.VerdictNotTestable {
			t.Errorf("recheck: status %d body %.300s", resp.StatusCode, body)
		}
		for _, u := range []string{"/api/v1/claims?verdict=maybe", "/api/v1/claims?metric=vibes"} {
			if resp, _ := do(t, "GET", ts.URL+u, "", nil, true); resp.StatusCode != 400 {
				t.Errorf("GET %s: status %d, want 400", u, resp.StatusCode)
			}
		}
		if resp, _ := do(t, "POST", ts.URL+"/api/v1/claims/99999/recheck", "", nil, true); resp.StatusCode != 404 {
			t.Errorf("recheck of no claim: status %d, want 404", resp.StatusCode)
		}
	})

	t.Run("incident statements", func(t *testing.T) {
		loc, _ := time.LoadLocation("Asia/Damascus")
		in := &domain.Incident{SubEventType: domain.SubAirStrike, OccurredAt: time.Date(2016, 2, 23, 9, 0, 0, 0, loc),
			Location: "Aleppo", Perpetrators: []int64{ids["ru-af"]}, CreatedBy: "t"}
		if err := db.CreateIncident(context.Background(), in); err != nil {
			t.Fatal(err)
		}
		resp, body := do(t, "GET", ts.URL+"/api/v1/incidents/"+itoa(in.ID)+"/statements", "", nil, true)
		if resp.StatusCode != 200 || !strings.Contains(string(body), "a claim about ru-af covers its time") {
			t.Errorf("status %d body %.400s; want the strikes claim beside it", resp.StatusCode, body)
		}
		if resp, _ := do(t, "GET", ts.URL+"/api/v1/incidents/424242/statements", "", nil, true); resp.StatusCode != 404 {
			t.Errorf("no incident: status %d, want 404", resp.StatusCode)
		}
	})

	t.Run("article view", func(t *testing.T) {
		var got domain.Article
		resp, body := do(t, "GET", ts.URL+"/api/v1/articles/"+itoa(a.ID), "", nil, true)
		json.Unmarshal(body, &got)
		if resp.StatusCode != 200 || len(got.Statements) != len(a.Statements) || got.Text != a.Text {
			t.Errorf("status %d, %d statements (want %d)", resp.StatusCode, len(got.Statements), len(a.Statements))
		}
		if resp, _ := do(t, "GET", ts.URL+"/api/v1/articles/x", "", nil, true); resp.StatusCode != 400 {
			t.Errorf("bad id: status %d, want 400", resp.StatusCode)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
