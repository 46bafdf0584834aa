package assess_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trucedesk/truce/internal/assess"
	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/store/storetest"
)

var ctx = context.Background()

func damascus(day, hour, min int) time.Time {
	loc, err := time.LoadLocation("Asia/Damascus")
	if err != nil {
		panic(err)
	}
	return time.Date(2016, time.February, day, hour, min, 0, 0, loc)
}

// desk is a store with the parties of a small scenario, and a service over it.
type desk struct {
	s       domain.Store
	svc     *assess.Service
	a       *domain.Agreement
	parties map[string]int64
	clock   time.Time
}

func newDesk(t *testing.T, open func(testing.TB) domain.Store) *desk {
	t.Helper()
	d := &desk{s: open(t), parties: map[string]int64{}, clock: time.Date(2016, 3, 1, 8, 0, 0, 0, time.UTC)}
	d.svc = &assess.Service{Store: d.s, PageSize: 2, Now: func() time.Time { d.clock = d.clock.Add(time.Minute); return d.clock }}
	for _, p := range []*domain.Party{
		{Slug: "saa", Name: "Syrian Arab Army", Kind: domain.KindState},
		{Slug: "ahrar", Name: "Ahrar al-Sham", Kind: domain.KindArmedGroup},
		{Slug: "isil", Name: "Islamic State", Kind: domain.KindArmedGroup},
	} {
		if err := d.s.CreateParty(ctx, p); err != nil {
			t.Fatal(err)
		}
		d.parties[p.Slug] = p.ID
	}
	d.a = &domain.Agreement{Slug: "coh", Name: "Cessation", TimeZone: "Asia/Damascus", Start: damascus(27, 0, 0),
		ProhibitedActs: []string{domain.SubAirStrike, domain.SubShelling}, ExclusionAuthority: "UN Security Council"}
	if _, err := d.svc.CreateAgreement(ctx, d.a, "co-chair"); err != nil {
		t.Fatal(err)
	}
	if err := d.s.AddPartyStatus(ctx, &domain.PartyStatus{AgreementID: d.a.ID, PartyID: d.parties["isil"],
		Kind: domain.StatusExcluded, Designator: "UN Security Council", ValidFrom: time.Date(2004, 10, 18, 0, 0, 0, 0, time.UTC),
		RecordedBy: "co-chair"}); err != nil {
		t.Fatal(err)
	}
	return d
}

// The incidents of the test, by key; their IDs differ from store to store.
var incidents = []struct {
	key      string
	sub      string
	at       time.Time
	lat, lon float64
	perps    []string
	targets  []string
}{
	{"saa-on-ahrar", domain.SubShelling, damascus(28, 10, 0), 36.2, 37.15, []string{"saa"}, []string{"ahrar"}},
	{"ahrar-on-saa", domain.SubShelling, damascus(28, 11, 0), 36.2, 37.16, []string{"ahrar"}, []string{"saa"}},
	{"strike-raqqa", domain.SubAirStrike, damascus(29, 9, 0), 35.95, 39.01, []string{"saa"}, nil},
	{"strike-damascus", domain.SubAirStrike, damascus(29, 9, 0), 33.51, 36.29, []string{"saa"}, nil},
	{"ahrar-before", domain.SubShelling, damascus(26, 23, 59), 36.2, 37.17, []string{"ahrar"}, []string{"saa"}},
}

func (d *desk) addIncidents(t *testing.T) map[string]int64 {
	t.Helper()
	ids := map[string]int64{}
	for _, x := range incidents {
		in := &domain.Incident{SubEventType: x.sub, OccurredAt: x.at, Point: &domain.Point{Lat: x.lat, Lon: x.lon},
			CreatedBy: "monitor", Summary: x.key}
		for _, p := range x.perps {
			in.Perpetrators = append(in.Perpetrators, d.parties[p])
		}
		for _, p := range x.targets {
			in.Targets = append(in.Targets, d.parties[p])
		}
		if err := d.s.CreateIncident(ctx, in); err != nil {
			t.Fatal(err)
		}
		if _, err := d.svc.JudgeIncident(ctx, in.ID, "monitor"); err != nil {
			t.Fatal(err)
		}
		ids[x.key] = in.ID
	}
	return ids
}

