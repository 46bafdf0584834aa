package web

import (
	"context"
	"net/http"
	"strings"

	"github.com/trucedesk/truce/internal/auth"
	"github.com/trucedesk/truce/internal/domain"
)

// loginRequest is the body of POST /api/v1/session.
type loginRequest struct {
	Name     string `json:"name"`
	Password string `json:"password"`
}

// handleLogin opens a browser session: the cookie it sets carries the
// session, and GET /api/v1/session tells the page its CSRF token.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	audited(r) // the authenticator records logins, and failed ones
	var req loginRequest
	if err := decodeJSON(w, r, 4<<10, &req); err != nil {
		s.error(w, r, err)
		return
	}
	if strings.TrimSpace(req.Name) == "" || req.Password == "" {
		s.error(w, r, domain.FieldErrorf("name", "a name and a password are required"))
		return
	}
	u, err := s.Auth.StartSession(w, r, req.Name, req.Password)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"name": u.Name, "role": u.Role, "party_id": u.PartyID})
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	// The authenticator records the logout itself, when a session ended.
	audited(r)
	if err := s.Auth.EndSession(w, r); err != nil {
		s.error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleWhoAmI says who the caller is and gives a session its CSRF token.
func (s *Server) handleWhoAmI(w http.ResponseWriter, r *http.Request) {
	p := auth.FromContext(r.Context())
	writeJSON(w, http.StatusOK, map[string]any{"name": p.Name, "role": p.Role, "party_id": p.PartyID,
		"via": p.Via, "csrf_token": auth.CSRFToken(r.Context())})
}

// handleAudit lists the audit trail (?actor=&action=&kind=&record=&since=&until=&after=&limit=),
// as JSON, or as CSV or JSON lines with ?format=csv|jsonl for export.
func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := auth.AuditFilter{Actor: q.Get("actor"), Action: q.Get("action"), Kind: q.Get("kind"), RecordID: q.Get("record")}
	for _, err := range []error{queryTime(q.Get("since"), "since", &f.Since), queryTime(q.Get("until"), "until", &f.Until),
		queryID(q.Get("after"), "after", &f.AfterID), queryInt(q.Get("limit"), "limit", &f.Limit)} {
		if err != nil {
			s.error(w, r, err)
			return
		}
	}
	switch format := q.Get("format"); format {
	case auth.FormatCSV, auth.FormatJSONL:
		ct := map[string]string{auth.FormatCSV: "text/csv; charset=utf-8", auth.FormatJSONL: "application/x-ndjson"}[format]
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Content-Disposition", `attachment; filename="truce-audit.`+format+`"`)
		if err := auth.ExportAudit(r.Context(), s.Auth.Store, f, format, w); err != nil {
			s.Logger.Error("audit export", "err", err)
		}
	case "", "json":
		events, err := s.Auth.Store.AuditEvents(r.Context(), f)
		if err != nil {
			s.error(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"events": nonNil(events)})
	default:
		s.error(w, r, domain.FieldErrorf("format", "want json, csv or jsonl, not %q", strings.TrimSpace(format)))
	}
}

// audit records a change in the audit trail once it has committed, in
// place of auditWrites' generic event. A failure to record is logged, not
// shown: the change itself stands, and the ledger holds it regardless. The
// anonymous public's changes (reports) are left to the ledger, as
// auditWrites leaves them: the trail is of accountable people.
func (s *Server) audit(r *http.Request, action, kind string, id any, old, new any) {
	audited(r)
	if p := auth.FromContext(r.Context()); s.Auth.Audit == nil || (p.Anonymous() && p.Via != "config") {
		return
	}
	if err := s.Auth.Audit.Record(r.Context(), action, kind, id, old, new); err != nil {
		s.Logger.Error("audit", "action", action, "kind", kind, "id", id, "err", err)
	}
}

// auditImport records an import under its input's SHA-256, with counts
// and what it created, never the payload itself.
func (s *Server) auditImport(r *http.Request, action, sha256Hex string, counts map[string]any) {
	counts["sha256"] = sha256Hex
	s.audit(r, action, "import", sha256Hex, nil, counts)
}

type auditedKey struct{}

// audited tells auditWrites that the request needs no generic event: its
// change was recorded elsewhere (the authenticator's logins and logouts),
// or it changed nothing (a claim check, an article already stored).
func audited(r *http.Request) {
	if done, ok := r.Context().Value(auditedKey{}).(*bool); ok {
		*done = true
	}
}

// auditWrites records in the audit trail every change made by someone with
// an account or token that its handler did not record in more detail: the
// route, the record named in its path, who and from where.
func (s *Server) auditWrites(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodOptions {
			next.ServeHTTP(w, r)
			return
		}
		done := false
		r = r.WithContext(context.WithValue(r.Context(), auditedKey{}, &done))
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		p := auth.FromContext(r.Context())
		if done || rec.status >= 300 || (p.Anonymous() && p.Via != "config") || r.Pattern == "" {
			return
		}
		kind, id := recordOf(r.URL.Path)
		s.audit(r, r.Pattern, kind, id, nil, map[string]any{"status": rec.status, "path": r.URL.Path})
	})
}

// recordOf names the record a path addresses, for the audit trail: the
// collection's kind and the ID after it, under /api/v1/ as under /desk/, so
// that a change made from a desk form is filed under its record too.
func recordOf(path string) (kind, id string) {
	rest := strings.TrimPrefix(path, "/")
	for _, prefix := range []string{"api/v1/", "desk/"} {
		if r, ok := strings.CutPrefix(rest, prefix); ok {
			rest = r
			break
		}
	}
	parts := strings.Split(rest, "/")
	if len(parts) >= 2 {
		id = parts[1]
	}
	return singular(parts[0]), id
}

// singular turns a collection in a path into the kind of its records.
func singular(s string) string {
	switch {
	case strings.HasSuffix(s, "ies"):
		return strings.TrimSuffix(s, "ies") + "y"
	case strings.HasSuffix(s, "s"):
		return strings.TrimSuffix(s, "s")
	}
	return s
}
