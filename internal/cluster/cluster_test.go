package cluster

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/geo"
)

func day(d int) time.Time { return time.Date(2016, 2, d, 0, 0, 0, 0, time.UTC) }

func incident(id int64, lat, lon float64, at time.Time, sub string, perps ...int64) Item {
	in := &domain.Incident{ID: id, Point: &domain.Point{Lat: lat, Lon: lon}, OccurredAt: at,
		TimePrecision: domain.TimeDay, SubEventType: sub, Perpetrators: perps}
	it, _ := IncidentItem(in)
	return it
}

func keys(ps []*domain.ClusterProposal) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, p.Key())
	}
	return out
}

func TestPropose(t *testing.T) {
	const air, shell = domain.SubAirStrike, domain.SubShelling
	for _, tc := range []struct {
		name  string
		items []Item
		want  []string
	}{
		{"same strike twice", []Item{
			incident(1, 35.93, 36.63, day(28), air, 7),
			incident(2, 35.94, 36.64, day(28), air, 7),
		}, []string{"incident:1,incident:2"}},
		{"too far apart", []Item{
			incident(1, 35.93, 36.63, day(28), air),
			incident(2, 36.20, 36.63, day(28), air),
		}, []string{}},
		{"different types", []Item{
			incident(1, 35.93, 36.63, day(28), air),
			incident(2, 35.93, 36.63, day(28), shell),
		}, []string{}},
		{"days apart", []Item{
			incident(1, 35.93, 36.63, day(20), air),
			incident(2, 35.93, 36.63, day(28), air),
		}, []string{}},
		{"next day within the window", []Item{
			incident(1, 35.93, 36.63, day(27), air),
			incident(2, 35.93, 36.63, day(28).Add(3*time.Hour), air),
		}, []string{"incident:1,incident:2"}},
		{"a message joins an incident", []Item{
			incident(1, 35.93, 36.63, day(28), air),
			{Kind: domain.MemberMessage, ID: 9, Point: domain.Point{Lat: 35.931, Lon: 36.631}, Place: "Idlib",
				Start: day(28).Add(-12 * time.Hour), End: day(28).Add(12 * time.Hour)},
		}, []string{"incident:1,message:9"}},
		{"two messages alone", []Item{
			{Kind: domain.MemberMessage, ID: 8, Point: domain.Point{Lat: 35.93, Lon: 36.63}, Start: day(27), End: day(28)},
			{Kind: domain.MemberMessage, ID: 9, Point: domain.Point{Lat: 35.93, Lon: 36.63}, Start: day(27), End: day(28)},
		}, []string{}},
		{"chain does not grow past its anchor", []Item{
			incident(1, 35.900, 36.63, day(28), air),
			incident(2, 35.935, 36.63, day(28), air), // 3.9 km from 1
			incident(3, 35.970, 36.63, day(28), air), // 3.9 km from 2, 7.8 km from 1
		}, []string{"incident:1,incident:2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := keys(Propose(tc.items, Params{}))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("proposals (-want +got):\n%s", diff)
			}
		})
	}
}

func TestExplanation(t *testing.T) {
	ps := Propose([]Item{
		incident(1, 35.93, 36.63, day(28), domain.SubAirStrike, 7),
		incident(2, 35.94, 36.63, day(28), domain.SubAirStrike, 7),
	}, Params{Name: func(int64) string { return "Russian Armed Forces" }})
	if len(ps) != 1 {
		t.Fatalf("got %d proposals, want 1", len(ps))
	}
	p := ps[0]
	want := []string{"incident 1 and incident 2: 1.1 km apart, their times overlap, both Air/drone strike, same alleged perpetrator (Russian Armed Forces)"}
	if diff := cmp.Diff(want, p.Reasons); diff != "" {
		t.Errorf("reasons (-want +got):\n%s", diff)
	}
	if p.Score < 0.8 || p.Score > 1 {
		t.Errorf("score = %v, want in [0.8, 1] for a close, same-day, same-type, same-perpetrator pair", p.Score)
	}
	if got := p.Members[1].DistanceKm; got != 1.1 {
		t.Errorf("member distance = %v km, want 1.1", got)
	}
}

func TestPlaceInText(t *testing.T) {
	places := []*domain.Place{
		{Name: "Jisr ash-Shughur", NameAR: "جسر الشغور", Point: domain.Point{Lat: 35.81, Lon: 36.32}, FeatureClass: "P", Population: 44000},
		{Name: "Homs", NameAR: "حمص", Point: domain.Point{Lat: 34.73, Lon: 36.72}, FeatureClass: "P", Population: 775000},
	}
	g := geo.NewGeocoder(places, nil)
	for _, tc := range []struct {
		text, want string
	}{
		{"Shelling this morning on Jisr al-Shughur, many wounded", "Jisr ash-Shughur"},
		{"قصف مدفعي على حي الوعر في حمص صباح اليوم", "Homs"},
		{"nothing here names a place", ""},
	} {
		t.Run(tc.text, func(t *testing.T) {
			c, ok := PlaceInText(g, tc.text)
			got := ""
			if ok {
				got = c.Place.Name
			}
			if got != tc.want {
				t.Errorf("PlaceInText = %q, want %q", got, tc.want)
			}
		})
	}
}
