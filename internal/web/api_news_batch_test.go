package web_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/trucedesk/truce/internal/news"
	"github.com/trucedesk/truce/internal/store/storetest"
)

// TestNewsAPIBatch posts JSONL batches with bad lines among good ones:
// every line is reported, bad ones with their reason, and the good ones are
// stored; a batch that cannot be read at all is refused whole.
func TestNewsAPIBatch(t *testing.T) {
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			db := eng.Open(t)
			newsRegistry(t, db)
			ts := newServer(t, db)

			batch := strings.Join([]string{
				`{"title":"One","text":"Russia said strikes fell, Konashenkov said.","date":"2016-02-24"}`,
				`{not json`,
				`{"title":"No text","date":"2016-02-24"}`,
				``,
				`{"title":"Bad date","text":"Putin said so.","date":"yesterday"}`,
				`[1,2]`,
				`{"title":"HTML","html":"<p>Erdogan said the YPG must be kept out, the ministry said.</p>","date":"2016-02-26"}`,
				`{"title":"Arabic","text":"قال المتحدث إن الغارات توقفت تماما في حلب.","date":"2016-02-26"}`,
				`{"title":"One again","text":"Russia said strikes fell, Konashenkov said.","date":"2016-02-24"}`,
			}, "\n") + "\n"
			type line struct {
				Line      int      `json:"line"`
				Status    string   `json:"status"`
				ArticleID int64    `json:"article_id"`
				Warnings  []string `json:"warnings"`
				Error     *struct{ Code, Field, Message string }
			}
			var report struct {
				Items                 []line
				Created, Same, Failed int
			}
			resp, body := do(t, "POST", ts.URL+"/api/v1/articles", "application/x-ndjson", []byte(batch), true)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			if err := json.Unmarshal(body, &report); err != nil {
				t.Fatal(err)
			}
			want := []struct {
				line          int
				status, error string // error: a phrase of the message, or the field
			}{
				{1, "created", ""},
				{2, "failed", "not a JSON object"},
				{3, "failed", "text"},
				{5, "failed", "date"},
				{6, "failed", "not a JSON object but an array"},
				{7, "created", ""},
				{8, "created", ""},
				{9, "same", ""},
			}
			if len(report.Items) != len(want) {
				t.Fatalf("report has %d lines, want %d: %s", len(report.Items), len(want), body)
			}
			for i, w := range want {
				got := report.Items[i]
				if got.Line != w.line || got.Status != w.status {
					t.Errorf("item %d: line %d %s, want line %d %s", i, got.Line, got.Status, w.line, w.status)
				}
				switch {
				case w.error == "" && got.Error != nil:
					t.Errorf("line %d: error %+v, want none", got.Line, got.Error)
				case w.error != "" && (got.Error == nil || got.Error.Code != "invalid" ||
					!strings.Contains(got.Error.Message, w.error) && got.Error.Field != w.error):
					t.Errorf("line %d: error %+v, want invalid %q", got.Line, got.Error, w.error)
				}
			}
			if report.Created != 3 || report.Same != 1 || report.Failed != 4 {
				t.Errorf("created %d same %d failed %d, want 3 1 4", report.Created, report.Same, report.Failed)
			}
			if r := report.Items[7]; r.ArticleID != report.Items[0].ArticleID {
				t.Errorf("repeat of line 1 is article %d, want %d", r.ArticleID, report.Items[0].ArticleID)
			}
			if w := strings.Join(report.Items[6].Warnings, " "); !strings.Contains(w, "not in Latin script") {
				t.Errorf("Arabic line warnings %q, want it marked best-effort", w)
			}

			refused := []struct {
				name, body string
				status     int
			}{
				{"empty", "\n\n", http.StatusBadRequest},
				{"too large", strings.Repeat(`{"text":"`+strings.Repeat("a", 1<<20)+`"}`+"\n", 4*news.MaxInputBytes>>20+1), http.StatusRequestEntityTooLarge},
			}
			for _, tt := range refused {
				t.Run(tt.name, func(t *testing.T) {
					before := countArticles(t, ts.URL)
					resp, body := do(t, "POST", ts.URL+"/api/v1/articles", "application/jsonl", []byte(tt.body), true)
					if resp.StatusCode != tt.status {
						t.Errorf("status %d, want %d: %.200s", resp.StatusCode, tt.status, body)
					}
					if after := countArticles(t, ts.URL); after != before {
						t.Errorf("articles %d → %d; a refused batch stores nothing", before, after)
					}
				})
			}
		})
	}
}

func countArticles(t *testing.T, base string) int {
	t.Helper()
	var page struct{ Articles []json.RawMessage }
	_, body := do(t, "GET", base+"/api/v1/articles?limit=1000", "", nil, true)
	if err := json.Unmarshal(body, &page); err != nil {
		t.Fatal(err)
	}
	return len(page.Articles)
}
