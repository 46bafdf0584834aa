// Package bulletin builds the desk's daily bulletin, in the manner of the
// daily bulletins of the Russian Reconciliation Center of 2016: violations by
// governorate and by party, new commitments and local reconciliation
// agreements, messages received and still open, the intensity of the last four weeks with its test, a map, and the
// VDC's deaths for the day. Every figure carries the API URL of the records
// behind it. A Report is plain data, published as JSON with its hash, and
// rendered from that data to HTML, Markdown and PDF, so the three always
// agree.
package bulletin

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/trucedesk/truce/internal/analysis"
	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/stats"
)

// ChartDays is how many days the intensity chart shows, ending on the day.
const ChartDays = 28

// BaselineDays is the baseline the day's intensity is tested against.
const BaselineDays = 14

// Report is the content of one daily bulletin.
type Report struct {
	Agreement   Agreement `json:"agreement"`
	Day         stats.Day `json:"day"`
	Title       string    `json:"title"`
	DayNumber   int       `json:"day_number"` // day 1 is the day the cessation began; 0 before it
	Provisional bool      `json:"provisional,omitempty"`
	AsOf        time.Time `json:"as_of"`
	// From and Until are the instants the day spans in the agreement's zone.
	From  time.Time `json:"from"`
	Until time.Time `json:"until"`

	Violations      Tally        `json:"violations"`
	Verdicts        []Row        `json:"verdicts,omitempty"`
	Commitments     []Commitment `json:"commitments"`
	Reconciliations Settlements  `json:"reconciliations"`
	Messages        Messages     `json:"messages"`
	Intensity       Intensity    `json:"intensity"`
	Map             Map          `json:"map"`
	VDC             VDC          `json:"vdc"`
	Notes           []string     `json:"notes,omitempty"`
}

// Agreement is what the bulletin says about the agreement.
type Agreement struct {
	Slug     string    `json:"slug"`
	Name     string    `json:"name"`
	TimeZone string    `json:"time_zone"`
	Start    time.Time `json:"start"`
	StartDay stats.Day `json:"start_day"`
}

// Row is one line of a table: a figure and the records behind it.
type Row struct {
	Key        string `json:"key"`
	Label      string `json:"label"`
	Count      int64  `json:"count"`
	Fatalities int64  `json:"fatalities"`
	Link       string `json:"link"`
}

// Tally is the day's violations, or, until verdicts are stored, its
// incidents of prohibited types after the start, as Label says.
type Tally struct {
	Label         string `json:"label"`
	Basis         string `json:"basis"` // "verdicts" or "prohibited types"
	Total         int64  `json:"total"`
	Fatalities    int64  `json:"fatalities"`
	Link          string `json:"link"`
	ByGovernorate []Row  `json:"by_governorate"`
	ByParty       []Row  `json:"by_party"`
}

// Commitment is a party status row that took effect on the day.
type Commitment struct {
	Party      string    `json:"party"`
	Slug       string    `json:"slug"`
	Kind       string    `json:"kind"`
	Designator string    `json:"designator,omitempty"`
	At         time.Time `json:"at"`
	Source     string    `json:"source,omitempty"`
	Link       string    `json:"link"`
}

// Settlements is the day's local reconciliation agreements: those signed on
// the day, and how many stand in force, or are signed and not yet reported
// in force, at its end.
type Settlements struct {
	New     []Settlement `json:"new"`
	Link    string       `json:"link"` // the day's new agreements
	InForce int          `json:"in_force"`
	// InForceLink lists the agreements the timeline has in force at the
	// end of the day, as the count reads it.
	InForceLink string `json:"in_force_link"`
	Pending     int    `json:"pending"` // signed, not yet reported in force
	PendingLink string `json:"pending_link"`
}

// Settlement is one reconciliation agreement signed on the day.
type Settlement struct {
	Settlement  string    `json:"settlement"`
	Governorate string    `json:"governorate"`
	Parties     []string  `json:"parties"` // "name (role)"
	Terms       []string  `json:"terms,omitempty"`
	At          time.Time `json:"at"`
	Link        string    `json:"link"`
}

