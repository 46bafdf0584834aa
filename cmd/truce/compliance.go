package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/trucedesk/truce/internal/assess"
	"github.com/trucedesk/truce/internal/control"
	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/store"
)

func init() {
	commands["agreement"] = command{"add, list or show agreements, or replace their terms (agreement add FILE|list|show SLUG|terms SLUG FILE)", runAgreement}
	commands["party"] = command{"add or list parties (party add|list)", runParty}
	commands["status"] = command{"add a party status row and recompute verdicts, or list an agreement's rows (status add|list)", runStatus}
	commands["area"] = command{"import or export control areas as GeoJSON (area import FILE|export)", runArea}
	commands["verdict"] = command{"show an incident's verdict or recompute all (verdict show ID|recompute)", runVerdict}
}

// cliFlags are the flags every compliance subcommand shares: where the
// store is and who is acting.
type cliFlags struct {
	config
	actor string
}

func newCLIFlags(name string, stderr io.Writer) (*flag.FlagSet, *cliFlags) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := &cliFlags{}
	c.flags(fs, "truce-data")
	fs.StringVar(&c.actor, "actor", env("TRUCE_ACTOR", env("USER", "cli")), "who makes the change, recorded with it (env TRUCE_ACTOR)")
	return fs, c
}

func (c *cliFlags) open(ctx context.Context) (*store.DB, *assess.Service, error) {
	db, err := store.Open(ctx, c.dsn())
	if err != nil {
		return nil, nil, err
	}
	return db, assess.New(db), nil
}

// verb splits "add -x y" into the verb and its flags.
func verb(name string, args []string, verbs ...string) (string, []string, error) {
	if len(args) == 0 || !strings.Contains(" "+strings.Join(verbs, " ")+" ", " "+args[0]+" ") {
		return "", nil, fmt.Errorf("usage: truce %s %s", name, strings.Join(verbs, "|"))
	}
	return args[0], args[1:], nil
}

func runParty(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	v, rest, err := verb("party", args, "add", "list")
	if err != nil {
		return err
	}
	fs, c := newCLIFlags("party "+v, stderr)
	var p domain.Party
	var parent, aliases string
	if v == "add" {
		fs.StringVar(&p.Slug, "slug", "", "short stable key: a–z, 0–9 and -")
		fs.StringVar(&p.Name, "name", "", "the party's name")
		fs.StringVar((*string)(&p.Kind), "kind", string(domain.KindArmedGroup), "state, armed_group, coalition, militia, civilians or other")
		fs.StringVar(&parent, "parent", "", "the parent party's slug (a brigade's coalition)")
		fs.StringVar(&p.Sponsor, "sponsor", "", "the state that backs it")
		fs.StringVar(&aliases, "aliases", "", "other names, comma separated, each optionally lang:name (ar:داعش)")
	}
	if err := fs.Parse(rest); err != nil {
		return err
	}
	db, _, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if v == "list" {
		ps, err := db.Parties(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSLUG\tKIND\tPARENT\tNAME")
		for _, p := range ps {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", p.ID, p.Slug, p.Kind, idOrDash(p.ParentID), p.Name)
		}
		return tw.Flush()
	}
	for _, a := range strings.Split(aliases, ",") {
		if a = strings.TrimSpace(a); a == "" {
			continue
		}
		lang, name, ok := strings.Cut(a, ":")
		if !ok || len(lang) > 3 {
			lang, name = "", a
		}
		p.Aliases = append(p.Aliases, domain.Alias{Name: name, Lang: lang})
	}
	if parent != "" {
		pp, err := db.PartyBySlug(ctx, parent)
		if err != nil {
			return fmt.Errorf("parent: %w", err)
		}
		p.ParentID = pp.ID
	}
	if err := db.CreateParty(ctx, &p); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "party %d %s added\n", p.ID, p.Slug)
	return nil
}

func idOrDash(id int64) string {
	if id == 0 {
		return "-"
	}
	return strconv.FormatInt(id, 10)
}

