package web

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"

	"github.com/trucedesk/truce/internal/analysis"
	"github.com/trucedesk/truce/internal/auth"
	"github.com/trucedesk/truce/internal/bulletin"
	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/stats"
)

func init() {
	routeSets = append(routeSets, func(s *Server) []Route {
		return []Route{
			// Series, the records behind a figure, tests and claim checks
			// count published incidents only for liaisons and observers
			// (see analyzer).
			{"GET /api/v1/series/daily", auth.ActReadPublishedData, s.handleSeriesDaily},
			{"GET /api/v1/series/incidents", auth.ActReadPublishedData, s.handleSeriesIncidents},
			{"GET /api/v1/series/vdc", Public, s.handleSeriesVDC},
			{"GET /api/v1/analysis/compare", auth.ActReadPublishedData, s.handleCompare},
			{"GET /api/v1/analysis/changepoints", auth.ActReadPublishedData, s.handleChangepoints},
			{"POST /api/v1/claims/check", auth.ActReadPublishedData, s.handleClaimCheck},
			{"GET /api/v1/bulletins", Public, s.handleBulletins},
			{"GET /api/v1/bulletins/{file}", Public, s.handleBulletin},
			{"GET /api/v1/bulletins/drafts/{file}", Desk, s.handleBulletinDraft},
			{"POST /api/v1/bulletins/{date}/publish", auth.ActPublishBulletin, s.handleBulletinPublish},
		}
	})
}

// analyzer answers about the agreement the request names. Whoever may not
// read every incident counts only published ones: a liaison's or an
// observer's series, records and claim checks cover the published days.
func (s *Server) analyzer(r *http.Request) (*analysis.Analyzer, error) {
	an, err := analysis.New(r.Context(), s.Store, r.URL.Query().Get("agreement"), s.Now)
	if err != nil {
		return nil, err
	}
	an.PublishedOnly = !auth.DefaultPolicy.Permits(auth.FromContext(r.Context()), auth.ActReadIncidents)
	return an, nil
}

// dayParam reads a local day written YYYY-MM-DD.
func dayParam(name, v string, def stats.Day) (stats.Day, error) {
	if v == "" {
		return def, nil
	}
	d, err := stats.ParseDay(v)
	if err != nil {
		return 0, domain.FieldErrorf(name, "%q is not a day written YYYY-MM-DD (days are the agreement's local days)", v)
	}
	return d, nil
}

// seriesQuery reads the window (since and until are local days, until
// excluded; by default the days to today), the metric, the incident
// filters, and prohibited=true for the agreement's prohibited types.
func seriesQuery(r *http.Request, an *analysis.Analyzer, defaultDays int) (analysis.Query, analysis.Metric, error) {
	q := r.URL.Query()
	var aq analysis.Query
	m, err := analysis.ParseMetric(q.Get("metric"))
	if err != nil {
		return aq, m, err
	}
	until, err := dayParam("until", q.Get("until"), an.Today()+1)
	if err != nil {
		return aq, m, err
	}
	since, err := dayParam("since", q.Get("since"), until-stats.Day(defaultDays))
	if err != nil {
		return aq, m, err
	}
	// since and until are days here, not instants, and party may be a slug
	// or a name: clear them from the shared incident filter, which reads
	// them as UTC instants and an ID.
	qq := r.URL.Query()
	qq.Del("since")
	qq.Del("until")
	qq.Del("party")
	r2 := r.Clone(r.Context())
	r2.URL.RawQuery = qq.Encode()
	f, err := incidentFilter(r2)
	if err != nil {
		return aq, m, err
	}
	f.Limit, f.AfterID = 0, 0
	if v := q.Get("party"); v != "" {
		if f.PartyID, err = partyParam(an, v); err != nil {
			return aq, m, err
		}
	}
	// not_before narrows the first day to the incidents from an instant on,
	// as a bulletin counts only what came after the agreement began.
	if err := queryTime(q.Get("not_before"), "not_before", &f.Since); err != nil {
		return aq, m, err
	}
	aq = analysis.Query{Window: stats.Window{From: since, To: until}, By: stats.Key(q.Get("by")), Filter: f, Verdict: q.Get("verdict")}
	switch q.Get("prohibited") {
	case "", "false":
	case "true":
		aq.Types = an.Agreement.ProhibitedActs
	default:
		return aq, m, domain.FieldErrorf("prohibited", "want true or false")
	}
	return aq, m, nil
}

// partyParam reads a party given by ID, slug, name or alias.
func partyParam(an *analysis.Analyzer, v string) (int64, error) {
	if id, err := strconv.ParseInt(v, 10, 64); err == nil {
		if an.PartyByID(id) == nil {
			return 0, domain.FieldErrorf("party", "no party has the ID %d (GET /api/v1/parties lists them)", id)
		}
		return id, nil
	}
	p, err := an.ResolveParty(v)
	if err != nil {
		return 0, domain.FieldErrorf("party", "%s", domain.ErrorMessage(err))
	}
	return p.ID, nil
}

