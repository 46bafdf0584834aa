package compliance_test

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/trucedesk/truce/internal/compliance"
	"github.com/trucedesk/truce/internal/control"
	"github.com/trucedesk/truce/internal/domain"
)

func newEngine(tb testing.TB, a *domain.Agreement) *compliance.Engine {
	tb.Helper()
	e, err := compliance.New(a, scenarioParties(), scenarioStatuses(), control.NewIndex(scenarioAreas()))
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

// strike builds a day-precision incident.
func strike(sub string, when time.Time, p *domain.Point, perps, targets []int64) *domain.Incident {
	return &domain.Incident{ID: 1, SubEventType: sub, OccurredAt: when, TimePrecision: domain.TimeDay,
		Point: p, GeoPrecision: domain.GeoExact, Admin1: "Aleppo", Perpetrators: perps, Targets: targets}
}

type outcome struct {
	Designator string
	Outcome    compliance.Outcome
	Reason     compliance.Reason
}

func outcomes(v compliance.Verdict) []outcome {
	var out []outcome
	for _, view := range v.Views {
		out = append(out, outcome{view.Designator, view.Outcome, view.Reason})
	}
	return out
}

func one(o compliance.Outcome, r compliance.Reason) []outcome {
	return []outcome{{unsc, o, r}}
}

func TestJudgeScenario2016(t *testing.T) {
	e := newEngine(t, scenarioAgreement())
	feb28 := at(28, 10, 0)
	withPrecision := func(in *domain.Incident, tp domain.TimePrecision, gp domain.GeoPrecision) *domain.Incident {
		in.TimePrecision, in.GeoPrecision = tp, gp
		return in
	}
	tests := []struct {
		name         string
		in           *domain.Incident
		want         []outcome
		wantSentence string
	}{
		{"air strike on ISIL-held Raqqa after the start",
			strike(domain.SubAirStrike, at(29, 14, 0), raqqaCity, []int64{ruAF}, nil),
			one(compliance.NotViolation, compliance.ReasonTargetExcluded),
			"not a violation in the co-chairs' view: area held by ISIL, excluded by UN Security Council"},
		{"air strike on a committed armed group after the start",
			strike(domain.SubAirStrike, feb28, douma, []int64{saa}, []int64{jaish}),
			one(compliance.Violation, ""),
			"violation in the co-chairs' view: Air/drone strike by Syrian Arab Army on Jaysh al-Islam, not excluded"},
		{"the same strike one minute before 00:00 Damascus time on 27 February",
			strike(domain.SubAirStrike, at(26, 23, 59), douma, []int64{saa}, []int64{jaish}),
			one(compliance.NotViolation, compliance.ReasonBeforeStart),
			"not a violation in the co-chairs' view: before the start at 2016-02-27T00:00:00+02:00"},
		{"the same strike at 00:00 exactly",
			strike(domain.SubAirStrike, at(27, 0, 0), douma, []int64{saa}, []int64{jaish}),
			one(compliance.Violation, ""), ""},
		{"the same strike at 23:59 UTC on 26 February, which is 01:59 in Damascus",
			strike(domain.SubAirStrike, time.Date(2016, 2, 26, 23, 59, 0, 0, time.UTC), douma, []int64{saa}, []int64{jaish}),
			one(compliance.Violation, ""), ""},
		{"Turkish shelling of YPG positions: the views disagree",
			strike(domain.SubShelling, feb28, tellRifaat, []int64{tsk}, []int64{ypg}),
			[]outcome{{unsc, compliance.Violation, ""}, {"Turkey", compliance.NotViolation, compliance.ReasonTargetExcluded}},
			"violation in the co-chairs' view: Shelling/artillery/missile attack by Turkish Armed Forces on YPG, not excluded; " +
				"not a violation in Turkey's view: target YPG designated by Turkey"},
		{"YPJ inherits Turkey's designation of the YPG",
			strike(domain.SubShelling, feb28, tellRifaat, []int64{tsk}, []int64{ypj}),
			[]outcome{{unsc, compliance.Violation, ""}, {"Turkey", compliance.NotViolation, compliance.ReasonTargetExcluded}}, ""},
		{"Turkish shelling of the YPG's ground with no target named: the views disagree on the area",
			strike(domain.SubShelling, feb28, tellRifaat, []int64{tsk}, nil),
			[]outcome{{unsc, compliance.Violation, ""}, {"Turkey", compliance.NotViolation, compliance.ReasonTargetExcluded}}, ""},
		{"YPG shelling Turkish forces: in Turkey's view the YPG is no party",
			strike(domain.SubShelling, feb28, tellRifaat, []int64{ypg}, []int64{tsk}),
			[]outcome{{unsc, compliance.Violation, ""}, {"Turkey", compliance.NotViolation, compliance.ReasonPerpetratorNotParty}}, ""},
		{"unknown perpetrator",
			strike(domain.SubAirStrike, feb28, douma, nil, []int64{civilians}),
			one(compliance.Undetermined, compliance.ReasonPerpetratorUnknown),
			"undetermined in the co-chairs' view: perpetrator unknown"},
		{"strike inside the hole: the ISIL ring does not apply, the pocket does",
			strike(domain.SubAirStrike, feb28, deirPocket, []int64{ruAF}, []int64{civilians}),
			one(compliance.Violation, ""),
			"violation in the co-chairs' view: Air/drone strike by Russian Aerospace Forces in an area held by Syrian Arab Army, not excluded"},
		{"strike in the ISIL ring around the pocket",
			strike(domain.SubAirStrike, feb28, deirISIL, []int64{ruAF}, []int64{civilians}),
			one(compliance.NotViolation, compliance.ReasonTargetExcluded), ""},
		{"location known only to the governorate, coarser than the areas",
			withPrecision(strike(domain.SubAirStrike, feb28, raqqaCity, []int64{ruAF}, nil), domain.TimeDay, domain.GeoProvince),
			one(compliance.Undetermined, compliance.ReasonLocationTooImprecise), ""},
		{"no point at all",
			strike(domain.SubAirStrike, feb28, nil, []int64{ruAF}, nil),
			one(compliance.Undetermined, compliance.ReasonLocationTooImprecise), ""},
		{"a named protected target needs no map",
			withPrecision(strike(domain.SubAirStrike, feb28, nil, []int64{ruAF}, []int64{jaish}), domain.TimeDay, domain.GeoProvince),
			one(compliance.Violation, ""), ""},
		{"month-precision date straddling the start",
			withPrecision(strike(domain.SubAirStrike, at(15, 0, 0), douma, []int64{saa}, []int64{jaish}), domain.TimeMonth, domain.GeoExact),
			one(compliance.Undetermined, compliance.ReasonTimeTooImprecise),
			"undetermined in the co-chairs' view: the date, known to the month, straddles the start"},
		{"month precision wholly after the start",
			withPrecision(strike(domain.SubAirStrike, time.Date(2016, 3, 15, 0, 0, 0, 0, damascus), douma, []int64{saa}, []int64{jaish}), domain.TimeMonth, domain.GeoExact),
			one(compliance.Violation, ""), ""},
		{"week precision straddling the start",
			withPrecision(strike(domain.SubAirStrike, at(25, 0, 0), douma, []int64{saa}, []int64{jaish}), domain.TimeWeek, domain.GeoExact),
			one(compliance.Undetermined, compliance.ReasonTimeTooImprecise), ""},
		{"act not prohibited",
			strike("Arrests", feb28, douma, []int64{saa}, []int64{civilians}),
			one(compliance.NotViolation, compliance.ReasonActNotProhibited), ""},
		{"perpetrator excluded: ISIL is no party",
			strike(domain.SubShelling, feb28, deirPocket, []int64{isil}, []int64{saa}),
			one(compliance.NotViolation, compliance.ReasonPerpetratorNotParty),
			"not a violation in the co-chairs' view: perpetrator ISIL excluded by UN Security Council"},
		{"perpetrator with no status",
			strike(domain.SubShelling, feb28, idlibFront, []int64{ahrar}, []int64{saa}),
			one(compliance.Undetermined, compliance.ReasonNoStatus), ""},
		{"one of two perpetrators bound is enough",
			strike(domain.SubShelling, feb28, idlibFront, []int64{ahrar, fsa13}, []int64{saa}),
			one(compliance.Violation, ""), ""},
		{"brigade inherits its coalition's commitment",
			strike(domain.SubShelling, feb28, idlibFront, []int64{fsa13}, []int64{saa}),
			one(compliance.Violation, ""), ""},
		{"committed group before it withdrew",
			strike(domain.SubClash, time.Date(2016, 4, 10, 9, 0, 0, 0, damascus), douma, []int64{faylaq}, []int64{jaish}),
			one(compliance.Violation, ""), ""},
		{"the group after it withdrew",
			strike(domain.SubClash, time.Date(2016, 4, 28, 9, 0, 0, 0, damascus), douma, []int64{faylaq}, []int64{jaish}),
			one(compliance.NotViolation, compliance.ReasonPerpetratorNotParty), ""},
		{"target excluded: Nusra",
			strike(domain.SubAirStrike, feb28, idlibFront, []int64{ruAF}, []int64{nusra}),
			one(compliance.NotViolation, compliance.ReasonTargetExcluded), ""},
		{"excluded and protected targets together: a violation",
			strike(domain.SubAirStrike, feb28, idlibFront, []int64{ruAF}, []int64{nusra, fsa13}),
			one(compliance.Violation, ""), ""},
		{"no target named where Nusra and FSA areas overlap",
			strike(domain.SubAirStrike, feb28, idlibFront, []int64{ruAF}, nil),
			one(compliance.Undetermined, compliance.ReasonControlDisputed), ""},
		{"no target named and no area at the point",
			strike(domain.SubAirStrike, feb28, quneitraGap, []int64{ruAF}, nil),
			one(compliance.Undetermined, compliance.ReasonTargetUnknown), ""},
		{"civilians struck where no area is recorded",
			strike(domain.SubAirStrike, feb28, quneitraGap, []int64{ruAF}, []int64{civilians}),
			one(compliance.Violation, ""), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := e.Judge(tt.in)
			if diff := cmp.Diff(tt.want, outcomes(v)); diff != "" {
				t.Errorf("outcomes (-want +got):\n%s\nsentence: %s", diff, v.Sentence)
			}
			if tt.wantSentence != "" && v.Sentence != tt.wantSentence {
				t.Errorf("sentence:\ngot  %q\nwant %q", v.Sentence, tt.wantSentence)
			}
		})
	}
}

