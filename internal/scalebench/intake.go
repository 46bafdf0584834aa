package scalebench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// benchToken is the desk token the clients send: the public rate limit
// would otherwise throttle 64 clients from one address, and a gateway or a
// monitor's desk posts with a token too.
const benchToken = "scale-bench-token-0123456789abcdef"

// server is one `truce serve` process started by the intake benchmark.
type server struct {
	cmd  *exec.Cmd
	url  string
	dir  string
	errs bytes.Buffer
}

// startServer runs `bin serve` on dsn with a port of its own and waits for
// it to print its URL.
func startServer(bin, dsn string) (*server, error) {
	dir, err := os.MkdirTemp("", "truce-scale-serve-")
	if err != nil {
		return nil, err
	}
	s := &server{dir: dir}
	s.cmd = exec.Command(bin, "serve", "--db", dsn, "--data", dir, "--addr", "127.0.0.1:0",
		"--tokens", "bench="+benchToken, "--log-level", "warn")
	s.cmd.Stderr = &s.errs
	out, err := s.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := s.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start %s serve: %w", bin, err)
	}
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if i := strings.Index(sc.Text(), "http://"); i >= 0 {
				select {
				case urlc <- strings.TrimSuffix(strings.Fields(sc.Text()[i:])[0], "/"):
				default:
				}
			}
		}
	}()
	select {
	case s.url = <-urlc:
		return s, nil
	case <-time.After(60 * time.Second):
		s.stop()
		return nil, fmt.Errorf("truce serve did not start: %s", s.errs.String())
	}
}

// stop asks the server to shut down gracefully, as systemd would, and
// removes its data directory.
func (s *server) stop() {
	s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		<-done
	}
	os.RemoveAll(s.dir)
}

// Intake starts instances `truce serve` processes on dsn and has clients
// HTTP clients, split evenly over them, post unique messages for dur. Only
// acknowledged messages (201 with a tracking number: committed) count.
func Intake(ctx context.Context, bin, dsn string, instances, clients int, dur time.Duration, log io.Writer) (Stats, error) {
	var servers []*server
	defer func() {
		for _, s := range servers {
			s.stop()
		}
	}()
	for range instances {
		s, err := startServer(bin, dsn)
		if err != nil {
			return Stats{}, err
		}
		servers = append(servers, s)
	}
	run := fmt.Sprintf("%d-%d", instances, time.Now().UnixNano())
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	var mu sync.Mutex
	var lat []time.Duration
	var failed int
	var wg sync.WaitGroup
	stop := time.Now().Add(dur)
	start := time.Now()
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			url := servers[c%len(servers)].url + "/api/v1/messages"
			var mine []time.Duration
			bad := 0
			for i := 0; time.Now().Before(stop) && ctx.Err() == nil; i++ {
				body, _ := json.Marshal(map[string]any{
					"body":   fmt.Sprintf("run %s client %d report %d: قصف مدفعي على الحي %d", run, c, i, i),
					"sender": map[string]string{"kind": "monitor", "name": fmt.Sprintf("scale-%s-%d", run, c)},
				})
				t0 := time.Now()
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+benchToken)
				resp, err := hc.Do(req)
				if err != nil {
					bad++
					continue
				}
				var ack struct{ Tracking string }
				json.NewDecoder(resp.Body).Decode(&ack)
				resp.Body.Close()
				if resp.StatusCode == http.StatusCreated && ack.Tracking != "" {
					mine = append(mine, time.Since(t0))
				} else {
					bad++
				}
			}
			mu.Lock()
			lat = append(lat, mine...)
			failed += bad
			mu.Unlock()
		}()
	}
	wg.Wait()
	wall := time.Since(start)
	if failed > 0 {
		fmt.Fprintf(log, "intake: %d requests not acknowledged with %d instance(s)\n", failed, instances)
	}
	if len(lat) == 0 {
		var errs []string
		for _, s := range servers {
			errs = append(errs, s.errs.String())
		}
		return Stats{}, fmt.Errorf("intake: nothing acknowledged: %s", strings.Join(errs, "; "))
	}
	return summarise(lat, wall), nil
}
