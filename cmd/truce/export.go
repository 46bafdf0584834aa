package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/importer"
	"github.com/trucedesk/truce/internal/store"
)

func init() {
	commands["export"] = command{"write incidents as ACLED CSV, UCDP GED CSV or GeoJSON to standard output", runExport}
}

func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := dbFlags(fs)
	since := fs.String("since", "", "only incidents on or after this `date` (2016-02-27 or RFC 3339)")
	until := fs.String("until", "", "only incidents before this `date`")
	bbox := fs.String("bbox", "", "only incidents inside `min_lon,min_lat,max_lon,max_lat`")
	party := fs.String("party", "", "only incidents with this party (`slug`) as perpetrator or target")
	typ := fs.String("type", "", "only this ACLED sub-event `type` (\"Air/drone strike\")")
	grade := fs.String("grade", "", "only this verification `grade` (confirmed, fair, weak, contested, discounted)")
	admin1 := fs.String("admin1", "", "only this `governorate`")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: truce export acled|ucdp|geojson [filters] > FILE\n\nFlags:\n")
		fs.PrintDefaults()
	}
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || !slices.Contains(importer.ExportFormats, strings.ToLower(pos[0])) {
		fs.Usage()
		return fmt.Errorf("export: name one format: %s", strings.Join(importer.ExportFormats, ", "))
	}
	f := domain.IncidentFilter{SubEventType: *typ, Grade: domain.Grade(*grade), Admin1: *admin1}
	if f.SubEventType != "" {
		if _, ok := domain.EventTypeOf(f.SubEventType); !ok {
			return fmt.Errorf("export: --type %q is not an ACLED sub-event type", f.SubEventType)
		}
	}
	if !f.Grade.Valid() {
		return fmt.Errorf("export: unknown --grade %q", *grade)
	}
	for _, t := range []struct {
		flag, v string
		dst     *time.Time
	}{{"since", *since, &f.Since}, {"until", *until, &f.Until}} {
		if t.v == "" {
			continue
		}
		if *t.dst, err = parseWhen(t.v); err != nil {
			return fmt.Errorf("export: --%s %q is not a date (2016-02-27) or an RFC 3339 instant", t.flag, t.v)
		}
	}
	if *bbox != "" {
		if f.BBox, err = parseBBox(*bbox); err != nil {
			return fmt.Errorf("export: --bbox: %w", err)
		}
	}
	db, err := store.Open(ctx, c.dsn())
	if err != nil {
		return err
	}
	defer db.Close()
	if *party != "" {
		p, err := db.PartyBySlug(ctx, *party)
		if err != nil {
			return fmt.Errorf("export: --party: %w", err)
		}
		f.PartyID = p.ID
	}
	w := bufio.NewWriterSize(stdout, 64<<10)
	n, err := importer.Export(ctx, db, pos[0], f, w)
	if err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "truce export: %d incidents\n", n)
	return nil
}

func parseWhen(s string) (time.Time, error) {
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339, s)
}

func parseBBox(s string) (*domain.BBox, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return nil, fmt.Errorf("want min_lon,min_lat,max_lon,max_lat")
	}
	var v [4]float64
	for i, p := range parts {
		x, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", p)
		}
		v[i] = x
	}
	if v[0] > v[2] || v[1] > v[3] {
		return nil, fmt.Errorf("the minimum exceeds the maximum")
	}
	return &domain.BBox{MinLon: v[0], MinLat: v[1], MaxLon: v[2], MaxLat: v[3]}, nil
}
