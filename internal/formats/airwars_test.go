package formats

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/trucedesk/truce/internal/domain"
)

func TestAirwarsSubEvent(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Airstrike", domain.SubAirStrike},
		{"Drone Strike", domain.SubAirStrike},
		{"Airstrike, Drone Strike", domain.SubAirStrike},
		{"Airstrike, Artillery, Drone Strike", domain.SubAirStrike},
		{"Artillery", domain.SubShelling},
		{"Airstrike and/or Artillery", domain.SubShelling},
		{"Airstrike and/or Artillery, Naval bombardment", domain.SubShelling},
		{"Artillery, Ground operation", domain.SubShelling},
		{"Ground operation", domain.SubClash},
		{"Counter-Terrorism Action (Ground)", domain.SubClash},
		{"", domain.SubShelling},
		{"Unknown", domain.SubShelling},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := AirwarsSubEvent(tt.in); got != tt.want {
				t.Errorf("AirwarsSubEvent(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestAirwarsFile reads the real Airwars file.
func TestAirwarsFile(t *testing.T) {
	reg := newRegistry()
	recs, rep := readAll(t, NewAirwarsReader, open(t, "airwars_syria_incidents_flat.csv"), Options{Resolver: reg})
	// Two rows are wrong in the file itself: one longitude lost its decimal
	// point, and YS133 has no date at all.
	if rep.Rows != 996 || rep.Accepted != 994 || rep.Rejected != 2 {
		t.Fatalf("report = %d rows, %d accepted, %d rejected (%v); want 996, 994, 2", rep.Rows, rep.Accepted, rep.Rejected, rep.Errors)
	}
	wantErrs := []RowError{
		{Line: 465, Column: "longitude", Reason: "4239.00416 is outside -180..180"},
		{Line: 992, Column: "incident_date", Reason: "is empty"},
	}
	if diff := cmp.Diff(wantErrs, rep.Errors); diff != "" {
		t.Errorf("row errors (-want +got):\n%s", diff)
	}

	first := recs[0]
	first.Incident.Sources = first.Incident.Sources[:3]
	want := Record{
		Line: 2,
		Incident: domain.Incident{
			EventType: "Explosions/Remote violence", SubEventType: domain.SubShelling,
			OccurredAt: day(2023, 9, 1), TimePrecision: domain.TimeDay,
			Location: "Al-Mohsenli,  countryside of Manbij, Aleppo", GeoPrecision: domain.GeoNear, Admin1: "Aleppo",
			Perpetrators: []int64{reg.ids["YPG"], reg.ids["Russian Military"], reg.ids["Turkish Military"]},
			Targets:      []int64{reg.ids["Civilians"]},
			Fatalities:   domain.Fatalities{Best: 7, Low: 7, High: 8, Civilian: 6}, // 6 civilians and 1–2 military
			Injured:      6, Grade: domain.GradeContested,
			Summary: "Airwars RS4802; Contested strike; strike type: Airstrike and/or Artillery.",
			Origin:  "airwars", OriginID: "100735",
			Sources: []domain.Source{
				{Kind: domain.SourceMedia, Publisher: "Airwars", URL: "https://airwars.org/civilian-casualties/rs4802-september-1-2023/"},
				{Kind: domain.SourceMedia, URL: "https://twitter.com/nahermedia/status/1697516394051498034"},
				{Kind: domain.SourceMedia, URL: "https://twitter.com/nahermedia/status/1697502328079745365"},
			},
		},
		Perpetrators: []string{"YPG", "Russian Military", "Turkish Military"},
		Targets:      []string{"Civilians"},
		LocationAR:   "المحسنلي",
	}
	if diff := cmp.Diff(want, first); diff != "" {
		t.Errorf("first record (-want +got):\n%s", diff)
	}
	if n := len(recs[0].Incident.Sources); n != 16 {
		t.Errorf("first record has %d sources, want the Airwars page and 15 URLs", n)
	}

	// The grades as counted in the file (117 ungraded less the two rejected rows).
	grades := map[domain.Grade]int{}
	subs := map[string]int{}
	for _, r := range recs {
		grades[r.Incident.Grade]++
		subs[r.Incident.SubEventType]++
	}
	wantGrades := map[domain.Grade]int{domain.GradeFair: 479, domain.GradeContested: 361, domain.GradeUngraded: 115,
		domain.GradeWeak: 34, domain.GradeConfirmed: 5}
	if diff := cmp.Diff(wantGrades, grades); diff != "" {
		t.Errorf("grades (-want +got):\n%s", diff)
	}
	if subs[domain.SubAirStrike] == 0 || subs[domain.SubShelling] == 0 || subs[domain.SubClash] == 0 {
		t.Errorf("sub-event types = %v, want air strikes, shelling and clashes", subs)
	}
}
