package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/trucedesk/truce/internal/auth"
	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/intake"
	"github.com/trucedesk/truce/internal/store"
	"github.com/trucedesk/truce/internal/store/storetest"
	"github.com/trucedesk/truce/internal/web"
)

const token = "test-token-123"

// newServer serves a store over a real loopback listener.
func newServer(tb testing.TB, db *store.DB) *httptest.Server {
	return newServerBatch(tb, db, 256)
}

func newServerBatch(tb testing.TB, db *store.DB, maxBatch int) *httptest.Server {
	return newServerOver(tb, db, db, maxBatch)
}

// newServerOver serves st, which reads and writes db, as the web server
// sees it: a wrapper can hide the store's optional methods.
func newServerOver(tb testing.TB, db *store.DB, st domain.Store, maxBatch int) *httptest.Server {
	return newServerWith(tb, db, st, maxBatch, func(*web.Server) {})
}

// newServerWith is newServerOver with a last say on the server's settings.
func newServerWith(tb testing.TB, db *store.DB, st domain.Store, maxBatch int, set func(*web.Server)) *httptest.Server {
	tb.Helper()
	desk := intake.New(db)
	desk.MaxBatch = maxBatch
	if db.Engine() == "postgres" {
		desk.Committers = 4
	}
	desk.Logger = slog.New(slog.DiscardHandler)
	desk.Start()
	s := &web.Server{Store: st, Desk: desk, Logger: slog.New(slog.DiscardHandler), Tokens: map[string]string{token: "monitor-1"}, Log: db, Inbox: &web.Hub{},
		Auth: auth.New(db, time.Now)}
	set(s)
	watchCtx, stopWatch := context.WithCancel(context.Background())
	tb.Cleanup(stopWatch)
	go db.WatchMessages(watchCtx, s.Inbox.Publish, func(error) {})
	h, err := s.Handler()
	if err != nil {
		tb.Fatal(err)
	}
	ts := httptest.NewServer(h)
	tb.Cleanup(func() { ts.Close(); desk.Close() })
	return ts
}

type apiError struct {
	Error struct{ Code, Field, Message string } `json:"error"`
}

func do(t *testing.T, method, u, contentType string, body []byte, auth bool) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, u, bytes.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if auth {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, data
}

// TestMessageBadInput runs on both engines: a refusal must store nothing
// on either, whatever each engine's constraints would have caught.
func TestMessageBadInput(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) { testMessageBadInput(t, e.Open(t)) })
	}
}