func TestJudgeTrace(t *testing.T) {
	e := newEngine(t, scenarioAgreement())
	v := e.Judge(strike(domain.SubAirStrike, at(29, 14, 0), raqqaCity, []int64{ruAF}, nil))
	want := []compliance.Step{
		{Rule: compliance.RuleAct, Pass: true, Facts: []compliance.Fact{{Kind: compliance.FactClause, Clause: "prohibited_acts",
			Value: "Air/drone strike; Shelling/artillery/missile attack; Armed clash"}}},
		{Rule: compliance.RuleTime, Pass: true, Facts: []compliance.Fact{{Kind: compliance.FactWhen, Value: "day"},
			{Kind: compliance.FactClause, Clause: "start", Value: "2016-02-27T00:00:00+02:00"}}},
		{Rule: compliance.RuleScope, Pass: true, Facts: []compliance.Fact{{Kind: compliance.FactClause, Clause: "scope", Value: "whole country"}}},
		{Rule: compliance.RulePerpetrator, Pass: true, Facts: []compliance.Fact{{Kind: compliance.FactParty, PartyID: ruAF, Value: "state"}}},
		{Rule: compliance.RuleTarget, Pass: true, Facts: []compliance.Fact{}},
		{Rule: compliance.RuleArea, Outcome: compliance.NotViolation, Reason: compliance.ReasonTargetExcluded, Facts: []compliance.Fact{
			{Kind: compliance.FactArea, ID: 201, Version: 1, PartyID: isil},
			{Kind: compliance.FactStatus, ID: 101, PartyID: isil, Clause: "excluded", Value: unsc}}},
	}
	if diff := cmp.Diff(want, v.Base().Trace); diff != "" {
		t.Errorf("trace (-want +got):\n%s", diff)
	}
	wantFrom, wantTo := at(29, 0, 0), time.Date(2016, 3, 1, 0, 0, 0, 0, damascus)
	if !v.From.Equal(wantFrom) || !v.To.Equal(wantTo) {
		t.Errorf("window: got [%v, %v), want [%v, %v)", v.From, v.To, wantFrom, wantTo)
	}
}

