package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/store"
	"github.com/trucedesk/truce/internal/store/storetest"
)

// TestMain lets the test binary act as the truce binary: tests start it as a
// child process with TRUCE_TEST_MAIN set, so they exercise the real program,
// signals and all, without a separate build step.
func TestMain(m *testing.M) {
	if os.Getenv("TRUCE_TEST_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// child is a running truce process.
type child struct {
	cmd *exec.Cmd
	url string
	out *bytes.Buffer
}

// startTruce runs `truce args…` and waits until it serves.
func startTruce(t *testing.T, args ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "TRUCE_TEST_MAIN=1", "TRUCE_TOKENS=tester=test-token-123", "TRUCE_LOG_LEVEL=warn")
	stdout, _ := cmd.StdoutPipe()
	out := &bytes.Buffer{}
	cmd.Stderr = out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			if i := strings.Index(line, "http://"); i >= 0 {
				select {
				case urlc <- strings.Fields(line[i:])[0]:
				default:
				}
			}
		}
	}()
	select {
	case u := <-urlc:
		return &child{cmd: cmd, url: strings.TrimSuffix(u, "/"), out: out}
	case <-time.After(60 * time.Second):
		t.Fatalf("truce did not start; stderr:\n%s", out)
	}
	return nil
}

// stream posts unique messages from several goroutines until stop is closed
// and returns what was acknowledged: tracking number → body. Each body names
// its server: the same sender sending the same text to two instances is a
// repeat (200 with the first one's tracking number), not a new message, and
// an instance that fell behind the other would then create none.
func stream(c *child, workers int, stop <-chan struct{}) (map[string]string, *sync.WaitGroup, *sync.Mutex) {
	acked := map[string]string{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 10 * time.Second}
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				body := fmt.Sprintf("%s worker %d report %d: قصف على الحي %d — обстрел %d", c.url, w, i, i, w)
				req, _ := json.Marshal(map[string]any{"body": body, "sender": map[string]string{"kind": "monitor", "name": fmt.Sprintf("w%d", w)}})
				// A gateway with a token, as field monitors' SMS gateways have:
				// anonymous reports would meet the public rate limit.
				hr, _ := http.NewRequest("POST", c.url+"/api/v1/messages", bytes.NewReader(req))
				hr.Header.Set("Content-Type", "application/json")
				hr.Header.Set("Authorization", "Bearer test-token-123")
				resp, err := client.Do(hr)
				if err != nil {
					continue // the server is gone; nothing was acknowledged
				}
				var rc struct{ Tracking string }
				json.NewDecoder(resp.Body).Decode(&rc)
				resp.Body.Close()
				if resp.StatusCode == http.StatusCreated && rc.Tracking != "" {
					mu.Lock()
					acked[rc.Tracking] = body
					mu.Unlock()
				}
			}
		}()
	}
	return acked, &wg, &mu
}

func waitForAcks(t *testing.T, c *child, acked map[string]string, mu *sync.Mutex, n int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		mu.Lock()
		got := len(acked)
		mu.Unlock()
		if got >= n {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	got := len(acked)
	mu.Unlock()
	t.Fatalf("%d acknowledgements in a minute, fewer than %d; the server's log:\n%s", got, n, c.out)
}

// checkAcked finds every acknowledged message with its exact body.
func checkAcked(t *testing.T, dsn string, acked map[string]string) {
	t.Helper()
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for tracking, body := range acked {
		m, err := db.MessageByTracking(context.Background(), tracking)
		if err != nil {
			t.Errorf("acknowledged %s lost: %v", tracking, err)
			continue
		}
		if m.Body != body {
			t.Errorf("%s body = %q, want %q", tracking, m.Body, body)
		}
	}
}

func engines(t *testing.T) map[string]func(t *testing.T) string {
	return map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return t.TempDir() + "/truce.db" },
		"postgres": func(t *testing.T) string { return storetest.PostgresURL(t) },
	}
}

// TestKillMidStream kills truce with SIGKILL while clients stream messages at
// it, restarts it, and finds every acknowledged message with its exact body.
func TestKillMidStream(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real processes")
	}
	for name, dsn := range engines(t) {
		t.Run(name, func(t *testing.T) {
			db, data := dsn(t), t.TempDir()
			c := startTruce(t, "serve", "--db", db, "--data", data, "--addr", "127.0.0.1:0")
			stop := make(chan struct{})
			acked, wg, mu := stream(c, 16, stop)
			waitForAcks(t, c, acked, mu, 300)
			if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			c.cmd.Wait()
			close(stop)
			wg.Wait()
			t.Logf("%d messages acknowledged before SIGKILL", len(acked))

			again := startTruce(t, "serve", "--db", db, "--data", data, "--addr", "127.0.0.1:0")
			checkAcked(t, db, acked)
			// And the restarted server answers for them.
			for tracking := range acked {
				resp, err := http.Get(again.url + "/api/v1/messages/" + tracking)
				if err != nil || resp.StatusCode != 200 {
					t.Fatalf("GET %s after restart: %v %v", tracking, resp.Status, err)
				}
				resp.Body.Close()
				break
			}
		})
	}
}

