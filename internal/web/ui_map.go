package web

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/trucedesk/truce/internal/analysis"
	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/stats"
)

// defaultMapLimit caps the incidents one map answer carries (Server.MapLimit).
// At 100,000 the answer is under 1 MB compressed, which a poor connection
// still fetches, and the dashboard's canvas layer still draws fluidly.
const defaultMapLimit = 100_000

// mapRecent is how many of the newest incidents the answer lists, for the
// dashboard's table: the map is not usable with a keyboard or a screen
// reader, the table is.
const mapRecent = 50

// mapPoints holds the incidents with a location as parallel arrays of
// integers, which need no parsing of objects in the browser and compress
// well: IDs rise, so each is sent as its difference from the one before
// (mostly 1), and positions in hundred-thousandths of a degree (about a
// metre, far finer than a dot) rather than as 17-digit decimals. Grade and
// Verdict index into the answer's Grades and Verdicts, so the colour key is
// a lookup whichever is shown; Verdict is null when the answer has no
// Verdicts, and an array, empty or not, when it has.
type mapPoints struct {
	IDDelta []int64 `json:"id_delta"`
	Lon     []int32 `json:"lon_e5"`
	Lat     []int32 `json:"lat_e5"`
	Grade   []int   `json:"grade"`
	Verdict []int   `json:"verdict"`
}

// e5 is a coordinate in hundred-thousandths of a degree.
func e5(deg float64) int32 { return int32(math.Round(deg * 1e5)) }

// mapRow is one incident of the dashboard's table.
type mapRow struct {
	ID       int64        `json:"id"`
	Day      string       `json:"day"`
	Type     string       `json:"type"`
	Location string       `json:"location"`
	Admin1   string       `json:"admin1"`
	Grade    domain.Grade `json:"grade"`
	Deaths   int          `json:"deaths"`
}

// mapAnswer is the body of GET /api/v1/map/incidents.
type mapAnswer struct {
	TimeZone string `json:"time_zone"`
	Since    string `json:"since"` // first local day
	Until    string `json:"until"` // the day after the last
	// SinceAt and UntilAt are the same bounds as instants, which the
	// incident list and exports take.
	SinceAt   time.Time `json:"since_at"`
	UntilAt   time.Time `json:"until_at"`
	Total     int       `json:"total"`
	Mapped    int       `json:"mapped"`
	Truncated bool      `json:"truncated"`
	Limit     int       `json:"limit"`
	// PointsSince is the first local day the points and the table cover
	// when the window holds more than Limit incidents: its newest days.
	PointsSince string    `json:"points_since,omitempty"`
	Grades      []string  `json:"grades"`
	Verdicts    []string  `json:"verdicts,omitempty"`
	Points      mapPoints `json:"points"`
	// Daily counts every incident of the filter per local day, located or
	// not, from Since: the intensity chart.
	Daily  []int    `json:"daily"`
	Recent []mapRow `json:"recent"`
}

// gradeKeys orders the grades as the colour key lists them.
var gradeKeys = []string{"confirmed", "fair", "weak", "contested", "discounted", ""}

// verdictKeys orders the verdict outcomes as the colour key lists them.
var verdictKeys = []string{"violation", "undetermined", "not_violation", "unassessed"}

