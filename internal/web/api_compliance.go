package web

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"net/http"
	"time"

	"github.com/trucedesk/truce/internal/assess"
	"github.com/trucedesk/truce/internal/auth"
	"github.com/trucedesk/truce/internal/control"
	"github.com/trucedesk/truce/internal/domain"
)

func init() {
	routeSets = append(routeSets, func(s *Server) []Route {
		return []Route{
			{"POST /api/v1/agreements", auth.ActSetTerms, s.handleAgreementCreate},
			{"PUT /api/v1/agreements/{slug}/terms", auth.ActSetTerms, s.handleTermsEdit},
			{"GET /api/v1/agreements/{slug}/statuses", auth.ActReadPublished, s.handleStatuses},
			{"POST /api/v1/agreements/{slug}/statuses", auth.ActSetTerms, s.handleStatusAdd},
			{"POST /api/v1/parties", auth.ActSetTerms, s.handlePartyCreate},
			{"POST /api/v1/areas", auth.ActSetTerms, s.handleAreaImport},
			{"GET /api/v1/areas", Desk, s.handleAreaExport},
			{"GET /api/v1/incidents/{id}/verdict", Desk, s.handleIncidentVerdict},
			{"GET /api/v1/incidents/{id}/verdict/history", Desk, s.handleVerdictHistory},
			{"GET /api/v1/verdicts", Desk, s.handleVerdictList},
			{"POST /api/v1/verdicts/recompute", auth.ActSetTerms, s.handleRecompute},
		}
	})
}

// maxMapBytes bounds a control map upload: OCHA's governorate boundaries
// of all Syria are about 60 KB, its districts 150 KB.
const maxMapBytes = 32 << 20

// assess returns the server's verdict service, one per server, so that the
// changes made through one server are recomputed one at a time.
func (s *Server) assess() *assess.Service { return s.Assess }

// reportSummary is how a recomputation appears in a response: counts, and
// the first changes (the full log is at each incident's history).
type reportSummary struct {
	Cause   domain.Cause            `json:"cause"`
	Judged  int                     `json:"judged"`
	Written int                     `json:"written"`
	Changed int                     `json:"changed"`
	Changes []*domain.VerdictChange `json:"changes"`
}

const maxChangesShown = 100

func summary(r *assess.Report) *reportSummary {
	if r == nil {
		return nil
	}
	sum := &reportSummary{Cause: r.Cause, Judged: len(r.Judged), Written: r.Written, Changed: len(r.Changes),
		Changes: nonNil(r.Changes)}
	if len(sum.Changes) > maxChangesShown {
		sum.Changes = sum.Changes[:maxChangesShown]
	}
	return sum
}

func (s *Server) handleAgreementCreate(w http.ResponseWriter, r *http.Request) {
	var a domain.Agreement
	if err := decodeJSON(w, r, maxRequestBytes, &a); err != nil {
		s.error(w, r, err)
		return
	}
	if a.ID != 0 || a.Version != 0 {
		s.error(w, r, domain.FieldErrorf("id", "a new agreement has no id or version"))
		return
	}
	rep, err := s.assess().CreateAgreement(r.Context(), &a, Actor(r.Context()))
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.audit(r, "agreement.create", "agreement", a.Slug, nil, a)
	w.Header().Set("Location", "/api/v1/agreements/"+a.Slug)
	writeJSON(w, http.StatusCreated, map[string]any{"agreement": a, "recompute": summary(rep)})
}

