package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/trucedesk/truce/internal/auth"
	"github.com/trucedesk/truce/internal/intake"
	"github.com/trucedesk/truce/internal/ledger"
	"github.com/trucedesk/truce/internal/store"
	"github.com/trucedesk/truce/internal/web"
)

// config is what serve and demo share. Flags win over TRUCE_* variables,
// which win over the defaults.
type config struct {
	db, addr, data, tokens, logLevel string
	ledgerKey, origin                string
	checkpointEvery                  time.Duration
	publicEvery                      time.Duration
	publicBurst                      int
	insecureCookies                  bool
}

func (c *config) flags(fs *flag.FlagSet, defaultData string) {
	fs.StringVar(&c.data, "data", env("TRUCE_DATA", defaultData), "data `directory` (env TRUCE_DATA)")
	fs.StringVar(&c.db, "db", env("TRUCE_DB", ""), "database: a SQLite file path, or a postgres:// URL (env TRUCE_DB; default DATA/truce.db)")
	fs.StringVar(&c.addr, "addr", env("TRUCE_ADDR", "127.0.0.1:8080"), "listen `address` (env TRUCE_ADDR)")
	fs.StringVar(&c.tokens, "tokens", env("TRUCE_TOKENS", ""), "desk tokens as name=token,name=token (env TRUCE_TOKENS; default: one random token, printed)")
	fs.StringVar(&c.logLevel, "log-level", env("TRUCE_LOG_LEVEL", "info"), "debug, info, warn or error (env TRUCE_LOG_LEVEL)")
	fs.StringVar(&c.ledgerKey, "ledger-key", env("TRUCE_LEDGER_KEY", ""), "checkpoint signing key `file` (env TRUCE_LEDGER_KEY; default DATA/ledger.key, created if missing)")
	fs.StringVar(&c.origin, "log-origin", env("TRUCE_LOG_ORIGIN", defaultOrigin), "the log's name in checkpoints (env TRUCE_LOG_ORIGIN)")
	fs.DurationVar(&c.checkpointEvery, "checkpoint-every", 10*time.Minute, "how often to sign a checkpoint when the log has grown")
	fs.DurationVar(&c.publicEvery, "public-rate", 3*time.Second, "anonymous reports: one per this interval per client address, after the burst")
	fs.IntVar(&c.publicBurst, "public-burst", 20, "anonymous reports a client address may send at once")
	fs.BoolVar(&c.insecureCookies, "insecure-cookies", env("TRUCE_INSECURE_COOKIES", "") != "", "session cookies without Secure, for plain-HTTP development only (env TRUCE_INSECURE_COOKIES)")
}

func (c *config) keyPath() string {
	if c.ledgerKey != "" {
		return c.ledgerKey
	}
	return filepath.Join(c.data, "ledger.key")
}

func (c *config) dsn() string {
	if c.db != "" {
		return c.db
	}
	return filepath.Join(c.data, "truce.db")
}

// parseTokens reads name=token pairs into token → name.
func parseTokens(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, pair := range strings.Split(s, ",") {
		if strings.TrimSpace(pair) == "" {
			continue
		}
		name, token, ok := strings.Cut(pair, "=")
		name, token = strings.TrimSpace(name), strings.TrimSpace(token)
		if !ok || name == "" || len(token) < 8 {
			return nil, fmt.Errorf("tokens: %q is not name=token with a token of at least 8 characters", pair)
		}
		out[token] = name
	}
	return out, nil
}

func randomToken() string {
	var b [18]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	c.flags(fs, "truce-data")
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger, err := newLogger(stderr, c.logLevel)
	if err != nil {
		return err
	}
	tokens, err := parseTokens(c.tokens)
	if err != nil {
		return err
	}
	if len(tokens) == 0 {
		t := randomToken()
		tokens[t] = "desk"
		fmt.Fprintf(stdout, "desk token (set TRUCE_TOKENS to choose your own): %s\n", t)
	}
	db, err := store.Open(ctx, c.dsn())
	if err != nil {
		return err
	}
	defer db.Close()
	return serve(ctx, &c, db, tokens, logger, stdout, func(url string) {
		fmt.Fprintf(stdout, "Truce is serving %s on %s\n", db.Engine(), url)
	})
}