func runStatus(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	v, rest, err := verb("status", args, "add", "list")
	if err != nil {
		return err
	}
	fs, c := newCLIFlags("status "+v, stderr)
	var agreement, party, from string
	var st domain.PartyStatus
	fs.StringVar(&agreement, "agreement", "", "the agreement's slug")
	if v == "add" {
		fs.StringVar(&party, "party", "", "the party's slug")
		fs.StringVar((*string)(&st.Kind), "kind", "", "committed, withdrawn, excluded, designated or undesignated")
		fs.StringVar(&st.Designator, "designator", "", "who holds this view, or the guarantor of a commitment")
		fs.StringVar(&from, "from", "", "when it takes effect, RFC 3339 (2016-02-26T12:00:00+02:00)")
		fs.StringVar(&st.Source, "source", "", "the document or report")
		fs.StringVar(&st.Note, "note", "", "a note")
	}
	if err := fs.Parse(rest); err != nil {
		return err
	}
	if v == "list" {
		return listStatuses(ctx, c, agreement, stdout)
	}
	if st.ValidFrom, err = time.Parse(time.RFC3339, from); err != nil {
		return fmt.Errorf("-from %q: want RFC 3339, such as 2016-02-26T12:00:00+02:00", from)
	}
	db, svc, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	a, err := db.AgreementBySlug(ctx, agreement)
	if err != nil {
		return err
	}
	p, err := db.PartyBySlug(ctx, party)
	if err != nil {
		return err
	}
	st.AgreementID, st.PartyID = a.ID, p.ID
	rep, err := svc.AddStatus(ctx, &st, c.actor)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "status row %d added for %s under %s\n", st.ID, p.Slug, a.Slug)
	printReport(stdout, rep)
	return nil
}

// listStatuses prints an agreement's status rows as timelines: by party,
// then by when each took effect, times in the agreement's zone.
func listStatuses(ctx context.Context, c *cliFlags, agreement string, stdout io.Writer) error {
	db, _, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	a, err := db.AgreementBySlug(ctx, agreement)
	if err != nil {
		return err
	}
	rows, err := db.PartyStatuses(ctx, a.ID)
	if err != nil {
		return err
	}
	ps, err := db.Parties(ctx)
	if err != nil {
		return err
	}
	slugs := map[int64]string{}
	for _, p := range ps {
		slugs[p.ID] = p.Slug
	}
	slices.SortStableFunc(rows, func(x, y *domain.PartyStatus) int {
		return cmp.Or(cmp.Compare(slugs[x.PartyID], slugs[y.PartyID]), x.ValidFrom.Compare(y.ValidFrom), cmp.Compare(x.ID, y.ID))
	})
	loc := a.Location()
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tPARTY\tKIND\tDESIGNATOR\tFROM\tSOURCE")
	for _, r := range rows {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", r.ID, slugs[r.PartyID], r.Kind, orDash(r.Designator),
			r.ValidFrom.In(loc).Format(time.RFC3339), orDash(r.Source))
	}
	return tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// runAgreement manages agreements. Terms travel as the JSON the API takes