// handleMapIncidents answers with the incidents the dashboard's filter
// selects: the incident list's filters (party, type, grade, admin1, bbox),
// with since and until as the agreement's local days (or RFC 3339
// instants), the located ones as points, every one counted per day.
func (s *Server) handleMapIncidents(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	loc, agreement := time.UTC, (*domain.Agreement)(nil)
	if as, err := s.Store.Agreements(ctx); err != nil {
		s.error(w, r, err)
		return
	} else if slug := r.URL.Query().Get("agreement"); slug != "" {
		if agreement, err = s.Store.AgreementBySlug(ctx, slug); err != nil {
			s.error(w, r, err)
			return
		}
	} else if len(as) == 1 {
		agreement = as[0]
	}
	if agreement != nil {
		loc = agreement.Location()
	}
	window, err := mapWindow(r, agreement, loc, s.Now())
	if err != nil {
		s.error(w, r, err)
		return
	}
	// since and until are read above as local days; the shared filter
	// would read them as UTC instants.
	r2 := r.Clone(ctx)
	q := r2.URL.Query()
	q.Del("since")
	q.Del("until")
	q.Del("limit")
	q.Del("after")
	r2.URL.RawQuery = q.Encode()
	f, err := incidentFilter(r2)
	if err != nil {
		s.error(w, r, err)
		return
	}
	f.Since, f.Until = window.From.In(loc), window.To.In(loc)

	limit := s.MapLimit
	if limit <= 0 {
		limit = defaultMapLimit
	}
	var agreementID int64 // of the verdicts to send; 0 for none
	if agreement != nil {
		n, err := s.Store.CountVerdicts(ctx, domain.VerdictFilter{AgreementID: agreement.ID})
		if err == nil && n > 0 {
			agreementID = agreement.ID
		}
	}
	ans := mapAnswer{TimeZone: loc.String(), Since: window.From.String(), Until: window.To.String(),
		SinceAt: f.Since.UTC(), UntilAt: f.Until.UTC(),
		Limit: limit, Grades: gradeKeys, Daily: make([]int, window.Days()),
		// Empty, not null, so the page need not check.
		Points: mapPoints{IDDelta: []int64{}, Lon: []int32{}, Lat: []int32{}, Grade: []int{}}}
	if agreementID != 0 {
		ans.Verdicts, ans.Points.Verdict = verdictKeys, []int{}
	}
	grade := map[domain.Grade]int{}
	for i, g := range gradeKeys {
		grade[domain.Grade(g)] = i
	}
	verdict := map[string]int{}
	for i, v := range verdictKeys {
		verdict[v] = i
	}
	// A window holding more incidents than one answer carries is counted
	// in SQL, and the map and the table are drawn from its newest days:
	// reading every row of a wide window of millions would take seconds.
	pointsFilter, counted := f, false
	if n, err := s.Store.CountIncidents(ctx, f); err != nil {
		s.error(w, r, err)
		return
	} else if n > limit {
		from, err := s.countMapDays(ctx, f, loc, window, limit, &ans)
		if err != nil {
			s.error(w, r, err)
			return
		}
		ans.Total, ans.Truncated, counted = n, true, true
		ans.PointsSince = from.String()
		pointsFilter.Since = from.In(loc)
	}
	var recent []*domain.Incident
	var lastID int64
	add := func(in *domain.Incident, outcome string) error {
		if !counted {
			ans.Total++
			if d := int(stats.DayOf(in.OccurredAt, loc) - window.From); d >= 0 && d < len(ans.Daily) {
				ans.Daily[d]++
			}
		}
		recent = keepRecent(recent, in)
		if in.Point == nil {
			return nil
		}
		if ans.Mapped == limit {
			ans.Truncated = true
			return nil
		}
		ans.Mapped++
		p := &ans.Points
		p.IDDelta = append(p.IDDelta, in.ID-lastID)
		lastID = in.ID
		p.Lon = append(p.Lon, e5(in.Point.Lon))
		p.Lat = append(p.Lat, e5(in.Point.Lat))
		p.Grade = append(p.Grade, grade[in.Grade])
		if agreementID != 0 {
			if outcome == "" {
				outcome = "unassessed"
			}
			p.Verdict = append(p.Verdict, verdict[outcome])
		}
		return nil
	}
	if ms, ok := s.Store.(mapStore); ok {
		err = ms.MapPoints(ctx, pointsFilter, agreementID, add)
	} else {
		err = s.pageMapIncidents(ctx, pointsFilter, agreementID, add)
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	for _, in := range recent {
		ans.Recent = append(ans.Recent, mapRow{ID: in.ID, Day: stats.DayOf(in.OccurredAt, loc).String(),
			Type: in.SubEventType, Location: in.Location, Admin1: in.Admin1, Grade: in.Grade, Deaths: in.Fatalities.Best})
	}
	if ans.Recent == nil {
		ans.Recent = []mapRow{}
	}
	writeCompressedJSON(w, r, ans)
}

// mapStore is the store's lean map query (store.DB's MapPoints): one query
// for what the map and its table show, with the verdicts' outcomes. It is
// not part of domain.Store; a store without it is paged through instead.
type mapStore interface {
	MapPoints(ctx context.Context, f domain.IncidentFilter, agreementID int64, each func(in *domain.Incident, outcome string) error) error
}

// pageMapIncidents does what MapPoints does with the calls every store
// has: pages of full incidents in ID order, and each page's verdicts. At
// 100,000 incidents that is hundreds of queries, several seconds on SQLite
// (BenchmarkDashboard100k's baseline).
func (s *Server) pageMapIncidents(ctx context.Context, f domain.IncidentFilter, agreementID int64, each func(*domain.Incident, string) error) error {
	f.Limit, f.AfterID = 1000, 0
	for {
		page, err := s.Store.Incidents(ctx, f)
		if err != nil {
			return err
		}
		var outcomes map[int64]string
		if agreementID != 0 && len(page) > 0 {
			ids := make([]int64, len(page))
			for i, in := range page {
				ids[i] = in.ID
			}
			vs, err := s.Store.VerdictsOf(ctx, agreementID, ids)
			if err != nil {
				return err
			}
			outcomes = make(map[int64]string, len(vs))
			for _, v := range vs {
				outcomes[v.IncidentID] = v.Outcome
			}
		}
		for _, in := range page {
			if err := each(in, outcomes[in.ID]); err != nil {
				return err
			}
		}
		if len(page) < f.Limit {
			return nil
		}
		f.AfterID = page[len(page)-1].ID
	}
}

// keepRecent keeps the mapRecent latest incidents, newest first. It keeps
// a copy of in, which MapPoints reuses.
func keepRecent(list []*domain.Incident, in *domain.Incident) []*domain.Incident {
	if len(list) == mapRecent && !in.OccurredAt.After(list[len(list)-1].OccurredAt) {
		return list
	}
	i := len(list)
	for i > 0 && in.OccurredAt.After(list[i-1].OccurredAt) {
		i--
	}
	if len(list) < mapRecent {
		list = append(list, nil)
	}
	copy(list[i+1:], list[i:len(list)-1])
	c := *in
	c.Point = nil // not shown, and MapPoints reuses it
	list[i] = &c
	return list
}

// mapWindow reads since and until as local days (until excluded) or as
// instants. By default it covers the agreement from a week before its start
// to its end or today; without an agreement, the last 28 days.
func mapWindow(r *http.Request, a *domain.Agreement, loc *time.Location, now time.Time) (stats.Window, error) {
	today := stats.DayOf(now, loc)
	var w stats.Window
	if a != nil {
		w.From = stats.DayOf(a.Start, loc) - 7
		w.To = today + 1
		if !a.End.IsZero() {
			w.To = min(w.To, stats.DayOf(a.End, loc)+1)
		}
	} else {
		w = stats.Window{From: today - 27, To: today + 1}
	}
	q := r.URL.Query()
	for _, p := range []struct {
		name string
		dst  *stats.Day
		end  bool
	}{{"since", &w.From, false}, {"until", &w.To, true}} {
		v := q.Get(p.name)
		if v == "" {
			continue
		}
		if d, err := stats.ParseDay(v); err == nil {
			*p.dst = d
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return w, domain.FieldErrorf(p.name, "%q is not a day (2016-02-27) or an RFC 3339 instant", v)
		}
		*p.dst = stats.DayOf(t, loc)
		if p.end && !stats.Day(*p.dst).In(loc).Equal(t) {
			*p.dst++ // an instant inside a day includes that day
		}
	}
	if w.To <= w.From {
		return w, domain.FieldErrorf("until", "must come after since")
	}
	if w.Days() > 3660 {
		return w, domain.FieldErrorf("since", "the map shows at most ten years at a time")
	}
	return w, nil
}

// writeCompressedJSON writes v as JSON, gzipped when the client accepts it:
// a map of many incidents shrinks to a quarter, which on a poor connection
// is the difference between waiting and working.
func writeCompressedJSON(w http.ResponseWriter, r *http.Request, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Add("Vary", "Accept-Encoding")
	if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		writeJSON(w, http.StatusOK, v)
		return
	}
	h.Set("Content-Encoding", "gzip")
	w.WriteHeader(http.StatusOK)
	zw, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
	enc := json.NewEncoder(zw)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
	zw.Close()
}

// countMapDays fills the answer's daily counts of a wide window from SQL
// (hourly, or finer for a zone whose offsets need it, folded into local
// days) and returns the first day of the newest run of days that one answer
// can carry, at least the last day.
func (s *Server) countMapDays(ctx context.Context, f domain.IncidentFilter, loc *time.Location, window stats.Window, limit int, ans *mapAnswer) (stats.Day, error) {
	counts, err := s.Store.IncidentCounts(ctx, f, "", analysis.SlotFor(loc, f.Since, f.Until))
	if err != nil {
		return 0, err
	}
	for _, c := range counts {
		if d := int(stats.DayOf(c.Slot, loc) - window.From); d >= 0 && d < len(ans.Daily) {
			ans.Daily[d] += int(c.Count)
		}
	}
	from, sum := window.To-1, 0
	for d := window.To - 1; d >= window.From; d-- {
		if sum += ans.Daily[d-window.From]; sum > limit {
			break
		}
		from = d
	}
	return from, nil
}