func testMessageBadInput(t *testing.T, db *store.DB) {
	ts := newServer(t, db)
	huge := `{"body":"` + strings.Repeat("a", domain.MaxBodyBytes+1) + `"}`
	enormous := `{"body":"` + strings.Repeat("a", 9*domain.MaxBodyBytes) + `"}`
	tests := []struct {
		name, contentType, body string
		status                  int
		code, field             string
	}{
		{"malformed", "application/json", `{"body": "x"`, 400, "invalid", ""},
		{"syntax", "application/json", `{"body": x}`, 400, "invalid", ""},
		{"empty", "application/json", ``, 400, "invalid", ""},
		{"two values", "application/json", `{"body":"a"} {"body":"b"}`, 400, "invalid", ""},
		{"wrong type", "application/json", `{"body": ["a"]}`, 400, "invalid", "body"},
		{"unknown field", "application/json", `{"body":"a","priority":"high"}`, 400, "invalid", "priority"},
		{"missing body", "application/json", `{"sender":{"kind":"public"}}`, 400, "invalid", "body"},
		{"blank body", "application/json", `{"body":"   \n"}`, 400, "invalid", "body"},
		{"bad sender kind", "application/json", `{"sender":{"kind":"general"},"body":"a"}`, 400, "invalid", "sender.kind"},
		{"liaison without party", "application/json", `{"sender":{"kind":"liaison"},"body":"a"}`, 400, "invalid", "sender.party_id"},
		{"unknown party", "application/json", `{"sender":{"kind":"liaison","party_id":77},"body":"a"}`, 400, "invalid", "sender.party_id"},
		{"invalid utf-8", "application/json", "{\"body\":\"\xff\xfe\"}", 400, "invalid", ""},
		{"body over limit", "application/json", huge, 413, "too_large", "body"},
		{"request over limit", "application/json", enormous, 413, "too_large", ""},
		{"too many attachments", "application/json", `{"body":"a","attachments":[` + strings.Repeat(`{"name":"a","size":1},`, 10) + `{"name":"a","size":1}]}`, 413, "too_large", "attachments"},
		{"attachment too big", "application/json", `{"body":"a","attachments":[{"name":"v.mp4","size":999999999}]}`, 413, "too_large", "attachments"},
		{"wrong content type", "text/plain", `{"body":"a"}`, 415, "unsupported_media_type", ""},
		{"no content type", "", `{"body":"a"}`, 415, "unsupported_media_type", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, data := do(t, "POST", ts.URL+"/api/v1/messages", tt.contentType, []byte(tt.body), false)
			var e apiError
			if err := json.Unmarshal(data, &e); err != nil {
				t.Fatalf("body is not a JSON error: %q", data)
			}
			if resp.StatusCode != tt.status || e.Error.Code != tt.code || e.Error.Field != tt.field {
				t.Errorf("got %d %s field %q (%s), want %d %s field %q", resp.StatusCode, e.Error.Code, e.Error.Field,
					e.Error.Message, tt.status, tt.code, tt.field)
			}
			if e.Error.Message == "" {
				t.Error("error has no message")
			}
		})
	}
	if ms, _ := db.Messages(context.Background(), domain.MessageFilter{}); len(ms) != 0 {
		t.Errorf("bad requests stored %d messages", len(ms))
	}
}

func TestMessageRoundTrip(t *testing.T) {
	db := storetest.OpenSQLite(t)
	ts := newServer(t, db)
	body := "Обстрел в районе Латакии; قصف على ريف اللاذقية — 06:40"
	req, _ := json.Marshal(map[string]any{"sender": map[string]any{"kind": "public", "contact": "+963000000123"}, "language": "ru", "body": body})

	resp, data := do(t, "POST", ts.URL+"/api/v1/messages", "application/json", req, false)
	var rc struct {
		Tracking string `json:"tracking"`
		State    string `json:"state"`
		Repeat   bool   `json:"repeat"`
	}
	json.Unmarshal(data, &rc)
	if resp.StatusCode != http.StatusCreated || rc.State != "received" {
		t.Fatalf("POST = %d %s", resp.StatusCode, data)
	}
	if _, ok := domain.NormalizeTracking(rc.Tracking); !ok {
		t.Errorf("tracking %q does not check", rc.Tracking)
	}
	if loc := resp.Header.Get("Location"); loc != "/api/v1/messages/"+rc.Tracking {
		t.Errorf("Location = %q", loc)
	}

	// The same sender again: the original tracking number, recorded as a repeat.
	resp, data = do(t, "POST", ts.URL+"/api/v1/messages", "application/json", req, false)
	var again struct {
		Tracking string `json:"tracking"`
		Repeat   bool   `json:"repeat"`
	}
	json.Unmarshal(data, &again)
	if resp.StatusCode != http.StatusOK || !again.Repeat || again.Tracking != rc.Tracking {
		t.Errorf("repeat POST = %d %s, want 200 with tracking %s", resp.StatusCode, data, rc.Tracking)
	}

	// The sender follows it, with a tracking number read out loosely.
	loose := strings.ToLower(strings.ReplaceAll(rc.Tracking, "-", " "))
	resp, data = do(t, "GET", ts.URL+"/api/v1/messages/"+url.PathEscape(loose), "", nil, false)
	if resp.StatusCode != 200 || !strings.Contains(string(data), `"state":"received"`) || strings.Contains(string(data), "Латакии") {
		t.Errorf("status lookup = %d %s; want the state and not the body", resp.StatusCode, data)
	}
	typo := rc.Tracking[:len(rc.Tracking)-1] + string("0123456789ABCDEFGHJKMNPQRSTVWXYZ"[(strings.IndexByte("0123456789ABCDEFGHJKMNPQRSTVWXYZ", rc.Tracking[len(rc.Tracking)-1])+1)%32])
	resp, data = do(t, "GET", ts.URL+"/api/v1/messages/"+typo, "", nil, false)
	if resp.StatusCode != 400 || !strings.Contains(string(data), `"field":"tracking"`) {
		t.Errorf("mistyped tracking = %d %s, want 400 naming the field", resp.StatusCode, data)
	}

	stored, err := db.MessageByTracking(context.Background(), rc.Tracking)
	if err != nil || stored.Body != body || stored.Repeats != 1 || stored.Channel != domain.ChannelAPI {
		t.Errorf("stored = %+v, %v", stored, err)
	}
}

