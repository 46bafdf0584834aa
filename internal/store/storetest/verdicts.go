package storetest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trucedesk/truce/internal/domain"
)

// RunVerdicts runs the contract of the verdict store: current verdicts, the
// append-only change log, the affected-incident query, terms edits and
// all-or-nothing area imports.
func RunVerdicts(t *testing.T, open func(testing.TB) domain.Store) {
	tests := []struct {
		name string
		fn   func(*testing.T, domain.Store)
	}{
		{"PutAndChanges", testPutVerdicts},
		{"VerdictFilters", testVerdictFilters},
		{"BadVerdicts", testBadVerdicts},
		{"AffectedIncidents", testAffectedIncidents},
		{"UpdateTerms", testUpdateTerms},
		{"ImportAreasAtomic", testImportAreas},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open(t)) })
	}
}

// verdictFixture stores an agreement, two parties and three incidents.
type verdictFixture struct {
	agreement *domain.Agreement
	saa, isil *domain.Party
	incidents []*domain.Incident
}

func newVerdictFixture(t *testing.T, s domain.Store) *verdictFixture {
	t.Helper()
	f := &verdictFixture{
		agreement: &domain.Agreement{Slug: "coh", Name: "Cessation", TimeZone: "Asia/Damascus", Start: t0,
			ProhibitedActs: []string{domain.SubShelling}, ExclusionAuthority: "UN Security Council"},
		saa:  &domain.Party{Slug: "saa", Name: "Syrian Arab Army", Kind: domain.KindState},
		isil: &domain.Party{Slug: "isil", Name: "Islamic State", Kind: domain.KindArmedGroup},
	}
	if err := s.CreateAgreement(ctx, f.agreement); err != nil {
		t.Fatal(err)
	}
	for _, p := range []*domain.Party{f.saa, f.isil} {
		if err := s.CreateParty(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	for i, pt := range []domain.Point{{Lat: 35.95, Lon: 39.01}, {Lat: 33.57, Lon: 36.40}, {Lat: 36.2, Lon: 37.15}} {
		in := &domain.Incident{SubEventType: domain.SubShelling, OccurredAt: t0.Add(time.Duration(i+1) * 24 * time.Hour),
			Point: &pt, Admin1: []string{"Ar-Raqqa", "Rural Damascus", "Aleppo"}[i], CreatedBy: "test",
			Perpetrators: []int64{f.saa.ID}}
		if i == 2 {
			in.Perpetrators, in.Targets = nil, []int64{f.isil.ID}
		}
		if err := s.CreateIncident(ctx, in); err != nil {
			t.Fatal(err)
		}
		f.incidents = append(f.incidents, in)
	}
	return f
}

func verdict(in *domain.Incident, a *domain.Agreement, outcomes ...domain.ViewOutcome) *domain.Verdict {
	views, _ := json.Marshal(outcomes)
	return &domain.Verdict{
		IncidentID: in.ID, IncidentVersion: in.Version, AgreementID: a.ID, AgreementVersion: a.Version,
		Outcome: outcomes[0].Outcome, Reason: outcomes[0].Reason, Outcomes: outcomes, Views: views,
		Sentence: outcomes[0].Outcome + " in the co-chairs' view", Fingerprint: "f-" + outcomes[0].Outcome,
	}
}

var (
	base       = domain.ViewOutcome{Label: "the co-chairs'", Designator: "UN Security Council"}
	violation  = with(base, "violation", "")
	undecided  = with(base, "undetermined", "target_unknown")
	excluded   = with(base, "not_violation", "target_excluded")
	turkeyNot  = domain.ViewOutcome{Label: "Turkey's", Designator: "Turkey", Outcome: "not_violation", Reason: "target_excluded"}
	causeAt    = time.Date(2016, 3, 1, 9, 0, 0, 0, time.UTC)
	causeFirst = domain.Cause{Kind: domain.CauseIncident, ID: 1, Text: "incident recorded", Actor: "monitor-1", At: causeAt}
)

func with(v domain.ViewOutcome, outcome, reason string) domain.ViewOutcome {
	v.Outcome, v.Reason = outcome, reason
	return v
}

func testPutVerdicts(t *testing.T, s domain.Store) {
	f := newVerdictFixture(t, s)
	a, in := f.agreement, f.incidents[0]

	changes, err := s.PutVerdicts(ctx, []*domain.Verdict{verdict(in, a, undecided)}, causeFirst)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 1 || changes[0].OldOutcome != "" || changes[0].NewOutcome != "undetermined" {
		t.Fatalf("first verdict: got changes %+v, want one from nothing to undetermined", changes)
	}

	// The same outcome again, from other records: stored, but no change.
	same := verdict(in, a, undecided)
	same.Fingerprint = "other"
	if changes, err = s.PutVerdicts(ctx, []*domain.Verdict{same}, causeFirst); err != nil || len(changes) != 0 {
		t.Fatalf("same outcome: got %d changes, %v; want none", len(changes), err)
	}
	got, err := s.Verdict(ctx, in.ID, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Fingerprint != "other" {
		t.Errorf("fingerprint: got %q, want the newer %q", got.Fingerprint, "other")
	}

	byStatus := domain.Cause{Kind: domain.CauseStatus, ID: 7, Text: "status row 7 added", Actor: "co-chair", At: causeAt.Add(time.Hour)}
	if changes, err = s.PutVerdicts(ctx, []*domain.Verdict{verdict(in, a, violation, turkeyNot)}, byStatus); err != nil {
		t.Fatal(err)
	}
	if len(changes) != 1 {
		t.Fatalf("changed outcome: got %d changes, want 1", len(changes))
	}
	history, err := s.VerdictChanges(ctx, in.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []*domain.VerdictChange{
		{IncidentID: in.ID, AgreementID: a.ID, NewOutcome: "undetermined", Old: []domain.ViewOutcome{},
			New: []domain.ViewOutcome{undecided}, Cause: causeFirst},
		{IncidentID: in.ID, AgreementID: a.ID, OldOutcome: "undetermined", NewOutcome: "violation",
			Old: []domain.ViewOutcome{undecided}, New: []domain.ViewOutcome{violation, turkeyNot}, Cause: byStatus},
	}
	if diff := cmp.Diff(want, history, cmp.FilterPath(func(p cmp.Path) bool { return p.String() == "ID" }, cmp.Ignore())); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
	if len(history) == 2 && history[0].ID >= history[1].ID {
		t.Errorf("history IDs %d, %d: want ascending", history[0].ID, history[1].ID)
	}
	got, err = s.Verdict(ctx, in.ID, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Disputed() || got.Outcome != "violation" || !got.ComputedAt.Equal(byStatus.At) {
		t.Errorf("verdict: got %+v, want a disputed violation computed at %v", got, byStatus.At)
	}
	if _, err := s.Verdict(ctx, f.incidents[1].ID, a.ID); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("unjudged incident: got %v, want not_found", err)
	}
	vs, err := s.IncidentVerdicts(ctx, in.ID)
	if err != nil || len(vs) != 1 {
		t.Errorf("IncidentVerdicts: got %d, %v; want 1", len(vs), err)
	}
}

func testVerdictFilters(t *testing.T, s domain.Store) {
	f := newVerdictFixture(t, s)
	a := f.agreement
	_, err := s.PutVerdicts(ctx, []*domain.Verdict{
		verdict(f.incidents[0], a, excluded),
		verdict(f.incidents[1], a, violation, turkeyNot),
		verdict(f.incidents[2], a, violation),
	}, causeFirst)
	if err != nil {
		t.Fatal(err)
	}
	ids := func(vs []*domain.Verdict) []int64 {
		var out []int64
		for _, v := range vs {
			out = append(out, v.IncidentID)
		}
		return out
	}
	in := f.incidents
	tests := []struct {
		name string
		f    domain.VerdictFilter
		want []int64
	}{
		{"all", domain.VerdictFilter{}, []int64{in[0].ID, in[1].ID, in[2].ID}},
		{"violations", domain.VerdictFilter{Outcome: "violation"}, []int64{in[1].ID, in[2].ID}},
		{"reason", domain.VerdictFilter{Reason: "target_excluded"}, []int64{in[0].ID}},
		{"disputed", domain.VerdictFilter{Disputed: true}, []int64{in[1].ID}},
		{"agreement", domain.VerdictFilter{AgreementID: a.ID + 1}, nil},
		{"violations by party", domain.VerdictFilter{Outcome: "violation", IncidentFilter: domain.IncidentFilter{PartyID: f.saa.ID}}, []int64{in[1].ID}},
		{"violations in Aleppo", domain.VerdictFilter{Outcome: "violation", IncidentFilter: domain.IncidentFilter{Admin1: "Aleppo"}}, []int64{in[2].ID}},
		{"page", domain.VerdictFilter{IncidentFilter: domain.IncidentFilter{AfterID: in[0].ID, Limit: 1}}, []int64{in[1].ID}},
		{"since", domain.VerdictFilter{IncidentFilter: domain.IncidentFilter{Since: in[2].OccurredAt}}, []int64{in[2].ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs, err := s.Verdicts(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, ids(vs)); diff != "" {
				t.Errorf("incidents (-want +got):\n%s", diff)
			}
			n, err := s.CountVerdicts(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if tt.name != "page" && n != len(tt.want) {
				t.Errorf("count: got %d, want %d", n, len(tt.want))
			}
		})
	}
	got, err := s.VerdictsOf(ctx, a.ID, []int64{in[2].ID, in[0].ID, 9999})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int64{in[0].ID, in[2].ID}, ids(got)); diff != "" {
		t.Errorf("VerdictsOf (-want +got):\n%s", diff)
	}
}

func testBadVerdicts(t *testing.T, s domain.Store) {
	f := newVerdictFixture(t, s)
	a, in := f.agreement, f.incidents[0]
	mismatch := verdict(in, a, violation)
	mismatch.Outcome = "not_violation"
	badJSON := verdict(in, a, violation)
	badJSON.Views = []byte("{")
	ghost := verdict(in, a, violation)
	ghost.IncidentID = 9999
	tests := []struct {
		name  string
		v     *domain.Verdict
		cause domain.Cause
		code  string
	}{
		{"outcome differs from view", mismatch, causeFirst, domain.EINVALID},
		{"views not JSON", badJSON, causeFirst, domain.EINVALID},
		{"no cause", verdict(in, a, violation), domain.Cause{}, domain.EINVALID},
		{"unknown incident", ghost, causeFirst, domain.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.PutVerdicts(ctx, []*domain.Verdict{verdict(f.incidents[1], a, violation), tt.v}, tt.cause)
			if got := domain.ErrorCode(err); got != tt.code {
				t.Errorf("code: got %q (%v), want %q", got, err, tt.code)
			}
			// The batch is atomic: the good verdict beside it is not stored.
			if _, err := s.Verdict(ctx, f.incidents[1].ID, a.ID); domain.ErrorCode(err) != domain.ENOTFOUND {
				t.Errorf("neighbour: got %v, want not_found", err)
			}
		})
	}
}

func testAffectedIncidents(t *testing.T, s domain.Store) {
	f := newVerdictFixture(t, s)
	in := f.incidents
	raqqa := domain.BBox{MinLon: 38, MinLat: 35, MaxLon: 40, MaxLat: 36.5}
	tests := []struct {
		name string
		f    domain.AffectedFilter
		want []int64
	}{
		{"everything", domain.AffectedFilter{}, []int64{in[0].ID, in[1].ID, in[2].ID}},
		{"party", domain.AffectedFilter{PartyIDs: []int64{f.isil.ID}}, []int64{in[2].ID}},
		{"parties", domain.AffectedFilter{PartyIDs: []int64{f.isil.ID, f.saa.ID}}, []int64{in[0].ID, in[1].ID, in[2].ID}},
		{"party or box", domain.AffectedFilter{PartyIDs: []int64{f.isil.ID}, Boxes: []domain.BBox{raqqa}}, []int64{in[0].ID, in[2].ID}},
		{"box and window", domain.AffectedFilter{Boxes: []domain.BBox{raqqa}, Since: in[1].OccurredAt}, nil},
		{"window", domain.AffectedFilter{Since: in[1].OccurredAt, Until: in[2].OccurredAt}, []int64{in[1].ID}},
		{"page", domain.AffectedFilter{AfterID: in[0].ID, Limit: 1}, []int64{in[1].ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.AffectedIncidents(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, i := range got {
				ids = append(ids, i.ID)
			}
			if diff := cmp.Diff(tt.want, ids); diff != "" {
				t.Errorf("incidents (-want +got):\n%s", diff)
			}
			for _, i := range got {
				if i.ID == in[2].ID && len(i.Targets) != 1 {
					t.Errorf("incident %d: parties not loaded", i.ID)
				}
			}
		})
	}
}

func testUpdateTerms(t *testing.T, s domain.Store) {
	f := newVerdictFixture(t, s)
	edit := *f.agreement
	edit.Grace = time.Hour
	edit.ProhibitedActs = []string{domain.SubShelling, domain.SubAirStrike}
	if err := s.UpdateTerms(ctx, &edit); err != nil {
		t.Fatal(err)
	}
	if edit.Version != 2 {
		t.Errorf("version: got %d, want 2", edit.Version)
	}
	got, err := s.Agreement(ctx, f.agreement.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&edit, got); diff != "" {
		t.Errorf("stored terms (-want +got):\n%s", diff)
	}
	stale := *f.agreement // still version 1
	stale.Name = "Overwritten"
	if err := s.UpdateTerms(ctx, &stale); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("stale edit: got %v, want conflict", err)
	}
	bad := edit
	bad.TimeZone = "Mars/Olympus"
	if err := s.UpdateTerms(ctx, &bad); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("bad terms: got %v, want invalid", err)
	}
	ghost := edit
	ghost.ID = 9999
	if err := s.UpdateTerms(ctx, &ghost); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("unknown agreement: got %v, want not_found", err)
	}
	if got, _ := s.Agreement(ctx, f.agreement.ID); got.Name != "Cessation" || got.Version != 2 {
		t.Errorf("after refused edits: got %q version %d, want the edit of version 2", got.Name, got.Version)
	}
}

func testImportAreas(t *testing.T, s domain.Store) {
	f := newVerdictFixture(t, s)
	square := []byte(`{"type":"Polygon","coordinates":[[[38,35],[40,35],[40,36.5],[38,36.5],[38,35]]]}`)
	good := func() *domain.Area {
		return &domain.Area{Name: "Raqqa", ControllerID: f.isil.ID, ValidFrom: t0.AddDate(-1, 0, 0), Geometry: square}
	}
	ghost := good()
	ghost.ControllerID = 9999
	if err := s.ImportAreas(ctx, []*domain.Area{good(), ghost}); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("unknown controller: got %v, want invalid", err)
	}
	if areas, _ := s.Areas(ctx); len(areas) != 0 {
		t.Fatalf("after a refused import: %d areas stored, want none", len(areas))
	}
	batch := []*domain.Area{good(), good()}
	if err := s.ImportAreas(ctx, batch); err != nil {
		t.Fatal(err)
	}
	areas, err := s.Areas(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(areas) != 2 || areas[0].ID != batch[0].ID || areas[1].ID != batch[1].ID || areas[0].ID == 0 {
		t.Errorf("stored areas %v, want the IDs of the batch %d, %d", areas, batch[0].ID, batch[1].ID)
	}
}
