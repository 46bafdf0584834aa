package web

import (
	"cmp"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/trucedesk/truce/internal/auth"
	"github.com/trucedesk/truce/internal/cluster"
	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/geo"
	"github.com/trucedesk/truce/internal/importer"
)

// maxImportBytes caps an uploaded dataset. Larger files go through the
// command line, which streams from disk and draws a progress bar.
const maxImportBytes = 256 << 20

func init() {
	routeSets = append(routeSets, func(s *Server) []Route {
		return []Route{
			{"POST /api/v1/imports", auth.ActCreateIncident, s.handleImport},
			{"GET /api/v1/imports/unmapped", Desk, s.handleUnmapped},
			{"GET /api/v1/exports/incidents.csv", auth.ActReadPublishedData, s.handleExport},
			{"GET /api/v1/exports/incidents.geojson", auth.ActReadPublishedData, s.handleExport},
			{"POST /api/v1/incidents/{id}/grade", auth.ActCreateIncident, s.handleGrade},
			{"GET /api/v1/incidents/{id}/grades", Desk, s.handleGradeHistory},
			{"GET /api/v1/incidents/{id}/merged-sources", Desk, s.handleMergedSources},
			{"POST /api/v1/clusters/scan", auth.ActCreateIncident, s.handleClusterScan},
			{"GET /api/v1/clusters/proposals", Desk, s.handleClusterProposals},
			{"GET /api/v1/clusters/{id}", Desk, s.handleCluster},
			{"POST /api/v1/clusters/{id}/accept", auth.ActCreateIncident, s.handleClusterDecision(domain.ClusterAccepted)},
			{"POST /api/v1/clusters/{id}/split", auth.ActCreateIncident, s.handleClusterDecision(domain.ClusterSplit)},
		}
	})
}

// handleImport imports the CSV body (?format=acled|ucdp|airwars) and answers
// with the report: rows accepted, rejected with line, column and reason,
// and actor names no party matched. Rows already stored (by the dataset's
// event ID) are updated, not duplicated.
func (s *Server) handleImport(w http.ResponseWriter, r *http.Request) {
	format := strings.ToLower(r.URL.Query().Get("format"))
	if !slices.Contains(importer.Formats, format) {
		s.error(w, r, domain.FieldErrorf("format", "want format=%s", strings.Join(importer.Formats, "|")))
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "text/csv" && mt != "application/octet-stream" && mt != "text/plain") {
			s.error(w, r, &domain.Error{Code: codeUnsupportedMedia, Message: "the request body must be text/csv"})
			return
		}
	}
	im, warning, err := importer.New(r.Context(), s.Store, Actor(r.Context()), true)
	if err != nil {
		s.error(w, r, err)
		return
	}
	body := http.MaxBytesReader(w, r.Body, maxImportBytes)
	rep, err := im.Import(r.Context(), format, body, r.ContentLength)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		s.error(w, r, domain.Errorf(domain.ETOOLARGE, "the file is larger than %d MiB; import it with `truce import`", maxImportBytes>>20))
		return
	} else if err != nil {
		s.error(w, r, err)
		return
	}
	if warning != "" {
		rep.Warnings = append(rep.Warnings, warning)
	}
	s.auditImport(r, "incident.import", rep.Input, map[string]any{"format": format, "rows": rep.Rows,
		"accepted": rep.Accepted, "rejected": rep.Rejected, "created": rep.Created, "updated": rep.Updated,
		"unchanged": rep.Unchanged, "geocoded": rep.Geocoded, "unplaced": rep.Unplaced})
	writeJSON(w, http.StatusOK, rep)
}

func (s *Server) handleUnmapped(w http.ResponseWriter, r *http.Request) {
	actors, err := s.Store.UnmappedActors(r.Context(), r.URL.Query().Get("origin"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"unmapped": nonNil(actors)})
}