// handleTermsEdit replaces the terms. The body is the whole agreement as
// the editor saw it, with its version; a stale version is refused with 409
// and the current terms, so the editor can merge and retry.
func (s *Server) handleTermsEdit(w http.ResponseWriter, r *http.Request) {
	cur, err := s.Store.AgreementBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	var a domain.Agreement
	if err := decodeJSON(w, r, maxRequestBytes, &a); err != nil {
		s.error(w, r, err)
		return
	}
	switch {
	case a.Version == 0:
		s.error(w, r, domain.FieldErrorf("version", "is required: the version of the terms you edited"))
		return
	case a.Slug != "" && a.Slug != cur.Slug:
		s.error(w, r, domain.FieldErrorf("slug", "cannot be changed"))
		return
	case a.ID != 0 && a.ID != cur.ID:
		s.error(w, r, domain.FieldErrorf("id", "cannot be changed"))
		return
	}
	a.ID, a.Slug = cur.ID, cur.Slug
	rep, err := s.assess().EditTerms(r.Context(), &a, Actor(r.Context()))
	if domain.ErrorCode(err) == domain.ECONFLICT {
		now, _ := s.Store.Agreement(r.Context(), cur.ID)
		var body errorBody
		body.Error.Code, body.Error.Field, body.Error.Message = domain.ECONFLICT, "version", domain.ErrorMessage(err)
		writeJSON(w, http.StatusConflict, struct {
			errorBody
			Current *domain.Agreement `json:"current"`
		}{body, now})
		return
	} else if err != nil {
		s.error(w, r, err)
		return
	}
	// The terms as stored, not as sent: the store sets the version.
	after := any(&a)
	if stored, err := s.Store.Agreement(r.Context(), cur.ID); err == nil {
		after = stored
	}
	s.audit(r, "agreement.terms", "agreement", cur.Slug, cur, after)
	writeJSON(w, http.StatusOK, map[string]any{"agreement": a, "recompute": summary(rep)})
}

func (s *Server) handleStatuses(w http.ResponseWriter, r *http.Request) {
	a, err := s.Store.AgreementBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	rows, err := s.Store.PartyStatuses(r.Context(), a.ID)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"statuses": nonNil(rows)})
}

// statusRequest is a status row naming its party by slug or by ID.
type statusRequest struct {
	Party      string            `json:"party,omitempty"`
	PartyID    int64             `json:"party_id,omitempty"`
	Kind       domain.StatusKind `json:"kind"`
	Designator string            `json:"designator,omitempty"`
	ValidFrom  time.Time         `json:"valid_from"`
	Source     string            `json:"source,omitempty"`
	Note       string            `json:"note,omitempty"`
}

func (s *Server) handleStatusAdd(w http.ResponseWriter, r *http.Request) {
	a, err := s.Store.AgreementBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	var req statusRequest
	if err := decodeJSON(w, r, maxRequestBytes, &req); err != nil {
		s.error(w, r, err)
		return
	}
	if req.Party != "" {
		p, err := s.Store.PartyBySlug(r.Context(), req.Party)
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			s.error(w, r, domain.FieldErrorf("party", "no party has the slug %q", req.Party))
			return
		} else if err != nil {
			s.error(w, r, err)
			return
		}
		if req.PartyID != 0 && req.PartyID != p.ID {
			s.error(w, r, domain.FieldErrorf("party_id", "names another party than %q", req.Party))
			return
		}
		req.PartyID = p.ID
	}
	st := &domain.PartyStatus{AgreementID: a.ID, PartyID: req.PartyID, Kind: req.Kind, Designator: req.Designator,
		ValidFrom: req.ValidFrom, Source: req.Source, Note: req.Note, RecordedBy: Actor(r.Context())}
	rep, err := s.assess().AddStatus(r.Context(), st, Actor(r.Context()))
	if err != nil {
		s.error(w, r, err)
		return
	}
	// Filed under the party, as its commitments are (see commit).
	party := any(st.PartyID)
	if p, err := s.Store.Party(r.Context(), st.PartyID); err == nil {
		party = p.Slug
	}
	s.audit(r, "party.status", "party", party, nil, map[string]any{"agreement": a.Slug, "status": st})
	writeJSON(w, http.StatusCreated, map[string]any{"status": st, "recompute": summary(rep)})
}