// TestGracefulShutdown sends SIGTERM while clients stream: every request that
// got an answer is either refused or stored, and truce exits cleanly.
func TestGracefulShutdown(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real processes")
	}
	for name, dsn := range engines(t) {
		t.Run(name, func(t *testing.T) {
			db := dsn(t)
			c := startTruce(t, "serve", "--db", db, "--data", t.TempDir(), "--addr", "127.0.0.1:0", "--log-level", "info")
			stop := make(chan struct{})
			acked, wg, mu := stream(c, 8, stop)
			waitForAcks(t, c, acked, mu, 100)
			c.cmd.Process.Signal(syscall.SIGTERM)
			done := make(chan error, 1)
			go func() { done <- c.cmd.Wait() }()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("truce exited with %v after SIGTERM; stderr:\n%s", err, c.out)
				}
			case <-time.After(40 * time.Second):
				t.Fatal("truce did not exit after SIGTERM")
			}
			close(stop)
			wg.Wait()
			checkAcked(t, db, acked)
			if !strings.Contains(c.out.String(), "shutting down") {
				t.Errorf("no shutdown in the log:\n%s", c.out)
			}
		})
	}
}

// TestShutdownFinishesInFlight sends SIGTERM while a request is half sent:
// truce stops taking connections, yet the request in flight still gets its
// answer, an acknowledgement of a stored message, before truce exits.
func TestShutdownFinishesInFlight(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real processes")
	}
	for name, dsn := range engines(t) {
		t.Run(name, func(t *testing.T) {
			db := dsn(t)
			c := startTruce(t, "serve", "--db", db, "--data", t.TempDir(), "--addr", "127.0.0.1:0")
			addr := strings.TrimPrefix(c.url, "http://")
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			body := `{"body":"قصف على الحي — обстрел, sent while truce was stopping"}`
			head := "POST /api/v1/messages HTTP/1.1\r\nHost: " + addr + "\r\nContent-Type: application/json\r\n" +
				"Authorization: Bearer test-token-123\r\nContent-Length: " + fmt.Sprint(len(body)) + "\r\n\r\n"
			if _, err := io.WriteString(conn, head+body[:10]); err != nil {
				t.Fatal(err)
			}
			time.Sleep(200 * time.Millisecond) // the server has the headers: the request is in flight
			if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			// Shutdown has begun once new connections are refused.
			deadline := time.Now().Add(10 * time.Second)
			for {
				probe, err := net.DialTimeout("tcp", addr, time.Second)
				if err != nil {
					break
				}
				probe.Close()
				if time.Now().After(deadline) {
					t.Fatal("truce still takes connections 10s after SIGTERM")
				}
				time.Sleep(20 * time.Millisecond)
			}
			if _, err := io.WriteString(conn, body[10:]); err != nil {
				t.Fatalf("finishing the request after SIGTERM: %v", err)
			}
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("no answer to the request in flight: %v; stderr:\n%s", err, c.out)
			}
			var rc struct{ Tracking string }
			json.NewDecoder(resp.Body).Decode(&rc)
			resp.Body.Close()
			if resp.StatusCode != http.StatusCreated || rc.Tracking == "" {
				t.Fatalf("request in flight = %d %q, want 201 with a tracking number", resp.StatusCode, rc.Tracking)
			}
			done := make(chan error, 1)
			go func() { done <- c.cmd.Wait() }()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("truce exited with %v after SIGTERM; stderr:\n%s", err, c.out)
				}
			case <-time.After(40 * time.Second):
				t.Fatal("truce did not exit after SIGTERM")
			}
			checkAcked(t, db, map[string]string{rc.Tracking: body[len(`{"body":"`) : len(body)-2]})
		})
	}
}