func TestJudgeTerms(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(a *domain.Agreement)
		in    *domain.Incident
		want  []outcome
		admin string
	}{
		{"outside a limited scope", func(a *domain.Agreement) { a.Scope = []string{"Aleppo", "Idlib"} },
			strike(domain.SubAirStrike, at(28, 10, 0), douma, []int64{saa}, []int64{jaish}),
			one(compliance.NotViolation, compliance.ReasonOutsideScope), "Rif Dimashq"},
		{"inside a limited scope, names folded", func(a *domain.Agreement) { a.Scope = []string{"Rif Dimashq"} },
			strike(domain.SubAirStrike, at(28, 10, 0), douma, []int64{saa}, []int64{jaish}),
			one(compliance.Violation, ""), "RIF-DIMASHQ"},
		{"limited scope and no governorate recorded", func(a *domain.Agreement) { a.Scope = []string{"Aleppo"} },
			strike(domain.SubAirStrike, at(28, 10, 0), douma, []int64{saa}, []int64{jaish}),
			one(compliance.Undetermined, compliance.ReasonLocationTooImprecise), " "},
		{"within the grace period", func(a *domain.Agreement) { a.Grace = 48 * time.Hour },
			strike(domain.SubAirStrike, at(28, 10, 0), douma, []int64{saa}, []int64{jaish}),
			one(compliance.NotViolation, compliance.ReasonInGrace), "Rif Dimashq"},
		{"a day straddling the end of a grace period that ends at noon", func(a *domain.Agreement) { a.Grace = 12 * time.Hour },
			strike(domain.SubAirStrike, at(27, 10, 0), douma, []int64{saa}, []int64{jaish}),
			one(compliance.Undetermined, compliance.ReasonTimeTooImprecise), "Rif Dimashq"},
		{"after the end", func(a *domain.Agreement) { a.End = time.Date(2016, 9, 19, 19, 0, 0, 0, damascus) },
			strike(domain.SubAirStrike, time.Date(2016, 9, 20, 10, 0, 0, 0, damascus), douma, []int64{saa}, []int64{jaish}),
			one(compliance.NotViolation, compliance.ReasonAfterEnd), "Rif Dimashq"},
		{"on the day the ceasefire ended", func(a *domain.Agreement) { a.End = time.Date(2016, 9, 19, 19, 0, 0, 0, damascus) },
			strike(domain.SubAirStrike, time.Date(2016, 9, 19, 10, 0, 0, 0, damascus), douma, []int64{saa}, []int64{jaish}),
			one(compliance.Undetermined, compliance.ReasonTimeTooImprecise), "Rif Dimashq"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := scenarioAgreement()
			tt.edit(a)
			tt.in.Admin1 = tt.admin
			v := newEngine(t, a).Judge(tt.in)
			if diff := cmp.Diff(tt.want, outcomes(v)); diff != "" {
				t.Errorf("outcomes (-want +got):\n%s\nsentence: %s", diff, v.Sentence)
			}
		})
	}
}

