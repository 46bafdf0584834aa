package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/store/storetest"
	"github.com/trucedesk/truce/internal/web"
)

// mapAnswer is the part of GET /api/v1/map/incidents the tests read.
type mapAnswer struct {
	Since, Until  string
	Total, Mapped int
	Truncated     bool
	Grades        []string
	Verdicts      []string
	Daily         []int
	Recent        []struct{ ID int64 }
	Points        struct {
		IDDelta []int64 `json:"id_delta"`
		Lon     []int32 `json:"lon_e5"`
		Lat     []int32 `json:"lat_e5"`
		Grade   []int
		Verdict []int
	}
}

// mapPoint is one decoded point of a map answer.
type mapPoint struct {
	ID             int64
	Lon, Lat       float64
	Grade, Verdict string
}

func (a *mapAnswer) points() []mapPoint {
	var out []mapPoint
	id := int64(0)
	for i, d := range a.Points.IDDelta {
		id += d
		p := mapPoint{ID: id, Lon: float64(a.Points.Lon[i]) / 1e5, Lat: float64(a.Points.Lat[i]) / 1e5,
			Grade: a.Grades[a.Points.Grade[i]]}
		if a.Verdicts != nil {
			p.Verdict = a.Verdicts[a.Points.Verdict[i]]
		}
		out = append(out, p)
	}
	return out
}