// (POST /api/v1/agreements, PUT /api/v1/agreements/{slug}/terms): `show`
// prints it, so editing terms is show, edit the file, then terms.
func runAgreement(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	v, rest, err := verb("agreement", args, "add", "list", "show", "terms")
	if err != nil {
		return err
	}
	fs, c := newCLIFlags("agreement "+v, stderr)
	if err := fs.Parse(rest); err != nil {
		return err
	}
	want := map[string]int{"add": 1, "list": 0, "show": 1, "terms": 2}[v]
	if fs.NArg() != want {
		return fmt.Errorf("usage: truce agreement %s", map[string]string{
			"add": "add [flags] FILE.json", "list": "list [flags]", "show": "show [flags] SLUG", "terms": "terms [flags] SLUG FILE.json"}[v])
	}
	db, svc, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	switch v {
	case "list":
		as, err := db.Agreements(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSLUG\tVERSION\tSTART\tEND\tNAME")
		for _, a := range as {
			end := "-"
			if !a.End.IsZero() {
				end = a.End.In(a.Location()).Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s\t%s\n", a.ID, a.Slug, a.Version, a.Start.In(a.Location()).Format(time.RFC3339), end, a.Name)
		}
		return tw.Flush()
	case "show":
		a, err := db.AgreementBySlug(ctx, fs.Arg(0))
		if err != nil {
			return err
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(a)
	}
	a, err := readAgreement(fs.Arg(fs.NArg() - 1))
	if err != nil {
		return err
	}
	if v == "add" {
		if a.ID != 0 || a.Version != 0 {
			return domain.FieldErrorf("id", "a new agreement has no id or version")
		}
		rep, err := svc.CreateAgreement(ctx, a, c.actor)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "agreement %d %s added\n", a.ID, a.Slug)
		printReport(stdout, rep)
		return nil
	}
	cur, err := db.AgreementBySlug(ctx, fs.Arg(0))
	if err != nil {
		return err
	}
	switch {
	case a.Version == 0:
		return domain.FieldErrorf("version", "is required: the version of the terms you edited (truce agreement show %s)", cur.Slug)
	case a.Slug != "" && a.Slug != cur.Slug:
		return domain.FieldErrorf("slug", "cannot be changed")
	case a.ID != 0 && a.ID != cur.ID:
		return domain.FieldErrorf("id", "cannot be changed")
	}
	a.ID, a.Slug = cur.ID, cur.Slug
	rep, err := svc.EditTerms(ctx, a, c.actor)
	if domain.ErrorCode(err) == domain.ECONFLICT {
		return fmt.Errorf("%w: run truce agreement show %s, merge your edit, and retry", err, cur.Slug)
	} else if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "terms of %s now at version %d\n", a.Slug, a.Version)
	printReport(stdout, rep)
	return nil
}

// readAgreement decodes an agreement file strictly: a misspelt field is an
// error naming it, not a clause silently left out of the terms.
func readAgreement(path string) (*domain.Agreement, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	dec.DisallowUnknownFields()
	var a domain.Agreement
	if err := dec.Decode(&a); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &a, nil
}

func printReport(w io.Writer, rep *assess.Report) {
	fmt.Fprintf(w, "%s: judged %d incident(s), wrote %d verdict(s), %d changed\n",
		rep.Cause.Text, len(rep.Judged), rep.Written, len(rep.Changes))
	for _, c := range rep.Changes {
		old := c.OldOutcome
		if old == "" {
			old = "(none)"
		}
		fmt.Fprintf(w, "  incident %d: %s → %s\n", c.IncidentID, old, c.NewOutcome)
	}
}

func runArea(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	v, rest, err := verb("area", args, "import", "export")
	if err != nil {
		return err
	}
	fs, c := newCLIFlags("area "+v, stderr)
	tz := fs.String("tz", "UTC", "time zone of dates without a time (YYYY-MM-DD) in the map")
	if err := fs.Parse(rest); err != nil {
		return err
	}
	db, svc, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if v == "export" {
		areas, err := svc.Areas(ctx)
		if err != nil {
			return err
		}
		b, err := control.Export(areas)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "%s\n", b)
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: truce area import [flags] FILE.geojson")
	}
	loc, err := time.LoadLocation(*tz)
	if err != nil {
		return fmt.Errorf("-tz %q: %w", *tz, err)
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	res, err := svc.ImportAreas(ctx, data, loc, c.actor)
	var pe *control.ParseError
	if errors.As(err, &pe) {
		for _, f := range pe.Faults {
			fmt.Fprintln(stderr, "  ", f)
		}
		return fmt.Errorf("%s: refused with %d fault(s); nothing was stored", fs.Arg(0), len(pe.Faults))
	} else if err != nil {
		return err
	}
	for _, a := range res.Areas {
		fmt.Fprintf(stdout, "feature %d → area %d (%s, %s)\n", a.Feature, a.ID, a.Controller, a.Name)
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(stdout, "repaired: %s\n", w)
	}
	for _, o := range res.Overlaps {
		kind := "overlap"
		if o.Conflict {
			kind = "conflicting overlap"
		}
		fmt.Fprintf(stdout, "%s: area %d (%s) and area %d (%s) from %s\n", kind, o.A.ID, o.A.Controller, o.B.ID,
			o.B.Controller, o.From.Format(time.RFC3339))
	}
	printReport(stdout, res.Report)
	return nil
}

func runVerdict(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	v, rest, err := verb("verdict", args, "show", "recompute")
	if err != nil {
		return err
	}
	fs, c := newCLIFlags("verdict "+v, stderr)
	agreement := fs.String("agreement", "", "only this agreement (slug)")
	asJSON := fs.Bool("json", false, "show: print the verdicts with views and traces as JSON")
	if err := fs.Parse(rest); err != nil {
		return err
	}
	db, svc, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	var agreementID int64
	if *agreement != "" {
		a, err := db.AgreementBySlug(ctx, *agreement)
		if err != nil {
			return err
		}
		agreementID = a.ID
	}
	if v == "recompute" {
		rep, err := svc.Recompute(ctx, agreementID, c.actor)
		if err != nil {
			return err
		}
		printReport(stdout, rep)
		return nil
	}
	if fs.NArg() != 1 {
		return errors.New("usage: truce verdict show [flags] INCIDENT-ID")
	}
	id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
	if err != nil {
		return fmt.Errorf("%q is not an incident ID", fs.Arg(0))
	}
	vs, err := db.IncidentVerdicts(ctx, id)
	if err != nil {
		return err
	}
	changes, err := db.VerdictChanges(ctx, id)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"verdicts": vs, "changes": changes})
	}
	if len(vs) == 0 {
		return domain.Errorf(domain.ENOTFOUND, "incident %d has not been judged", id)
	}
	for _, v := range vs {
		if agreementID != 0 && v.AgreementID != agreementID {
			continue
		}
		fmt.Fprintf(stdout, "incident %d under agreement %d (version %d), computed %s:\n  %s\n",
			v.IncidentID, v.AgreementID, v.AgreementVersion, v.ComputedAt.Format(time.RFC3339), v.Sentence)
	}
	for _, ch := range changes {
		fmt.Fprintf(stdout, "  %s  %s → %s  (%s, by %s)\n", ch.Cause.At.Format(time.RFC3339), orNone(ch.OldOutcome),
			ch.NewOutcome, ch.Cause.Text, ch.Cause.Actor)
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
