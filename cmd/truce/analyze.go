package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/trucedesk/truce/internal/analysis"
	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/stats"
	"github.com/trucedesk/truce/internal/store"
)

func init() {
	commands["analyze"] = command{"test changes in intensity: compare, changepoints or claim", runAnalyze}
}

const analyzeUsage = `usage: truce analyze compare|changepoints|claim [flags]

  compare       the rate of the last --window days before --until against the --baseline days before them
  changepoints  the days on which the daily rate changed, over --since to --until
  claim         check a claim: --actor, --claim-metric, --direction, --strength, --from, --to
`

func runAnalyze(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "compare" && args[0] != "changepoints" && args[0] != "claim") {
		fmt.Fprint(stderr, analyzeUsage)
		return flag.ErrHelp
	}
	sub := args[0]
	fs := flag.NewFlagSet("analyze "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	c.flags(fs, "truce-data")
	slug := fs.String("agreement", "", "agreement `slug` (default: the only one stored)")
	metric := fs.String("metric", "incidents", "incidents or fatalities")
	since := fs.String("since", "", "first local `day` (changepoints; default 90 days before --until)")
	until := fs.String("until", "", "local `day` after the last one (default today)")
	window := fs.String("window", "2d", "days in the recent window (compare)")
	baseline := fs.String("baseline", "14d", "days in the baseline (compare, claim)")
	party := fs.String("party", "", "only incidents naming this `party` (slug, name or alias), as perpetrator or target")
	typ := fs.String("type", "", "only this ACLED sub-event type")
	admin1 := fs.String("admin1", "", "only this governorate")
	prohibited := fs.Bool("prohibited", false, "only the agreement's prohibited types")
	actor := fs.String("actor", "", "claim: the actor, as a party slug, name or alias")
	cmetric := fs.String("claim-metric", "strikes", "claim: strikes, shelling, attacks, violations, fatalities")
	direction := fs.String("direction", "down", "claim: down, up, stopped, same or count")
	strength := fs.String("strength", "", "claim: slight, significant or sharp")
	from := fs.String("from", "", "claim: start of its window (YYYY-MM-DD local, or RFC 3339)")
	to := fs.String("to", "", "claim: end of its window, excluded")
	value := fs.Float64("value", 0, "claim: the level claimed (direction count)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	db, err := store.Open(ctx, c.dsn())
	if err != nil {
		return err
	}
	defer db.Close()
	an, err := analysis.New(ctx, db, *slug, time.Now)
	if err != nil {
		return err
	}
	m, err := analysis.ParseMetric(*metric)
	if err != nil {
		return err
	}
	q := analysis.Query{Filter: domain.IncidentFilter{SubEventType: *typ, Admin1: *admin1}}
	if *party != "" {
		p, err := an.ResolveParty(*party)
		if err != nil {
			return domain.FieldErrorf("party", "%s", domain.ErrorMessage(err))
		}
		q.Filter.PartyID = p.ID
	}
	if *prohibited {
		q.Types = an.Agreement.ProhibitedActs
	}
	end := an.Today()
	if *until != "" {
		if end, err = stats.ParseDay(*until); err != nil {
			return err
		}
	}
	switch sub {
	case "compare":
		w, err := analysis.ParseDays("window", *window)
		if err != nil {
			return err
		}
		b, err := analysis.ParseDays("baseline", *baseline)
		if err != nil {
			return err
		}
		cmp, err := an.Compare(ctx, q, m, end, w, b)
		if err != nil {
			return err
		}
		fmt.Fprintln(stderr, cmp.Sentence)
		return printJSON(stdout, cmp)
	case "changepoints":
		start := end - 90
		if *since != "" {
			if start, err = stats.ParseDay(*since); err != nil {
				return err
			}
		}
		q.Window = stats.Window{From: start, To: end}
		cp, err := an.Changepoints(ctx, q, m, stats.ChangeOptions{})
		if err != nil {
			return err
		}
		return printJSON(stdout, cp)
	}
	claim := domain.Claim{Actor: *actor, Metric: domain.Metric(*cmetric), Direction: domain.Direction(*direction),
		Strength: domain.Strength(*strength), Value: *value}
	if claim.WindowStart, err = instant(an, "from", *from); err != nil {
		return err
	}
	if claim.WindowEnd, err = instant(an, "to", *to); err != nil {
		return err
	}
	b, err := analysis.ParseDays("baseline", *baseline)
	if err != nil {
		return err
	}
	claim.Baseline = time.Duration(b) * 24 * time.Hour
	cc, err := an.CheckClaim(ctx, claim)
	if err != nil {
		return err
	}
	fmt.Fprintln(stderr, cc.Sentence)
	return printJSON(stdout, cc)
}

// instant reads a local day (its midnight in the agreement's zone) or an
// RFC 3339 instant.
func instant(an *analysis.Analyzer, name, v string) (time.Time, error) {
	if d, err := stats.ParseDay(v); err == nil {
		return d.In(an.Loc), nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, domain.FieldErrorf(name, "%q is not a day (2016-02-22) or an RFC 3339 instant", v)
	}
	return t, nil
}