// serve runs the desk until ctx is cancelled, then shuts down gracefully:
// in-flight requests finish, queued submissions commit, and only then does
// it return.
func serve(ctx context.Context, c *config, db *store.DB, tokens map[string]string, logger *slog.Logger, stdout io.Writer, ready func(url string)) error {
	signer, err := loadSigner(c.keyPath(), stdout)
	if err != nil {
		return err
	}
	desk := intake.New(db)
	desk.Logger = logger
	if db.Engine() == "postgres" {
		desk.Committers = 4
	}
	metrics := web.NewMetrics()
	instrument(metrics.Registry, db, desk)
	desk.Start()
	defer desk.Close()

	authn := auth.New(db, time.Now)
	authn.Logger = logger
	authn.InsecureCookies = c.insecureCookies
	srv := &web.Server{Store: db, Desk: desk, Logger: logger, Tokens: tokens, Now: time.Now, Log: db, Metrics: metrics, Inbox: &web.Hub{},
		Auth: authn, PublicLimit: auth.NewLimiter(c.publicEvery, c.publicBurst, time.Now),
		Checkpoint: func(ctx context.Context) ([]byte, error) { return signCheckpoint(ctx, db, signer, c.origin) }}
	handler, err := srv.Handler()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", c.addr, err)
	}
	go checkpointLoop(ctx, db, signer, c.origin, c.checkpointEvery, logger)
	go db.WatchMessages(ctx, srv.Inbox.Publish, func(err error) { logger.Warn("inbox notifications", "err", err) })
	hs := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	ready("http://" + ln.Addr().String() + "/")
	logger.Info("serving", "addr", ln.Addr().String(), "engine", db.Engine())

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down: finishing in-flight requests")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// instrument registers the store's pool statistics and the intake desk's
// queue depth, batch sizes and commit times.
func instrument(reg *prometheus.Registry, db *store.DB, desk *intake.Desk) {
	r, w := db.Pools()
	reg.MustRegister(collectors.NewDBStatsCollector(r, "reads"))
	if w != r {
		reg.MustRegister(collectors.NewDBStatsCollector(w, "writes"))
	}
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "truce_intake_queue_depth", Help: "Submissions waiting for a committer.",
	}, func() float64 { return float64(desk.QueueDepth()) }))
	batch := prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "truce_intake_batch_messages", Help: "Messages per intake transaction.",
		Buckets: prometheus.ExponentialBuckets(1, 2, 10),
	})
	commit := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "truce_store_commit_seconds", Help: "Time to commit an intake batch, by outcome.",
		Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
	}, []string{"outcome"})
	reg.MustRegister(batch, commit)
	desk.Observe = func(n int, took time.Duration, err error) {
		batch.Observe(float64(n))
		outcome := "ok"
		if err != nil {
			outcome = "error"
		}
		commit.WithLabelValues(outcome).Observe(took.Seconds())
	}
}

// checkpointLoop signs a checkpoint whenever the log has grown, at every
// interval, so parties monitoring the log always have a recent signed root,
// and clears expired sessions. With several instances on one database each
// job runs on one instance at a time.
func checkpointLoop(ctx context.Context, db *store.DB, signer *ledger.Signer, origin string, every time.Duration, logger *slog.Logger) {
	if every <= 0 {
		return
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		_, err := db.RunOnce(ctx, "checkpoint", func(ctx context.Context) error {
			l, err := db.Ledger(ctx)
			if err != nil {
				return err
			}
			if latest, err := db.LatestCheckpoint(ctx); err == nil {
				if cp, err := ledger.ParseCheckpoint(noteBody(latest)); err == nil && cp.Size == l.Size() {
					return nil // nothing new to sign
				}
			}
			if _, err := signCheckpoint(ctx, db, signer, origin); err != nil {
				return err
			}
			logger.Info("signed checkpoint", "size", l.Size())
			return nil
		})
		if err == nil {
			_, err = db.RunOnce(ctx, "sessions", func(ctx context.Context) error {
				_, err := db.DeleteExpiredSessions(ctx, time.Now())
				return err
			})
		}
		if err != nil && ctx.Err() == nil {
			logger.Warn("background work failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// noteBody returns the signed text of a note: everything before the blank
// line that precedes its signatures.
func noteBody(note []byte) []byte {
	if i := bytes.Index(note, []byte("\n\n")); i >= 0 {
		return note[:i+1]
	}
	return note
}

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	c.flags(fs, "truce-data")
	from := fs.String("from", "", "copy this SQLite database (a path, or sqlite:PATH) …")
	to := fs.String("to", "", "… into this empty PostgreSQL database (postgres://…)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from != "" || *to != "" {
		return copyStore(ctx, *from, *to, stdout)
	}
	db, err := store.Open(ctx, c.dsn())
	if err != nil {
		return err
	}
	defer db.Close()
	cur, newest, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s schema at version %d (newest %d)\n", db.Engine(), cur, newest)
	return nil
}

// copyStore moves a SQLite installation into PostgreSQL and checks that the
// copy's tamper-evident log has the same root as the original's.
func copyStore(ctx context.Context, from, to string, stdout io.Writer) error {
	if from == "" || to == "" || store.IsPostgres(from) || !store.IsPostgres(to) {
		return errors.New("migrate: --from takes a SQLite database and --to a postgres:// URL")
	}
	if _, err := os.Stat(strings.TrimPrefix(from, "sqlite:")); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	src, err := store.Open(ctx, from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := store.Open(ctx, to)
	if err != nil {
		return err
	}
	defer dst.Close()
	counts, err := src.CopyTo(ctx, dst)
	if err != nil {
		return err
	}
	total := 0
	for _, n := range counts {
		total += n
	}
	a, err := src.Ledger(ctx)
	if err != nil {
		return err
	}
	b, err := dst.Ledger(ctx)
	if err != nil {
		return err
	}
	ca, _ := a.Checkpoint(ctx, "copy")
	cb, _ := b.Checkpoint(ctx, "copy")
	if ca.Size != cb.Size || !bytes.Equal(ca.Root, cb.Root) {
		return fmt.Errorf("migrate: the copy's log differs from the original's (%d vs %d entries)", cb.Size, ca.Size)
	}
	fmt.Fprintf(stdout, "copied %d rows in %d tables; the ledger's %d entries have the same root %x…\n", total, len(counts), cb.Size, cb.Root[:8])
	return nil
}
