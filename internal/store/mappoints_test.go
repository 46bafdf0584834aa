package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/store"
	"github.com/trucedesk/truce/internal/store/storetest"
)

// mapRow is what MapPoints passes for one incident.
type mapRow struct {
	ID       int64
	Type     string
	At       time.Time
	Location string
	Point    *domain.Point
	Admin1   string
	Deaths   int
	Grade    domain.Grade
	Outcome  string
}

func collectMap(t *testing.T, db *store.DB, f domain.IncidentFilter, agreementID int64) []mapRow {
	t.Helper()
	var out []mapRow
	err := db.MapPoints(context.Background(), f, agreementID, func(in *domain.Incident, outcome string) error {
		r := mapRow{ID: in.ID, Type: in.SubEventType, At: in.OccurredAt, Location: in.Location, Admin1: in.Admin1,
			Deaths: in.Fatalities.Best, Grade: in.Grade, Outcome: outcome}
		if in.Point != nil {
			p := *in.Point
			r.Point = &p
		}
		out = append(out, r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// pagedMap is the same answer from the store's contract: Incidents page by
// page, and their verdicts.
func pagedMap(t *testing.T, db *store.DB, f domain.IncidentFilter, agreementID int64) []mapRow {
	t.Helper()
	ctx := context.Background()
	var out []mapRow
	f.Limit = 2
	for {
		page, err := db.Incidents(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		outcomes := map[int64]string{}
		if agreementID != 0 && len(page) > 0 {
			var ids []int64
			for _, in := range page {
				ids = append(ids, in.ID)
			}
			vs, err := db.VerdictsOf(ctx, agreementID, ids)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range vs {
				outcomes[v.IncidentID] = v.Outcome
			}
		}
		for _, in := range page {
			out = append(out, mapRow{ID: in.ID, Type: in.SubEventType, At: in.OccurredAt, Location: in.Location,
				Point: in.Point, Admin1: in.Admin1, Deaths: in.Fatalities.Best, Grade: in.Grade, Outcome: outcomes[in.ID]})
		}
		if len(page) < f.Limit {
			return out
		}
		f.AfterID = page[len(page)-1].ID
	}
}

func TestMapPoints(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) { testMapPoints(t, e.Open(t)) })
	}
}

func testMapPoints(t *testing.T, db *store.DB) {
	ctx := context.Background()
	t0 := time.Date(2016, 2, 27, 0, 0, 0, 0, time.UTC)
	a := &domain.Agreement{Slug: "coh", Name: "Cessation", TimeZone: "Asia/Damascus", Start: t0,
		ProhibitedActs: []string{domain.SubShelling}, ExclusionAuthority: "UN Security Council"}
	other := &domain.Agreement{Slug: "other", Name: "Another truce", TimeZone: "Asia/Damascus", Start: t0}
	for _, ag := range []*domain.Agreement{a, other} {
		if err := db.CreateAgreement(ctx, ag); err != nil {
			t.Fatal(err)
		}
	}
	saa := &domain.Party{Slug: "saa", Name: "Syrian Arab Army", Kind: domain.KindState}
	if err := db.CreateParty(ctx, saa); err != nil {
		t.Fatal(err)
	}
	// Eight incidents a day apart; the fourth has no location.
	type spec struct {
		sub    string
		admin1 string
		grade  domain.Grade
		pt     *domain.Point
		perp   bool
	}
	specs := []spec{
		{domain.SubShelling, "Aleppo", domain.GradeConfirmed, &domain.Point{Lat: 36.2, Lon: 37.15}, true},
		{domain.SubAirStrike, "Idleb", domain.GradeFair, &domain.Point{Lat: 35.93, Lon: 36.63}, false},
		{domain.SubShelling, "Homs", domain.GradeWeak, &domain.Point{Lat: 34.73, Lon: 36.71}, true},
		{domain.SubClash, "Hama", domain.GradeFair, nil, false},
		{domain.SubShelling, "Aleppo", domain.GradeUngraded, &domain.Point{Lat: 36.47, Lon: 37.1}, false},
		{domain.SubAirStrike, "Rural Damascus", domain.GradeContested, &domain.Point{Lat: 33.57, Lon: 36.4}, true},
		{domain.SubShelling, "Dar'a", domain.GradeConfirmed, &domain.Point{Lat: 32.62, Lon: 36.1}, false},
		{domain.SubAirStrike, "Ar-Raqqa", domain.GradeWeak, &domain.Point{Lat: 35.95, Lon: 39.01}, false},
	}
	var ins []*domain.Incident
	for i, sp := range specs {
		in := &domain.Incident{SubEventType: sp.sub, OccurredAt: t0.Add(time.Duration(i)*24*time.Hour + 90*time.Minute),
			Location: "place " + strconv.Itoa(i), Point: sp.pt, Admin1: sp.admin1, Grade: sp.grade,
			Fatalities: domain.Fatalities{Best: i, High: i + 1}, Summary: "not on the map", CreatedBy: "test"}
		if sp.perp {
			in.Perpetrators = []int64{saa.ID}
		}
		if err := db.CreateIncident(ctx, in); err != nil {
			t.Fatal(err)
		}
		ins = append(ins, in)
	}
	// Verdicts under the agreement on all but the last two, and one under
	// the other agreement that must not show.
	verdict := func(in *domain.Incident, ag *domain.Agreement, outcome string) *domain.Verdict {
		views := []domain.ViewOutcome{{Label: "co-chairs", Outcome: outcome}}
		vj, _ := json.Marshal(views)
		return &domain.Verdict{IncidentID: in.ID, IncidentVersion: in.Version, AgreementID: ag.ID, AgreementVersion: ag.Version,
			Outcome: outcome, Outcomes: views, Views: vj, Sentence: outcome, Fingerprint: "f"}
	}
	outcomes := []string{"violation", "not_violation", "undetermined"}
	var vs []*domain.Verdict
	for i, in := range ins[:6] {
		vs = append(vs, verdict(in, a, outcomes[i%3]))
	}
	vs = append(vs, verdict(ins[7], other, "violation"))
	if _, err := db.PutVerdicts(ctx, vs, domain.Cause{Kind: domain.CauseRecompute, Text: "test", Actor: "test", At: t0}); err != nil {
		t.Fatal(err)
	}

	day := func(n int) time.Time { return t0.AddDate(0, 0, n) }
	tests := []struct {
		name      string
		f         domain.IncidentFilter
		agreement int64
		want      []int // indexes into ins
	}{
		{"everything, no verdicts", domain.IncidentFilter{}, 0, []int{0, 1, 2, 3, 4, 5, 6, 7}},
		{"everything with verdicts", domain.IncidentFilter{}, a.ID, []int{0, 1, 2, 3, 4, 5, 6, 7}},
		{"the other agreement's verdicts", domain.IncidentFilter{}, other.ID, []int{0, 1, 2, 3, 4, 5, 6, 7}},
		// A window holding every incident is read from the table; one of
		// a single day through the time index: both must agree with Incidents.
		{"wide window", domain.IncidentFilter{Since: day(-7), Until: day(30)}, a.ID, []int{0, 1, 2, 3, 4, 5, 6, 7}},
		{"wide window, ends excluded", domain.IncidentFilter{Since: day(1), Until: day(7)}, a.ID, []int{1, 2, 3, 4, 5, 6}},
		{"narrow window", domain.IncidentFilter{Since: day(2), Until: day(3)}, a.ID, []int{2}},
		{"until only", domain.IncidentFilter{Until: day(6)}, a.ID, []int{0, 1, 2, 3, 4, 5}},
		{"since only", domain.IncidentFilter{Since: day(6)}, a.ID, []int{6, 7}},
		{"empty window", domain.IncidentFilter{Since: day(100), Until: day(101)}, a.ID, nil},
		{"party", domain.IncidentFilter{PartyID: saa.ID}, a.ID, []int{0, 2, 5}},
		{"type", domain.IncidentFilter{SubEventType: domain.SubAirStrike}, a.ID, []int{1, 5, 7}},
		{"grade", domain.IncidentFilter{Grade: domain.GradeFair}, a.ID, []int{1, 3}},
		{"governorate", domain.IncidentFilter{Admin1: "Aleppo"}, a.ID, []int{0, 4}},
		{"box", domain.IncidentFilter{BBox: &domain.BBox{MinLon: 36, MinLat: 35, MaxLon: 38, MaxLat: 37}}, a.ID, []int{0, 1, 4}},
		{"window and type", domain.IncidentFilter{Since: day(0), Until: day(8), SubEventType: domain.SubShelling}, a.ID, []int{0, 2, 4, 6}},
		{"page ignored", domain.IncidentFilter{Limit: 1, AfterID: ins[5].ID}, a.ID, []int{0, 1, 2, 3, 4, 5, 6, 7}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := collectMap(t, db, tt.f, tt.agreement)
			var ids []int64
			for _, r := range got {
				ids = append(ids, r.ID)
			}
			var want []int64
			for _, i := range tt.want {
				want = append(want, ins[i].ID)
			}
			if diff := cmp.Diff(want, ids); diff != "" {
				t.Fatalf("IDs (-want +got):\n%s", diff)
			}
			pf := tt.f
			pf.AfterID = 0
			if diff := cmp.Diff(pagedMap(t, db, pf, tt.agreement), got); diff != "" {
				t.Errorf("differs from Incidents and VerdictsOf (-paged +MapPoints):\n%s", diff)
			}
		})
	}
	// The outcomes themselves, not only their agreement with VerdictsOf.
	got := collectMap(t, db, domain.IncidentFilter{}, a.ID)
	var gotOutcomes []string
	for _, r := range got {
		gotOutcomes = append(gotOutcomes, r.Outcome)
	}
	if diff := cmp.Diff([]string{"violation", "not_violation", "undetermined", "violation", "not_violation", "undetermined", "", ""}, gotOutcomes); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
	if got[3].Point != nil || got[0].Point == nil || got[0].Location != "place 0" || got[7].Deaths != 7 {
		t.Errorf("lean fields: %+v", got)
	}

	// An error from the callback stops the scan and comes back.
	stop := errors.New("enough")
	calls := 0
	err := db.MapPoints(ctx, domain.IncidentFilter{}, a.ID, func(*domain.Incident, string) error {
		calls++
		return stop
	})
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("MapPoints after an error: %v, %d calls; want %v, 1 call", err, calls, stop)
	}
}

