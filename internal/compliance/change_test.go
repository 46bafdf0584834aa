package compliance_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/trucedesk/truce/internal/compliance"
	"github.com/trucedesk/truce/internal/control"
	"github.com/trucedesk/truce/internal/control/controltest"
	"github.com/trucedesk/truce/internal/domain"
)

func TestAffected(t *testing.T) {
	old := scenarioAgreement()
	moved := scenarioAgreement()
	moved.Start = at(27, 6, 0)
	ended := scenarioAgreement()
	ended.End = time.Date(2016, 9, 19, 19, 0, 0, 0, damascus)
	renamed := scenarioAgreement()
	renamed.Name, renamed.Version = "CoH", 2
	acts := scenarioAgreement()
	acts.ProhibitedActs = acts.ProhibitedActs[:1]
	raqqa := domain.BBox{MinLon: 38.5, MinLat: 35.5, MaxLon: 39.5, MaxLat: 36.5}
	tellRifaatBox := domain.BBox{MinLon: 37.0, MinLat: 36.4, MaxLon: 37.2, MaxLat: 36.55}
	areas := []compliance.AreaRef{
		{ControllerID: ypg, BBox: tellRifaatBox, ValidFrom: at(1, 0, 0)},
		{ControllerID: ypj, BBox: tellRifaatBox, ValidFrom: at(1, 0, 0)},
		{ControllerID: isil, BBox: raqqa, ValidFrom: at(1, 0, 0)},
		{ControllerID: ypg, BBox: raqqa, ValidFrom: at(1, 0, 0), ValidTo: at(2, 0, 0)}, // ended before the change
	}
	tests := []struct {
		name string
		c    compliance.Change
		want compliance.Filter
	}{
		{"start moved six hours", compliance.Change{Kind: compliance.ChangeTerms, OldTerms: old, NewTerms: moved},
			compliance.Filter{Since: at(27, 0, 0).Add(-compliance.MaxSpread), Until: at(27, 6, 0).Add(compliance.MaxSpread)}},
		{"an end set", compliance.Change{Kind: compliance.ChangeTerms, OldTerms: old, NewTerms: ended},
			compliance.Filter{Since: ended.End.Add(-compliance.MaxSpread)}},
		{"name and version only", compliance.Change{Kind: compliance.ChangeTerms, OldTerms: old, NewTerms: renamed},
			compliance.Filter{None: true}},
		{"prohibited acts edited", compliance.Change{Kind: compliance.ChangeTerms, OldTerms: old, NewTerms: acts},
			compliance.Filter{All: true}},
		{"status row for the YPG reaches the YPJ and their ground",
			compliance.Change{Kind: compliance.ChangeStatus, PartyID: ypg, From: at(28, 0, 0)},
			compliance.Filter{Since: at(28, 0, 0), PartyIDs: []int64{ypg, ypj}, Boxes: []domain.BBox{tellRifaatBox}}},
		{"area version added", compliance.Change{Kind: compliance.ChangeArea, BBox: raqqa, ValidFrom: at(1, 0, 0), ValidTo: at(29, 0, 0)},
			compliance.Filter{Since: at(1, 0, 0), Until: at(29, 0, 0), Boxes: []domain.BBox{raqqa}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := compliance.Affected(tt.c, scenarioParties(), areas)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("filter (-want +got):\n%s", diff)
			}
		})
	}
}

// TestAffectedIsConservative recomputes every verdict after each change and
// checks that every incident whose verdict changed matches the filter.
func TestAffectedIsConservative(t *testing.T) {
	rng := newRand(7)
	incidents := randomIncidents(rng, 600)
	judge := func(a *domain.Agreement, st []*domain.PartyStatus, areas []*control.Area) []compliance.Verdict {
		e, err := compliance.New(a, scenarioParties(), st, control.NewIndex(areas))
		if err != nil {
			t.Fatal(err)
		}
		var vs []compliance.Verdict
		for _, in := range incidents {
			vs = append(vs, e.Judge(in))
		}
		return vs
	}
	base := judge(scenarioAgreement(), scenarioStatuses(), scenarioAreas())
	moved := scenarioAgreement()
	moved.Start = at(28, 0, 0)
	newRow := &domain.PartyStatus{ID: 300, AgreementID: 1, PartyID: ypg, Kind: domain.StatusExcluded, Designator: unsc, ValidFrom: at(28, 12, 0)}
	newArea := &control.Area{ID: 301, Version: 1, Controller: "nusra", ValidFrom: at(27, 0, 0), ValidTo: time.Date(2016, 4, 1, 0, 0, 0, 0, damascus),
		Shape: scenarioAreas()[3].Shape} // Douma, for a month
	tests := []struct {
		name  string
		after []compliance.Verdict
		c     compliance.Change
	}{
		{"start moved", judge(moved, scenarioStatuses(), scenarioAreas()),
			compliance.Change{Kind: compliance.ChangeTerms, OldTerms: scenarioAgreement(), NewTerms: moved}},
		{"YPG excluded", judge(scenarioAgreement(), append(scenarioStatuses(), newRow), scenarioAreas()),
			compliance.Change{Kind: compliance.ChangeStatus, PartyID: ypg, From: newRow.ValidFrom}},
		{"Douma shown under Nusra", judge(scenarioAgreement(), scenarioStatuses(), append(scenarioAreas(), newArea)),
			compliance.Change{Kind: compliance.ChangeArea, BBox: domain.BBox{MinLon: 36.38, MinLat: 33.55, MaxLon: 36.45, MaxLat: 33.60},
				ValidFrom: newArea.ValidFrom, ValidTo: newArea.ValidTo}},
	}
	refs := []compliance.AreaRef{{ControllerID: ypg, BBox: domain.BBox{MinLon: 37.0, MinLat: 36.4, MaxLon: 37.2, MaxLat: 36.55}}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			changed := compliance.Diff(base, tt.after)
			if len(changed) == 0 {
				t.Fatal("the change altered no verdict; the test checks nothing")
			}
			f := compliance.Affected(tt.c, scenarioParties(), refs)
			for _, r := range changed {
				in := incidents[r.IncidentID-1]
				if !f.Matches(in) {
					t.Errorf("incident %d changed (%s → %s) but the filter %+v misses it", in.ID, r.Old.Sentence, r.New.Sentence, f)
				}
			}
		})
	}
}