// handleExport streams the incidents the filters select (those of the
// incident list: since, until, bbox, party, type, grade, admin1) as ACLED
// or UCDP CSV, or GeoJSON; liaisons and observers get the published ones.
func (s *Server) handleExport(w http.ResponseWriter, r *http.Request) {
	f, err := visibleIncidentFilter(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	format, ctype, ext := "geojson", "application/geo+json", "geojson"
	if strings.HasSuffix(r.URL.Path, ".csv") {
		format = strings.ToLower(r.URL.Query().Get("format"))
		if format == "" {
			format = "acled"
		}
		if format != "acled" && format != "ucdp" {
			s.error(w, r, domain.FieldErrorf("format", "want format=acled or format=ucdp"))
			return
		}
		ctype, ext = "text/csv; charset=utf-8", "csv"
	}
	name := fmt.Sprintf("truce-incidents-%s.%s", s.Now().UTC().Format("20060102T150405Z"), ext)
	if format != "geojson" {
		name = fmt.Sprintf("truce-incidents-%s-%s.%s", format, s.Now().UTC().Format("20060102T150405Z"), ext)
	}
	// The headers go out with the first byte, so a failure before it (the
	// store unavailable) still gets its status; after it, a failure can
	// only cut the file short, which the log records.
	lw := &lazyWriter{w: w, start: func() {
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
		w.Header().Set("Cache-Control", "no-store")
	}}
	if _, err := importer.Export(r.Context(), s.Store, format, f, lw); err != nil {
		if !lw.started {
			s.error(w, r, err)
			return
		}
		s.Logger.Error("export cut short", "path", r.URL.Path, "err", err)
	}
}

// lazyWriter sets the response headers just before the first byte.
type lazyWriter struct {
	w       http.ResponseWriter
	start   func()
	started bool
}

func (l *lazyWriter) Write(p []byte) (int, error) {
	if !l.started {
		l.started = true
		l.start()
	}
	return l.w.Write(p)
}

type gradeRequest struct {
	Grade   domain.Grade `json:"grade"`
	Note    string       `json:"note"`
	Version int          `json:"version"`
}

func (s *Server) handleGrade(w http.ResponseWriter, r *http.Request) {
	id, err := atoi64("id", r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	var req gradeRequest
	if err := decodeJSON(w, r, 16<<10, &req); err != nil {
		s.error(w, r, err)
		return
	}
	in, err := s.Store.GradeIncident(r.Context(), domain.GradeChange{IncidentID: id, To: req.Grade, Note: req.Note,
		Version: req.Version, Actor: Actor(r.Context())})
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.auditGrade(r, in, req.Version)
	writeJSON(w, http.StatusOK, in)
}

// auditGrade records a grade change with the grade before and after, which
// the grade history holds as its last row.
func (s *Server) auditGrade(r *http.Request, in *domain.Incident, version int) {
	old := map[string]any{"version": version}
	new := map[string]any{"grade": cmp.Or(string(in.Grade), "ungraded"), "version": in.Version}
	if h, err := s.Store.GradeHistory(r.Context(), in.ID); err == nil && len(h) > 0 {
		last := h[len(h)-1]
		old["grade"], new["note"] = cmp.Or(string(last.From), "ungraded"), last.Note
	}
	s.audit(r, "incident.grade", "incident", in.ID, old, new)
}

func (s *Server) handleGradeHistory(w http.ResponseWriter, r *http.Request) {
	id, err := atoi64("id", r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	hist, err := s.Store.GradeHistory(r.Context(), id)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"grades": nonNil(hist)})
}

func (s *Server) handleMergedSources(w http.ResponseWriter, r *http.Request) {
	id, err := atoi64("id", r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	into, err := s.Store.MergedInto(r.Context(), []int64{id})
	if err != nil {
		s.error(w, r, err)
		return
	}
	src, err := s.Store.MergedSources(r.Context(), id)
	if err != nil {
		s.error(w, r, err)
		return
	}
	page := map[string]any{"sources": nonNil(src)}
	if to, ok := into[id]; ok {
		page["merged_into"] = to
	}
	writeJSON(w, http.StatusOK, page)
}

type scanRequest struct {
	Since       time.Time `json:"since"`
	Until       time.Time `json:"until"`
	MaxKm       float64   `json:"max_km"`
	WindowHours float64   `json:"window_hours"`
	MinScore    float64   `json:"min_score"`
}

// handleClusterScan proposes clusters among the incidents and open
// messages of a time window and stores the new proposals.
func (s *Server) handleClusterScan(w http.ResponseWriter, r *http.Request) {
	var req scanRequest
	if err := decodeJSON(w, r, 4<<10, &req); err != nil {
		s.error(w, r, err)
		return
	}
	switch {
	case req.MaxKm < 0 || req.MaxKm > 100:
		s.error(w, r, domain.FieldErrorf("max_km", "must be between 0 and 100"))
		return
	case req.WindowHours < 0 || req.WindowHours > 24*31:
		s.error(w, r, domain.FieldErrorf("window_hours", "must be between 0 and 744"))
		return
	case req.MinScore < 0 || req.MinScore > 1:
		s.error(w, r, domain.FieldErrorf("min_score", "must be between 0 and 1"))
		return
	case !req.Since.IsZero() && !req.Until.IsZero() && !req.Until.After(req.Since):
		s.error(w, r, domain.FieldErrorf("until", "must be after since"))
		return
	}
	loc, err := importer.StoreLocator(r.Context(), s.Store)
	if err != nil {
		s.error(w, r, err)
		return
	}
	p := cluster.Params{MaxKm: req.MaxKm, Window: time.Duration(req.WindowHours * float64(time.Hour)), MinScore: req.MinScore}
	var g *geo.Geocoder
	if loc != nil {
		g = loc.Geocoder
	}
	ps, err := cluster.Scan(r.Context(), s.Store, g, p, req.Since, req.Until)
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.auditScan(r, req, ps)
	writeJSON(w, http.StatusOK, map[string]any{"proposed": nonNil(ps)})
}

// auditScan records the proposals a scan stored, under their IDs; a scan
// that proposed nothing changed nothing.
func (s *Server) auditScan(r *http.Request, req scanRequest, ps []*domain.ClusterProposal) {
	if len(ps) == 0 {
		audited(r)
		return
	}
	ids := make([]string, len(ps))
	for i, p := range ps {
		ids[i] = strconv.FormatInt(p.ID, 10)
	}
	record := strings.Join(ids, ",")
	if len(record) > 200 { // the event's new value lists them all
		record = record[:strings.LastIndexByte(record[:200], ',')] + ",…"
	}
	s.audit(r, "cluster.scan", "cluster", record, nil, map[string]any{"proposed": len(ps), "ids": ids, "params": req})
}

func (s *Server) handleClusterProposals(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	state := domain.ClusterState(q.Get("state"))
	if state == "" {
		state = domain.ClusterProposed
	} else if state == "all" {
		state = ""
	}
	var after int64
	var n int
	if err := queryID(q.Get("after"), "after", &after); err != nil {
		s.error(w, r, err)
		return
	}
	if err := queryInt(q.Get("limit"), "limit", &n); err != nil {
		s.error(w, r, err)
		return
	}
	ps, err := s.Store.ClusterProposals(r.Context(), state, after, n)
	if err != nil {
		s.error(w, r, err)
		return
	}
	page := map[string]any{"proposals": nonNil(ps)}
	if full := map[bool]int{true: 100, false: min(n, 1000)}[n <= 0]; len(ps) == full {
		page["next_after"] = ps[len(ps)-1].ID
	}
	writeJSON(w, http.StatusOK, page)
}

func (s *Server) handleCluster(w http.ResponseWriter, r *http.Request) {
	id, err := atoi64("id", r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	p, err := s.Store.ClusterProposal(r.Context(), id)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

type decisionRequest struct {
	SurvivorID int64  `json:"survivor_id"`
	Note       string `json:"note"`
	Version    int    `json:"version"`
}

// handleClusterDecision accepts (merges) or splits a proposal. Merging
// deletes nothing: the other incidents are kept, marked merged into the
// survivor, and their sources are listed with its own.
func (s *Server) handleClusterDecision(to domain.ClusterState) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := atoi64("id", r.PathValue("id"))
		if err != nil {
			s.error(w, r, err)
			return
		}
		var req decisionRequest
		if err := decodeJSON(w, r, 8<<10, &req); err != nil {
			s.error(w, r, err)
			return
		}
		if to == domain.ClusterSplit && req.SurvivorID != 0 {
			s.error(w, r, domain.FieldErrorf("survivor_id", "a split has no survivor"))
			return
		}
		before, err := s.Store.ClusterProposal(r.Context(), id)
		if err != nil {
			s.error(w, r, err)
			return
		}
		p, err := s.Store.DecideCluster(r.Context(), domain.ClusterDecision{ID: id, To: to, SurvivorID: req.SurvivorID,
			Note: req.Note, Version: req.Version, Actor: Actor(r.Context())})
		if err != nil {
			s.error(w, r, err)
			return
		}
		s.audit(r, "cluster."+map[domain.ClusterState]string{domain.ClusterAccepted: "accept", domain.ClusterSplit: "split"}[to],
			"cluster", id, before, p)
		writeJSON(w, http.StatusOK, p)
	}
}
