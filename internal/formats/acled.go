package formats

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/trucedesk/truce/internal/domain"
)

// ACLEDColumns are the 31 columns of ACLED's published export, in order.
var ACLEDColumns = []string{
	"event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
	"actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
	"iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude", "geo_precision",
	"source", "source_scale", "notes", "fatalities", "tags", "timestamp",
}

// acledRequired are the columns an ACLED import cannot do without; the others
// may be missing, as in hand-trimmed extracts.
var acledRequired = []string{"event_id_cnty", "event_date", "event_type", "sub_event_type", "actor1", "actor2",
	"latitude", "longitude", "fatalities"}

// NewACLEDReader reads an ACLED CSV export. Columns are found by the header,
// so any order works. Actor 1 and its associates become the alleged
// perpetrators and actor 2 and its associates the targets: ACLED says the
// order implies no direction, but for remote violence and violence against
// civilians actor 1 is the one acting, and those are the events a ceasefire
// desk judges.
func NewACLEDReader(r io.Reader, opts Options) (*Reader, error) {
	return newReader(r, FormatACLED, acledRequired, opts, acledRecord)
}

func acledRecord(rw *row) (Record, *RowError) {
	var rec Record
	in := &rec.Incident
	in.Origin, in.OriginID = OriginACLED, rw.get("event_id_cnty")
	if in.OriginID == "" {
		return rec, rw.errorf("event_id_cnty", "is empty")
	}
	var re *RowError
	if in.OccurredAt, re = rw.date("event_date"); re != nil {
		return rec, re
	}
	if in.TimePrecision, re = precision[domain.TimePrecision](rw, "time_precision"); re != nil {
		return rec, re
	}
	if v := rw.get("event_type"); v != "" {
		if in.EventType = eventTypes[strings.ToLower(v)]; in.EventType == "" {
			return rec, rw.errorf("event_type", "%q is not an ACLED event type", v)
		}
	}
	v := rw.get("sub_event_type")
	if in.SubEventType = subEvents[strings.ToLower(v)]; in.SubEventType == "" {
		return rec, rw.errorf("sub_event_type", "%q is not an ACLED sub-event type", v)
	}
	rec.Perpetrators = actors(rw.get("actor1"), rw.get("assoc_actor_1"))
	rec.Targets = actors(rw.get("actor2"), rw.get("assoc_actor_2"))
	in.Admin1 = admin1(rw.get("admin1"))
	in.Admin2 = rw.get("admin2")
	in.Location = rw.get("location")
	if in.Point, re = rw.point("latitude", "longitude"); re != nil {
		return rec, re
	}
	if in.GeoPrecision, re = precision[domain.GeoPrecision](rw, "geo_precision"); re != nil {
		return rec, re
	}
	in.Sources = parseSources(rw.get("source"))
	in.Summary = rw.get("notes")
	if in.Fatalities.Best, re = rw.count("fatalities"); re != nil {
		return rec, re
	}
	in.Fatalities.Low, in.Fatalities.High = in.Fatalities.Best, in.Fatalities.Best
	return rec, readTags(rw, in)
}

// precision reads ACLED's 1–3 precision codes; empty means unknown, left to
// the domain's default.
func precision[P ~int](rw *row, col string) (P, *RowError) {
	v := rw.get(col)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 3 {
		return 0, rw.errorf(col, "%q is not 1, 2 or 3", v)
	}
	return P(n), nil
}

