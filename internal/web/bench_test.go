package web_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trucedesk/truce/internal/store"
	"github.com/trucedesk/truce/internal/store/storetest"
)

// BenchmarkIntake measures durable intake over HTTP on loopback: 64 clients
// post messages as fast as they are acknowledged. Each acknowledgement
// means the message was committed (SQLite synchronous=FULL; PostgreSQL's
// default synchronous_commit). "no-group-commit" is the baseline: one
// transaction per message, as a naive desk would do it.
//
//	go test ./internal/web -run '^$' -bench Intake -benchtime 20000x
func BenchmarkIntake(b *testing.B) {
	engines := []struct {
		name     string
		open     func(testing.TB) *store.DB
		maxBatch int
	}{
		{"sqlite/no-group-commit", storetest.OpenSQLite, 1},
		{"sqlite", storetest.OpenSQLite, 256},
	}
	if os.Getenv(storetest.PostgresEnv) != "" {
		engines = append(engines,
			struct {
				name     string
				open     func(testing.TB) *store.DB
				maxBatch int
			}{"postgres", storetest.OpenPostgres, 256})
	}
	for _, e := range engines {
		b.Run(e.name, func(b *testing.B) {
			db := e.open(b)
			ts := newServerBatch(b, db, e.maxBatch)
			const clients = 64
			tr := &http.Transport{MaxIdleConns: clients, MaxIdleConnsPerHost: clients}
			client := &http.Client{Transport: tr}
			defer tr.CloseIdleConnections()
			lat := make([][]time.Duration, clients)
			var next atomic.Int64
			var failed atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			start := time.Now()
			for c := range clients {
				wg.Go(func() {
					for {
						i := next.Add(1)
						if i > int64(b.N) {
							return
						}
						body := fmt.Appendf(nil, `{"sender":{"kind":"monitor","name":"client %d"},"body":"report %d: قصف على الحي"}`, c, i)
						t0 := time.Now()
						resp, err := client.Post(ts.URL+"/api/v1/messages", "application/json", bytes.NewReader(body))
						if err != nil {
							failed.Add(1)
							continue
						}
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if resp.StatusCode != http.StatusCreated {
							failed.Add(1)
							continue
						}
						lat[c] = append(lat[c], time.Since(t0))
					}
				})
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			if failed.Load() > 0 {
				b.Fatalf("%d requests failed", failed.Load())
			}
			all := slices.Concat(lat...)
			slices.Sort(all)
			b.ReportMetric(float64(len(all))/elapsed.Seconds(), "msgs/s")
			b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}