// Messages counts the messages received on the day.
type Messages struct {
	Received     int    `json:"received"`
	Open         int    `json:"open"` // of those, still received or triaged
	Link         string `json:"link"`
	OpenLink     string `json:"open_link"`
	ByChannel    []Row  `json:"by_channel"`
	Incompletely bool   `json:"incompletely,omitempty"` // more than a page: counts are lower bounds
}

// Intensity is the chart of the last ChartDays days and the day's test.
type Intensity struct {
	Label  string               `json:"label"`
	Window stats.Window         `json:"window"`
	Counts []int64              `json:"counts"`
	Test   *analysis.Comparison `json:"test,omitempty"`
	// TestNote says why there is no test, when there is none.
	TestNote string `json:"test_note,omitempty"`
	Link     string `json:"link"`
}

// Map is the governorates and the day's incidents with a known point.
type Map struct {
	Regions []Shape `json:"regions"`
	Dots    []Dot   `json:"dots"`
	Missing int     `json:"missing"` // incidents of the day with no point
}

// Shape is a governorate outline: polygons of rings of [lon, lat].
type Shape struct {
	Name     string           `json:"name"`
	Polygons [][][][2]float64 `json:"polygons"`
}

// Dot is an incident on the map.
type Dot struct {
	Lat        float64 `json:"lat"`
	Lon        float64 `json:"lon"`
	Prohibited bool    `json:"prohibited"`
	Link       string  `json:"link"`
}

// VDC is the Violations Documentation Center's deaths for the day.
type VDC struct {
	Total int64  `json:"total"`
	Rows  []Row  `json:"rows"`
	Note  string `json:"note,omitempty"`
	Link  string `json:"link"`
}

