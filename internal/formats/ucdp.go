package formats

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/trucedesk/truce/internal/domain"
)

// UCDPColumns are the columns of UCDP GED's CSV (version 22 on) that the
// writer emits, followed by Truce's own extension columns, which carry what
// GED lacks and which other tools ignore.
var UCDPColumns = []string{
	"id", "relid", "year", "active_year", "code_status", "type_of_violence", "conflict_dset_id", "conflict_new_id",
	"conflict_name", "dyad_dset_id", "dyad_new_id", "dyad_name", "side_a_dset_id", "side_a_new_id", "side_a",
	"side_b_dset_id", "side_b_new_id", "side_b", "number_of_sources", "source_article", "source_office",
	"source_date", "source_headline", "source_original", "where_prec", "where_coordinates", "where_description",
	"adm_1", "adm_2", "latitude", "longitude", "geom_wkt", "priogrid_gid", "country", "country_id", "region",
	"event_clarity", "date_prec", "date_start", "date_end", "deaths_a", "deaths_b", "deaths_civilians",
	"deaths_unknown", "best", "high", "low",
	"truce_origin", "truce_sub_event_type", "truce_grade", "truce_injured", "truce_summary",
}

var ucdpRequired = []string{"id", "type_of_violence", "side_a", "side_b", "latitude", "longitude",
	"date_start", "best", "high", "low"}

// UCDP's types of violence.
const (
	ucdpStateBased = 1
	ucdpNonState   = 2
	ucdpOneSided   = 3
)

// NewUCDPReader reads a UCDP GED event CSV. GED has no sub-event types, so
// state-based and non-state conflict (types 1 and 2) become Battles › Armed
// clash and one-sided violence (type 3) Violence against civilians › Attack,
// unless Truce's truce_sub_event_type column says otherwise. Side A becomes
// the alleged perpetrator and side B the target; for type 3 side B is
// "Civilians". Precisions map onto ACLED's three levels: date_prec 1 is a day,
// 2–3 a week, 4–5 a month; where_prec 1 is exact, 2 near, 3–7 the region.
func NewUCDPReader(r io.Reader, opts Options) (*Reader, error) {
	return newReader(r, FormatUCDP, ucdpRequired, opts, ucdpRecord)
}

func ucdpRecord(rw *row) (Record, *RowError) {
	var rec Record
	in := &rec.Incident
	in.Origin, in.OriginID = OriginUCDP, rw.get("id")
	if in.OriginID == "" {
		return rec, rw.errorf("id", "is empty")
	}
	if o := rw.get("truce_origin"); o != "" {
		in.Origin = o
	}
	var re *RowError
	if in.OccurredAt, re = rw.date("date_start"); re != nil {
		return rec, re
	}
	if v := rw.get("date_end"); v != "" {
		end, ok := parseDate(v)
		if !ok {
			return rec, rw.errorf("date_end", "%q is not a date", v)
		}
		if end.Before(in.OccurredAt) {
			return rec, rw.errorf("date_end", "%s is before date_start", v)
		}
	}
	switch v := rw.get("date_prec"); v {
	case "", "1":
		in.TimePrecision = domain.TimeDay
	case "2", "3":
		in.TimePrecision = domain.TimeWeek
	case "4", "5":
		in.TimePrecision = domain.TimeMonth
	default:
		return rec, rw.errorf("date_prec", "%q is not 1–5", v)
	}
	switch v := rw.get("where_prec"); v {
	case "", "1":
		in.GeoPrecision = domain.GeoExact
	case "2":
		in.GeoPrecision = domain.GeoNear
	case "3", "4", "5", "6", "7":
		in.GeoPrecision = domain.GeoProvince
	default:
		return rec, rw.errorf("where_prec", "%q is not 1–7", v)
	}
	tv := rw.get("type_of_violence")
	switch tv {
	case "1", "2":
		in.EventType, in.SubEventType = "Battles", domain.SubClash
	case "3":
		in.EventType, in.SubEventType = "Violence against civilians", "Attack"
	default:
		return rec, rw.errorf("type_of_violence", "%q is not 1, 2 or 3", tv)
	}
	if v := rw.get("truce_sub_event_type"); v != "" {
		if in.SubEventType = subEvents[strings.ToLower(v)]; in.SubEventType == "" {
			return rec, rw.errorf("truce_sub_event_type", "%q is not an ACLED sub-event type", v)
		}
		in.EventType, _ = domain.EventTypeOf(in.SubEventType)
	}
	rec.Perpetrators = splitList(rw.get("side_a"), ";")
	rec.Targets = splitList(rw.get("side_b"), ";")
	if in.Point, re = rw.point("latitude", "longitude"); re != nil {
		return rec, re
	}
	in.Location = rw.get("where_coordinates")
	in.Admin1 = admin1(rw.get("adm_1"))
	in.Admin2 = rw.get("adm_2")
	in.Sources = parseSources(rw.get("source_article"))
	f := &in.Fatalities
	for _, c := range []struct {
		col string
		n   *int
	}{{"best", &f.Best}, {"low", &f.Low}, {"high", &f.High}, {"deaths_civilians", &f.Civilian}, {"truce_injured", &in.Injured}} {
		if *c.n, re = rw.count(c.col); re != nil {
			return rec, re
		}
	}
	if v := rw.get("truce_grade"); v != "" {
		if in.Grade = domain.Grade(v); !in.Grade.Valid() {
			return rec, rw.errorf("truce_grade", "%q is not a grade", v)
		}
	}
	in.Summary = rw.get("truce_summary")
	return rec, nil
}

