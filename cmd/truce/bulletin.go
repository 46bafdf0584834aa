package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/trucedesk/truce/internal/analysis"
	"github.com/trucedesk/truce/internal/bulletin"
	"github.com/trucedesk/truce/internal/stats"
	"github.com/trucedesk/truce/internal/store"
)

func init() {
	commands["bulletin"] = command{"render (and with --publish, publish) the daily bulletin of a day", runBulletin}
}

func runBulletin(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bulletin", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	c.flags(fs, "truce-data")
	date := fs.String("date", "", "the local `day` of the bulletin, YYYY-MM-DD (required)")
	format := fs.String("format", "html", "html, md, pdf or json")
	out := fs.String("out", "", "write to `file` instead of standard output")
	publish := fs.Bool("publish", false, "store the bulletin as a new published version (immutable)")
	note := fs.String("note", "", "what a corrected version changes (with --publish)")
	by := fs.String("by", env("USER", "cli"), "who publishes (with --publish)")
	slug := fs.String("agreement", "", "agreement `slug` (default: the only one stored)")
	base := fs.String("base-url", env("TRUCE_BASE_URL", ""), "URL put before the bulletin's links to records (env TRUCE_BASE_URL)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *date == "" {
		fmt.Fprintln(stderr, "bulletin: --date is required")
		return flag.ErrHelp
	}
	day, err := stats.ParseDay(*date)
	if err != nil {
		return err
	}
	if _, ok := bulletin.Formats[*format]; !ok {
		return fmt.Errorf("bulletin: unknown format %q: use html, md, pdf or json", *format)
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
	opts := bulletin.Options{BaseURL: *base}
	var body []byte
	if *publish {
		b, err := bulletin.Publish(ctx, an, day, *by, *note, opts)
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "published %s version %d (report sha256 %s)\n", b.Day, b.Version, b.ContentHash)
		if body, err = bulletin.Of(b, *format); err != nil {
			return err
		}
	} else {
		r, err := bulletin.Build(ctx, an, day)
		if err != nil {
			return err
		}
		if body, err = bulletin.Render(r, *format, opts); err != nil {
			return err
		}
	}
	if *out == "" {
		_, err = stdout.Write(body)
		return err
	}
	return os.WriteFile(*out, body, 0o644)
}

// printJSON writes v indented, for the analysis commands.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
