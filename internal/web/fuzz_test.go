package web

import (
	"bytes"
	"context"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trucedesk/truce/internal/auth"
	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/intake"
	"github.com/trucedesk/truce/internal/store"
	"github.com/trucedesk/truce/internal/store/storetest"
)

// FuzzDecodeMessage feeds the strict JSON decoder of intake arbitrary bodies:
// it must never panic, and must either decode or answer with a user error.
func FuzzDecodeMessage(f *testing.F) {
	f.Add([]byte(`{"sender":{"kind":"public"},"body":"قصف"}`))
	f.Add([]byte(`{"body":"a","attachments":[{"name":"x","size":1}]}`))
	f.Add([]byte(`{"body":`))
	f.Add([]byte("{\"body\":\"\xff\"}"))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest(http.MethodPost, "/api/v1/messages", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		var req messageRequest
		err := decodeJSON(httptest.NewRecorder(), r, maxRequestBytes, &req)
		if err != nil {
			if code := domain.ErrorCode(err); code == domain.EINTERNAL {
				t.Fatalf("decode %q: internal error %v", body, err)
			}
			return
		}
		m := &domain.Message{Channel: domain.ChannelAPI, Sender: req.Sender, Body: req.Body, Attachments: req.Attachments}
		_ = m.Validate()
	})
}

// FuzzAPI sends arbitrary requests to the whole server as a co-chair, with a
// real SQLite store behind it: every route's path parameters, query string
// and JSON or form body, which reach every request decoder, query parser and
// form reader the handlers have. Whatever arrives, the answer is never a
// 500 (a panic is one, through the recoverer) and never a hang. The route
// table seeds the corpus, so a new route is fuzzed from the day it is added;
// the seeds in testdata/fuzz/FuzzAPI add well-formed bodies.
func FuzzAPI(f *testing.F) {
	// While fuzzing, SQLite alone, for speed. As an ordinary test the seeds
	// also run against PostgreSQL when one is configured: the engines differ
	// in what text they accept (a NUL), and a seed that one refuses cleanly
	// must not be a 500 on the other.
	servers := []*fuzzServer{newFuzzServer(f, "sqlite", storetest.OpenSQLite(f))}
	if fl := flag.Lookup("test.fuzz"); (fl == nil || fl.Value.String() == "") && os.Getenv(storetest.PostgresEnv) != "" {
		servers = append(servers, newFuzzServer(f, "postgres", storetest.OpenPostgres(f)))
	}
	param := regexp.MustCompile(`\{[^}]+\}`)
	for _, rt := range servers[0].s.Routes() {
		method, pattern, _ := strings.Cut(rt.Pattern, " ")
		target := param.ReplaceAllString(strings.TrimSuffix(pattern, "{$}"), "1")
		f.Add(method+" "+target, false, []byte(`{}`))
	}
	f.Fuzz(func(t *testing.T, target string, form bool, body []byte) {
		method, path, ok := strings.Cut(target, " ")
		if !ok || strings.HasSuffix(path, "/stream") {
			return // the inbox stream is meant never to end
		}
		for _, fs := range servers {
			fs.serve(t, method, path, form, body)
		}
	})
}

// fuzzServer is the whole server on one engine, with its error log kept
// for the failure message.
type fuzzServer struct {
	engine string
	s      *Server
	h      http.Handler
	mu     sync.Mutex
	logged bytes.Buffer
}

func newFuzzServer(f *testing.F, engine string, db *store.DB) *fuzzServer {
	desk := intake.New(db)
	desk.Logger = slog.New(slog.DiscardHandler)
	desk.Start()
	f.Cleanup(desk.Close)
	fs := &fuzzServer{engine: engine}
	fs.s = &Server{Store: db, Desk: desk, Log: db, Auth: auth.New(db, time.Now), Inbox: &Hub{},
		Tokens: map[string]string{"fuzz-token": "fuzzer"},
		Logger: slog.New(slog.NewTextHandler(lockedWriter{&fs.mu, &fs.logged}, &slog.HandlerOptions{Level: slog.LevelError}))}
	fs.s.Auth.Logger = fs.s.Logger
	h, err := fs.s.Handler()
	if err != nil {
		f.Fatal(err)
	}
	fs.h = h
	return fs
}

func (fs *fuzzServer) serve(t *testing.T, method, path string, form bool, body []byte) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r, err := http.NewRequestWithContext(ctx, method, "http://truce.test"+path, bytes.NewReader(body))
	if err != nil {
		return // not a request line a client could send
	}
	r.RequestURI = path
	r.Header.Set("Authorization", "Bearer fuzz-token")
	r.Header.Set("Content-Type", "application/json")
	if form {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	w := httptest.NewRecorder()
	fs.mu.Lock()
	fs.logged.Reset()
	fs.mu.Unlock()
	fs.h.ServeHTTP(w, r)
	if ctx.Err() != nil {
		t.Fatalf("%s: %s %s with %q took longer than 10 s", fs.engine, method, path, body)
	}
	// 503 is an honest answer (no signing key here), not a failure.
	if w.Code >= 500 && w.Code != http.StatusServiceUnavailable {
		fs.mu.Lock()
		defer fs.mu.Unlock()
		t.Fatalf("%s: %s %s with %q = %d %s\nlog: %s", fs.engine, method, path, body, w.Code, w.Body.Bytes(), fs.logged.Bytes())
	}
}

// lockedWriter lets the handler's logger and the fuzz function share a
// buffer.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
