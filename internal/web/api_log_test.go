package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/trucedesk/truce/internal/ledger"
	"github.com/trucedesk/truce/internal/store/storetest"
)

// TestLogProofs follows the log as a party would: entries, then inclusion and
// consistency proofs checked against checkpoints with the ledger package.
func TestLogProofs(t *testing.T) {
	db := storetest.OpenSQLite(t)
	ts := newServer(t, db)
	ctx := context.Background()
	for i := range 5 {
		do(t, "POST", ts.URL+"/api/v1/messages", "application/json", fmt.Appendf(nil, `{"body":"report %d"}`, i), false)
	}
	l, err := db.Ledger(ctx)
	if err != nil {
		t.Fatal(err)
	}
	older, _ := l.Checkpoint(ctx, "o")
	for i := range 4 {
		do(t, "POST", ts.URL+"/api/v1/messages", "application/json", fmt.Appendf(nil, `{"body":"later %d"}`, i), false)
	}
	l, _ = db.Ledger(ctx)
	newer, _ := l.Checkpoint(ctx, "o")
	if older.Size != 5 || newer.Size != 9 {
		t.Fatalf("log sizes %d, %d; want 5, 9", older.Size, newer.Size)
	}

	resp, data := do(t, "GET", ts.URL+"/api/v1/log/entries?start=0&end=9", "", nil, false)
	var page struct{ Entries []ledger.Entry }
	json.Unmarshal(data, &page)
	if resp.StatusCode != 200 || len(page.Entries) != 9 || page.Entries[3].Key.Kind != "message" {
		t.Fatalf("entries = %d %s", resp.StatusCode, data)
	}
	for i := uint64(0); i < newer.Size; i++ {
		_, data := do(t, "GET", ts.URL+fmt.Sprintf("/api/v1/log/proof/inclusion?index=%d&size=%d", i, newer.Size), "", nil, false)
		var p struct {
			Entry ledger.Entry
			Proof [][]byte
		}
		json.Unmarshal(data, &p)
		if err := ledger.VerifyInclusion(p.Entry.Hash, i, p.Proof, newer); err != nil {
			t.Errorf("inclusion of %d: %v (%s)", i, err, data)
		}
	}
	_, data = do(t, "GET", ts.URL+"/api/v1/log/proof/consistency?from=5&to=9", "", nil, false)
	var c struct{ Proof [][]byte }
	json.Unmarshal(data, &c)
	if err := ledger.VerifyConsistency(older, newer, c.Proof); err != nil {
		t.Errorf("consistency 5→9: %v", err)
	}
	for _, bad := range []string{"/api/v1/log/proof/inclusion?index=9&size=9", "/api/v1/log/proof/inclusion?index=x&size=9",
		"/api/v1/log/proof/consistency?from=9&to=5", "/api/v1/log/proof/consistency?from=1&to=99"} {
		if resp, _ := do(t, "GET", ts.URL+bad, "", nil, false); resp.StatusCode != 400 {
			t.Errorf("GET %s = %d, want 400", bad, resp.StatusCode)
		}
	}
	if resp, _ := do(t, "GET", ts.URL+"/api/v1/log/checkpoint", "", nil, false); resp.StatusCode != 404 {
		t.Errorf("checkpoint before any was signed = %d, want 404", resp.StatusCode)
	}
}