// TestConfigPrecedence: flags win over TRUCE_* variables, which win over
// the defaults.
func TestConfigPrecedence(t *testing.T) {
	tests := []struct {
		name            string
		env             map[string]string
		args            []string
		data, dsn, addr string
	}{
		{"defaults", nil, nil, "truce-data", "truce-data/truce.db", "127.0.0.1:8080"},
		{"environment", map[string]string{"TRUCE_DATA": "/srv/t", "TRUCE_ADDR": ":9000"}, nil, "/srv/t", "/srv/t/truce.db", ":9000"},
		{"environment database", map[string]string{"TRUCE_DB": "postgres://db/truce"}, nil, "truce-data", "postgres://db/truce", "127.0.0.1:8080"},
		{"flags over environment", map[string]string{"TRUCE_DATA": "/srv/t", "TRUCE_DB": "postgres://db/truce", "TRUCE_ADDR": ":9000"},
			[]string{"--data", "/var/t", "--db", "/var/t/other.db", "--addr", "127.0.0.1:0"}, "/var/t", "/var/t/other.db", "127.0.0.1:0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range []string{"TRUCE_DATA", "TRUCE_DB", "TRUCE_ADDR"} {
				t.Setenv(k, tt.env[k])
			}
			var c config
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			c.flags(fs, "truce-data")
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			if c.data != tt.data || c.dsn() != tt.dsn || c.addr != tt.addr {
				t.Errorf("data %q db %q addr %q, want %q %q %q", c.data, c.dsn(), c.addr, tt.data, tt.dsn, tt.addr)
			}
		})
	}
}

func TestCommands(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		args    []string
		wantErr bool
		wantOut string
	}{
		{"version", []string{"version"}, false, "truce "},
		{"help", []string{"help"}, false, "truce demo"},
		{"unknown", []string{"frobnicate"}, true, ""},
		{"migrate", []string{"migrate", "--data", dir}, false, "sqlite schema at version"},
		{"migrate again", []string{"migrate", "--data", dir}, false, "sqlite schema at version"},
		{"bad flag", []string{"serve", "--nope"}, true, ""},
		{"bad tokens", []string{"serve", "--tokens", "x=short", "--data", dir}, true, ""},
		{"demo load", []string{"demo", "--load-only", "--data", dir + "/demo"}, false, "Loaded the Syria 2016 scenario"},
		{"demo refuses a used directory", []string{"demo", "--load-only", "--data", dir + "/demo"}, true, ""},
		{"a published correction carries its note", []string{"bulletin", "--data", dir + "/demo", "--date", "2016-02-28",
			"--format", "md", "--publish", "--note", "the demo's bulletin, published again"}, false,
			"Publisher's note: the demo's bulletin, published again"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			err := run(context.Background(), tt.args, &out, &errb)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v; stderr %s", err, tt.wantErr, errb.String())
			}
			if !strings.Contains(out.String(), tt.wantOut) {
				t.Errorf("stdout = %q, want it to contain %q", out.String(), tt.wantOut)
			}
			var cur, newest int
			if n, _ := fmt.Sscanf(out.String(), "sqlite schema at version %d (newest %d)", &cur, &newest); n == 2 && (cur != newest || cur == 0) {
				t.Errorf("migrate left the schema at %d of %d", cur, newest)
			}
		})
	}
}

// TestDemoOnPostgres loads the demo scenario into PostgreSQL too.
func TestDemoOnPostgres(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"demo", "--load-only", "--db", storetest.PostgresURL(t)}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "parties     19") || strings.Contains(out.String(), "postgres://") {
		t.Errorf("summary = %s", out.String())
	}
}