// Build gathers the bulletin of day from the store. A day that has not
// begun is refused; today's bulletin is marked provisional.
func Build(ctx context.Context, an *analysis.Analyzer, day stats.Day) (*Report, error) {
	today := an.Today()
	if day > today {
		return nil, domain.FieldErrorf("date", "%s has not happened yet (today is %s in %s)", day, today, an.Agreement.TimeZone)
	}
	a := an.Agreement
	from, until := an.LocalRange(stats.Window{From: day, To: day + 1})
	startDay := stats.DayOf(a.Start, an.Loc)
	r := &Report{
		Agreement: Agreement{Slug: a.Slug, Name: a.Name, TimeZone: a.TimeZone, Start: a.Start.UTC(), StartDay: startDay},
		Day:       day, Title: "Daily bulletin, " + day.Date().Format("2 January 2006"),
		Provisional: day == today, AsOf: an.Now().UTC().Truncate(time.Second),
		From: from.UTC(), Until: until.UTC(),
	}
	if day >= startDay {
		r.DayNumber = int(day-startDay) + 1
	}
	if r.Provisional {
		r.Notes = append(r.Notes, "Provisional: the day is not over, so its figures may still grow.")
	}
	steps := []func(context.Context, *analysis.Analyzer, *Report) error{
		buildViolations, buildCommitments, buildReconciliations, buildMessages, buildIntensity, buildMap, buildVDC,
	}
	for _, step := range steps {
		if err := step(ctx, an, r); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// recordsLink is the API URL listing the incidents behind a figure: those
// the series over w, grouped by and filtered as kv says, counts under key.
// /api/v1/series/incidents reads them through the same code that counts
// them, so the list it opens holds exactly the figure's incidents.
func recordsLink(r *Report, w stats.Window, by stats.Key, key string, kv ...string) string {
	v := url.Values{}
	v.Set("agreement", r.Agreement.Slug)
	v.Set("since", w.From.String())
	v.Set("until", w.To.String())
	if by != stats.KeyNone {
		v.Set("by", string(by))
		v.Set("key", key)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return "/api/v1/series/incidents?" + v.Encode()
}

// dayLink is the list behind the intensity chart's bar of day d.
func dayLink(r *Report, d stats.Day) string {
	return recordsLink(r, stats.Window{From: d, To: d + 1}, stats.KeyNone, "", "prohibited", "true")
}

func buildViolations(ctx context.Context, an *analysis.Analyzer, r *Report) error {
	a := an.Agreement
	day := stats.Window{From: r.Day, To: r.Day + 1}
	q := analysis.Query{Window: day, Filter: domain.IncidentFilter{Since: a.Start}}
	t := &r.Violations
	// The links carry the same narrowing as the query: incidents from the
	// start on, and either violations or prohibited types.
	var filter []string
	if a.Start.After(r.From) {
		filter = append(filter, "not_before", a.Start.UTC().Format(time.RFC3339))
	}
	if an.HasVerdicts(ctx) {
		q.Verdict = stats.VerdictViolation
		t.Basis = "verdicts"
		t.Label = "Violations (compliance verdicts, in the view of the " + a.ExclusionAuthority + ")"
		vs, err := an.Daily(ctx, analysis.Query{Window: q.Window, By: stats.KeyVerdict, Filter: q.Filter})
		if err != nil {
			return err
		}
		for _, s := range vs {
			r.Verdicts = append(r.Verdicts, Row{Key: s.Key, Label: strings.ReplaceAll(s.Key, "_", " "),
				Count: s.Counts[0], Fatalities: int64(s.Sums[0]), Link: recordsLink(r, day, stats.KeyVerdict, s.Key, filter...)})
		}
		filter = append(filter, "verdict", stats.VerdictViolation)
	} else {
		q.Types = a.ProhibitedActs
		t.Basis = "prohibited types"
		t.Label = "Incidents of prohibited types since the cessation began (no compliance verdicts are stored yet: these are not verdicts of violation)"
		filter = append(filter, "prohibited", "true")
	}
	t.Link = recordsLink(r, day, stats.KeyNone, "", filter...)
	if r.Until.Before(a.Start) || r.Until.Equal(a.Start) {
		r.Notes = append(r.Notes, fmt.Sprintf("The cessation began on %s; this day is before it, so nothing on it is counted as a violation.",
			a.Start.In(an.Loc).Format("2 January 2006 15:04 MST")))
		return nil
	}
	for _, by := range []stats.Key{stats.KeyAdmin1, stats.KeyPerpetrator} {
		q.By = by
		series, err := an.Daily(ctx, q)
		if err != nil {
			return err
		}
		var rows []Row
		for _, s := range series {
			if s.Counts[0] == 0 {
				continue
			}
			rows = append(rows, Row{Key: s.Key, Label: an.FormatKey(by, s.Key), Count: s.Counts[0], Fatalities: int64(s.Sums[0]),
				Link: recordsLink(r, day, by, s.Key, filter...)})
		}
		slices.SortStableFunc(rows, func(a, b Row) int { return int(b.Count - a.Count) })
		if by == stats.KeyAdmin1 {
			t.ByGovernorate = rows
			for _, row := range rows {
				t.Total += row.Count
				t.Fatalities += row.Fatalities
			}
		} else {
			t.ByParty = rows
		}
	}
	return nil
}

func buildCommitments(ctx context.Context, an *analysis.Analyzer, r *Report) error {
	rows, err := an.Store.PartyStatuses(ctx, an.Agreement.ID)
	if err != nil {
		return err
	}
	r.Commitments = []Commitment{}
	for _, s := range rows {
		if s.ValidFrom.Before(r.From) || !s.ValidFrom.Before(r.Until) {
			continue
		}
		c := Commitment{Kind: string(s.Kind), Designator: s.Designator, At: s.ValidFrom.UTC(), Source: s.Source,
			Link: "/api/v1/agreements/" + an.Agreement.Slug}
		if p := an.PartyByID(s.PartyID); p != nil {
			c.Party, c.Slug = p.Name, p.Slug
		}
		r.Commitments = append(r.Commitments, c)
	}
	slices.SortStableFunc(r.Commitments, func(a, b Commitment) int { return a.At.Compare(b.At) })
	return nil
}

// Labels of signatory roles and term kinds, as the bulletin prints them.
var (
	roleLabels = map[domain.SignatoryRole]string{
		domain.SignatoryArmedGroup: "armed group", domain.SignatoryCommunity: "representatives",
		domain.SignatoryGovernment: "government", domain.SignatoryGuarantor: "guarantor",
	}
	termLabels = map[domain.TermKind]string{
		domain.TermHeavyWeapons: "heavy weapons handed over", domain.TermHumanitarianAccess: "humanitarian access",
		domain.TermEvacuation: "evacuation", domain.TermStatusSettlement: "status settled",
		domain.TermDetainees: "detainees released", domain.TermOther: "other",
	}
)

// reconciliationsLink is the API URL listing the reconciliations behind a
// figure; the list route reads the same filter the count does.
func reconciliationsLink(r *Report, kv ...string) string {
	v := url.Values{"agreement": {r.Agreement.Slug}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return "/api/v1/reconciliations?" + v.Encode()
}

func buildReconciliations(ctx context.Context, an *analysis.Analyzer, r *Report) error {
	rs := &r.Reconciliations
	rs.New = []Settlement{}
	from, until := r.From.Format(time.RFC3339), r.Until.Format(time.RFC3339)
	rs.Link = reconciliationsLink(r, "since", from, "until", until)
	f := domain.ReconciliationFilter{AgreementID: an.Agreement.ID, Since: r.From, Until: r.Until, Limit: 1000}
	for {
		page, err := an.Store.Reconciliations(ctx, f)
		if err != nil {
			return err
		}
		for _, rc := range page {
			rs.New = append(rs.New, settlement(an, rc))
		}
		if len(page) < f.Limit {
			break
		}
		f.AfterID = page[len(page)-1].ID
	}
	slices.SortStableFunc(rs.New, func(a, b Settlement) int { return a.At.Compare(b.At) })
	var err error
	at := domain.ReconciliationFilter{AgreementID: an.Agreement.ID, AsOf: r.Until}
	at.State = domain.ReconciliationInForce
	if rs.InForce, err = an.Store.CountReconciliations(ctx, at); err != nil {
		return err
	}
	rs.InForceLink = reconciliationsLink(r, "state", string(at.State), "as_of", until)
	at.State = domain.ReconciliationSigned
	if rs.Pending, err = an.Store.CountReconciliations(ctx, at); err != nil {
		return err
	}
	rs.PendingLink = reconciliationsLink(r, "state", string(at.State), "as_of", until)
	return nil
}

func settlement(an *analysis.Analyzer, rc *domain.Reconciliation) Settlement {
	s := Settlement{Settlement: rc.Settlement, Governorate: rc.Admin1, At: rc.SignedAt.UTC(),
		Link: "/api/v1/reconciliations/" + strconv.FormatInt(rc.ID, 10), Parties: []string{}}
	for _, sg := range rc.Signatories {
		name := sg.Name
		if p := an.PartyByID(sg.PartyID); p != nil {
			name = p.Name
		} else if name == "" {
			name = "party " + strconv.FormatInt(sg.PartyID, 10)
		}
		s.Parties = append(s.Parties, oneLine(name)+" ("+roleLabels[sg.Role]+")")
	}
	for _, t := range rc.Terms {
		term := termLabels[t.Kind]
		if t.Text != "" {
			term += ": " + oneLine(t.Text)
		}
		s.Terms = append(s.Terms, term)
	}
	return s
}

// oneLine folds free text onto one line: a term's text may hold line
// breaks, and it is printed in a table cell.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func buildMessages(ctx context.Context, an *analysis.Analyzer, r *Report) error {
	m := &r.Messages
	v := url.Values{"since": {r.From.Format(time.RFC3339)}, "until": {r.Until.Format(time.RFC3339)}}
	m.Link = "/api/v1/inbox?" + v.Encode()
	v.Set("state", "received,triaged")
	m.OpenLink = "/api/v1/inbox?" + v.Encode()
	byChannel := map[string]int64{}
	f := domain.MessageFilter{Since: r.From, Until: r.Until, Limit: 1000}
	for page := 0; ; page++ {
		msgs, err := an.Store.Messages(ctx, f)
		if err != nil {
			return err
		}
		for _, msg := range msgs {
			m.Received++
			if msg.State == domain.StateReceived || msg.State == domain.StateTriaged {
				m.Open++
			}
			byChannel[string(msg.Channel)]++
		}
		if len(msgs) < f.Limit {
			break
		}
		if page == 100 {
			m.Incompletely = true
			break
		}
		f.AfterID = msgs[len(msgs)-1].ID
	}
	m.ByChannel = []Row{}
	for ch, n := range byChannel {
		w := url.Values{"since": {r.From.Format(time.RFC3339)}, "until": {r.Until.Format(time.RFC3339)}, "channel": {ch}}
		m.ByChannel = append(m.ByChannel, Row{Key: ch, Label: ch, Count: n, Link: "/api/v1/inbox?" + w.Encode()})
	}
	slices.SortFunc(m.ByChannel, func(a, b Row) int { return strings.Compare(a.Key, b.Key) })
	return nil
}

func buildIntensity(ctx context.Context, an *analysis.Analyzer, r *Report) error {
	in := &r.Intensity
	in.Window = stats.Window{From: r.Day - ChartDays + 1, To: r.Day + 1}
	in.Label = "Incidents of prohibited types per day"
	q := analysis.Query{Window: in.Window, Types: an.Agreement.ProhibitedActs}
	series, err := an.Daily(ctx, q)
	if err != nil {
		return err
	}
	in.Counts = series[0].Counts
	in.Link = "/api/v1/series/daily?" + url.Values{"agreement": {r.Agreement.Slug}, "since": {in.Window.From.String()},
		"until": {in.Window.To.String()}, "prohibited": {"true"}}.Encode()
	c, err := an.Compare(ctx, q, analysis.MetricIncidents, r.Day+1, 1, BaselineDays)
	switch {
	case err == nil:
		in.Test = c
	case domain.ErrorCode(err) == domain.EINVALID:
		in.TestNote = "No test of the day against the " + strconv.Itoa(BaselineDays) + " days before: " + domain.ErrorMessage(err)
	default:
		return err
	}
	return nil
}

func buildVDC(ctx context.Context, an *analysis.Analyzer, r *Report) error {
	v := &r.VDC
	v.Link = "/api/v1/series/vdc?" + url.Values{"agreement": {r.Agreement.Slug}, "since": {r.Day.String()}, "until": {(r.Day + 1).String()}}.Encode()
	rows, err := an.Store.DailyCounts(ctx, analysis.SeriesVDC, r.Day.String(), r.Day.String())
	if err != nil {
		return err
	}
	v.Rows = []Row{}
	haveTotal := false
	for _, c := range rows {
		if c.Region == "" {
			v.Total, haveTotal = int64(c.Value), true
			continue
		}
		if c.Value == 0 {
			continue
		}
		v.Rows = append(v.Rows, Row{Key: c.Region, Label: c.Region, Count: int64(c.Value),
			Link: "/api/v1/series/vdc?" + url.Values{"agreement": {r.Agreement.Slug}, "region": {c.Region},
				"since": {r.Day.String()}, "until": {(r.Day + 1).String()}}.Encode()})
	}
	slices.SortStableFunc(v.Rows, func(a, b Row) int { return int(b.Count - a.Count) })
	switch {
	case len(rows) == 0:
		v.Note = "The VDC series has no figures for this day."
	case !haveTotal:
		for _, row := range v.Rows {
			v.Total += row.Count
		}
	}
	return nil
}