// actors lists an ACLED actor and its associated actors ("A; B").
func actors(main, assoc string) []string {
	out := splitList(main, ";")
	for _, a := range splitList(assoc, ";") {
		if !contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

// tagPrefix marks what Truce adds to ACLED's free-text tags column to carry
// the incident fields the 31 columns lack (fatality bounds, civilian deaths,
// injuries, grade, origin), so an export re-imports unchanged. Other tools
// see ordinary tags.
const tagPrefix = "truce:"

func writeTags(in *domain.Incident) string {
	var tags []string
	add := func(k, v string) { tags = append(tags, tagPrefix+k+"="+v) }
	f := in.Fatalities
	if f.Low != f.Best {
		add("low", itoa(f.Low))
	}
	if f.High != f.Best {
		add("high", itoa(f.High))
	}
	if f.Civilian != 0 {
		add("civilian", itoa(f.Civilian))
	}
	if in.Injured != 0 {
		add("injured", itoa(in.Injured))
	}
	if in.Grade != "" {
		add("grade", string(in.Grade))
	}
	if in.Origin != "" && in.Origin != OriginACLED {
		add("origin", in.Origin)
	}
	return strings.Join(tags, "; ")
}

func readTags(rw *row, in *domain.Incident) *RowError {
	for _, t := range splitList(rw.get("tags"), ";") {
		k, v, ok := strings.Cut(strings.TrimPrefix(t, tagPrefix), "=")
		if !ok || !strings.HasPrefix(t, tagPrefix) {
			continue // ACLED's own tags ("crowd size=no report")
		}
		bad := func() *RowError { return rw.errorf("tags", "%q: bad value for %s", t, k) }
		switch k {
		case "low", "high", "civilian", "injured":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return bad()
			}
			switch k {
			case "low":
				in.Fatalities.Low = n
			case "high":
				in.Fatalities.High = n
			case "civilian":
				in.Fatalities.Civilian = n
			case "injured":
				in.Injured = n
			}
		case "grade":
			if in.Grade = domain.Grade(v); !in.Grade.Valid() {
				return bad()
			}
		case "origin":
			if v == "" {
				return bad()
			}
			in.Origin = v
		}
	}
	return nil
}

// disorderTypes gives ACLED's disorder_type for each event type.
var disorderTypes = map[string]string{
	"Battles":                    "Political violence",
	"Explosions/Remote violence": "Political violence",
	"Violence against civilians": "Political violence",
	"Protests":                   "Demonstrations",
	"Riots":                      "Political violence; Demonstrations",
	"Strategic developments":     "Strategic developments",
}

// ACLEDWriter writes incidents as ACLED CSV. Country, ISO and Region fill the
// columns the incident does not hold; inter codes, admin3 and source scale
// are left empty because Truce does not record them.
type ACLEDWriter struct {
	Country string // "Syria"
	ISO     string // "760"
	Region  string // "Middle East"

	w      *csv.Writer
	names  NameFunc
	header bool
	rec    []string
}

// NewACLEDWriter returns a writer that names parties through names.
func NewACLEDWriter(w io.Writer, names NameFunc) *ACLEDWriter {
	return &ACLEDWriter{w: csv.NewWriter(w), names: names, rec: make([]string, len(ACLEDColumns))}
}

// Write writes one incident, after the header if it is the first. Extra
// perpetrators and targets go to the associated-actor columns.
func (w *ACLEDWriter) Write(in *domain.Incident) error {
	if !w.header {
		if err := w.w.Write(ACLEDColumns); err != nil {
			return fmt.Errorf("write ACLED header: %w", err)
		}
		w.header = true
	}
	r := w.rec
	id := in.OriginID
	if id == "" {
		id = "TRUCE" + strconv.FormatInt(in.ID, 10)
	}
	perps, targets := partyNames(in.Perpetrators, w.names), partyNames(in.Targets, w.names)
	lat, lon := "", ""
	if in.Point != nil {
		lat, lon = ftoa(in.Point.Lat), ftoa(in.Point.Lon)
	}
	civ := ""
	if in.Fatalities.Civilian > 0 {
		civ = "Civilian targeting"
	}
	ts := ""
	if !in.UpdatedAt.IsZero() {
		ts = strconv.FormatInt(in.UpdatedAt.Unix(), 10)
	}
	r[0], r[1], r[2], r[3] = id, in.OccurredAt.Format("2006-01-02"), itoa(in.OccurredAt.Year()), precisionString(int(in.TimePrecision))
	r[4], r[5], r[6] = disorderTypes[in.EventType], in.EventType, in.SubEventType
	r[7], r[8], r[9] = first(perps), strings.Join(rest(perps), "; "), ""
	r[10], r[11], r[12], r[13], r[14] = first(targets), strings.Join(rest(targets), "; "), "", "", civ
	r[15], r[16], r[17], r[18], r[19], r[20], r[21] = w.ISO, w.Region, w.Country, in.Admin1, in.Admin2, "", in.Location
	r[22], r[23], r[24] = lat, lon, precisionString(int(in.GeoPrecision))
	r[25], r[26], r[27], r[28], r[29], r[30] = formatSources(in.Sources), "", in.Summary, itoa(in.Fatalities.Best), writeTags(in), ts
	if err := w.w.Write(r); err != nil {
		return fmt.Errorf("write ACLED row: %w", err)
	}
	return nil
}

// Flush writes buffered rows, and the header if no incident was written, so
// an empty export is still a valid file.
func (w *ACLEDWriter) Flush() error {
	if !w.header {
		if err := w.w.Write(ACLEDColumns); err != nil {
			return fmt.Errorf("write ACLED header: %w", err)
		}
		w.header = true
	}
	w.w.Flush()
	if err := w.w.Error(); err != nil {
		return fmt.Errorf("write ACLED: %w", err)
	}
	return nil
}

func precisionString(p int) string {
	if p == 0 {
		return ""
	}
	return itoa(p)
}

func first(ss []string) string {
	if len(ss) == 0 {
		return ""
	}
	return ss[0]
}

func rest(ss []string) []string {
	if len(ss) < 2 {
		return nil
	}
	return ss[1:]
}