// BenchmarkMapPoints reads 100,000 incidents with their verdicts, every
// one inside the window, through MapPoints and, as the baseline, through
// pages of Incidents and VerdictsOf as the dashboard did before.
// TRUCE_TEST_POSTGRES adds PostgreSQL.
func BenchmarkMapPoints(b *testing.B) {
	const n = 100_000
	for _, e := range storetest.BenchEngines() {
		b.Run(e.Name, func(b *testing.B) {
			db := e.Open(b)
			ctx := context.Background()
			now := time.Now().UTC()
			a := &domain.Agreement{Slug: "bench", Name: "Bench", TimeZone: "Asia/Damascus", Start: now.AddDate(0, 0, -20)}
			if err := db.CreateAgreement(ctx, a); err != nil {
				b.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(1, 2))
			batch := make([]*domain.Incident, 0, 5000)
			for i := range n {
				batch = append(batch, &domain.Incident{SubEventType: domain.SubShelling,
					OccurredAt: now.Add(-time.Duration(rng.Int64N(int64(27 * 24 * time.Hour)))),
					Point:      &domain.Point{Lat: 32.5 + rng.Float64()*4.5, Lon: 35.8 + rng.Float64()*6},
					Admin1:     "Aleppo", Grade: domain.GradeFair, Origin: "bench", OriginID: strconv.Itoa(i), CreatedBy: "bench"})
				if len(batch) < cap(batch) {
					continue
				}
				if _, err := db.ImportIncidents(ctx, batch); err != nil {
					b.Fatal(err)
				}
				var vs []*domain.Verdict
				for _, in := range batch {
					views := []domain.ViewOutcome{{Label: "co-chairs", Outcome: "violation"}}
					vj, _ := json.Marshal(views)
					vs = append(vs, &domain.Verdict{IncidentID: in.ID, IncidentVersion: 1, AgreementID: a.ID, AgreementVersion: a.Version,
						Outcome: "violation", Outcomes: views, Views: vj, Sentence: "v", Fingerprint: "f"})
				}
				if _, err := db.PutVerdicts(ctx, vs, domain.Cause{Kind: domain.CauseRecompute, Text: "bench", Actor: "bench", At: now}); err != nil {
					b.Fatal(err)
				}
				batch = batch[:0]
			}
			f := domain.IncidentFilter{Since: now.AddDate(0, 0, -28), Until: now.AddDate(0, 0, 1)}
			b.Run("MapPoints", func(b *testing.B) {
				for b.Loop() {
					got := 0
					if err := db.MapPoints(ctx, f, a.ID, func(*domain.Incident, string) error { got++; return nil }); err != nil {
						b.Fatal(err)
					}
					if got != n {
						b.Fatalf("%d incidents, want %d", got, n)
					}
				}
			})
			b.Run("paged", func(b *testing.B) {
				for b.Loop() {
					pf, got := f, 0
					pf.Limit = 1000
					for {
						page, err := db.Incidents(ctx, pf)
						if err != nil {
							b.Fatal(err)
						}
						ids := make([]int64, len(page))
						for i, in := range page {
							ids[i] = in.ID
						}
						if _, err := db.VerdictsOf(ctx, a.ID, ids); err != nil {
							b.Fatal(err)
						}
						got += len(page)
						if len(page) < pf.Limit {
							break
						}
						pf.AfterID = page[len(page)-1].ID
					}
					if got != n {
						b.Fatalf("%d incidents, want %d", got, n)
					}
				}
			})
		})
	}
}