func TestNewRefusesBadTerms(t *testing.T) {
	a := scenarioAgreement()
	a.ExclusionAuthority = ""
	if _, err := compliance.New(a, nil, nil, nil); domain.ErrorField(err) != "exclusion_authority" {
		t.Errorf("got %v, want an error on exclusion_authority", err)
	}
	a = scenarioAgreement()
	a.TimeZone = "Damascus"
	if _, err := compliance.New(a, nil, nil, nil); domain.ErrorField(err) != "time_zone" {
		t.Errorf("got %v, want an error on time_zone", err)
	}
}

// randomIncidents draws incidents over the scenario's places, parties and
// precisions, around the start.
func randomIncidents(rng *rand.Rand, n int) []*domain.Incident {
	points := []*domain.Point{raqqaCity, douma, deirISIL, deirPocket, tellRifaat, idlibFront, quneitraGap, nil}
	subs := []string{domain.SubAirStrike, domain.SubShelling, domain.SubClash, "Arrests"}
	pick := func() []int64 {
		var ids []int64
		for range rng.IntN(3) {
			ids = append(ids, int64(1+rng.IntN(13)))
		}
		return ids
	}
	ins := make([]*domain.Incident, n)
	for i := range ins {
		ins[i] = &domain.Incident{
			ID: int64(i + 1), SubEventType: subs[rng.IntN(len(subs))],
			OccurredAt:    at(20, 0, 0).Add(time.Duration(rng.IntN(60*24*60)) * time.Minute),
			TimePrecision: domain.TimePrecision(1 + rng.IntN(3)), GeoPrecision: domain.GeoPrecision(1 + rng.IntN(3)),
			Point: points[rng.IntN(len(points))], Admin1: "Aleppo", Perpetrators: pick(), Targets: pick(),
		}
	}
	return ins
}