// UCDPWriter writes incidents as UCDP-GED-style CSV. GED's conflict and dyad
// identifiers are UCDP's own and are left empty; Country and Region fill the
// columns the incident does not hold. Deaths not counted as civilian go to
// deaths_unknown, since Truce does not split them between the sides.
type UCDPWriter struct {
	Country string // "Syria"
	Region  string // "Middle East"

	w      *csv.Writer
	names  NameFunc
	header bool
	rec    []string
	col    map[string]int
}

// NewUCDPWriter returns a writer that names parties through names.
func NewUCDPWriter(w io.Writer, names NameFunc) *UCDPWriter {
	col := make(map[string]int, len(UCDPColumns))
	for i, c := range UCDPColumns {
		col[c] = i
	}
	return &UCDPWriter{w: csv.NewWriter(w), names: names, rec: make([]string, len(UCDPColumns)), col: col}
}

// Write writes one incident, after the header if it is the first.
func (w *UCDPWriter) Write(in *domain.Incident) error {
	if err := w.writeHeader(); err != nil {
		return err
	}
	for i := range w.rec {
		w.rec[i] = ""
	}
	set := func(c, v string) { w.rec[w.col[c]] = v }
	id, origin := in.OriginID, in.Origin
	if id == "" {
		id = "TRUCE" + strconv.FormatInt(in.ID, 10)
	}
	if origin == OriginUCDP {
		origin = ""
	}
	tv := ucdpStateBased
	if in.EventType == "Violence against civilians" {
		tv = ucdpOneSided
	}
	perps, targets := partyNames(in.Perpetrators, w.names), partyNames(in.Targets, w.names)
	day := in.OccurredAt.Format("2006-01-02")
	set("id", id)
	set("year", itoa(in.OccurredAt.Year()))
	set("type_of_violence", itoa(tv))
	set("side_a", strings.Join(perps, "; "))
	set("side_b", strings.Join(targets, "; "))
	if len(perps) > 0 && len(targets) > 0 {
		set("dyad_name", strings.Join(perps, "; ")+" - "+strings.Join(targets, "; "))
	}
	set("number_of_sources", itoa(len(in.Sources)))
	set("source_article", formatSources(in.Sources))
	set("where_prec", map[domain.GeoPrecision]string{domain.GeoExact: "1", domain.GeoNear: "2", domain.GeoProvince: "4"}[in.GeoPrecision])
	set("where_coordinates", in.Location)
	set("adm_1", in.Admin1)
	set("adm_2", in.Admin2)
	if in.Point != nil {
		set("latitude", ftoa(in.Point.Lat))
		set("longitude", ftoa(in.Point.Lon))
		set("geom_wkt", "POINT ("+ftoa(in.Point.Lon)+" "+ftoa(in.Point.Lat)+")")
	}
	set("country", w.Country)
	set("region", w.Region)
	set("date_prec", map[domain.TimePrecision]string{domain.TimeDay: "1", domain.TimeWeek: "3", domain.TimeMonth: "4"}[in.TimePrecision])
	set("date_start", day)
	set("date_end", day)
	f := in.Fatalities
	set("deaths_a", "0")
	set("deaths_b", "0")
	set("deaths_civilians", itoa(f.Civilian))
	set("deaths_unknown", itoa(max(f.Best-f.Civilian, 0)))
	set("best", itoa(f.Best))
	set("high", itoa(f.High))
	set("low", itoa(f.Low))
	set("truce_origin", origin)
	set("truce_sub_event_type", in.SubEventType)
	set("truce_grade", string(in.Grade))
	if in.Injured != 0 {
		set("truce_injured", itoa(in.Injured))
	}
	set("truce_summary", in.Summary)
	if err := w.w.Write(w.rec); err != nil {
		return fmt.Errorf("write UCDP row: %w", err)
	}
	return nil
}

func (w *UCDPWriter) writeHeader() error {
	if w.header {
		return nil
	}
	w.header = true
	if err := w.w.Write(UCDPColumns); err != nil {
		return fmt.Errorf("write UCDP header: %w", err)
	}
	return nil
}

// Flush writes buffered rows, and the header if no incident was written.
func (w *UCDPWriter) Flush() error {
	if err := w.writeHeader(); err != nil {
		return err
	}
	w.w.Flush()
	if err := w.w.Error(); err != nil {
		return fmt.Errorf("write UCDP: %w", err)
	}
	return nil
}
