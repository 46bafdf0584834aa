package formats

import (
	"io"
	"strings"
	"unicode/utf8"

	"github.com/trucedesk/truce/internal/domain"
)

var airwarsRequired = []string{"airwars_id", "incident_date", "belligerent", "strike_type", "civilian_harm_grading",
	"civilians_killed_min", "civilians_killed_max", "latitude", "longitude", "location_en"}

// airwarsGrades maps Airwars' civilian-harm grading onto the domain's grades,
// which were modelled on it.
var airwarsGrades = map[string]domain.Grade{
	"":           domain.GradeUngraded,
	"confirmed":  domain.GradeConfirmed,
	"fair":       domain.GradeFair,
	"weak":       domain.GradeWeak,
	"contested":  domain.GradeContested,
	"discounted": domain.GradeDiscounted,
}

// airwarsGeo maps Airwars' geolocation accuracy onto ACLED's geo precision:
// a named place or finer is exact, a sub-district is near, a district or
// governorate only the region. No stated accuracy is taken as near rather
// than exact, to claim no more than Airwars does.
var airwarsGeo = map[string]domain.GeoPrecision{
	"":                     domain.GeoNear,
	"exact_location":       domain.GeoExact,
	"exact_location_other": domain.GeoExact,
	"street":               domain.GeoExact,
	"nearby_landmark":      domain.GeoExact,
	"neighbourhood_area":   domain.GeoExact,
	"village":              domain.GeoExact,
	"town":                 domain.GeoExact,
	"city":                 domain.GeoExact,
	"subdistrict":          domain.GeoNear,
	"district":             domain.GeoProvince,
	"province_governorate": domain.GeoProvince,
}

// AirwarsSubEvent maps Airwars' strike_type, a comma-separated list, to an
// ACLED sub-event type:
//
//   - only air types (Airstrike, Drone Strike), or air types listed together
//     with artillery, give Air/drone strike: an air strike is reported;
//   - only Artillery or Naval bombardment gives Shelling/artillery/missile attack;
//   - "Airstrike and/or Artillery", alone or with other ground-based types,
//     gives Shelling/artillery/missile attack. Airwars uses it when it cannot
//     tell which; calling it an air strike would attribute air power the
//     record does not establish and would inflate air-strike counts that
//     claims are checked against, while both acts are remote violence and
//     an agreement banning "bombardment" usually bans both;
//   - only ground types (Ground operation, Counter-Terrorism Action (Ground))
//     give Battles › Armed clash;
//   - empty or "Unknown" is treated like "Airstrike and/or Artillery": Airwars
//     records explosive-weapons harm, so remote violence of unknown kind.
//
// The original text stays in the incident summary.
func AirwarsSubEvent(strikeType string) string {
	var air, artillery, either, ground bool
	for _, t := range splitList(strikeType, ",") {
		switch strings.ToLower(t) {
		case "airstrike", "drone strike":
			air = true
		case "artillery", "naval bombardment":
			artillery = true
		case "ground operation", "counter-terrorism action (ground)":
			ground = true
		default: // "airstrike and/or artillery", "unknown"
			either = true
		}
	}
	switch {
	case air:
		return domain.SubAirStrike
	case artillery || either || !ground:
		return domain.SubShelling
	}
	return domain.SubClash
}

// NewAirwarsReader reads the Airwars civilian-harm incident table (the flat
// CSV of Airwars incident pages). The belligerents, several when attribution
// is contested, become the alleged perpetrators, and "Civilians" the target
// when civilian harm was reported. Fatalities add civilians and military:
// low and best are the minimums (Airwars publishes ranges and leads with the
// minimum), high the maximums; Civilian is the civilian minimum. The origin
// ID is airwars_id because incident codes repeat (TS631 is two incidents).
func NewAirwarsReader(r io.Reader, opts Options) (*Reader, error) {
	return newReader(r, FormatAirwars, airwarsRequired, opts, airwarsRecord)
}

