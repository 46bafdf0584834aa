package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/trucedesk/truce/internal/auth"
	"github.com/trucedesk/truce/internal/domain"
)

// Reading reconciliations takes auth.ActReadOwnPartyRecords: the desk
// (monitors and co-chairs) reads every one, a party's liaison only those its
// party signed (the handlers narrow to the signatory party), and observers
// and the public none but what a published bulletin shows.
func init() {
	routeSets = append(routeSets, func(s *Server) []Route {
		return []Route{
			{"POST /api/v1/reconciliations", auth.ActCreateIncident, s.handleReconciliationCreate},
			{"GET /api/v1/reconciliations", auth.ActReadOwnPartyRecords, s.handleReconciliationList},
			{"GET /api/v1/reconciliations/{id}", auth.ActReadOwnPartyRecords, s.handleReconciliationView},
			{"PUT /api/v1/reconciliations/{id}", auth.ActCreateIncident, s.handleReconciliationEdit},
			{"POST /api/v1/reconciliations/{id}/status", auth.ActCreateIncident, s.handleReconciliationStatus},
		}
	})
}

// reconciliationInput is a reconciliation as a client sends it: the
// agreement by slug or ID, and none of what the store fills (the timeline
// starts at signed_at; states change through the status route).
type reconciliationInput struct {
	Agreement string `json:"agreement,omitempty"` // slug
	domain.Reconciliation
}

// readReconciliation reads a reconciliation from the request body. A new
// one may not carry what the desk fills; an edit may carry it back as it
// was read (a client sends what it got), and the store keeps its own.
func (s *Server) readReconciliation(w http.ResponseWriter, r *http.Request, fresh bool) (*domain.Reconciliation, error) {
	var in reconciliationInput
	if err := decodeJSON(w, r, maxRequestBytes, &in); err != nil {
		// encoding/json names a field of the embedded record by its path.
		var e *domain.Error
		if errors.As(err, &e) {
			e.Field = strings.TrimPrefix(e.Field, "Reconciliation.")
		}
		return nil, err
	}
	rc := &in.Reconciliation
	switch {
	case !fresh:
	case rc.State != "":
		return nil, domain.FieldErrorf("state", "starts as signed; it changes through the status route")
	case len(rc.Statuses) > 0:
		return nil, domain.FieldErrorf("statuses", "the timeline is kept through the status route, not given")
	case !rc.CreatedAt.IsZero() || rc.CreatedBy != "":
		return nil, domain.FieldErrorf("created_by", "is the desk's to fill")
	}
	if err := s.reconciliationAgreement(r.Context(), rc, in.Agreement); err != nil {
		return nil, err
	}
	return rc, nil
}

// reconciliationAgreement sets the agreement a reconciliation joins from its
// slug, which must agree with an agreement_id given too; an empty slug
// leaves agreement_id as it is.
func (s *Server) reconciliationAgreement(ctx context.Context, rc *domain.Reconciliation, slug string) error {
	if slug == "" {
		return nil
	}
	a, err := s.Store.AgreementBySlug(ctx, slug)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return domain.FieldErrorf("agreement", "no agreement has the slug %q", slug)
	} else if err != nil {
		return err
	}
	if rc.AgreementID != 0 && rc.AgreementID != a.ID {
		return domain.FieldErrorf("agreement_id", "names another agreement than %q", slug)
	}
	rc.AgreementID = a.ID
	return nil
}

