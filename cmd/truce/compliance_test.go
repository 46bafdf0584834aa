package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/store"
	"github.com/trucedesk/truce/internal/store/storetest"
)

// TestComplianceCommands drives the compliance subcommands in the order a
// desk sets up an agreement: terms, parties, statuses, a refused map and a
// good one, then an edit of the terms, and reads the verdict back, on each
// store engine.
func TestComplianceCommands(t *testing.T) {
	for _, eng := range []struct {
		name string
		db   func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "truce.db") }},
		{"postgres", func(t *testing.T) string { return storetest.PostgresURL(t) }},
	} {
		t.Run(eng.name, func(t *testing.T) { testComplianceCommands(t, eng.db(t)) })
	}
}

func testComplianceCommands(t *testing.T, dsn string) {
	ctx := context.Background()
	dir := t.TempDir()
	file := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const terms = `{"slug":"coh-2016","name":"Cessation of hostilities","time_zone":"Asia/Damascus",
		"start":"2016-02-27T00:00:00+02:00","country":"Syria","prohibited_acts":["Air/drone strike","Shelling/artillery/missile attack"],
		"exclusion_authority":"UN Security Council"%s}`
	added := file("terms.json", strings.Replace(terms, "%s", "", 1))
	edited := file("edited.json", strings.Replace(terms, "%s", `,"version":1,"end":"2016-09-01T00:00:00+03:00"`, 1))
	misspelt := file("misspelt.json", strings.Replace(terms, "%s", `,"prohibited_act":["Armed clash"]`, 1))
	bowTie := file("bowtie.geojson", `{"type":"FeatureCollection","features":[{"type":"Feature",
		"properties":{"controller":"isil","valid_from":"2014-01-13"},
		"geometry":{"type":"Polygon","coordinates":[[[38.5,35.5],[39.5,36.3],[39.5,35.5],[38.5,36.3],[38.5,35.5]]]}}]}`)
	raqqa := file("raqqa.geojson", `{"type":"FeatureCollection","features":[{"type":"Feature",
		"properties":{"name":"Raqqa","controller":"isil","valid_from":"2014-01-13"},
		"geometry":{"type":"Polygon","coordinates":[[[38.5,35.5],[39.5,35.5],[39.5,36.3],[38.5,36.3],[38.5,35.5]]]}}]}`)

	steps := []struct {
		name    string
		args    []string
		wantErr string // a part of the error, or "" for success
		wantOut []string
	}{
		{"add an agreement", []string{"agreement", "add", added}, "", []string{"agreement 1 coh-2016 added"}},
		{"the same slug twice", []string{"agreement", "add", added}, "coh-2016", nil},
		{"a misspelt clause is refused", []string{"agreement", "add", misspelt}, `unknown field "prohibited_act"`, nil},
		{"add without a file", []string{"agreement", "add"}, "usage: truce agreement add", nil},
		{"add the government", []string{"party", "add", "--slug", "saa", "--name", "Syrian Arab Army", "--kind", "state"}, "", []string{"saa added"}},
		{"add ISIL", []string{"party", "add", "--slug", "isil", "--name", "Islamic State", "--aliases", "ar:داعش"}, "", []string{"isil added"}},
		{"exclude ISIL", []string{"status", "add", "--agreement", "coh-2016", "--party", "isil", "--kind", "excluded",
			"--designator", "UN Security Council", "--from", "2004-10-18T00:00:00Z", "--source", "UNSCR 2253"}, "", []string{"status row"}},
		{"list the statuses", []string{"status", "list", "--agreement", "coh-2016"}, "",
			[]string{"isil", "excluded", "UN Security Council", "2004-10-18T02:00:00+02:00", "UNSCR 2253"}},
		{"statuses of no agreement", []string{"status", "list", "--agreement", "nope"}, "nope", nil},
		{"a government strike with no target, before any map", []string{"verdict", "recompute"}, "",
			[]string{"judged 1 incident(s)", "(none) → undetermined"}},
		{"a self-intersecting map is refused whole", []string{"area", "import", bowTie}, "nothing was stored", nil},
		{"nothing was stored", []string{"area", "export"}, "", []string{`"features":[]`}},
		{"the map places the strike in ISIL's ground", []string{"area", "import", raqqa}, "",
			[]string{"feature 0 → area", "undetermined → not_violation"}},
		{"edit the terms", []string{"agreement", "terms", "coh-2016", edited}, "", []string{"coh-2016 now at version 2"}},
		{"a stale edit is refused", []string{"agreement", "terms", "coh-2016", edited}, "changed since you read it", nil},
		{"an edit with no version", []string{"agreement", "terms", "coh-2016", added}, "version", nil},
		{"list the agreements", []string{"agreement", "list"}, "",
			[]string{"coh-2016", "2016-02-27T00:00:00+02:00", "2016-09-01T00:00:00+03:00", "Cessation of hostilities"}},
		{"show the terms as they are edited", []string{"agreement", "show", "coh-2016"}, "", []string{`"version": 2`, `"slug": "coh-2016"`}},
		{"read the verdict", []string{"verdict", "show", "$INCIDENT"}, "",
			[]string{"not a violation in the co-chairs' view: area held by Islamic State, excluded by UN Security Council"}},
	}
	var incident int64
	for _, st := range steps {
		if strings.HasPrefix(st.name, "a government strike") {
			// The CLI has no incident entry (imports and the desk make
			// them); store one directly.
			db, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			saa, err := db.PartyBySlug(ctx, "saa")
			if err != nil {
				t.Fatal(err)
			}
			in := &domain.Incident{SubEventType: domain.SubAirStrike, OccurredAt: time.Date(2016, 2, 29, 7, 0, 0, 0, time.UTC),
				Point: &domain.Point{Lat: 35.95, Lon: 39.01}, Perpetrators: []int64{saa.ID}, CreatedBy: "monitor"}
			if err := db.CreateIncident(ctx, in); err != nil {
				t.Fatal(err)
			}
			incident = in.ID
			db.Close()
		}
		var out, errb bytes.Buffer
		args := append([]string(nil), st.args...)
		for i := range args {
			args[i] = strings.ReplaceAll(args[i], "$INCIDENT", strconv.FormatInt(incident, 10))
		}
		// Flags go before the arguments, as the flag package wants.
		args = append(append(args[:2:2], "--db", dsn, "--actor", "co-chair"), args[2:]...)
		err := run(ctx, args, &out, &errb)
		switch {
		case st.wantErr == "" && err != nil:
			t.Fatalf("%s: %v; stderr %s", st.name, err, errb.String())
		case st.wantErr != "" && err == nil:
			t.Fatalf("%s: no error, want one saying %q; stdout %s", st.name, st.wantErr, out.String())
		case st.wantErr != "" && !strings.Contains(err.Error(), st.wantErr):
			t.Errorf("%s: error %q, want it to say %q", st.name, err, st.wantErr)
		}
		for _, w := range st.wantOut {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%s: stdout %q, want it to contain %q", st.name, out.String(), w)
			}
		}
	}
}