func airwarsRecord(rw *row) (Record, *RowError) {
	var rec Record
	in := &rec.Incident
	in.Origin, in.OriginID = OriginAirwars, rw.get("airwars_id")
	if in.OriginID == "" {
		return rec, rw.errorf("airwars_id", "is empty")
	}
	var re *RowError
	if in.OccurredAt, re = rw.date("incident_date"); re != nil {
		return rec, re
	}
	in.TimePrecision = domain.TimeDay
	if end := rw.get("date_range_end"); end != "" && rw.get("date_type") == "date_range" {
		e, ok := parseDate(end)
		switch {
		case !ok:
			return rec, rw.errorf("date_range_end", "%q is not a date", end)
		case e.Before(in.OccurredAt):
			return rec, rw.errorf("date_range_end", "%s is before incident_date", end)
		case e.Sub(in.OccurredAt).Hours() > 7*24:
			in.TimePrecision = domain.TimeMonth
		case e.After(in.OccurredAt):
			in.TimePrecision = domain.TimeWeek
		}
	}
	st := rw.get("strike_type")
	in.SubEventType = AirwarsSubEvent(st)
	in.EventType, _ = domain.EventTypeOf(in.SubEventType)
	for _, b := range splitList(rw.get("belligerent"), ",") {
		if !strings.EqualFold(b, "unknown") {
			rec.Perpetrators = append(rec.Perpetrators, b)
		}
	}
	if strings.EqualFold(rw.get("civilian_harm_reported"), "yes") {
		rec.Targets = []string{"Civilians"}
	}
	g, ok := airwarsGrades[strings.ToLower(rw.get("civilian_harm_grading"))]
	if !ok {
		return rec, rw.errorf("civilian_harm_grading", "%q is not an Airwars grading", rw.get("civilian_harm_grading"))
	}
	in.Grade = g
	var n [6]int
	for i, col := range []string{"civilians_killed_min", "civilians_killed_max", "military_killed_min", "military_killed_max",
		"civilians_injured_min", "military_injured_min"} {
		if n[i], re = rw.count(col); re != nil {
			return rec, re
		}
	}
	if n[1] < n[0] {
		return rec, rw.errorf("civilians_killed_max", "%d is below civilians_killed_min %d", n[1], n[0])
	}
	if n[3] < n[2] {
		return rec, rw.errorf("military_killed_max", "%d is below military_killed_min %d", n[3], n[2])
	}
	in.Fatalities = domain.Fatalities{Best: n[0] + n[2], Low: n[0] + n[2], High: n[1] + n[3], Civilian: n[0]}
	in.Injured = n[4] + n[5]
	in.Location = rw.get("location_en")
	rec.LocationAR = rw.get("location_ar")
	if in.Point, re = rw.point("latitude", "longitude"); re != nil {
		return rec, re
	}
	acc := rw.get("geolocation_accuracy")
	if in.GeoPrecision, ok = airwarsGeo[strings.ToLower(acc)]; !ok {
		return rec, rw.errorf("geolocation_accuracy", "%q is not an Airwars accuracy", acc)
	}
	gov := rw.get("governorate")
	if gov == "" {
		gov = rw.get("region")
	}
	in.Admin1 = admin1(gov)
	in.Summary = airwarsSummary(rw, st)
	if u := rw.get("url"); u != "" {
		in.Sources = append(in.Sources, domain.Source{Kind: domain.SourceMedia, Publisher: "Airwars", URL: u})
	}
	for _, u := range splitList(rw.get("source_urls"), " | ") {
		in.Sources = append(in.Sources, domain.Source{Kind: domain.SourceMedia, URL: u})
	}
	return rec, nil
}

// airwarsSummary keeps what the incident's fields cannot: the incident code
// Airwars cites, the strike status and type as Airwars words them, and the
// narrative.
func airwarsSummary(rw *row, strikeType string) string {
	var parts []string
	if c := rw.get("incident_code"); c != "" {
		parts = append(parts, "Airwars "+c)
	}
	if s := rw.get("strike_status"); s != "" {
		parts = append(parts, s)
	}
	if strikeType != "" {
		parts = append(parts, "strike type: "+strikeType)
	}
	s := strings.Join(parts, "; ") + "."
	if len(parts) == 0 {
		s = ""
	}
	if n := rw.get("narrative_en"); n != "" {
		if s != "" {
			s += "\n\n"
		}
		s += n
	}
	if len(s) > domain.MaxBodyBytes {
		// A scraped page can exceed the domain's limit; cut on a rune boundary.
		i := domain.MaxBodyBytes
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		s = s[:i]
	}
	return s
}
