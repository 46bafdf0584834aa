package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/scenario"
	"github.com/trucedesk/truce/internal/store"
)

// demoToken is the desk token of the demo, printed and used in the README's
// tour. The demo listens on localhost only unless told otherwise.
const demoToken = "demo-desk-token"

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	c.flags(fs, "")
	noServe := fs.Bool("load-only", false, "load the scenario and exit without serving")
	if err := fs.Parse(args); err != nil {
		return err
	}
	// The demo serves plain HTTP on localhost: its session cookies go
	// without the Secure flag, which only a TLS deployment can honour.
	c.insecureCookies = true
	logger, err := newLogger(stderr, c.logLevel)
	if err != nil {
		return err
	}
	if c.data == "" {
		if c.data, err = os.MkdirTemp("", "truce-demo-"); err != nil {
			return err
		}
	} else if entries, err := os.ReadDir(c.data); err == nil && len(entries) > 0 && c.db == "" {
		return fmt.Errorf("demo: %s is not empty; the demo needs a fresh data directory", c.data)
	}
	tokens := map[string]string{demoToken: "demo-monitor"}
	if c.tokens != "" {
		if tokens, err = parseTokens(c.tokens); err != nil {
			return err
		}
	}
	db, err := store.Open(ctx, c.dsn())
	if err != nil {
		return err
	}
	defer db.Close()
	if n, err := db.Agreements(ctx); err != nil {
		return err
	} else if len(n) > 0 {
		return errors.New("demo: the database already holds data; the demo needs an empty one")
	}
	start := time.Now()
	sc, err := scenario.Load()
	if err != nil {
		return err
	}
	sum, err := install(ctx, db, sc)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	where := c.dsn()
	if store.IsPostgres(where) {
		where = "PostgreSQL"
	} else {
		where, _ = filepath.Abs(where)
	}
	fmt.Fprintf(stdout, "Loaded the Syria 2016 scenario into %s in %s:\n%s", where, time.Since(start).Round(time.Millisecond), sum)
	if *noServe {
		return nil
	}
	return serve(ctx, &c, db, tokens, logger, stdout, func(url string) {
		fmt.Fprintf(stdout, "\nTruce demo: %s\n", url)
		fmt.Fprintf(stdout, "Desk token: %s   (curl -H 'Authorization: Bearer %s' %sapi/v1/inbox)\n", demoToken, demoToken, url)
		fmt.Fprintf(stdout, "Press Ctrl-C to stop.\n")
	})
}

// install stores a scenario in an empty store and returns a summary of it.
func install(ctx context.Context, s domain.Store, sc *scenario.Scenario) (string, error) {
	if err := s.CreateAgreement(ctx, sc.Agreement); err != nil {
		return "", fmt.Errorf("agreement: %w", err)
	}
	ids, err := installParties(ctx, s, sc)
	if err != nil {
		return "", err
	}
	for _, st := range sc.Statuses {
		row := st.Resolve(sc.Agreement.ID, ids[st.PartySlug])
		row.RecordedBy = "demo"
		if err := s.AddPartyStatus(ctx, row); err != nil {
			return "", fmt.Errorf("status of %s: %w", st.PartySlug, err)
		}
	}
	if err := s.PutRegions(ctx, sc.Regions); err != nil {
		return "", fmt.Errorf("regions: %w", err)
	}
	if err := s.PutPlaces(ctx, sc.Places); err != nil {
		return "", fmt.Errorf("places: %w", err)
	}
	if err := s.PutDailyCounts(ctx, sc.Counts); err != nil {
		return "", fmt.Errorf("daily counts: %w", err)
	}
	var subs []domain.Submission
	for _, ms := range sc.Messages {
		m := ms.Message(ids[ms.PartySlug])
		m.Tracking = domain.NewTrackingNumber()
		m.SenderKey = m.Sender.Key("demo")
		if err := m.Validate(); err != nil {
			return "", fmt.Errorf("message %q: %w", ms.Subject, err)
		}
		subs = append(subs, domain.Submission{Message: m, RepeatWindow: 24 * time.Hour})
	}
	receipts, err := s.SubmitMessages(ctx, subs)
	if err != nil {
		return "", fmt.Errorf("messages: %w", err)
	}
	var more string
	slices.SortStableFunc(demoSteps, func(a, b demoStep) int { return demoRank(a.name) - demoRank(b.name) })
	for _, step := range demoSteps {
		line, err := step.install(ctx, s, sc, ids)
		if err != nil {
			return "", fmt.Errorf("%s: %w", step.name, err)
		}
		more += fmt.Sprintf("  %-11s %s\n", step.name, line)
	}
	repeats := 0
	for _, r := range receipts {
		if r.Repeat {
			repeats++
		}
	}
	return fmt.Sprintf("  agreement   %s (from %s)\n  parties     %d, with %d status rows\n  regions     %d\n  places      %d\n  daily counts %d (%s)\n  messages    %d (%d repeats)\n",
		sc.Agreement.Name, sc.Agreement.Start.In(sc.Agreement.Location()).Format("2006-01-02 15:04 MST"),
		len(sc.Parties), len(sc.Statuses), len(sc.Regions), len(sc.Places), len(sc.Counts), scenario.SeriesVDC,
		len(sc.Messages)-repeats, repeats) + more, nil
}

// demoStep loads one more part of the scenario after the core records, and
// returns a line for the summary. Files register steps in init, in the
// order the demo should run them.
type demoStep struct {
	name    string
	install func(ctx context.Context, s domain.Store, sc *scenario.Scenario, partyIDs map[string]int64) (string, error)
}

var demoSteps []demoStep

// demoOrder is the order the steps must run in: incidents before their
// verdicts, verdicts before the bulletins that count them.
var demoOrder = []string{"users", "airwars", "desk", "verdicts", "news", "bulletins"}

func demoRank(name string) int {
	if i := slices.Index(demoOrder, name); i >= 0 {
		return i
	}
	return len(demoOrder)
}

// installParties stores parties parents first, so each child can name its
// parent's ID, and returns slug → ID.
func installParties(ctx context.Context, s domain.Store, sc *scenario.Scenario) (map[string]int64, error) {
	ids := map[string]int64{}
	pending := sc.Parties
	for len(pending) > 0 {
		var next []*domain.Party
		for _, p := range pending {
			parent := sc.Parents[p.Slug]
			if parent != "" && ids[parent] == 0 {
				next = append(next, p)
				continue
			}
			p.ParentID = ids[parent]
			if err := s.CreateParty(ctx, p); err != nil {
				return nil, fmt.Errorf("party %s: %w", p.Slug, err)
			}
			ids[p.Slug] = p.ID
		}
		if len(next) == len(pending) {
			return nil, fmt.Errorf("parties: unknown or circular parents among %d parties", len(next))
		}
		pending = next
	}
	return ids, nil
}