func TestTriageOverAPI(t *testing.T) {
	db := storetest.OpenSQLite(t)
	ts := newServer(t, db)
	_, data := do(t, "POST", ts.URL+"/api/v1/messages", "application/json", []byte(`{"body":"Air strike on Kafr Nabl market, 4 dead"}`), false)
	var rc struct{ Tracking string }
	json.Unmarshal(data, &rc)
	m, _ := db.MessageByTracking(context.Background(), rc.Tracking)
	id := func(n int64) string { return strings.TrimSpace(strings.Repeat(" ", 0) + jsonNum(n)) }

	if resp, _ := do(t, "GET", ts.URL+"/api/v1/inbox", "", nil, false); resp.StatusCode != 401 {
		t.Errorf("inbox without token = %d, want 401", resp.StatusCode)
	}
	resp, data := do(t, "GET", ts.URL+"/api/v1/inbox?state=received", "", nil, true)
	if resp.StatusCode != 200 || !strings.Contains(string(data), rc.Tracking) {
		t.Fatalf("inbox = %d %s", resp.StatusCode, data)
	}
	if resp, _ := do(t, "GET", ts.URL+"/api/v1/inbox?state=lost", "", nil, true); resp.StatusCode != 400 {
		t.Errorf("unknown state filter = %d, want 400", resp.StatusCode)
	}
	steps := []struct {
		body   string
		status int
	}{
		{`{"to":"triaged","version":1}`, 200},
		{`{"to":"rejected","version":1,"reason":"spam"}`, 409}, // stale version
		{`{"to":"linked","version":2}`, 400},                   // no incident
		{`{"to":"incident","version":2}`, 400},
	}
	for _, st := range steps {
		resp, data := do(t, "POST", ts.URL+"/api/v1/inbox/"+id(m.ID)+"/transitions", "application/json", []byte(st.body), true)
		if resp.StatusCode != st.status {
			t.Errorf("transition %s = %d %s, want %d", st.body, resp.StatusCode, data, st.status)
		}
		if st.status == 409 && !strings.Contains(string(data), `"current"`) {
			t.Errorf("conflict answer lacks the current state: %s", data)
		}
	}
	resp, data = do(t, "POST", ts.URL+"/api/v1/incidents", "application/json",
		[]byte(`{"sub_event_type":"Air/drone strike","occurred_at":"2016-02-28T09:00:00Z","location":"Kafr Nabl","point":{"lat":35.61,"lon":36.56},"fatalities":{"best":4,"low":4,"high":4}}`), true)
	var in domain.Incident
	json.Unmarshal(data, &in)
	if resp.StatusCode != 201 || in.ID == 0 || in.CreatedBy != "monitor-1" {
		t.Fatalf("create incident = %d %s", resp.StatusCode, data)
	}
	resp, data = do(t, "POST", ts.URL+"/api/v1/inbox/"+id(m.ID)+"/transitions", "application/json",
		[]byte(`{"to":"linked","version":2,"incident_id":`+id(in.ID)+`,"note":"same strike"}`), true)
	if resp.StatusCode != 200 {
		t.Fatalf("link = %d %s", resp.StatusCode, data)
	}
	resp, data = do(t, "GET", ts.URL+"/api/v1/inbox/"+id(m.ID), "", nil, true)
	if resp.StatusCode != 200 || strings.Count(string(data), `"actor":"monitor-1"`) != 2 {
		t.Errorf("message history = %s", data)
	}
	resp, data = do(t, "GET", ts.URL+"/api/v1/incidents?bbox=36,35,37,36&type=Air%2Fdrone+strike", "", nil, true)
	if resp.StatusCode != 200 || !strings.Contains(string(data), `"total":1`) {
		t.Errorf("incident list = %d %s", resp.StatusCode, data)
	}
	resp, _ = do(t, "GET", ts.URL+"/api/v1/incidents?bbox=1,2,3", "", nil, true)
	if resp.StatusCode != 400 {
		t.Errorf("bad bbox = %d, want 400", resp.StatusCode)
	}
	resp, data = do(t, "GET", ts.URL+"/api/v1/messages/"+rc.Tracking, "", nil, false)
	if !strings.Contains(string(data), `"state":"linked"`) {
		t.Errorf("tracking page after linking = %s", data)
	}
}