// partyRequest is a party naming its parent by slug.
type partyRequest struct {
	domain.Party
	Parent string `json:"parent,omitempty"`
}

func (s *Server) handlePartyCreate(w http.ResponseWriter, r *http.Request) {
	var req partyRequest
	if err := decodeJSON(w, r, maxRequestBytes, &req); err != nil {
		s.error(w, r, err)
		return
	}
	p := req.Party
	if p.ID != 0 || p.Version != 0 {
		s.error(w, r, domain.FieldErrorf("id", "a new party has no id or version"))
		return
	}
	if req.Parent != "" {
		parent, err := s.Store.PartyBySlug(r.Context(), req.Parent)
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			s.error(w, r, domain.FieldErrorf("parent", "no party has the slug %q", req.Parent))
			return
		} else if err != nil {
			s.error(w, r, err)
			return
		}
		p.ParentID = parent.ID
	}
	// A new party names no incident and has no status yet: no verdict
	// can change until a status row or an incident names it.
	if err := s.Store.CreateParty(r.Context(), &p); err != nil {
		s.error(w, r, err)
		return
	}
	s.audit(r, "party.create", "party", p.Slug, nil, p)
	w.Header().Set("Location", "/api/v1/parties/"+p.Slug)
	writeJSON(w, http.StatusCreated, p)
}

// mapError is the body of a refused control map: the usual error and every
// fault, each naming its feature.
type mapError struct {
	errorBody
	Faults []control.Fault `json:"faults"`
}

func (s *Server) handleAreaImport(w http.ResponseWriter, r *http.Request) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != "application/geo+json" && mt != "application/json") {
		s.error(w, r, &domain.Error{Code: codeUnsupportedMedia, Message: "the map must be application/geo+json (or application/json)"})
		return
	}
	loc := time.UTC
	if tz := r.URL.Query().Get("time_zone"); tz != "" {
		if loc, err = time.LoadLocation(tz); err != nil {
			s.error(w, r, domain.FieldErrorf("time_zone", "%q is not an IANA time zone", tz))
			return
		}
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxMapBytes))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		s.error(w, r, domain.Errorf(domain.ETOOLARGE, "the map is larger than %d bytes", maxMapBytes))
		return
	} else if err != nil {
		s.error(w, r, domain.Errorf(domain.EINVALID, "could not read the request body"))
		return
	}
	res, err := s.assess().ImportAreas(r.Context(), data, loc, Actor(r.Context()))
	var pe *control.ParseError
	if errors.As(err, &pe) {
		s.Logger.Info("control map refused", "faults", len(pe.Faults))
		var body mapError
		body.Error.Code, body.Error.Message = domain.EINVALID, pe.Error()
		body.Faults = pe.Faults
		writeJSON(w, http.StatusBadRequest, body)
		return
	} else if err != nil {
		s.error(w, r, err)
		return
	}
	sum := sha256.Sum256(data)
	s.auditImport(r, "area.import", hex.EncodeToString(sum[:]), map[string]any{"bytes": len(data), "time_zone": loc.String(),
		"areas": len(res.Areas), "area_ids": areaIDs(res.Areas), "warnings": len(res.Warnings), "overlaps": len(res.Overlaps),
		"verdicts_changed": recomputeCounts(res.Report)["changed"]})
	writeJSON(w, http.StatusCreated, map[string]any{
		"areas": res.Areas, "warnings": nonNil(res.Warnings), "overlaps": nonNil(res.Overlaps),
		"recompute": summary(res.Report),
	})
}

