package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/news"
	"github.com/trucedesk/truce/internal/newsdesk"
	"github.com/trucedesk/truce/internal/store"
)

func init() {
	commands["ingest"] = command{"read news into the desk: truce ingest news FILE… (.txt, .html, .jsonl)", runIngest}
}

func runIngest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	failed, err := ingest(ctx, args, stdout, stderr)
	if err != nil {
		return err
	}
	if failed > 0 {
		// A batch with failed items must be told apart from a command that
		// could not run at all.
		return &exitCode{exitPartial, fmt.Sprintf("%d items failed; the others were stored", failed)}
	}
	return nil
}

// ingest runs `truce ingest news FILE…` and returns how many items failed.
func ingest(ctx context.Context, args []string, stdout, stderr io.Writer) (int, error) {
	if len(args) == 0 || args[0] != "news" {
		fmt.Fprintln(stderr, "usage: truce ingest news [flags] FILE…")
		return 0, flag.ErrHelp
	}
	fs := flag.NewFlagSet("ingest news", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	fs.StringVar(&c.data, "data", env("TRUCE_DATA", "truce-data"), "data `directory` (env TRUCE_DATA)")
	fs.StringVar(&c.db, "db", env("TRUCE_DB", ""), "database: a SQLite file path, or a postgres:// URL (env TRUCE_DB; default DATA/truce.db)")
	date := fs.String("date", "", "publication `day` (YYYY-MM-DD) of .txt and .html files; default: a date in the file name")
	source := fs.String("source", "", "publisher of .txt and .html files")
	by := fs.String("by", "cli", "`name` recorded as who ingested the articles")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: truce ingest news [flags] FILE…\n\nEach file is plain text, an HTML page, or JSONL (one {title, text or html, date, source, url} a line),\nby extension or by its first bytes. Every article or line is reported; exit status 3 if any failed.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args[1:]); err != nil {
		return 0, err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 0, flag.ErrHelp
	}
	meta := news.Meta{Source: *source}
	if *date != "" {
		d, err := news.ParseDate(*date)
		if err != nil {
			return 0, fmt.Errorf("--date: %s", domain.ErrorMessage(err))
		}
		meta.Date = d
	}
	db, err := store.Open(ctx, c.dsn())
	if err != nil {
		return 0, err
	}
	defer db.Close()
	batch := newsdesk.New(db).Batch(*by)
	rep := &ingestReport{}
	start := time.Now()
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	for _, path := range fs.Args() {
		for _, it := range newsdesk.ReadFile(path, meta) {
			if ctx.Err() != nil {
				tw.Flush()
				return rep.failed, ctx.Err()
			}
			var res *newsdesk.Result
			err := it.Err
			if err == nil {
				res, err = batch.Ingest(ctx, it.Article)
			}
			rep.line(tw, it.Name, res, err)
		}
	}
	tw.Flush()
	fmt.Fprintf(stdout, "%d items in %s: %d stored, %d already stored, %d failed\n",
		rep.items, time.Since(start).Round(time.Millisecond), rep.stored, rep.same, rep.failed)
	return rep.failed, nil
}

type ingestReport struct {
	items, stored, same, failed int
}

func (r *ingestReport) line(w io.Writer, name string, res *newsdesk.Result, err error) {
	r.items++
	switch {
	case err != nil:
		r.failed++
		// A user's error is its sentence (and field); anything else is
		// shown whole, since the operator running the batch needs it.
		msg := "internal error: " + err.Error()
		var de *domain.Error
		if errors.As(err, &de) {
			msg = de.Message
			if de.Field != "" {
				msg = de.Field + ": " + msg
			}
		}
		fmt.Fprintf(w, "FAILED\t%s\t%s\n", name, oneLine(msg))
	case !res.Created:
		r.same++
		fmt.Fprintf(w, "same\t%s\talready stored as article %d\n", name, res.Article.ID)
	default:
		r.stored++
		a := res.Article
		fmt.Fprintf(w, "ok\t%s\tarticle %d: %d statements, %d claims%s%s\n", name, a.ID, len(a.Statements), len(a.Claims),
			verdicts(a.Claims), bestEffort(a.Warnings))
	}
}

// verdicts summarises the checks of claims: " (1 supported, 2 not testable)".
func verdicts(cs []*domain.StoredClaim) string {
	n := map[string]int{}
	for _, c := range cs {
		v := "unchecked"
		if c.Check != nil {
			v = strings.ReplaceAll(string(c.Check.Verdict), "_", " ")
		}
		n[v]++
	}
	if len(n) == 0 {
		return ""
	}
	var parts []string
	for v, k := range n {
		parts = append(parts, fmt.Sprintf("%d %s", k, v))
	}
	sort.Strings(parts)
	return " (" + strings.Join(parts, ", ") + ")"
}

// bestEffort marks a result the reader made the best of: "; best effort:
// 3 invalid UTF-8 bytes replaced".
func bestEffort(warnings []string) string {
	if len(warnings) == 0 {
		return ""
	}
	return "; best effort: " + oneLine(strings.Join(warnings, "; "))
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