// seriesOut is one series as the API shows it.
type seriesOut struct {
	Key    string    `json:"key"`
	Label  string    `json:"label"`
	Total  float64   `json:"total"`
	Values []float64 `json:"values"`
}

func (s *Server) handleSeriesDaily(w http.ResponseWriter, r *http.Request) {
	an, err := s.analyzer(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	q, m, err := seriesQuery(r, an, 28)
	if err != nil {
		s.error(w, r, err)
		return
	}
	series, err := an.Daily(r.Context(), q)
	if err != nil {
		s.error(w, r, err)
		return
	}
	out := make([]seriesOut, 0, len(series))
	for _, sr := range series {
		v := m.Values(sr)
		var t float64
		for _, x := range v {
			t += x
		}
		out = append(out, seriesOut{Key: sr.Key, Label: an.FormatKey(q.By, sr.Key), Total: t, Values: v})
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"agreement": an.Agreement.Slug, "time_zone": an.Agreement.TimeZone, "metric": m, "by": q.By,
		"window": q.Window, "days": days(q.Window), "series": out,
	})
}

// handleSeriesIncidents lists the incidents behind one figure of a daily
// series: the same parameters as /series/daily, with key naming the
// series (key= for unattributed incidents) when by is given. Its count and
// fatalities are the figure's, so every number of a bulletin can be opened.
func (s *Server) handleSeriesIncidents(w http.ResponseWriter, r *http.Request) {
	an, err := s.analyzer(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	q, _, err := seriesQuery(r, an, 1)
	if err != nil {
		s.error(w, r, err)
		return
	}
	params := r.URL.Query()
	if q.By != stats.KeyNone && !params.Has("key") {
		s.error(w, r, domain.FieldErrorf("key", "is required with by=%s: name the series (key= for incidents with none)", q.By))
		return
	}
	limit := 0
	if v := params.Get("limit"); v != "" {
		if err := queryInt(v, "limit", &limit); err != nil {
			s.error(w, r, err)
			return
		}
	}
	recs, err := an.Records(r.Context(), q, params.Get("key"), limit)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"agreement": an.Agreement.Slug, "time_zone": an.Agreement.TimeZone,
		"label": an.FormatKey(q.By, recs.Key), "incidents": recs,
	})
}

func days(w stats.Window) []string {
	out := make([]string, 0, w.Days())
	for d := w.From; d < w.To; d++ {
		out = append(out, d.String())
	}
	return out
}

func (s *Server) handleSeriesVDC(w http.ResponseWriter, r *http.Request) {
	an, err := s.analyzer(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	q := r.URL.Query()
	until, err := dayParam("until", q.Get("until"), an.Today()+1)
	if err != nil {
		s.error(w, r, err)
		return
	}
	since, err := dayParam("since", q.Get("since"), until-28)
	if err != nil {
		s.error(w, r, err)
		return
	}
	win := stats.Window{From: since, To: until}
	sr, err := an.VDC(r.Context(), q.Get("region"), win)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"series": analysis.SeriesVDC, "region": q.Get("region"), "window": win, "days": days(win),
		"values": analysis.MetricFatalities.Values(sr),
		"source": "Violations Documentation Center in Syria (VDC), deaths per governorate per day",
	})
}

func (s *Server) handleCompare(w http.ResponseWriter, r *http.Request) {
	an, err := s.analyzer(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	q := r.URL.Query()
	window, baseline := 2, 14
	if v := q.Get("window"); v != "" {
		if window, err = analysis.ParseDays("window", v); err != nil {
			s.error(w, r, err)
			return
		}
	}
	if v := q.Get("baseline"); v != "" {
		if baseline, err = analysis.ParseDays("baseline", v); err != nil {
			s.error(w, r, err)
			return
		}
	}
	aq, m, err := seriesQuery(r, an, 1)
	if err != nil {
		s.error(w, r, err)
		return
	}
	// until defaults to today, so the window is the last complete days.
	until, err := dayParam("until", q.Get("until"), an.Today())
	if err != nil {
		s.error(w, r, err)
		return
	}
	c, err := an.Compare(r.Context(), aq, m, until, window, baseline)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (s *Server) handleChangepoints(w http.ResponseWriter, r *http.Request) {
	an, err := s.analyzer(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	aq, m, err := seriesQuery(r, an, 90)
	if err != nil {
		s.error(w, r, err)
		return
	}
	var opt stats.ChangeOptions
	q := r.URL.Query()
	if v := q.Get("min_segment"); v != "" {
		if err := queryInt(v, "min_segment", &opt.MinSegment); err != nil {
			s.error(w, r, err)
			return
		}
	}
	if v := q.Get("penalty"); v != "" {
		if opt.Penalty, err = strconv.ParseFloat(v, 64); err != nil || opt.Penalty <= 0 {
			s.error(w, r, domain.FieldErrorf("penalty", "want a positive number"))
			return
		}
	}
	cp, err := an.Changepoints(r.Context(), aq, m, opt)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"metric": m, "window": aq.Window, "changepoints": cp})
}

func (s *Server) handleClaimCheck(w http.ResponseWriter, r *http.Request) {
	audited(r) // a POST for its body, but it only reads
	var c domain.Claim
	if err := decodeJSON(w, r, maxRequestBytes, &c); err != nil {
		s.error(w, r, err)
		return
	}
	an, err := s.analyzer(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	cc, err := an.CheckClaim(r.Context(), c)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, cc)
}

func (s *Server) handleBulletins(w http.ResponseWriter, r *http.Request) {
	an, err := s.analyzer(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	list, err := s.Store.Bulletins(r.Context(), an.Agreement.ID)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"agreement": an.Agreement.Slug, "bulletins": nonNil(list)})
}