func TestDiff(t *testing.T) {
	v := func(id int64, o compliance.Outcome, r compliance.Reason, step int64) compliance.Verdict {
		return compliance.Verdict{IncidentID: id, Views: []compliance.View{{Designator: unsc, Outcome: o, Reason: r,
			Trace: []compliance.Step{{Facts: []compliance.Fact{{ID: step}}}}}}}
	}
	old := []compliance.Verdict{
		v(3, compliance.Violation, "", 1),
		v(1, compliance.Undetermined, compliance.ReasonNoStatus, 1),
		v(2, compliance.Violation, "", 1),
		v(4, compliance.Violation, "", 1),
	}
	turkey := v(2, compliance.Violation, "", 1)
	turkey.Views = append(turkey.Views, compliance.View{Designator: "Turkey", Outcome: compliance.NotViolation, Reason: compliance.ReasonTargetExcluded})
	new := []compliance.Verdict{
		v(5, compliance.Violation, "", 1), // new
		v(1, compliance.Violation, "", 1), // outcome changed
		turkey,                            // a view appeared
		v(3, compliance.Violation, "", 2), // trace only: not reported
	} // 4 is gone
	var got []string
	for _, r := range compliance.Diff(old, new) {
		got = append(got, fmt.Sprintf("%d %v→%v", r.IncidentID, r.Old != nil, r.New != nil))
	}
	want := []string{"1 true→true", "2 true→true", "4 true→false", "5 false→true"}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreUnexported(compliance.Verdict{}, compliance.View{})); diff != "" {
		t.Errorf("diff records (-want +got):\n%s", diff)
	}
}

// BenchmarkJudge measures verdicts per second for a million generated
// incidents against 10,000 control polygons over Syria's bounding box,
// through the R-tree index and through a naive scan of every polygon.
func BenchmarkJudge(b *testing.B) {
	const nIncidents, nPolygons = 1_000_000, 10_000
	parties := scenarioParties()
	areas := controltest.Areas(nPolygons, 1, []int64{isil, nusra, saa, jaish, ypg, fsa})
	points := controltest.Points(nIncidents, 2)
	// "judge" builds a whole verdict with its sentence each time; "into"
	// reuses one verdict's buffers through JudgeInto and leaves the
	// sentence to Explain, keeping outcomes, reasons and traces.
	index, scan := control.NewIndex(areas), control.NewScan(areas)
	for _, lc := range []struct {
		name string
		loc  control.Locator
		into bool
	}{{"indexed/judge", index, false}, {"indexed/into", index, true}, {"naive/judge", scan, false}, {"naive/into", scan, true}} {
		b.Run(fmt.Sprintf("%s/polygons=%d", lc.name, nPolygons), func(b *testing.B) {
			e, err := compliance.New(scenarioAgreement(), parties, scenarioStatuses(), lc.loc)
			if err != nil {
				b.Fatal(err)
			}
			// One incident reused, its point and time moved: a million
			// incidents without a million structs in memory. No target is
			// named, so every verdict goes through the map. Times run in ID
			// order over 40 days from the start, as a recompute reads them;
			// about 25,000 share each local day.
			in := strike(domain.SubAirStrike, at(27, 1, 0), &domain.Point{}, []int64{ruAF}, nil)
			first, step := in.OccurredAt, 40*24*time.Hour/nIncidents
			kinds := map[compliance.Outcome]int{}
			var v compliance.Verdict
			i := 0
			for b.Loop() {
				p := points[i%nIncidents]
				in.ID = int64(i)
				in.Point.Lon, in.Point.Lat = p[0], p[1]
				in.OccurredAt = first.Add(time.Duration(i%nIncidents) * step)
				if lc.into {
					e.JudgeInto(&v, in)
				} else {
					v = e.Judge(in)
				}
				if i%1000 == 0 {
					kinds[v.Views[0].Outcome]++
				}
				i++
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "verdicts/s")
			if len(kinds) < 2 {
				b.Fatalf("outcomes %v: the benchmark does not exercise the map", kinds)
			}
		})
	}
}