func (d *desk) addStatus(t *testing.T) *assess.Report {
	t.Helper()
	rep, err := d.svc.AddStatus(ctx, &domain.PartyStatus{AgreementID: d.a.ID, PartyID: d.parties["ahrar"],
		Kind: domain.StatusCommitted, Designator: "United States", ValidFrom: damascus(26, 12, 0)}, "co-chair")
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

const raqqaMap = `{"type":"FeatureCollection","features":[{"type":"Feature",
	"properties":{"name":"Raqqa (illustrative)","controller":"isil","valid_from":"2014-01-13"},
	"geometry":{"type":"Polygon","coordinates":[[[38.5,35.5],[39.5,35.5],[39.5,36.3],[38.5,36.3],[38.5,35.5]]]}}]}`

func (d *desk) importMap(t *testing.T) *assess.AreaImport {
	t.Helper()
	res, err := d.svc.ImportAreas(ctx, []byte(raqqaMap), time.UTC, "co-chair")
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// outcomes maps incident keys to their stored base outcome and reason.
func (d *desk) outcomes(t *testing.T, ids map[string]int64) map[string]string {
	t.Helper()
	out := map[string]string{}
	for key, id := range ids {
		v, err := d.s.Verdict(ctx, id, d.a.ID)
		if err != nil {
			t.Fatal(err)
		}
		out[key] = v.Outcome + "/" + v.Reason
	}
	return out
}

type change struct{ Key, Old, New string }

func changes(ids map[string]int64, rep *assess.Report) (judged []string, got []change) {
	keys := map[int64]string{}
	for k, id := range ids {
		keys[id] = k
	}
	for _, id := range rep.Judged {
		judged = append(judged, keys[id])
	}
	slices.Sort(judged)
	for _, c := range rep.Changes {
		got = append(got, change{keys[c.IncidentID], c.OldOutcome, c.NewOutcome})
	}
	return judged, got
}

func TestRecomputeTouchesAffected(t *testing.T) {
	for _, eng := range []struct {
		name string
		open func(testing.TB) domain.Store
	}{
		{"sqlite", func(tb testing.TB) domain.Store { return storetest.OpenSQLite(tb) }},
		{"postgres", func(tb testing.TB) domain.Store { return storetest.OpenPostgres(tb) }},
	} {
		t.Run(eng.name, func(t *testing.T) { testRecompute(t, eng.open) })
	}
}

func testRecompute(t *testing.T, open func(testing.TB) domain.Store) {
	d := newDesk(t, open)
	ids := d.addIncidents(t)
	want := map[string]string{
		"saa-on-ahrar":    "violation/",
		"ahrar-on-saa":    "undetermined/no_status",
		"strike-raqqa":    "undetermined/target_unknown",
		"strike-damascus": "undetermined/target_unknown",
		"ahrar-before":    "not_violation/before_start",
	}
	if diff := cmp.Diff(want, d.outcomes(t, ids)); diff != "" {
		t.Fatalf("verdicts at creation (-want +got):\n%s", diff)
	}

	steps := []struct {
		name        string
		do          func() *assess.Report
		wantJudged  []string
		wantChanges []change
	}{
		{
			// Ahrar commits from noon on 26 Feb: incidents naming Ahrar
			// from then on are judged again; the one before is not.
			name:        "status",
			do:          func() *assess.Report { return d.addStatus(t) },
			wantJudged:  []string{"ahrar-before", "ahrar-on-saa", "saa-on-ahrar"},
			wantChanges: []change{{"ahrar-on-saa", "undetermined", "violation"}},
		},
		{
			// ISIL's Raqqa: only the strike inside its bounds is judged again.
			name:        "area",
			do:          func() *assess.Report { return d.importMap(t).Report },
			wantJudged:  []string{"strike-raqqa"},
			wantChanges: []change{{"strike-raqqa", "undetermined", "not_violation"}},
		},
		{
			// A new name changes no verdict and judges nothing.
			name: "terms renamed",
			do: func() *assess.Report {
				a, _ := d.s.Agreement(ctx, d.a.ID)
				a.Name = "Cessation of Hostilities"
				rep, err := d.svc.EditTerms(ctx, a, "co-chair")
				if err != nil {
					t.Fatal(err)
				}
				return rep
			},
		},
		{
			// A start moved a day later: everything within a month of it.
			name: "start moved",
			do: func() *assess.Report {
				a, _ := d.s.Agreement(ctx, d.a.ID)
				a.Start = damascus(29, 0, 0)
				rep, err := d.svc.EditTerms(ctx, a, "co-chair")
				if err != nil {
					t.Fatal(err)
				}
				return rep
			},
			wantJudged: []string{"ahrar-before", "ahrar-on-saa", "saa-on-ahrar", "strike-damascus", "strike-raqqa"},
			wantChanges: []change{
				{"saa-on-ahrar", "violation", "not_violation"},
				{"ahrar-on-saa", "violation", "not_violation"},
			},
		},
	}
	for _, st := range steps {
		rep := st.do()
		judged, got := changes(ids, rep)
		if diff := cmp.Diff(st.wantJudged, judged); diff != "" {
			t.Errorf("%s: judged (-want +got):\n%s", st.name, diff)
		}
		if diff := cmp.Diff(st.wantChanges, got); diff != "" {
			t.Errorf("%s: changes (-want +got):\n%s", st.name, diff)
		}
	}

	// The history of one incident names each change, its cause and actor.
	hist, err := d.s.VerdictChanges(ctx, ids["ahrar-on-saa"])
	if err != nil {
		t.Fatal(err)
	}
	var causes []string
	for _, c := range hist {
		causes = append(causes, string(c.Cause.Kind)+" by "+c.Cause.Actor+": "+c.OldOutcome+" → "+c.NewOutcome)
	}
	wantCauses := []string{
		"incident by monitor:  → undetermined",
		"status by co-chair: undetermined → violation",
		"terms by co-chair: violation → not_violation",
	}
	if diff := cmp.Diff(wantCauses, causes); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}

	// Incremental recomputation left nothing for a full one to find.
	full, err := d.svc.Recompute(ctx, 0, "co-chair")
	if err != nil {
		t.Fatal(err)
	}
	if len(full.Judged) != len(ids) || len(full.Changes) != 0 || full.Written != 0 {
		t.Errorf("full recompute: judged %d, wrote %d, changed %d; want %d, 0, 0",
			len(full.Judged), full.Written, len(full.Changes), len(ids))
	}
}

// TestInsertionOrder stores the same records in two orders: inputs after
// the incidents (recomputed incrementally), and inputs before them (judged
// at creation). The verdicts must be the same.
func TestInsertionOrder(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			open := func(tb testing.TB) domain.Store { return e.Open(tb) }
			late := newDesk(t, open)
			lateIDs := late.addIncidents(t)
			late.importMap(t)
			late.addStatus(t)

			early := newDesk(t, open)
			early.addStatus(t)
			early.importMap(t)
			earlyIDs := early.addIncidents(t)

			if diff := cmp.Diff(early.outcomes(t, earlyIDs), late.outcomes(t, lateIDs)); diff != "" {
				t.Errorf("verdicts by insertion order (-inputs first +incidents first):\n%s", diff)
			}
		})
	}
}

func TestImportAreasRefusesUnknownController(t *testing.T) {
	d := newDesk(t, func(tb testing.TB) domain.Store { return storetest.OpenSQLite(tb) })
	bad := `{"type":"FeatureCollection","features":[
	{"type":"Feature","properties":{"controller":"isil","valid_from":"2016-01-01"},
	 "geometry":{"type":"Polygon","coordinates":[[[38,35],[39,35],[39,36],[38,35]]]}},
	{"type":"Feature","properties":{"controller":"nobody","valid_from":"2016-01-01"},
	 "geometry":{"type":"Polygon","coordinates":[[[38,35],[39,35],[39,36],[38,35]]]}}]}`
	_, err := d.svc.ImportAreas(ctx, []byte(bad), time.UTC, "co-chair")
	if domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("got %v, want invalid", err)
	}
	if want := `feature 1: properties.controller: no party has the slug "nobody"`; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not say %q", err, want)
	}
	if areas, _ := d.s.Areas(ctx); len(areas) != 0 {
		t.Errorf("%d areas stored after a refused import, want none", len(areas))
	}
}