// bulletinFile splits "2016-02-28.pdf" into the day and the format.
func bulletinFile(file string) (stats.Day, string, error) {
	name, format, ok := strings.Cut(file, ".")
	if _, known := bulletin.Formats[format]; !ok || !known {
		return 0, "", domain.FieldErrorf("file", "%q: want DAY.html, DAY.md, DAY.pdf or DAY.json", file)
	}
	d, err := dayParam("date", name, 0)
	return d, format, err
}

func writeBulletin(w http.ResponseWriter, format string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", bulletin.Formats[format])
	sum := sha256.Sum256(body)
	h.Set("ETag", `"`+hex.EncodeToString(sum[:])+`"`)
	if format == "html" {
		// The page is self-contained: inline CSS and SVG, nothing fetched.
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'")
	}
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

// handleBulletin serves a published bulletin: the latest version, or
// ?version=N. Published bulletins are public; drafts are at /drafts/.
func (s *Server) handleBulletin(w http.ResponseWriter, r *http.Request) {
	day, format, err := bulletinFile(r.PathValue("file"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	version := 0
	if v := r.URL.Query().Get("version"); v != "" {
		if err := queryInt(v, "version", &version); err != nil {
			s.error(w, r, err)
			return
		}
	}
	an, err := s.analyzer(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	b, err := s.Store.Bulletin(r.Context(), an.Agreement.ID, day.String(), version)
	if err != nil {
		s.error(w, r, err)
		return
	}
	body, err := bulletin.Of(b, format)
	if err != nil {
		s.error(w, r, err)
		return
	}
	w.Header().Set("X-Bulletin-Version", strconv.Itoa(b.Version))
	w.Header().Set("X-Bulletin-Report-SHA256", b.ContentHash)
	writeBulletin(w, format, body)
}

// handleBulletinDraft renders a day's bulletin from the records as they
// stand, without publishing it.
func (s *Server) handleBulletinDraft(w http.ResponseWriter, r *http.Request) {
	day, format, err := bulletinFile(r.PathValue("file"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	an, err := s.analyzer(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	rep, err := bulletin.Build(r.Context(), an, day)
	if err != nil {
		s.error(w, r, err)
		return
	}
	body, err := bulletin.Render(rep, format, bulletin.Options{})
	if err != nil {
		s.error(w, r, err)
		return
	}
	w.Header().Set("X-Bulletin-Draft", "true")
	writeBulletin(w, format, body)
}

func (s *Server) handleBulletinPublish(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Note string `json:"note"`
	}
	if r.ContentLength != 0 {
		if err := decodeJSON(w, r, maxRequestBytes, &body); err != nil {
			s.error(w, r, err)
			return
		}
	}
	b, err := s.publishBulletin(r, body.Note)
	if err != nil {
		s.error(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/bulletins/"+b.Day+".html?version="+strconv.Itoa(b.Version))
	writeJSON(w, http.StatusCreated, b)
}

// publishBulletin publishes a new version of the bulletin of the day the
// path names, in the caller's name: the API and the desk's form alike.
func (s *Server) publishBulletin(r *http.Request, note string) (*domain.Bulletin, error) {
	day, err := dayParam("date", r.PathValue("date"), 0)
	if err != nil {
		return nil, err
	}
	an, err := s.analyzer(r)
	if err != nil {
		return nil, err
	}
	// The version it supersedes, if any, is the "before" of a correction.
	prev, err := s.Store.Bulletin(r.Context(), an.Agreement.ID, day.String(), 0)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		prev, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	b, err := bulletin.Publish(r.Context(), an, day, Actor(r.Context()), note, bulletin.Options{})
	if err != nil {
		return nil, err
	}
	var old any
	if prev != nil {
		old = bulletinAudit(an.Agreement.Slug, prev)
	}
	s.audit(r, "bulletin.publish", "bulletin", b.Day, old, bulletinAudit(an.Agreement.Slug, b))
	return b, nil
}

// bulletinAudit is a bulletin version as the audit trail keeps it: which
// one, and the hash that pins its contents.
func bulletinAudit(agreement string, b *domain.Bulletin) map[string]any {
	return map[string]any{"agreement": agreement, "day": b.Day, "version": b.Version, "content_hash": b.ContentHash,
		"note": b.Note}
}