func jsonNum(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestReportForm(t *testing.T) {
	db := storetest.OpenSQLite(t)
	ts := newServer(t, db)
	post := func(form url.Values) (*http.Response, string) {
		resp, err := http.PostForm(ts.URL+"/report", form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	// An empty report comes back with the error beside the field and the
	// name the person typed kept.
	resp, page := post(url.Values{"lang": {"ar"}, "name": {"أبو محمد"}, "body": {""}})
	if resp.StatusCode != 400 || !strings.Contains(page, `dir="rtl"`) || !strings.Contains(page, "يرجى وصف ما حدث") ||
		!strings.Contains(page, `value="أبو محمد"`) || !strings.Contains(page, `id="body-error"`) {
		t.Errorf("empty report: %d\n%s", resp.StatusCode, page)
	}
	resp, page = post(url.Values{"lang": {"ar"}, "name": {"أبو محمد"}, "body": {"قصف مدفعي على تلبيسة"}})
	if resp.StatusCode != 201 || !strings.Contains(page, `id="tracking"`) {
		t.Fatalf("report: %d\n%s", resp.StatusCode, page)
	}
	i := strings.Index(page, "TRC-")
	tracking := page[i : i+len("TRC-XXXX-XXXX-XXXX")]
	m, err := db.MessageByTracking(context.Background(), tracking)
	if err != nil || m.Body != "قصف مدفعي على تلبيسة" || m.Channel != domain.ChannelWeb || m.Language != "ar" {
		t.Fatalf("stored %+v, %v", m, err)
	}
	resp2, err := http.Get(ts.URL + "/track?lang=ar&n=" + url.QueryEscape(tracking))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp2.Body)
	resp2.Body.Close()
	if resp2.StatusCode != 200 || !strings.Contains(string(b), "مُستلم") {
		t.Errorf("track page: %d\n%s", resp2.StatusCode, b)
	}
	resp2, _ = http.Get(ts.URL + "/track?n=TRC-1234")
	if resp2.StatusCode != 400 {
		t.Errorf("bad tracking number page = %d, want 400", resp2.StatusCode)
	}
	resp2.Body.Close()
}

func TestEveryRouteDeclaresAccess(t *testing.T) {
	s := &web.Server{}
	for _, rt := range s.Routes() {
		if rt.Access == web.Undeclared {
			t.Errorf("route %q declares no access", rt.Pattern)
		}
	}
}
