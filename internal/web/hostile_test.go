package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/store"
	"github.com/trucedesk/truce/internal/store/storetest"
)

// hostile are strings that would do harm if they were ever spliced into SQL
// or HTML instead of passed as parameters and escaped.
var hostile = []string{
	`'; DROP TABLE messages; --`,
	`" OR 1=1 --`,
	`<script>alert('x')</script>`,
	`<img src=x onerror=alert(1)>`,
	`{{.}} ${7*7} %s %n`,
	"\u202Eevil\u202C",
}

// TestHostileInput sends SQL- and script-injection strings in every text
// field: each is stored exactly, nothing else changes, and pages escape them.
func TestHostileInput(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) { testHostileInput(t, e.Open(t)) })
	}
}

func testHostileInput(t *testing.T, db *store.DB) {
	ts := newServer(t, db)
	ctx := context.Background()
	for _, h := range hostile {
		body, _ := json.Marshal(map[string]any{
			"sender": map[string]any{"kind": "public", "name": h, "contact": h}, "language": "en", "subject": h, "body": h,
			"attachments": []map[string]any{{"name": "photo " + strings.ReplaceAll(h, "/", "_") + ".jpg", "content_type": h, "size": 1, "sha256": h}},
		})
		resp, data := do(t, "POST", ts.URL+"/api/v1/messages", "application/json", body, false)
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("POST %q = %d %s", h, resp.StatusCode, data)
		}
		var rc struct{ Tracking string }
		json.Unmarshal(data, &rc)
		m, err := db.MessageByTracking(ctx, rc.Tracking)
		if err != nil || m.Body != h || m.Subject != h || m.Sender.Name != h || m.Attachments[0].ContentType != h {
			t.Errorf("stored %+v, %v; want %q verbatim", m, err, h)
		}
		// The public form echoes what was typed on error: escaped.
		form := url.Values{"name": {h}, "body": {""}}
		fr, err := http.PostForm(ts.URL+"/report", form)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(fr.Body)
		fr.Body.Close()
		if strings.Contains(string(page), "<script>alert") || strings.Contains(string(page), "<img src=x") {
			t.Errorf("the form page echoes %q unescaped", h)
		}
	}
	if ms, _ := db.Messages(ctx, domain.MessageFilter{}); len(ms) != len(hostile) {
		t.Errorf("%d messages stored, want %d", len(ms), len(hostile))
	}

	for _, name := range []string{"../../etc/passwd", `..\\windows\\system32`, "a/b.jpg", "..", "x\x00.jpg", "bell\a.png"} {
		body, _ := json.Marshal(map[string]any{"body": "report", "attachments": []map[string]any{{"name": name, "size": 1}}})
		resp, data := do(t, "POST", ts.URL+"/api/v1/messages", "application/json", body, false)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(data), `"field":"attachments`) {
			t.Errorf("attachment name %q = %d %s, want 400 naming attachments", name, resp.StatusCode, data)
		}
	}
	// Path traversal in a URL path parameter is an unknown ID, not a file.
	resp, _ := do(t, "GET", ts.URL+"/api/v1/messages/..%2F..%2Fetc%2Fpasswd", "", nil, false)
	if resp.StatusCode != http.StatusBadRequest && resp.StatusCode != http.StatusNotFound {
		t.Errorf("traversal in a tracking number = %d", resp.StatusCode)
	}
	resp, _ = do(t, "GET", ts.URL+"/static/../../go.mod", "", nil, false)
	if resp.StatusCode == http.StatusOK {
		t.Error("a static path escaped its directory")
	}
}