func shuffled[T any](rng *rand.Rand, s []T) []T {
	s = slices.Clone(s)
	rng.Shuffle(len(s), func(i, j int) { s[i], s[j] = s[j], s[i] })
	return s
}

// TestOrderIndependence checks that verdicts do not depend on the order in
// which incidents, statuses, parties or areas were given.
func TestOrderIndependence(t *testing.T) {
	rng := rand.New(rand.NewPCG(2016, 227))
	incidents := randomIncidents(rng, 400)
	// Rows with equal ValidFrom for the same party and designator are where
	// order could leak in; add some.
	statuses := append(scenarioStatuses(),
		&domain.PartyStatus{ID: 120, AgreementID: 1, PartyID: ahrar, Kind: domain.StatusCommitted, Designator: "United States", ValidFrom: at(28, 0, 0)},
		&domain.PartyStatus{ID: 121, AgreementID: 1, PartyID: ahrar, Kind: domain.StatusWithdrawn, Designator: "United States", ValidFrom: at(28, 0, 0)},
		&domain.PartyStatus{ID: 122, AgreementID: 1, PartyID: ahrar, Kind: domain.StatusDesignated, Designator: "Russia", ValidFrom: at(1, 0, 0)},
	)
	judgeAll := func(e *compliance.Engine, ins []*domain.Incident) map[int64]compliance.Verdict {
		out := map[int64]compliance.Verdict{}
		for _, in := range ins {
			out[in.ID] = e.Judge(in)
		}
		return out
	}
	build := func(st []*domain.PartyStatus, ps []*domain.Party, as []*control.Area) *compliance.Engine {
		e, err := compliance.New(scenarioAgreement(), ps, st, control.NewIndex(as))
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	want := judgeAll(build(statuses, scenarioParties(), scenarioAreas()), incidents)
	kinds := map[compliance.Outcome]int{}
	for _, v := range want {
		for _, view := range v.Views {
			kinds[view.Outcome]++
		}
	}
	if len(kinds) != 3 {
		t.Fatalf("the random incidents reach outcomes %v, want all three so the test means something", kinds)
	}
	for round := range 50 {
		e := build(shuffled(rng, statuses), shuffled(rng, scenarioParties()), shuffled(rng, scenarioAreas()))
		got := judgeAll(e, shuffled(rng, incidents))
		if diff := cmp.Diff(want, got, cmpopts.IgnoreUnexported(compliance.Verdict{}, compliance.View{})); diff != "" {
			t.Fatalf("round %d: verdicts depend on order (-first +shuffled):\n%s", round, diff)
		}
	}
}

func TestSentenceNamesEveryView(t *testing.T) {
	e := newEngine(t, scenarioAgreement())
	v := e.Judge(strike(domain.SubShelling, at(28, 10, 0), tellRifaat, []int64{tsk}, []int64{ypg}))
	for _, view := range v.Views {
		if !strings.Contains(v.Sentence, view.Label+" view") {
			t.Errorf("sentence %q does not name %s view", v.Sentence, view.Label)
		}
	}
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 2016)) }