// TestVerify signs a checkpoint of the demo, verifies it offline, then edits
// a row behind the desk's back: verify names it and fails.
func TestVerify(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	var out bytes.Buffer
	if err := run(ctx, []string{"demo", "--load-only", "--data", dir}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(ctx, []string{"checkpoint", "--data", dir}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	note := dir + "/cp.txt"
	os.WriteFile(note, out.Bytes(), 0o644)
	out.Reset()
	if err := run(ctx, []string{"verify", "--data", dir, "--checkpoint", note}, &out, io.Discard); err != nil {
		t.Fatalf("verify of an untouched demo: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "OK") {
		t.Errorf("verify output = %s", out.String())
	}

	raw, err := sql.Open("sqlite", "file:"+dir+"/truce.db")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`UPDATE messages SET body = 'nothing to report' WHERE id = 2`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	out.Reset()
	err = run(ctx, []string{"verify", "--data", dir, "--checkpoint", note}, &out, io.Discard)
	if !errors.Is(err, errProblems) || !strings.Contains(out.String(), "edited") || !strings.Contains(out.String(), "message/2@") {
		t.Errorf("verify after an edit: %v\n%s", err, out.String())
	}
	// A checkpoint signed by another key is refused.
	out.Reset()
	if err := run(ctx, []string{"keygen", "--name", "someone/else", "--out", dir + "/other.key"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	err = run(ctx, []string{"verify", "--data", dir, "--checkpoint", note, "--key", dir + "/other.key.pub"}, io.Discard, io.Discard)
	if err == nil || errors.Is(err, errProblems) {
		t.Errorf("verify with an untrusted key = %v, want a refused checkpoint", err)
	}
}

// TestBackupRestoreAndMove backs up and restores a SQLite desk, moves it into
// PostgreSQL, and backs up and restores that; each copy verifies against the
// checkpoint signed on the original.
func TestBackupRestoreAndMove(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	must := func(args ...string) string {
		t.Helper()
		var out, errb bytes.Buffer
		if err := run(ctx, args, &out, &errb); err != nil {
			t.Fatalf("truce %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), errb.String())
		}
		return out.String()
	}
	must("demo", "--load-only", "--data", dir+"/a")
	note := dir + "/cp.txt"
	os.WriteFile(note, []byte(must("checkpoint", "--data", dir+"/a")), 0o644)
	key := dir + "/a/ledger.key.pub"

	must("backup", "--data", dir+"/a", "--out", dir+"/a.bak")
	must("restore", "--from", dir+"/a.bak", "--data", dir+"/b")
	if out := must("verify", "--data", dir+"/b", "--checkpoint", note, "--key", key); !strings.Contains(out, "OK") {
		t.Errorf("verify of the restored copy: %s", out)
	}
	if err := run(ctx, []string{"restore", "--from", dir + "/a.bak", "--data", dir + "/b"}, io.Discard, io.Discard); err == nil {
		t.Error("restore over an existing database succeeded")
	}

	pg := storetest.PostgresURL(t)
	if out := must("migrate", "--from", dir+"/a/truce.db", "--to", pg); !strings.Contains(out, "same root") {
		t.Errorf("migrate to PostgreSQL: %s", out)
	}
	if out := must("verify", "--db", pg, "--checkpoint", note, "--key", key); !strings.Contains(out, "OK") {
		t.Errorf("verify of the PostgreSQL copy: %s", out)
	}
	if err := run(ctx, []string{"migrate", "--from", dir + "/a/truce.db", "--to", pg}, io.Discard, io.Discard); err == nil {
		t.Error("a second copy into a non-empty database succeeded")
	}
	// A PostgreSQL message posted after the move gets a fresh ID.
	db, err := store.Open(ctx, pg)
	if err != nil {
		t.Fatal(err)
	}
	m := storetest.NewMessage("after the move", time.Now())
	if _, err := db.SubmitMessages(ctx, []domain.Submission{{Message: m}}); err != nil {
		t.Fatalf("write after the move: %v", err)
	}
	db.Close()

	must("backup", "--db", pg, "--out", dir+"/pg.dump")
	schema := pg[strings.LastIndex(pg, "search_path=")+len("search_path="):]
	admin, _ := sql.Open("pgx", os.Getenv(storetest.PostgresEnv))
	if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
		t.Fatal(err)
	}
	admin.Close()
	must("restore", "--from", dir+"/pg.dump", "--db", pg)
	if out := must("verify", "--db", pg, "--checkpoint", note, "--key", key); !strings.Contains(out, "OK") {
		t.Errorf("verify after the PostgreSQL restore: %s", out)
	}
}

// TestTwoInstances runs two truce processes on one PostgreSQL database: both
// take messages, one is killed mid-stream, both triage the same messages at
// once, and the log verifies afterwards.
func TestTwoInstances(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real processes")
	}
	pg := storetest.PostgresURL(t)
	dirA, dirB := t.TempDir(), t.TempDir()
	a := startTruce(t, "serve", "--db", pg, "--data", dirA, "--addr", "127.0.0.1:0")
	b := startTruce(t, "serve", "--db", pg, "--data", dirB, "--addr", "127.0.0.1:0")

	stop := make(chan struct{})
	ackedA, wgA, muA := stream(a, 8, stop)
	ackedB, wgB, muB := stream(b, 8, stop)
	waitForAcks(t, a, ackedA, muA, 150)
	waitForAcks(t, b, ackedB, muB, 150)
	b.cmd.Process.Signal(syscall.SIGKILL)
	b.cmd.Wait()
	close(stop)
	wgA.Wait()
	wgB.Wait()
	checkAcked(t, pg, ackedA)
	checkAcked(t, pg, ackedB)
	t.Logf("acknowledged %d on A and %d on B before B was killed", len(ackedA), len(ackedB))

	// Both instances triage the same 40 messages at the same moment: each
	// message moves exactly once; the loser gets 409 with the current state.
	b = startTruce(t, "serve", "--db", pg, "--data", dirB, "--addr", "127.0.0.1:0")
	db, err := store.Open(context.Background(), pg)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ms, err := db.Messages(context.Background(), domain.MessageFilter{Limit: 40})
	if err != nil || len(ms) != 40 {
		t.Fatalf("messages: %d, %v", len(ms), err)
	}
	type result struct{ ok, conflict int }
	var wg sync.WaitGroup
	results := make([]result, len(ms))
	for i, m := range ms {
		for j, c := range []*child{a, b} {
			wg.Go(func() {
				body := fmt.Sprintf(`{"to":"%s","version":%d,"reason":"%s"}`, []string{"triaged", "rejected"}[j], m.Version, []string{"", "spam"}[j])
				req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/inbox/%d/transitions", c.url, m.ID), strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer test-token-123")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
				muA.Lock()
				switch resp.StatusCode {
				case 200:
					results[i].ok++
				case 409:
					results[i].conflict++
				default:
					t.Errorf("transition %d on instance %d: status %d", m.ID, j, resp.StatusCode)
				}
				muA.Unlock()
			})
		}
	}
	wg.Wait()
	for i, m := range ms {
		events, _ := db.MessageEvents(context.Background(), m.ID)
		if results[i] != (result{1, 1}) || len(events) != 1 {
			t.Errorf("message %d: %d succeeded, %d conflicted, %d events; want exactly one winner", m.ID, results[i].ok, results[i].conflict, len(events))
		}
	}

	// The log is one sequence: it verifies against a fresh checkpoint.
	var out bytes.Buffer
	if err := run(context.Background(), []string{"checkpoint", "--db", pg, "--data", dirA}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	note := dirA + "/cp.txt"
	os.WriteFile(note, out.Bytes(), 0o644)
	out.Reset()
	if err := run(context.Background(), []string{"verify", "--db", pg, "--data", dirA, "--checkpoint", note}, &out, io.Discard); err != nil {
		t.Errorf("verify after two instances: %v\n%s", err, out.String())
	}
}

// TestLostConnection cuts every database connection of a running truce: a
// request caught in the cut fails with 503 and Retry-After, never a false
// acknowledgement, and the instance reconnects by itself.
func TestLostConnection(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real processes")
	}
	app := fmt.Sprintf("truce_cut_%d", time.Now().UnixNano())
	pg := storetest.PostgresURL(t) + "&application_name=" + app
	c := startTruce(t, "serve", "--db", pg, "--data", t.TempDir(), "--addr", "127.0.0.1:0")
	post := func() (int, string) {
		req, _ := http.NewRequest("POST", c.url+"/api/v1/messages", strings.NewReader(fmt.Sprintf(`{"body":"report %d"}`, time.Now().UnixNano())))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer test-token-123")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var rc struct{ Tracking string }
		json.NewDecoder(resp.Body).Decode(&rc)
		return resp.StatusCode, resp.Header.Get("Retry-After") + rc.Tracking
	}
	if code, _ := post(); code != 201 {
		t.Fatalf("first post = %d", code)
	}
	admin, err := sql.Open("pgx", os.Getenv(storetest.PostgresEnv))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var cut int
	if err := admin.QueryRow(`SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1`, app).Scan(&cut); err != nil || cut == 0 {
		t.Fatalf("cut %d connections: %v", cut, err)
	}
	acked := map[string]bool{}
	for i := range 20 {
		code, rest := post()
		switch code {
		case 201:
			acked[rest] = true
		case 503:
			if !strings.HasPrefix(rest, "5") {
				t.Errorf("post %d: 503 without Retry-After", i)
			}
		default:
			t.Errorf("post %d after the cut = %d, want 201 or 503", i, code)
		}
	}
	if code, _ := post(); code != 201 {
		t.Errorf("post after reconnecting = %d, want 201", code)
	}
	resp, err := http.Get(c.url + "/readyz")
	if err != nil || resp.StatusCode != 200 {
		t.Errorf("readyz after reconnecting = %v %v", resp.Status, err)
	}
	db, _ := store.Open(context.Background(), pg)
	defer db.Close()
	for tr := range acked {
		if _, err := db.MessageByTracking(context.Background(), tr); err != nil {
			t.Errorf("acknowledged %s lost: %v", tr, err)
		}
	}
}
