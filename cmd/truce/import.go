package main

import (
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/importer"
	"github.com/trucedesk/truce/internal/store"
)

func init() {
	commands["import"] = command{"import ACLED, UCDP GED or Airwars CSV files (truce import acled FILE…; truce import unmapped)", runImport}
}

// Exit codes of truce import: a run that rejected rows is not a failure,
// but scripts must be able to tell it from a clean one.
const exitRejected = exitPartial

func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return importMain(ctx, args, stdout, stderr)
}

// dbFlags are the flags of the commands that only open the store.
func dbFlags(fs *flag.FlagSet) *config {
	var c config
	fs.StringVar(&c.data, "data", env("TRUCE_DATA", "truce-data"), "data `directory` (env TRUCE_DATA)")
	fs.StringVar(&c.db, "db", env("TRUCE_DB", ""), "database: a SQLite file path, or a postgres:// URL (env TRUCE_DB; default DATA/truce.db)")
	return &c
}

// parseInterleaved parses flags that may come after the positional
// arguments ("acled a.csv --report r.csv"), as users type them.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func importMain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := dbFlags(fs)
	reportPath := fs.String("report", "", "write the rejected rows (file, line, column, reason) to this CSV `file`")
	batch := fs.Int("batch", importer.DefaultBatchSize, "rows per transaction")
	noGeocode := fs.Bool("no-geocode", false, "do not look up rows without coordinates in the gazetteer")
	origin := fs.String("origin", "", "with 'unmapped': only this origin (acled, ucdp, airwars)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage:\n  truce import acled|ucdp|airwars FILE… [--report report.csv]\n  truce import unmapped [--origin acled]\n\n"+
			"Exit status: 0 every row imported, %d some rows rejected (see --report), 1 failure.\n\nFlags:\n", exitRejected)
		fs.PrintDefaults()
	}
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		fs.Usage()
		return flag.ErrHelp
	}
	format, files := strings.ToLower(pos[0]), pos[1:]
	if format != "unmapped" && !slices.Contains(importer.Formats, format) {
		return fmt.Errorf("import: unknown format %q (want %s, or unmapped)", pos[0], strings.Join(importer.Formats, ", "))
	}
	if format != "unmapped" && len(files) == 0 {
		return fmt.Errorf("import: name at least one %s file", format)
	}
	db, err := store.Open(ctx, c.dsn())
	if err != nil {
		return err
	}
	defer db.Close()
	if format == "unmapped" {
		return printUnmapped(ctx, db, *origin, stdout)
	}

	im, warn, err := importer.New(ctx, db, "import", !*noGeocode)
	if err != nil {
		return err
	}
	if warn != "" {
		fmt.Fprintln(stderr, "truce import:", warn)
	}
	im.BatchSize = *batch
	var reports []fileReport
	var failed error
	for _, name := range files {
		rep, err := importFile(ctx, im, format, name, stderr)
		if rep != nil {
			reports = append(reports, fileReport{name, rep})
			fmt.Fprintf(stdout, "%s: %s\n", name, summary(rep))
		}
		if err != nil {
			failed = fmt.Errorf("import %s: %w", name, err)
			break
		}
	}
	if *reportPath != "" {
		if err := writeReport(*reportPath, reports); err != nil {
			return err
		}
	}
	if failed != nil {
		return failed
	}
	rejected := 0
	for _, r := range reports {
		rejected += r.rep.Rejected
	}
	if rejected > 0 {
		where := "run with --report FILE to list them"
		if *reportPath != "" {
			where = "see " + *reportPath
		}
		return &exitCode{exitRejected, fmt.Sprintf("%d rows rejected; %s", rejected, where)}
	}
	return nil
}

func importFile(ctx context.Context, im *importer.Importer, format, name string, stderr io.Writer) (*importer.Report, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var size int64
	if st, err := f.Stat(); err == nil {
		size = st.Size()
	}
	im.Progress = nil
	if isTerminal(stderr) {
		bar := progressbar.NewOptions64(size,
			progressbar.OptionSetWriter(stderr),
			progressbar.OptionSetDescription(name),
			progressbar.OptionShowBytes(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
		im.Progress = func(read, _ int64) { bar.Set64(read) }
		defer bar.Finish()
	}
	return im.Import(ctx, format, f, size)
}

// isTerminal reports whether w is a terminal, where a progress bar helps;
// in a pipe or a log it would be noise.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func summary(r *importer.Report) string {
	s := fmt.Sprintf("%d rows: %d accepted (%d new, %d updated, %d unchanged), %d rejected; %d geocoded, %d without a place",
		r.Rows, r.Accepted, r.Created, r.Updated, r.Unchanged, r.Rejected, r.Geocoded, r.Unplaced)
	if n := len(r.Unmapped); n > 0 {
		s += fmt.Sprintf("; %d actor names unmapped (truce import unmapped)", n)
	}
	for _, w := range r.Warnings {
		s += "\n  warning: " + w
	}
	return s
}

type fileReport struct {
	name string
	rep  *importer.Report
}

// writeReport writes every rejected row with its file, line, column and
// reason, for a monitor to fix the source files.
func writeReport(path string, reports []fileReport) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	w := csv.NewWriter(f)
	w.Write([]string{"file", "line", "column", "reason"})
	for _, r := range reports {
		for _, e := range r.rep.Errors {
			w.Write([]string{r.name, strconv.Itoa(e.Line), e.Column, e.Reason})
		}
		if r.rep.Rejected > len(r.rep.Errors) {
			w.Write([]string{r.name, "", "", fmt.Sprintf("%d more rejected rows not listed", r.rep.Rejected-len(r.rep.Errors))})
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return fmt.Errorf("report: %w", err)
	}
	return f.Close()
}

func printUnmapped(ctx context.Context, s domain.Store, origin string, stdout io.Writer) error {
	actors, err := s.UnmappedActors(ctx, origin)
	if err != nil {
		return err
	}
	if len(actors) == 0 {
		fmt.Fprintln(stdout, "No unmapped actor names.")
		return nil
	}
	fmt.Fprintf(stdout, "%-8s %7s %6s  %s\n", "ORIGIN", "ROWS", "FILES", "NAME")
	for _, a := range actors {
		fmt.Fprintf(stdout, "%-8s %7d %6d  %s\n", a.Origin, a.Count, a.Inputs, a.Name)
	}
	fmt.Fprintln(stdout, "\nAdd each as an alias of its party (or a new party), then import again: rows are updated in place.")
	return nil
}
