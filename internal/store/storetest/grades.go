package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trucedesk/truce/internal/domain"
)

// RunGrades holds a store to the contract of domain.GradeStore: batch
// imports keyed by origin, grade changes with history, unmapped actor
// counts and cluster proposals with merges that delete nothing.
func RunGrades(t *testing.T, open func(testing.TB) domain.Store) {
	t.Run("ImportIncidents", func(t *testing.T) { testImportIncidents(t, open(t)) })
	t.Run("ImportManyIncidents", func(t *testing.T) { testImportManyIncidents(t, open(t)) })
	t.Run("GradeIncident", func(t *testing.T) { testGradeIncident(t, open(t)) })
	t.Run("UnmappedActors", func(t *testing.T) { testUnmappedActors(t, open(t)) })
	t.Run("Clusters", func(t *testing.T) { testClusters(t, open(t)) })
}

func datasetIncident(id string, fatalities int) *domain.Incident {
	return &domain.Incident{
		SubEventType: domain.SubAirStrike, OccurredAt: time.Date(2016, 2, 28, 0, 0, 0, 0, time.UTC),
		Location: "Idlib", Point: &domain.Point{Lat: 35.93, Lon: 36.63}, Admin1: "Idleb",
		Fatalities: domain.Fatalities{Best: fatalities, Low: fatalities, High: fatalities},
		Origin:     "acled", OriginID: id, CreatedBy: "import",
		Sources: []domain.Source{{Kind: domain.SourceMedia, Publisher: "SOHR"}},
	}
}

