package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/trucedesk/truce/internal/auth"
	"github.com/trucedesk/truce/internal/domain"
)

func (s *Server) handleIncidentCreate(w http.ResponseWriter, r *http.Request) {
	var in domain.Incident
	if err := decodeJSON(w, r, maxRequestBytes, &in); err != nil {
		s.error(w, r, err)
		return
	}
	if in.ID != 0 || in.Version != 0 {
		s.error(w, r, domain.FieldErrorf("id", "a new incident has no id or version"))
		return
	}
	in.CreatedBy = Actor(r.Context())
	for i := range in.Sources {
		in.Sources[i].AddedBy = in.CreatedBy
	}
	if err := s.Store.CreateIncident(r.Context(), &in); err != nil {
		s.error(w, r, err)
		return
	}
	s.audit(r, "incident.create", "incident", in.ID, nil, in)
	// The verdict follows at once; if judging fails the incident stands and
	// the next recomputation judges it.
	if _, err := s.assess().JudgeIncident(r.Context(), in.ID, in.CreatedBy); err != nil {
		s.Logger.Error("judge new incident", "incident", in.ID, "err", err)
	}
	w.Header().Set("Location", "/api/v1/incidents/"+strconv.FormatInt(in.ID, 10))
	writeJSON(w, http.StatusCreated, in)
}

func (s *Server) handleIncidentView(w http.ResponseWriter, r *http.Request) {
	id, err := atoi64("id", r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	in, err := s.Store.Incident(r.Context(), id)
	if err == nil {
		in, err = s.visibleIncident(r, in)
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, in)
}

// visibleIncident returns in as the caller may see it. Liaisons and
// observers see a published incident without the desk's messages among its
// sources (those are the inbox's, which they may not read), and are told an
// unpublished one is not found, as for an ID that does not exist, so that
// its existence is not confirmed.
func (s *Server) visibleIncident(r *http.Request, in *domain.Incident) (*domain.Incident, error) {
	f, err := auth.DefaultPolicy.IncidentFilter(auth.FromContext(r.Context()), domain.IncidentFilter{})
	if err != nil || !f.PublishedOnly {
		return in, err
	}
	// The store's published test, on the incident alone: its ID, and a
	// window around its time for the index.
	page, err := s.Store.Incidents(r.Context(), domain.IncidentFilter{PublishedOnly: true, AfterID: in.ID - 1, Limit: 1,
		Since: in.OccurredAt.Add(-time.Second), Until: in.OccurredAt.Add(time.Second)})
	if err != nil {
		return nil, err
	}
	if len(page) == 0 || page[0].ID != in.ID {
		return nil, domain.Errorf(domain.ENOTFOUND, "incident %d not found", in.ID)
	}
	out := *in
	out.Sources = nil
	for _, src := range in.Sources {
		if src.Kind != domain.SourceMessage {
			out.Sources = append(out.Sources, src)
		}
	}
	return &out, nil
}

// visibleIncidentFilter reads the incident filters (incidentFilter, and
// published=true, which asks anyone for the published incidents only) and
// narrows them to what the caller may see: every incident for the desk, the
// published ones for liaisons and observers. The store applies the
// narrowing in its query, so pages, totals and exports agree.
func visibleIncidentFilter(r *http.Request) (domain.IncidentFilter, error) {
	f, err := incidentFilter(r)
	if err != nil {
		return f, err
	}
	switch v := r.URL.Query().Get("published"); v {
	case "", "false":
	case "true":
		f.PublishedOnly = true
	default:
		return f, domain.FieldErrorf("published", "want true or false, not %q", v)
	}
	return auth.DefaultPolicy.IncidentFilter(auth.FromContext(r.Context()), f)
}

// incidentFilter reads the filters shared by the incident list and exports.
func incidentFilter(r *http.Request) (domain.IncidentFilter, error) {
	q := r.URL.Query()
	f := domain.IncidentFilter{SubEventType: q.Get("type"), Grade: domain.Grade(q.Get("grade")), Admin1: q.Get("admin1")}
	if f.SubEventType != "" {
		if _, ok := domain.EventTypeOf(f.SubEventType); !ok {
			return f, domain.FieldErrorf("type", "%q is not an ACLED sub-event type", f.SubEventType)
		}
	}
	if !f.Grade.Valid() {
		return f, domain.FieldErrorf("grade", "unknown grade %q", f.Grade)
	}
	if b := q.Get("bbox"); b != "" {
		parts := strings.Split(b, ",")
		var v [4]float64
		var err error
		for i := 0; err == nil && i < 4 && len(parts) == 4; i++ {
			v[i], err = strconv.ParseFloat(strings.TrimSpace(parts[i]), 64)
		}
		if len(parts) != 4 || err != nil || v[0] > v[2] || v[1] > v[3] {
			return f, domain.FieldErrorf("bbox", "want min_lon,min_lat,max_lon,max_lat")
		}
		f.BBox = &domain.BBox{MinLon: v[0], MinLat: v[1], MaxLon: v[2], MaxLat: v[3]}
	}
	for _, e := range []error{
		queryID(q.Get("party"), "party", &f.PartyID), queryID(q.Get("after"), "after", &f.AfterID),
		queryTime(q.Get("since"), "since", &f.Since), queryTime(q.Get("until"), "until", &f.Until),
		queryInt(q.Get("limit"), "limit", &f.Limit),
	} {
		if e != nil {
			return f, e
		}
	}
	f.Limit = min(f.Limit, 1000)
	if f.Limit == 0 {
		f.Limit = 100
	}
	return f, nil
}

func (s *Server) handleIncidentList(w http.ResponseWriter, r *http.Request) {
	f, err := visibleIncidentFilter(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeCountedPage(s, w, r, "incidents", f, f.Limit, s.Store.Incidents, s.Store.CountIncidents,
		func(in *domain.Incident) int64 { return in.ID })
}

func (s *Server) handleAgreements(w http.ResponseWriter, r *http.Request) {
	as, err := s.Store.Agreements(r.Context())
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"agreements": nonNil(as)})
}

func (s *Server) handleAgreement(w http.ResponseWriter, r *http.Request) {
	a, err := s.Store.AgreementBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	statuses, err := s.Store.PartyStatuses(r.Context(), a.ID)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"agreement": a, "statuses": nonNil(statuses)})
}

func (s *Server) handleParties(w http.ResponseWriter, r *http.Request) {
	ps, err := s.Store.Parties(r.Context())
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"parties": nonNil(ps)})
}

func (s *Server) handleParty(w http.ResponseWriter, r *http.Request) {
	p, err := s.Store.PartyBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}
