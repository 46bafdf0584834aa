package web

import (
	"net/http"
	"time"

	"github.com/trucedesk/truce/internal/assess"
	"github.com/trucedesk/truce/internal/auth"
	"github.com/trucedesk/truce/internal/domain"
)

// A party commits to an agreement itself, through its liaison, as DESIGN.md's
// roles have it; co-chairs may record any party's commitment (one reported
// to them by a guarantor). Exclusions and designations stay with the
// co-chairs' status route.
func init() {
	routeSets = append(routeSets, func(s *Server) []Route {
		return []Route{{"POST /api/v1/agreements/{slug}/commitments", auth.ActCommit, s.handleCommit}}
	})
}

// commitRequest is a party's commitment: from when, and through which
// guarantor. A liaison may leave the party out: it is its own.
type commitRequest struct {
	Party     string    `json:"party,omitempty"` // slug
	PartyID   int64     `json:"party_id,omitempty"`
	Through   string    `json:"through,omitempty"` // the guarantor, e.g. "Russia"
	ValidFrom time.Time `json:"valid_from"`
	Source    string    `json:"source,omitempty"`
	Note      string    `json:"note,omitempty"`
}

func (s *Server) handleCommit(w http.ResponseWriter, r *http.Request) {
	a, err := s.Store.AgreementBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	var req commitRequest
	if err := decodeJSON(w, r, maxRequestBytes, &req); err != nil {
		s.error(w, r, err)
		return
	}
	st, rep, err := s.commit(r, a, req)
	if err != nil {
		s.error(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/agreements/"+a.Slug+"/statuses")
	writeJSON(w, http.StatusCreated, map[string]any{"status": st, "recompute": summary(rep)})
}

// commit records a party's commitment to a, if the caller may speak for
// the party, and audits it; the API and the desk's party page both commit
// through it.
func (s *Server) commit(r *http.Request, a *domain.Agreement, req commitRequest) (*domain.PartyStatus, *assess.Report, error) {
	ctx := r.Context()
	who := auth.FromContext(ctx)
	if req.Party == "" && req.PartyID == 0 && who.Role == auth.RoleLiaison {
		req.PartyID = who.PartyID
	}
	party, err := s.commitParty(r, req)
	if err != nil {
		return nil, nil, err
	}
	if !canCommit(who, party) {
		return nil, nil, domain.Errorf(domain.EFORBIDDEN, "a %s may record only its own party's commitment, not %s's", who.Role, party.Slug)
	}
	st := &domain.PartyStatus{AgreementID: a.ID, PartyID: party.ID, Kind: domain.StatusCommitted, Designator: req.Through,
		ValidFrom: req.ValidFrom, Source: req.Source, Note: req.Note, RecordedBy: Actor(ctx)}
	// The co-chairs' status route's own path: the row joins the ledger and
	// the verdicts it touches are judged again.
	rep, err := s.assess().AddStatus(ctx, st, Actor(ctx))
	if err != nil {
		return nil, nil, err
	}
	s.audit(r, "party.commit", "party", party.Slug, nil, st)
	return st, rep, nil
}

// canCommit reports whether who may record party's commitment.
func canCommit(who *auth.Principal, party *domain.Party) bool {
	return auth.DefaultPolicy.Allow(who, auth.ActCommit, auth.Resource{Kind: "commitment", PartyID: party.ID})
}

// commitParty finds the party a commitment names, by slug or ID (both must
// agree when both are given).
func (s *Server) commitParty(r *http.Request, req commitRequest) (*domain.Party, error) {
	switch {
	case req.Party != "":
		p, err := s.Store.PartyBySlug(r.Context(), req.Party)
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return nil, domain.FieldErrorf("party", "no party has the slug %q", req.Party)
		} else if err != nil {
			return nil, err
		}
		if req.PartyID != 0 && req.PartyID != p.ID {
			return nil, domain.FieldErrorf("party_id", "names another party than %q", req.Party)
		}
		return p, nil
	case req.PartyID != 0:
		p, err := s.Store.Party(r.Context(), req.PartyID)
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return nil, domain.FieldErrorf("party_id", "party %d does not exist", req.PartyID)
		}
		return p, err
	}
	return nil, domain.FieldErrorf("party", "is required: the slug of the party that commits")
}