func (s *Server) handleAreaExport(w http.ResponseWriter, r *http.Request) {
	areas, err := s.assess().Areas(r.Context())
	if err != nil {
		s.error(w, r, err)
		return
	}
	b, err := control.Export(areas)
	if err != nil {
		s.error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/geo+json")
	w.Write(b)
}

// agreementParam resolves the optional ?agreement=slug to an ID, 0 if absent.
func (s *Server) agreementParam(r *http.Request) (int64, error) {
	slug := r.URL.Query().Get("agreement")
	if slug == "" {
		return 0, nil
	}
	a, err := s.Store.AgreementBySlug(r.Context(), slug)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return 0, domain.FieldErrorf("agreement", "no agreement has the slug %q", slug)
	} else if err != nil {
		return 0, err
	}
	return a.ID, nil
}

func (s *Server) handleIncidentVerdict(w http.ResponseWriter, r *http.Request) {
	id, err := atoi64("id", r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	agreementID, err := s.agreementParam(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	if _, err := s.Store.Incident(r.Context(), id); err != nil {
		s.error(w, r, err)
		return
	}
	vs, err := s.Store.IncidentVerdicts(r.Context(), id)
	if err != nil {
		s.error(w, r, err)
		return
	}
	out := vs[:0]
	for _, v := range vs {
		if agreementID == 0 || v.AgreementID == agreementID {
			out = append(out, v)
		}
	}
	if len(out) == 0 {
		s.error(w, r, domain.Errorf(domain.ENOTFOUND, "incident %d has not been judged yet", id))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"verdicts": out})
}

func (s *Server) handleVerdictHistory(w http.ResponseWriter, r *http.Request) {
	id, err := atoi64("id", r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	if _, err := s.Store.Incident(r.Context(), id); err != nil {
		s.error(w, r, err)
		return
	}
	changes, err := s.Store.VerdictChanges(r.Context(), id)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"changes": nonNil(changes)})
}

func (s *Server) handleVerdictList(w http.ResponseWriter, r *http.Request) {
	inf, err := incidentFilter(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	q := r.URL.Query()
	f := domain.VerdictFilter{IncidentFilter: inf, Outcome: q.Get("outcome"), Reason: q.Get("reason")}
	switch f.Outcome {
	case "", "violation", "not_violation", "undetermined":
	default:
		s.error(w, r, domain.FieldErrorf("outcome", "%q is not violation, not_violation or undetermined", f.Outcome))
		return
	}
	switch d := q.Get("disputed"); d {
	case "", "false":
	case "true":
		f.Disputed = true
	default:
		s.error(w, r, domain.FieldErrorf("disputed", "must be true or false, not %q", d))
		return
	}
	if f.AgreementID, err = s.agreementParam(r); err != nil {
		s.error(w, r, err)
		return
	}
	writeCountedPage(s, w, r, "verdicts", f, f.Limit, s.Store.Verdicts, s.Store.CountVerdicts,
		func(v *domain.Verdict) int64 { return v.IncidentID })
}

// handleRecompute judges every incident again (one agreement with
// ?agreement=slug); changes are logged with the caller as actor.
func (s *Server) handleRecompute(w http.ResponseWriter, r *http.Request) {
	agreementID, err := s.agreementParam(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	rep, err := s.assess().Recompute(r.Context(), agreementID, Actor(r.Context()))
	if err != nil {
		s.error(w, r, err)
		return
	}
	// The record is the verdicts of one agreement, or of all of them.
	s.audit(r, "verdict.recompute", "verdict", cmp.Or(r.URL.Query().Get("agreement"), "all"), nil, recomputeCounts(rep))
	writeJSON(w, http.StatusOK, map[string]any{"recompute": summary(rep)})
}

func areaIDs(areas []assess.ImportedArea) []int64 {
	ids := make([]int64, len(areas))
	for i, a := range areas {
		ids[i] = a.ID
	}
	return ids
}

// recomputeCounts is a recomputation as the audit trail keeps it: counts;
// each verdict's own change is in its history.
func recomputeCounts(r *assess.Report) map[string]any {
	if r == nil {
		r = &assess.Report{}
	}
	return map[string]any{"judged": len(r.Judged), "written": r.Written, "changed": len(r.Changes)}
}