func (s *Server) handleReconciliationCreate(w http.ResponseWriter, r *http.Request) {
	rc, err := s.readReconciliation(w, r, true)
	if err != nil {
		s.error(w, r, err)
		return
	}
	if err := s.createReconciliation(r, rc); err != nil {
		s.error(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/reconciliations/"+strconv.FormatInt(rc.ID, 10))
	writeJSON(w, http.StatusCreated, rc)
}

// createReconciliation stores a new reconciliation recorded by the caller
// and audits it; the API and the desk's form both create through it.
func (s *Server) createReconciliation(r *http.Request, rc *domain.Reconciliation) error {
	if rc.ID != 0 || rc.Version != 0 {
		return domain.FieldErrorf("id", "a new reconciliation has no id or version")
	}
	rc.CreatedBy = Actor(r.Context())
	if err := s.Store.CreateReconciliation(r.Context(), rc); err != nil {
		return err
	}
	s.audit(r, "reconciliation.create", "reconciliation", rc.ID, nil, rc)
	return nil
}

// readsAll reports whether the caller reads every party's reconciliations;
// otherwise it reads only those of its own party.
func readsAll(r *http.Request) bool {
	return auth.DefaultPolicy.Allow(auth.FromContext(r.Context()), auth.ActReadMessages, auth.Resource{Kind: "reconciliation"})
}

func (s *Server) handleReconciliationView(w http.ResponseWriter, r *http.Request) {
	id, err := atoi64("id", r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	rc, err := s.readableReconciliation(r, id)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rc)
}

// readableReconciliation reads a reconciliation the caller may read.
// Another party's agreement is answered as missing, so a liaison does not
// even learn that it exists.
func (s *Server) readableReconciliation(r *http.Request, id int64) (*domain.Reconciliation, error) {
	rc, err := s.Store.Reconciliation(r.Context(), id)
	if err == nil && !readsAll(r) && !rc.HasParty(auth.FromContext(r.Context()).PartyID) {
		err = domain.Errorf(domain.ENOTFOUND, "reconciliation %d not found", id)
	}
	return rc, err
}

// reconciliationFilter reads the list's filters: agreement and party by
// slug, the governorate, the signing window (since, until: dates or RFC
// 3339 instants), the state, and as_of for the state at an instant.
func (s *Server) reconciliationFilter(r *http.Request) (domain.ReconciliationFilter, error) {
	q := r.URL.Query()
	f := domain.ReconciliationFilter{Admin1: q.Get("admin1"), State: domain.ReconciliationState(q.Get("state"))}
	if f.State != "" && !f.State.Valid() {
		return f, domain.FieldErrorf("state", "unknown state %q: want signed, in_force, broken or withdrawn", f.State)
	}
	if err := firstError(
		queryTime(q.Get("since"), "since", &f.Since), queryTime(q.Get("until"), "until", &f.Until),
		queryTime(q.Get("as_of"), "as_of", &f.AsOf), queryID(q.Get("after"), "after", &f.AfterID),
		queryInt(q.Get("limit"), "limit", &f.Limit),
	); err != nil {
		return f, err
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Until.After(f.Since) {
		return f, domain.FieldErrorf("until", "must come after since")
	}
	if slug := q.Get("agreement"); slug != "" {
		a, err := s.Store.AgreementBySlug(r.Context(), slug)
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return f, domain.FieldErrorf("agreement", "no agreement %q", slug)
		} else if err != nil {
			return f, err
		}
		f.AgreementID = a.ID
	}
	var err error
	if f.PartyID, err = s.partyParam(r.Context(), "party", q.Get("party")); err != nil {
		return f, err
	}
	if !readsAll(r) {
		own := auth.FromContext(r.Context()).PartyID
		if f.PartyID != 0 && f.PartyID != own {
			return f, domain.Errorf(domain.EFORBIDDEN, "you may read only your own party's reconciliations")
		}
		f.PartyID = own
	}
	f.Limit = min(f.Limit, 1000)
	if f.Limit == 0 {
		f.Limit = 100
	}
	return f, nil
}

func (s *Server) handleReconciliationList(w http.ResponseWriter, r *http.Request) {
	f, err := s.reconciliationFilter(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeCountedPage(s, w, r, "reconciliations", f, f.Limit, s.Store.Reconciliations, s.Store.CountReconciliations,
		func(rc *domain.Reconciliation) int64 { return rc.ID })
}

func (s *Server) handleReconciliationEdit(w http.ResponseWriter, r *http.Request) {
	id, err := atoi64("id", r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	rc, err := s.readReconciliation(w, r, false)
	if err != nil {
		s.error(w, r, err)
		return
	}
	if rc.ID != 0 && rc.ID != id {
		s.error(w, r, domain.FieldErrorf("id", "is %d, but the path names %d", rc.ID, id))
		return
	}
	if rc.Version == 0 {
		s.error(w, r, domain.FieldErrorf("version", "is required (the version you read)"))
		return
	}
	rc.ID = id
	old, err := s.Store.Reconciliation(r.Context(), id)
	if err != nil {
		s.error(w, r, err)
		return
	}
	if rc.State != "" && rc.State != old.State {
		s.error(w, r, domain.FieldErrorf("state", "changes through POST /api/v1/reconciliations/%d/status", id))
		return
	}
	if err := s.Store.UpdateReconciliation(r.Context(), rc); err != nil {
		s.error(w, r, err)
		return
	}
	s.audit(r, "reconciliation.edit", "reconciliation", id, old, rc)
	writeJSON(w, http.StatusOK, rc)
}

// reconciliationStatusRequest moves a reconciliation along its timeline.
type reconciliationStatusRequest struct {
	State   domain.ReconciliationState `json:"state"`
	At      time.Time                  `json:"at"`
	Note    string                     `json:"note,omitempty"`
	Version int                        `json:"version"`
}

func (s *Server) handleReconciliationStatus(w http.ResponseWriter, r *http.Request) {
	id, err := atoi64("id", r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	var req reconciliationStatusRequest
	if err := decodeJSON(w, r, maxRequestBytes, &req); err != nil {
		s.error(w, r, err)
		return
	}
	rc, err := s.changeReconciliationState(r, id, req)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rc)
}

// changeReconciliationState moves a reconciliation along its timeline and
// audits the move; the API and the desk's form both move through it.
func (s *Server) changeReconciliationState(r *http.Request, id int64, req reconciliationStatusRequest) (*domain.Reconciliation, error) {
	rc, err := s.Store.ChangeReconciliationState(r.Context(), domain.ReconciliationChange{ID: id, Version: req.Version,
		State: req.State, At: req.At, Note: req.Note, Actor: Actor(r.Context())})
	if err != nil {
		return nil, err
	}
	prev := rc.Statuses[len(rc.Statuses)-2]
	s.audit(r, "reconciliation.status", "reconciliation", id,
		map[string]any{"state": prev.State, "at": prev.At, "version": req.Version},
		map[string]any{"state": rc.State, "at": req.At.UTC(), "note": req.Note, "version": rc.Version})
	return rc, nil
}