func countIncidents(t *testing.T, s domain.Store) int {
	t.Helper()
	n, err := s.CountIncidents(context.Background(), domain.IncidentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func testImportIncidents(t *testing.T, s domain.Store) {
	ctx := context.Background()
	batch := func(specs ...*domain.Incident) []*domain.Incident { return specs }
	for _, step := range []struct {
		name  string
		batch []*domain.Incident
		want  domain.ImportCounts
		total int
	}{
		{"new rows", batch(datasetIncident("A1", 1), datasetIncident("A2", 2)), domain.ImportCounts{Created: 2}, 2},
		{"the same rows again", batch(datasetIncident("A1", 1), datasetIncident("A2", 2)), domain.ImportCounts{Unchanged: 2}, 2},
		{"one row changed", batch(datasetIncident("A1", 5), datasetIncident("A2", 2)), domain.ImportCounts{Updated: 1, Unchanged: 1}, 2},
		{"a row twice in a batch", batch(datasetIncident("A3", 1), datasetIncident("A3", 1)), domain.ImportCounts{Created: 1, Unchanged: 1}, 3},
	} {
		got, err := s.ImportIncidents(ctx, step.batch)
		if err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if got != step.want {
			t.Errorf("%s: counts = %+v, want %+v", step.name, got, step.want)
		}
		if n := countIncidents(t, s); n != step.total {
			t.Errorf("%s: %d incidents stored, want %d", step.name, n, step.total)
		}
	}
	ins, err := s.Incidents(ctx, domain.IncidentFilter{Origin: "acled"})
	if err != nil {
		t.Fatal(err)
	}
	a1, err := s.Incident(ctx, ins[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if a1.Fatalities.Best != 5 || a1.Version != 2 || len(a1.Sources) != 1 {
		t.Errorf("A1 after update: best %d, version %d, %d sources; want 5, 2, 1", a1.Fatalities.Best, a1.Version, len(a1.Sources))
	}

	// A monitor's grade survives a re-import of the dataset's row.
	if _, err := s.GradeIncident(ctx, domain.GradeChange{IncidentID: a1.ID, To: domain.GradeFair, Note: "two sources", Version: a1.Version, Actor: "m"}); err != nil {
		t.Fatal(err)
	}
	again := datasetIncident("A1", 6)
	again.Grade = domain.GradeWeak
	if _, err := s.ImportIncidents(ctx, []*domain.Incident{again}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Incident(ctx, a1.ID); got.Grade != domain.GradeFair || got.Fatalities.Best != 6 {
		t.Errorf("after re-import: grade %q, best %d; want the monitor's fair and the new 6", got.Grade, got.Fatalities.Best)
	}

	// A bad row refuses the whole batch: nothing of it is stored.
	bad := datasetIncident("B2", 1)
	bad.Fatalities.Low = 9
	_, err = s.ImportIncidents(ctx, []*domain.Incident{datasetIncident("B1", 1), bad})
	if domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("bad batch: err = %v, want %s", err, domain.EINVALID)
	}
	noOrigin := datasetIncident("", 1)
	noOrigin.Origin = ""
	if _, err := s.ImportIncidents(ctx, []*domain.Incident{noOrigin}); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("no origin: err = %v, want %s", err, domain.EINVALID)
	}
	if n := countIncidents(t, s); n != 3 {
		t.Errorf("%d incidents after refused batches, want 3", n)
	}
}

// testImportManyIncidents imports a batch larger than one statement holds,
// mixing new rows, stored rows and repeats, with several parties and
// sources each: every incident keeps exactly its own.
func testImportManyIncidents(t *testing.T, s domain.Store) {
	ctx := context.Background()
	ids := parties(t, s, "russia", "fsa", "isil")
	row := func(i int) *domain.Incident {
		in := datasetIncident(fmt.Sprintf("M%04d", i), i%7)
		in.Perpetrators = []int64{ids[i%3]}
		in.Targets = []int64{ids[(i+1)%3], ids[(i+2)%3]}
		in.Sources = []domain.Source{
			{Kind: domain.SourceMedia, Publisher: "SOHR", Note: fmt.Sprintf("row %d", i)},
			{Kind: domain.SourceMedia, URL: fmt.Sprintf("https://example.org/%d", i)},
			{Kind: domain.SourceMedia, URL: fmt.Sprintf("https://example.org/%d", i)},
		}
		return in
	}
	if _, err := s.ImportIncidents(ctx, []*domain.Incident{row(3), row(500)}); err != nil {
		t.Fatal(err)
	}
	var batch []*domain.Incident
	for i := range 1200 {
		batch = append(batch, row(i))
	}
	batch = append(batch, row(7), row(1100))
	got, err := s.ImportIncidents(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	if want := (domain.ImportCounts{Created: 1198, Unchanged: 4}); got != want {
		t.Errorf("counts = %+v, want %+v", got, want)
	}
	byOrigin := map[string]int64{}
	for after := int64(0); ; {
		page, err := s.Incidents(ctx, domain.IncidentFilter{Origin: "acled", AfterID: after, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		for _, in := range page {
			byOrigin[in.OriginID] = in.ID
		}
		after = page[len(page)-1].ID
	}
	if len(byOrigin) != 1200 {
		t.Fatalf("%d incidents listed, want 1200", len(byOrigin))
	}
	for _, i := range []int{0, 3, 346, 347, 500, 1199} {
		want := row(i)
		in, err := s.Incident(ctx, byOrigin[want.OriginID])
		if err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
		if !slices.Equal(in.Perpetrators, want.Perpetrators) || !slices.Equal(in.Targets, want.Targets) || in.Fatalities != want.Fatalities {
			t.Errorf("row %d: perpetrators %v targets %v fatalities %+v; want %v %v %+v", i,
				in.Perpetrators, in.Targets, in.Fatalities, want.Perpetrators, want.Targets, want.Fatalities)
		}
		if len(in.Sources) != 3 || in.Sources[0].Note != want.Sources[0].Note || in.Sources[1].URL != want.Sources[1].URL {
			t.Errorf("row %d: sources %+v, want %+v", i, in.Sources, want.Sources)
		}
	}

	// An unknown party refuses the batch and says which.
	bad := row(2000)
	bad.Targets = []int64{1 << 40}
	if _, err := s.ImportIncidents(ctx, []*domain.Incident{row(2001), bad}); domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("unknown party: err = %v, want %s naming the party", err, domain.EINVALID)
	}
	if n := countIncidents(t, s); n != 1200 {
		t.Errorf("%d incidents stored, want 1200", n)
	}
}

func testGradeIncident(t *testing.T, s domain.Store) {
	ctx := context.Background()
	in := datasetIncident("G1", 1)
	if err := s.CreateIncident(ctx, in); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		g    domain.GradeChange
		code string
	}{
		{"no note", domain.GradeChange{To: domain.GradeFair, Version: 1, Actor: "m"}, domain.EINVALID},
		{"unknown grade", domain.GradeChange{To: "plausible", Note: "x", Version: 1, Actor: "m"}, domain.EINVALID},
		{"no version", domain.GradeChange{To: domain.GradeFair, Note: "x", Actor: "m"}, domain.EINVALID},
		{"stale version", domain.GradeChange{To: domain.GradeFair, Note: "x", Version: 7, Actor: "m"}, domain.ECONFLICT},
		{"no such incident", domain.GradeChange{IncidentID: 999999, To: domain.GradeFair, Note: "x", Version: 1, Actor: "m"}, domain.ENOTFOUND},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := tc.g
			if g.IncidentID == 0 {
				g.IncidentID = in.ID
			}
			if _, err := s.GradeIncident(ctx, g); domain.ErrorCode(err) != tc.code {
				t.Errorf("err = %v, want %s", err, tc.code)
			}
		})
	}
	got, err := s.GradeIncident(ctx, domain.GradeChange{IncidentID: in.ID, To: domain.GradeWeak, Note: "one source", Version: 1, Actor: "ana"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Grade != domain.GradeWeak || got.Version != 2 {
		t.Errorf("graded: %q version %d, want weak version 2", got.Grade, got.Version)
	}
	if _, err := s.GradeIncident(ctx, domain.GradeChange{IncidentID: in.ID, To: domain.GradeConfirmed, Note: "admitted", Version: 2, Actor: "bo"}); err != nil {
		t.Fatal(err)
	}
	hist, err := s.GradeHistory(ctx, in.ID)
	if err != nil {
		t.Fatal(err)
	}
	type step struct {
		From, To     domain.Grade
		Note, Actor  string
		Version      int
		HasInstant   bool
		IncidentSame bool
	}
	var gotSteps []step
	for _, h := range hist {
		gotSteps = append(gotSteps, step{h.From, h.To, h.Note, h.Actor, h.Version, !h.At.IsZero(), h.IncidentID == in.ID})
	}
	want := []step{
		{"", domain.GradeWeak, "one source", "ana", 1, true, true},
		{domain.GradeWeak, domain.GradeConfirmed, "admitted", "bo", 2, true, true},
	}
	if diff := cmp.Diff(want, gotSteps); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
}

func testUnmappedActors(t *testing.T, s domain.Store) {
	ctx := context.Background()
	put := func(input string, counts map[string]int) {
		t.Helper()
		var as []domain.UnmappedActor
		for name, n := range counts {
			as = append(as, domain.UnmappedActor{Origin: "acled", Name: name, Count: n, FirstLine: 2})
		}
		if err := s.PutUnmappedActors(ctx, input, as); err != nil {
			t.Fatal(err)
		}
	}
	put("file-a", map[string]int{"Rebel Forces": 4, "Protesters (Syria)": 1})
	put("file-a", map[string]int{"Rebel Forces": 4, "Protesters (Syria)": 1}) // the same file again
	put("file-b", map[string]int{"Rebel Forces": 2})
	got, err := s.UnmappedActors(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		Name          string
		Count, Inputs int
	}
	var rows []row
	for _, a := range got {
		rows = append(rows, row{a.Name, a.Count, a.Inputs})
	}
	want := []row{{"Rebel Forces", 6, 2}, {"Protesters (Syria)", 1, 1}}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("unmapped (-want +got):\n%s", diff)
	}
	if err := s.PutUnmappedActors(ctx, "", nil); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("no input: err = %v, want %s", err, domain.EINVALID)
	}
}

func testClusters(t *testing.T, s domain.Store) {
	ctx := context.Background()
	var ids []int64
	for i := range 3 {
		in := datasetIncident(fmt.Sprintf("C%d", i), 1)
		in.Sources = []domain.Source{{Kind: domain.SourceMedia, Publisher: fmt.Sprintf("outlet %d", i)}}
		if err := s.CreateIncident(ctx, in); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, in.ID)
	}
	prop := &domain.ClusterProposal{Score: 0.9, Reasons: []string{"0.1 km apart"}, Members: []domain.ClusterMember{
		{Kind: domain.MemberIncident, ID: ids[0]}, {Kind: domain.MemberIncident, ID: ids[1], DistanceKm: 0.1},
	}}
	saved, err := s.SaveClusterProposals(ctx, []*domain.ClusterProposal{prop})
	if err != nil || len(saved) != 1 {
		t.Fatalf("save: %d saved, %v; want 1", len(saved), err)
	}
	// The same grouping, or one reusing a member of an open proposal, is
	// not proposed again.
	overlap := &domain.ClusterProposal{Score: 0.5, Members: []domain.ClusterMember{
		{Kind: domain.MemberIncident, ID: ids[1]}, {Kind: domain.MemberIncident, ID: ids[2]},
	}}
	if again, err := s.SaveClusterProposals(ctx, []*domain.ClusterProposal{prop, overlap}); err != nil || len(again) != 0 {
		t.Errorf("save again: %d saved, %v; want 0", len(again), err)
	}
	if _, err := s.SaveClusterProposals(ctx, []*domain.ClusterProposal{{Members: prop.Members[:1]}}); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("one member: err = %v, want %s", err, domain.EINVALID)
	}
	id := saved[0].ID
	got, err := s.ClusterProposal(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(prop.Members, got.Members); diff != "" || got.State != domain.ClusterProposed || got.Version != 1 {
		t.Errorf("stored proposal: state %q version %d, members (-want +got):\n%s", got.State, got.Version, diff)
	}

	if _, err := s.DecideCluster(ctx, domain.ClusterDecision{ID: id, To: domain.ClusterAccepted, SurvivorID: ids[2], Version: 1, Actor: "m"}); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("survivor outside the cluster: err = %v, want %s", err, domain.EINVALID)
	}
	acc, err := s.DecideCluster(ctx, domain.ClusterDecision{ID: id, To: domain.ClusterAccepted, Note: "same strike", Version: 1, Actor: "m"})
	if err != nil {
		t.Fatal(err)
	}
	if acc.State != domain.ClusterAccepted || acc.SurvivorID != ids[0] || acc.Version != 2 {
		t.Errorf("accepted: state %q survivor %d version %d; want accepted %d 2", acc.State, acc.SurvivorID, acc.Version, ids[0])
	}
	if _, err := s.DecideCluster(ctx, domain.ClusterDecision{ID: id, To: domain.ClusterSplit, Version: 1, Actor: "m"}); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("stale decision: err = %v, want %s", err, domain.ECONFLICT)
	}
	merged, err := s.MergedInto(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[int64]int64{ids[1]: ids[0]}, merged); diff != "" {
		t.Errorf("merged into (-want +got):\n%s", diff)
	}
	if _, err := s.Incident(ctx, ids[1]); err != nil {
		t.Errorf("the merged incident must stay stored: %v", err)
	}
	src, err := s.MergedSources(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	var pubs []string
	for _, x := range src {
		pubs = append(pubs, x.Publisher)
	}
	if diff := cmp.Diff([]string{"outlet 0", "outlet 1"}, pubs); diff != "" {
		t.Errorf("survivor's sources (-want +got):\n%s", diff)
	}

	split, err := s.DecideCluster(ctx, domain.ClusterDecision{ID: id, To: domain.ClusterSplit, Note: "two strikes", Version: 2, Actor: "m"})
	if err != nil {
		t.Fatal(err)
	}
	if split.State != domain.ClusterSplit || split.SurvivorID != 0 {
		t.Errorf("split: state %q survivor %d", split.State, split.SurvivorID)
	}
	if merged, _ := s.MergedInto(ctx, ids); len(merged) != 0 {
		t.Errorf("after split, merged = %v; want none", merged)
	}
	open, err := s.ClusterProposals(ctx, domain.ClusterProposed, 0, 10)
	if err != nil || len(open) != 0 {
		t.Errorf("open proposals after split: %d, %v; want 0", len(open), err)
	}
	all, err := s.ClusterProposals(ctx, "", 0, 10)
	if err != nil || len(all) != 1 {
		t.Errorf("all proposals: %d, %v; want 1", len(all), err)
	}
}
