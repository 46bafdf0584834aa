package formats

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/trucedesk/truce/internal/domain"
)

// The format names reports and messages use.
const (
	FormatACLED   = "ACLED CSV"
	FormatUCDP    = "UCDP GED CSV"
	FormatAirwars = "Airwars CSV"
	FormatVDC     = "VDC daily CSV"
)

// dateLayouts are the forms dates take across the formats: ISO, ACLED's
// export tool ("28 February 2016"), and UCDP's SQL timestamps, cut to the day.
var dateLayouts = []string{"2006-01-02", "2 January 2006", "02-01-2006", "2 Jan 2006", "1/2/2006"}

// parseDate reads a day as midnight UTC: the formats give local days with no
// time of day, and UTC keeps the day unchanged whatever the server's zone.
func parseDate(s string) (time.Time, bool) {
	if len(s) > 10 && (s[10] == ' ' || s[10] == 'T') && s[4] == '-' {
		s = s[:10] // "2016-02-27 00:00:00.000"
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

func (r *row) date(col string) (time.Time, *RowError) {
	v := r.get(col)
	if v == "" {
		return time.Time{}, r.errorf(col, "is empty")
	}
	t, ok := parseDate(v)
	if !ok {
		return time.Time{}, r.errorf(col, "%q is not a date (want 2016-02-28 or 28 February 2016)", v)
	}
	if t.Year() < 1900 || t.Year() > 2200 {
		return time.Time{}, r.errorf(col, "year %d is not plausible", t.Year())
	}
	return t, nil
}

// count reads a non-negative whole number; empty is zero. Some exports write
// counts as floats ("3.0"), which are accepted when whole.
func (r *row) count(col string) (int, *RowError) {
	v := r.get(col)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		f, ferr := strconv.ParseFloat(v, 64)
		if ferr != nil || f != math.Trunc(f) || math.Abs(f) > 1e9 {
			return 0, r.errorf(col, "%q is not a whole number", v)
		}
		n = int(f)
	}
	if n < 0 {
		return 0, r.errorf(col, "%d is negative", n)
	}
	return n, nil
}

// point reads a latitude/longitude pair; both empty means no point.
func (r *row) point(latCol, lonCol string) (*domain.Point, *RowError) {
	la, lo := r.get(latCol), r.get(lonCol)
	if la == "" && lo == "" {
		return nil, nil
	}
	if la == "" {
		return nil, r.errorf(latCol, "is empty while %s is %s", lonCol, lo)
	}
	if lo == "" {
		return nil, r.errorf(lonCol, "is empty while %s is %s", latCol, la)
	}
	lat, err := strconv.ParseFloat(la, 64)
	if err != nil || math.IsNaN(lat) {
		return nil, r.errorf(latCol, "%q is not a number", la)
	}
	lon, err := strconv.ParseFloat(lo, 64)
	if err != nil || math.IsNaN(lon) {
		return nil, r.errorf(lonCol, "%q is not a number", lo)
	}
	if lat < -90 || lat > 90 {
		return nil, r.errorf(latCol, "%v is outside -90..90", lat)
	}
	if lon < -180 || lon > 180 {
		return nil, r.errorf(lonCol, "%v is outside -180..180", lon)
	}
	return &domain.Point{Lat: lat, Lon: lon}, nil
}

// splitList splits a list column, trimming and dropping empty and repeated
// entries.
func splitList(s, sep string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	var out []string
	for _, p := range strings.Split(s, sep) {
		p = strings.TrimSpace(p)
		if p == "" || contains(out, p) {
			continue
		}
		out = append(out, p)
	}
	return out
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// subEvents maps a lower-cased ACLED sub-event type, including older
// spellings, to the domain's spelling.
var subEvents = func() map[string]string {
	m := map[string]string{
		"excessive force against protestors": "Excessive force against protesters",
	}
	for _, subs := range domain.EventTypes {
		for _, s := range subs {
			m[strings.ToLower(s)] = s
		}
	}
	return m
}()

// eventTypes maps a lower-cased ACLED event type to the domain's spelling
// ("Strategic Developments" appears in older files).
var eventTypes = func() map[string]string {
	m := map[string]string{}
	for t := range domain.EventTypes {
		m[strings.ToLower(t)] = t
	}
	return m
}()

// formatSource writes a source as one list entry: the publisher, the URL, or
// "Publisher <URL>" when both are known. A URL that does not start with
// http(s), as datasets sometimes garble them, is written "<URL>" so it reads
// back as a URL.
func formatSource(s domain.Source) string {
	switch {
	case s.Publisher != "" && s.URL != "":
		return s.Publisher + " <" + s.URL + ">"
	case s.URL != "" && !isURL(s.URL):
		return "<" + s.URL + ">"
	case s.URL != "":
		return s.URL
	}
	return s.Publisher
}

func isURL(s string) bool { return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") }

// parseSource reads an entry written by formatSource, or a plain source name
// as ACLED and UCDP give them.
func parseSource(e string) domain.Source {
	if strings.HasSuffix(e, ">") {
		if strings.HasPrefix(e, "<") {
			return domain.Source{Kind: domain.SourceMedia, URL: e[1 : len(e)-1]}
		}
		if i := strings.LastIndex(e, " <"); i > 0 {
			return domain.Source{Kind: domain.SourceMedia, Publisher: strings.TrimSpace(e[:i]), URL: e[i+2 : len(e)-1]}
		}
	}
	if isURL(e) {
		return domain.Source{Kind: domain.SourceMedia, URL: e}
	}
	return domain.Source{Kind: domain.SourceMedia, Publisher: e}
}

func formatSources(ss []domain.Source) string {
	parts := make([]string, 0, len(ss))
	for _, s := range ss {
		if e := formatSource(s); e != "" {
			parts = append(parts, e)
		}
	}
	return strings.Join(parts, "; ")
}

func parseSources(s string) []domain.Source {
	var out []domain.Source
	for _, e := range splitList(s, ";") {
		out = append(out, parseSource(e))
	}
	return out
}

// partyNames turns party IDs into names for the writers. An ID the lookup
// does not know is written as "party #ID" rather than dropped, so the export
// still shows that a party was named.
func partyNames(ids []int64, names NameFunc) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if names != nil {
			if n, ok := names(id); ok {
				out = append(out, n)
				continue
			}
		}
		out = append(out, "party #"+strconv.FormatInt(id, 10))
	}
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