// TestMapIncidents asks the dashboard's map endpoint for filtered views,
// of the server on the store's lean MapPoints and of one that pages
// through the store's contract, and checks both against the incidents
// stored: counts, points decoded from the compact columns, verdict and
// grade keys, the daily counts and the latest incidents.
func TestMapIncidents(t *testing.T) {
	db := storetest.OpenSQLite(t)
	ctx := context.Background()
	now := time.Now()
	loc, _ := time.LoadLocation("Asia/Damascus")
	a := &domain.Agreement{Slug: "test-truce", Name: "Test truce", TimeZone: "Asia/Damascus", Start: now.AddDate(0, 0, -10),
		Country: "SY", ExclusionAuthority: "UN Security Council", ProhibitedActs: []string{domain.SubShelling}}
	if err := db.CreateAgreement(ctx, a); err != nil {
		t.Fatal(err)
	}
	brigade := &domain.Party{Slug: "brigade", Name: "Brigade", Kind: domain.KindArmedGroup}
	if err := db.CreateParty(ctx, brigade); err != nil {
		t.Fatal(err)
	}
	// Six incidents at noon on the six local days before today; the fourth
	// has no location, the last has no verdict.
	y, m, d := now.In(loc).Date()
	noon := func(daysAgo int) time.Time { return time.Date(y, m, d-daysAgo, 12, 0, 0, 0, loc) }
	day := func(daysAgo int) string { return noon(daysAgo).Format(time.DateOnly) }
	type spec struct {
		sub     string
		admin1  string
		grade   domain.Grade
		pt      *domain.Point
		perp    bool
		outcome string
	}
	specs := []spec{
		{domain.SubShelling, "Aleppo", domain.GradeConfirmed, &domain.Point{Lat: 36.201234, Lon: 37.154321}, true, "violation"},
		{domain.SubAirStrike, "Idleb", domain.GradeFair, &domain.Point{Lat: 35.93, Lon: 36.63}, false, "not_violation"},
		{domain.SubShelling, "Homs", domain.GradeWeak, &domain.Point{Lat: 34.73, Lon: 36.71}, true, "undetermined"},
		{domain.SubClash, "Hama", domain.GradeFair, nil, false, "undetermined"},
		{domain.SubShelling, "Aleppo", domain.GradeUngraded, &domain.Point{Lat: 36.47, Lon: 37.1}, false, "violation"},
		{domain.SubAirStrike, "Dar'a", domain.GradeContested, &domain.Point{Lat: 32.62, Lon: 36.1}, true, ""},
	}
	var ins []*domain.Incident
	var vs []*domain.Verdict
	for i, sp := range specs {
		in := &domain.Incident{SubEventType: sp.sub, OccurredAt: noon(6 - i), Point: sp.pt, Admin1: sp.admin1, Grade: sp.grade,
			Location: fmt.Sprintf("place %d", i), CreatedBy: "test"}
		if sp.perp {
			in.Perpetrators = []int64{brigade.ID}
		}
		if err := db.CreateIncident(ctx, in); err != nil {
			t.Fatal(err)
		}
		ins = append(ins, in)
		if sp.outcome != "" {
			views := []domain.ViewOutcome{{Label: "co-chairs", Outcome: sp.outcome}}
			vj, _ := json.Marshal(views)
			vs = append(vs, &domain.Verdict{IncidentID: in.ID, IncidentVersion: in.Version, AgreementID: a.ID,
				AgreementVersion: a.Version, Outcome: sp.outcome, Outcomes: views, Views: vj, Sentence: sp.outcome, Fingerprint: "f"})
		}
	}
	if _, err := db.PutVerdicts(ctx, vs, domain.Cause{Kind: domain.CauseRecompute, Text: "test", Actor: "test", At: now}); err != nil {
		t.Fatal(err)
	}
	servers := map[string]string{
		"lean":  newServer(t, db).URL,
		"paged": newServerOver(t, db, struct{ domain.Store }{db}, 256).URL, // MapPoints hidden
	}

	tests := []struct {
		name   string
		query  url.Values
		anon   bool
		status int
		field  string
		want   []int // indexes into ins, in ID order
	}{
		{"everything", url.Values{}, false, 200, "", []int{0, 1, 2, 3, 4, 5}},
		{"anonymous", url.Values{}, true, 401, "", nil},
		{"type", url.Values{"type": {domain.SubShelling}}, false, 200, "", []int{0, 2, 4}},
		{"grade", url.Values{"grade": {"fair"}}, false, 200, "", []int{1, 3}},
		{"governorate", url.Values{"admin1": {"Aleppo"}}, false, 200, "", []int{0, 4}},
		{"party", url.Values{"party": {fmt.Sprint(brigade.ID)}}, false, 200, "", []int{0, 2, 5}},
		{"days", url.Values{"since": {day(4)}, "until": {day(1)}}, false, 200, "", []int{2, 3, 4}},
		{"one day", url.Values{"since": {day(2)}, "until": {day(1)}}, false, 200, "", []int{4}},
		{"box", url.Values{"bbox": {"36,35,38,37"}}, false, 200, "", []int{0, 1, 4}},
		{"nothing", url.Values{"admin1": {"Tartus"}}, false, 200, "", nil},
		{"bad day", url.Values{"since": {"yesterday"}}, false, 400, "since", nil},
		{"until before since", url.Values{"since": {day(1)}, "until": {day(3)}}, false, 400, "until", nil},
		{"bad type", url.Values{"type": {"Bombing"}}, false, 400, "type", nil},
		{"bad grade", url.Values{"grade": {"excellent"}}, false, 400, "grade", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			answers := map[string]*mapAnswer{}
			for name, base := range servers {
				req, _ := http.NewRequest("GET", base+"/api/v1/map/incidents?"+tt.query.Encode(), nil)
				if !tt.anon {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				var body struct {
					mapAnswer
					Error struct{ Field string }
				}
				err = json.NewDecoder(resp.Body).Decode(&body)
				resp.Body.Close()
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if resp.StatusCode != tt.status || body.Error.Field != tt.field {
					t.Fatalf("%s: %d, field %q; want %d, field %q", name, resp.StatusCode, body.Error.Field, tt.status, tt.field)
				}
				answers[name] = &body.mapAnswer
			}
			if tt.status != 200 {
				return
			}
			ans := answers["lean"]
			if diff := cmp.Diff(answers["paged"], ans); diff != "" {
				t.Errorf("the lean answer differs from the paged one (-paged +lean):\n%s", diff)
			}
			if ans.Verdicts == nil || ans.Points.Verdict == nil {
				t.Errorf("verdicts stored, but the answer has keys %v and points' verdicts %v (want an array, even empty)", ans.Verdicts, ans.Points.Verdict)
			}
			var wantPoints []mapPoint
			wantRecent := []int64{}
			for _, i := range tt.want {
				if p := ins[i].Point; p != nil {
					o := specs[i].outcome
					if o == "" {
						o = "unassessed"
					}
					wantPoints = append(wantPoints, mapPoint{ID: ins[i].ID, Lon: p.Lon, Lat: p.Lat, Grade: string(specs[i].grade), Verdict: o})
				}
				wantRecent = append([]int64{ins[i].ID}, wantRecent...) // newest first
			}
			near := cmp.Comparer(func(x, y float64) bool { return math.Abs(x-y) <= 0.5e-5 })
			if diff := cmp.Diff(wantPoints, ans.points(), near); diff != "" {
				t.Errorf("points (-want +got):\n%s", diff)
			}
			if ans.Total != len(tt.want) || ans.Mapped != len(wantPoints) || ans.Truncated {
				t.Errorf("total %d, mapped %d, truncated %v; want %d, %d, false", ans.Total, ans.Mapped, ans.Truncated, len(tt.want), len(wantPoints))
			}
			daily := 0
			for _, n := range ans.Daily {
				daily += n
			}
			var recent []int64
			for _, r := range ans.Recent {
				recent = append(recent, r.ID)
			}
			if daily != ans.Total || !slices.Equal(recent, wantRecent) {
				t.Errorf("daily counts sum to %d (want %d); latest %v, want %v", daily, ans.Total, recent, wantRecent)
			}
		})
	}
}

