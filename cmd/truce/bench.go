package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/trucedesk/truce/internal/scalebench"
)

func init() {
	commands["bench"] = command{"measure Truce at scale beside PostGIS: truce bench scale [--rows N] [--db postgres://…]", runBench}
}

// runBench dispatches the benchmark suites; scale is the only one so far.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "scale" {
		fmt.Fprintln(stderr, "usage: truce bench scale [flags]   (truce bench scale -h lists them)")
		return flag.ErrHelp
	}
	fs := flag.NewFlagSet("bench scale", flag.ContinueOnError)
	fs.SetOutput(stderr)
	// The default size keeps an accidental run short; the recorded figures
	// use --rows 10000000 (or TRUCE_BENCH_ROWS).
	defRows, _ := strconv.ParseInt(env("TRUCE_BENCH_ROWS", "100000"), 10, 64)
	self, _ := os.Executable()
	c := scalebench.Config{Log: stderr, Out: stdout}
	fs.Int64Var(&c.Rows, "rows", defRows, "incidents to generate (env TRUCE_BENCH_ROWS)")
	fs.StringVar(&c.DB, "db", env("TRUCE_DB", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"),
		"PostgreSQL server URL (env TRUCE_DB); the benchmark works in a schema of its own")
	fs.StringVar(&c.Schema, "schema", "", "schema to load into (default: a new random one, dropped afterwards)")
	fs.BoolVar(&c.Reuse, "reuse", false, "measure the already loaded --schema instead of loading")
	fs.BoolVar(&c.Keep, "keep", false, "keep the schema afterwards")
	fs.Uint64Var(&c.Seed, "seed", 2016, "random seed; the same seed gives the same rows and windows")
	fs.IntVar(&c.Queries, "queries", 1000, "map windows to run")
	fs.IntVar(&c.Days, "days", 50, "bulletin days to run")
	fs.IntVar(&c.Sample, "sample", 2000, "rows stored through CreateIncident (and five times as many through ImportIncidents)")
	fs.StringVar(&c.Truce, "truce", self, "truce binary for the intake benchmark (empty skips it)")
	fs.DurationVar(&c.Intake, "intake", 20*time.Second, "how long each intake configuration runs")
	fs.IntVar(&c.Clients, "clients", 64, "intake clients, split over the instances")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if c.Rows < 1000 {
		return fmt.Errorf("bench scale: --rows %d is too few to measure anything; use at least 1000", c.Rows)
	}
	return scalebench.Run(ctx, c)
}