// TestJudgeIntoReusesWindows judges a stream of incidents into one reused
// verdict, across Damascus's clock changes of 2016 (at local midnight) and
// month ends, alternating engines in two time zones, and checks every
// window against Window's: the cache of the last day must never leak.
func TestJudgeIntoReusesWindows(t *testing.T) {
	damascusEngine := newEngine(t, scenarioAgreement())
	utc := scenarioAgreement()
	utc.TimeZone = "UTC"
	utcEngine := newEngine(t, utc)
	var instants []time.Time
	for _, span := range [][2]time.Time{
		{time.Date(2016, 2, 28, 18, 0, 0, 0, time.UTC), time.Date(2016, 3, 2, 6, 0, 0, 0, time.UTC)},
		{time.Date(2016, 3, 24, 18, 0, 0, 0, time.UTC), time.Date(2016, 3, 26, 6, 0, 0, 0, time.UTC)},
		{time.Date(2016, 10, 27, 12, 0, 0, 0, time.UTC), time.Date(2016, 10, 29, 6, 0, 0, 0, time.UTC)},
	} {
		for t := span[0]; t.Before(span[1]); t = t.Add(23 * time.Minute) {
			instants = append(instants, t)
		}
	}
	// The spans must cross both clock changes, or the test checks less
	// than it says.
	offsets := map[int]bool{}
	for _, at := range instants {
		_, off := at.In(damascus).Zone()
		offsets[off] = true
	}
	if len(offsets) != 2 {
		t.Fatalf("the instants see Damascus offsets %v, want two", offsets)
	}
	// Forwards, then backwards: the cache must hold going either way.
	for i := range instants[:len(instants)-1] {
		instants = append(instants, instants[len(instants)-2-2*i])
	}
	var v compliance.Verdict
	check := func(e *compliance.Engine, at time.Time, prec domain.TimePrecision) {
		t.Helper()
		in := strike(domain.SubAirStrike, at, raqqaCity, []int64{ruAF}, nil)
		in.TimePrecision = prec
		e.JudgeInto(&v, in)
		from, to := e.Window(in)
		if !v.From.Equal(from) || !v.To.Equal(to) || v.From.Location() != from.Location() {
			t.Fatalf("%v (precision %v): JudgeInto's window [%v, %v), Window's [%v, %v)", at, prec, v.From, v.To, from, to)
		}
	}
	// Runs of one engine and one precision use the cache; then the
	// engines and precisions take turns, which must not.
	precisions := []domain.TimePrecision{domain.TimeDay, domain.TimeWeek, domain.TimeMonth}
	for _, prec := range precisions {
		for _, at := range instants {
			check(damascusEngine, at, prec)
		}
	}
	for i, at := range instants {
		e := damascusEngine
		if i%3 == 2 {
			e = utcEngine
		}
		check(e, at, precisions[i/2%len(precisions)])
	}
}

// TestStatusesOfUnlistedParties: status rows apply to a party ID the
// registry does not list, and through a parent it does not list; a
// designation row naming no designator opens no view.
func TestStatusesOfUnlistedParties(t *testing.T) {
	const ghost, ghostChild, ghostParent = 90, 91, 92
	parties := append(scenarioParties(), &domain.Party{ID: ghostChild, Slug: "ghost-child", Name: "Ghost child",
		Kind: domain.KindArmedGroup, ParentID: ghostParent})
	row := func(id, party int64, kind domain.StatusKind, designator string) *domain.PartyStatus {
		return &domain.PartyStatus{ID: id, AgreementID: 1, PartyID: party, Kind: kind, Designator: designator, ValidFrom: at(1, 0, 0)}
	}
	statuses := append(scenarioStatuses(),
		row(301, ghost, domain.StatusCommitted, "Russia"),
		row(302, ghostParent, domain.StatusExcluded, ""),
		row(303, jaish, domain.StatusDesignated, ""),
		row(304, ghostParent, domain.StatusDesignated, "Jordan"),
	)
	e, err := compliance.New(scenarioAgreement(), parties, statuses, control.NewIndex(scenarioAreas()))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		in   *domain.Incident
		want []outcome
		why  string
	}{
		{"an unlisted party bound by its row", strike(domain.SubShelling, at(28, 10, 0), douma, []int64{ghost}, []int64{jaish}),
			one(compliance.Violation, ""), "Shelling/artillery/missile attack by unknown party on Jaysh al-Islam, not excluded"},
		{"excluded through an unlisted parent", strike(domain.SubShelling, at(28, 10, 0), douma, []int64{saa}, []int64{ghostChild}),
			one(compliance.NotViolation, compliance.ReasonTargetExcluded), "target Ghost child excluded by UN Security Council"},
		{"a designation by no one changes nothing", strike(domain.SubShelling, at(28, 10, 0), douma, []int64{saa}, []int64{jaish}),
			one(compliance.Violation, ""), "Shelling/artillery/missile attack by Syrian Arab Army on Jaysh al-Islam, not excluded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := e.Judge(tt.in)
			if diff := cmp.Diff(tt.want, outcomes(v)); diff != "" {
				t.Errorf("outcomes (-want +got):\n%s\nsentence: %s", diff, v.Sentence)
			}
			if v.Base().Why != tt.why {
				t.Errorf("why = %q, want %q", v.Base().Why, tt.why)
			}
		})
	}
}