// TestMapWideWindow asks for a window holding more incidents than one map
// answer carries: the total and the daily counts still cover the whole
// window (counted in SQL), and the points and the table are the newest
// days' that fit, which the answer names.
func TestMapWideWindow(t *testing.T) {
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			db := eng.Open(t)
			ctx := context.Background()
			loc, _ := time.LoadLocation("Asia/Damascus")
			a := &domain.Agreement{Slug: "truce", Name: "Truce", TimeZone: "Asia/Damascus", Start: time.Date(2016, 2, 27, 0, 0, 0, 0, loc),
				End: time.Date(2016, 3, 5, 0, 0, 0, 0, loc), ProhibitedActs: []string{domain.SubShelling}}
			if err := db.CreateAgreement(ctx, a); err != nil {
				t.Fatal(err)
			}
			// Ten incidents on each of six local days, 27 Feb to 3 Mar, at
			// 00:30 local time (22:30 UTC the evening before), so a count
			// by UTC day would put them on the wrong day.
			var batch []*domain.Incident
			for d := range 6 {
				for i := range 10 {
					batch = append(batch, &domain.Incident{SubEventType: domain.SubShelling, CreatedBy: "t",
						OccurredAt: time.Date(2016, 2, 27+d, 0, 30+i, 0, 0, loc), Origin: "t", OriginID: fmt.Sprint(d, "-", i),
						Point: &domain.Point{Lat: 36.2, Lon: 37.1 + float64(i)/100}})
				}
			}
			if _, err := db.ImportIncidents(ctx, batch); err != nil {
				t.Fatal(err)
			}
			ts := newServerWith(t, db, db, 256, func(s *web.Server) { s.MapLimit = 25 })
			resp, body := do(t, "GET", ts.URL+"/api/v1/map/incidents?since=2016-02-26&until=2016-03-05", "", nil, true)
			var got struct {
				mapAnswer
				PointsSince string `json:"points_since"`
			}
			if err := json.Unmarshal(body, &got); err != nil || resp.StatusCode != 200 {
				t.Fatalf("status %d, %v: %s", resp.StatusCode, err, body)
			}
			wantDaily := []int{0, 10, 10, 10, 10, 10, 10, 0} // 26 Feb to 4 Mar
			if got.Total != 60 || !slices.Equal(got.Daily, wantDaily) || !got.Truncated {
				t.Errorf("total %d, daily %v, truncated %v; want 60, %v, true", got.Total, got.Daily, got.Truncated, wantDaily)
			}
			// The newest days that fit 25: 2 and 3 March (20 incidents).
			if got.PointsSince != "2016-03-02" || got.Mapped != 20 || len(got.points()) != 20 {
				t.Errorf("points since %q, %d mapped, %d points; want 2016-03-02, 20", got.PointsSince, got.Mapped, len(got.points()))
			}
			for _, p := range got.points() {
				in, err := db.Incident(ctx, p.ID)
				if err != nil || in.OccurredAt.Before(time.Date(2016, 3, 2, 0, 0, 0, 0, loc)) {
					t.Errorf("point %d of %v is before the days the answer names (%v)", p.ID, in.OccurredAt, err)
				}
			}
			if len(got.Recent) == 0 || got.Recent[0].ID != batch[len(batch)-1].ID {
				t.Errorf("the table starts with %+v, want the newest incident %d", got.Recent, batch[len(batch)-1].ID)
			}
			// A narrower window fits and is answered whole.
			_, body = do(t, "GET", ts.URL+"/api/v1/map/incidents?since=2016-03-02&until=2016-03-05", "", nil, true)
			got = struct {
				mapAnswer
				PointsSince string `json:"points_since"`
			}{}
			json.Unmarshal(body, &got)
			if got.Total != 20 || got.Truncated || got.PointsSince != "" || got.Mapped != 20 {
				t.Errorf("narrow window: total %d, truncated %v, since %q, mapped %d", got.Total, got.Truncated, got.PointsSince, got.Mapped)
			}
		})
	}
}
