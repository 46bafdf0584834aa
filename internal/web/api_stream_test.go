package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/trucedesk/truce/internal/store/storetest"
)

// TestInboxStream connects a desk to the live inbox and posts a message: the
// desk hears its ID without asking.
func TestInboxStream(t *testing.T) {
	db := storetest.OpenSQLite(t)
	ts := newServer(t, db)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+"/api/v1/inbox/stream", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || ct != "text/event-stream" {
		t.Fatalf("stream = %d %s", resp.StatusCode, ct)
	}
	lines := bufio.NewScanner(resp.Body)
	lines.Scan() // ": connected"
	_, data := do(t, "POST", ts.URL+"/api/v1/messages", "application/json", []byte(`{"body":"live report"}`), false)
	var rc struct{ Tracking string }
	json.Unmarshal(data, &rc)
	m, err := db.MessageByTracking(context.Background(), rc.Tracking)
	if err != nil {
		t.Fatal(err)
	}
	for lines.Scan() {
		if ids, ok := strings.CutPrefix(lines.Text(), "data: "); ok {
			var got []int64
			json.Unmarshal([]byte(ids), &got)
			if len(got) != 1 || got[0] != m.ID {
				t.Errorf("stream said %v, want [%d]", got, m.ID)
			}
			return
		}
	}
	t.Fatalf("the stream ended without news of message %d: %v", m.ID, lines.Err())
}
