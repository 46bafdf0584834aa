package web

import (
	"cmp"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/trucedesk/truce/internal/auth"
	"github.com/trucedesk/truce/internal/domain"
)

// maxRequestBytes bounds a message request: the body limit plus room for the
// JSON around it and the escaping of non-ASCII text (\uXXXX is 6 bytes).
const maxRequestBytes = 8 * domain.MaxBodyBytes

// messageRequest is the body of POST /api/v1/messages.
type messageRequest struct {
	Sender      domain.Sender       `json:"sender"`
	Language    string              `json:"language"`
	Subject     string              `json:"subject"`
	Body        string              `json:"body"`
	Attachments []domain.Attachment `json:"attachments"`
}

// receipt is what the sender gets back.
type receipt struct {
	Tracking   string              `json:"tracking"`
	State      domain.MessageState `json:"state"`
	ReceivedAt time.Time           `json:"received_at"`
	UpdatedAt  time.Time           `json:"updated_at"`
	Repeat     bool                `json:"repeat,omitempty"`
	Reason     domain.RejectReason `json:"reason,omitempty"`
	StatusURL  string              `json:"status_url"`
}

func newReceipt(m *domain.Message, repeat bool) receipt {
	return receipt{Tracking: m.Tracking, State: m.State, ReceivedAt: m.ReceivedAt, UpdatedAt: m.UpdatedAt,
		Repeat: repeat, Reason: m.Reason, StatusURL: "/api/v1/messages/" + m.Tracking}
}

func (s *Server) handleMessageCreate(w http.ResponseWriter, r *http.Request) {
	var req messageRequest
	if err := decodeJSON(w, r, maxRequestBytes, &req); err != nil {
		s.error(w, r, err)
		return
	}
	m := &domain.Message{Channel: domain.ChannelAPI, Sender: req.Sender, Language: req.Language,
		Subject: req.Subject, Body: req.Body, Attachments: req.Attachments}
	rc, err := s.submit(r, m)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, receiptStatus(w, rc), newReceipt(rc.Message, rc.Repeat))
}

// submit hands m to the intake desk on behalf of the caller, whatever the
// channel: a liaison speaks for its own party, whatever the message says;
// anyone else may name a party only if the policy lets them.
func (s *Server) submit(r *http.Request, m *domain.Message) (domain.Receipt, error) {
	if m.Sender.Kind == "" {
		m.Sender.Kind = domain.SenderPublic
	}
	p := auth.FromContext(r.Context())
	if p.Role == auth.RoleLiaison {
		m.Sender.Kind, m.Sender.PartyID = domain.SenderLiaison, p.PartyID
		if m.Sender.Name == "" {
			m.Sender.Name = p.Name
		}
	}
	if !auth.DefaultPolicy.Allow(p, auth.ActSubmitMessage, auth.Resource{Kind: "message", PartyID: m.Sender.PartyID}) {
		return domain.Receipt{}, domain.FieldErrorf("sender.party_id", "you may not send messages in a party's name")
	}
	rc, err := s.Desk.Submit(r.Context(), m, clientKey(r))
	if err == nil {
		s.auditSubmit(r, rc)
	}
	return rc, err
}

// auditSubmit records a message as its envelope: who it is from and where
// it stands, not what it says, which stays in the inbox's keeping. A
// repeat changes only the original's count.
func (s *Server) auditSubmit(r *http.Request, rc domain.Receipt) {
	m := rc.Message
	if rc.Repeat {
		s.audit(r, "message.repeat", "message", m.ID, map[string]any{"repeats": m.Repeats - 1}, map[string]any{"repeats": m.Repeats})
		return
	}
	s.audit(r, "message.submit", "message", m.ID, nil, map[string]any{"tracking": m.Tracking, "channel": m.Channel,
		"sender_kind": m.Sender.Kind, "party_id": m.Sender.PartyID, "language": m.Language, "state": m.State})
}

// receiptStatus sets the Location of an acknowledged message and returns
// the status to answer with: 201 for a new message, 200 for a repeat.
func receiptStatus(w http.ResponseWriter, rc domain.Receipt) int {
	w.Header().Set("Location", "/api/v1/messages/"+rc.Message.Tracking)
	if rc.Repeat {
		return http.StatusOK
	}
	return http.StatusCreated
}

// handleMessageStatus tells a sender where their message stands; it shows
// the state only, never the content, since tracking numbers get shared.
func (s *Server) handleMessageStatus(w http.ResponseWriter, r *http.Request) {
	tracking, ok := domain.NormalizeTracking(r.PathValue("tracking"))
	if !ok {
		s.error(w, r, domain.FieldErrorf("tracking", "%q is not a tracking number (they look like TRC-7K3M-Q9XD-A4RW)", r.PathValue("tracking")))
		return
	}
	m, err := s.Store.MessageByTracking(r.Context(), tracking)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newReceipt(m, false))
}

// clientKey identifies an anonymous sender for repeat detection: the
// client address the authenticator worked out, past trusted proxies, as
// the rate limits and the audit trail see it. Behind a proxy the raw
// RemoteAddr is the proxy's, and every sender would share one key, so that
// one person's report could come back as another's tracking number.
func clientKey(r *http.Request) string {
	if a := auth.FromContext(r.Context()).Address; a != "" {
		return a
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// inboxPage is the answer to GET /api/v1/inbox.
type inboxPage struct {
	Messages  []*domain.Message `json:"messages"`
	NextAfter int64             `json:"next_after,omitempty"`
}

func (s *Server) handleInbox(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var f domain.MessageFilter
	var err error
	for _, st := range strings.Split(q.Get("state"), ",") {
		if st == "" {
			continue
		}
		if !domain.MessageState(st).Valid() {
			s.error(w, r, domain.FieldErrorf("state", "unknown state %q", st))
			return
		}
		f.States = append(f.States, domain.MessageState(st))
	}
	if c := q.Get("channel"); c != "" {
		if f.Channel = domain.Channel(c); !f.Channel.Valid() {
			s.error(w, r, domain.FieldErrorf("channel", "unknown channel %q", c))
			return
		}
	}
	// The first parameter at fault is named.
	if err = cmp.Or(queryID(q.Get("party"), "party", &f.PartyID),
		queryID(q.Get("reconciliation"), "reconciliation", &f.ReconciliationID),
		queryID(q.Get("after"), "after", &f.AfterID), queryTime(q.Get("since"), "since", &f.Since),
		queryTime(q.Get("until"), "until", &f.Until), queryInt(q.Get("limit"), "limit", &f.Limit)); err != nil {
		s.error(w, r, err)
		return
	}
	f.Limit = min(max(f.Limit, 0), 500)
	if f.Limit == 0 {
		f.Limit = 50
	}
	if f, err = auth.DefaultPolicy.MessageFilter(auth.FromContext(r.Context()), f); err != nil {
		s.error(w, r, err)
		return
	}
	ms, err := s.Store.Messages(r.Context(), f)
	if err != nil {
		s.error(w, r, err)
		return
	}
	page := inboxPage{Messages: nonNil(ms)}
	if len(ms) == f.Limit {
		page.NextAfter = ms[len(ms)-1].ID
	}
	writeJSON(w, http.StatusOK, page)
}

func (s *Server) handleInboxMessage(w http.ResponseWriter, r *http.Request) {
	id, err := atoi64("id", r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	m, err := s.Store.Message(r.Context(), id)
	if err == nil && !auth.DefaultPolicy.CanReadMessage(auth.FromContext(r.Context()), m) {
		// Another party's message: not even its existence is disclosed.
		err = domain.Errorf(domain.ENOTFOUND, "message %d not found", id)
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	events, err := s.Store.MessageEvents(r.Context(), id)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"message": m, "events": nonNil(events)})
}

// transitionRequest is the body of POST /api/v1/inbox/{id}/transitions.
// A link names an incident or a reconciliation, not both.
type transitionRequest struct {
	To               domain.MessageState `json:"to"`
	Version          int                 `json:"version"`
	Reason           domain.RejectReason `json:"reason"`
	IncidentID       int64               `json:"incident_id"`
	ReconciliationID int64               `json:"reconciliation_id"`
	Note             string              `json:"note"`
}

func (s *Server) handleTransition(w http.ResponseWriter, r *http.Request) {
	id, err := atoi64("id", r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	var req transitionRequest
	if err := decodeJSON(w, r, maxRequestBytes, &req); err != nil {
		s.error(w, r, err)
		return
	}
	if req.Version == 0 {
		s.error(w, r, domain.FieldErrorf("version", "is required: send the version you read, so a concurrent change is not overwritten"))
		return
	}
	before, err := s.Store.Message(r.Context(), id)
	if err != nil {
		s.error(w, r, err)
		return
	}
	m, err := s.Store.TransitionMessage(r.Context(), domain.Transition{MessageID: id, Version: req.Version,
		To: req.To, Reason: req.Reason, IncidentID: req.IncidentID, ReconciliationID: req.ReconciliationID, Note: req.Note,
		Actor: Actor(r.Context()), At: s.Now().UTC()})
	if domain.ErrorCode(err) == domain.ECONFLICT {
		// Show the current state so the client can decide again.
		cur, _ := s.Store.Message(r.Context(), id)
		var body errorBody
		body.Error.Code, body.Error.Message = domain.ECONFLICT, domain.ErrorMessage(err)
		writeJSON(w, http.StatusConflict, map[string]any{"error": body.Error, "current": cur})
		return
	} else if err != nil {
		s.error(w, r, err)
		return
	}
	s.audit(r, "message.transition", "message", m.ID, map[string]any{"state": before.State, "reason": before.Reason, "version": req.Version},
		map[string]any{"state": m.State, "reason": m.Reason, "incident_id": req.IncidentID, "reconciliation_id": req.ReconciliationID,
			"note": req.Note, "version": m.Version})
	writeJSON(w, http.StatusOK, m)
}

func queryID(v, name string, dst *int64) error {
	if v == "" {
		return nil
	}
	n, err := atoi64(name, v)
	*dst = n
	return err
}

func queryInt(v, name string, dst *int) error {
	if v == "" {
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return domain.FieldErrorf(name, "%q is not a count", v)
	}
	*dst = n
	return nil
}

// queryTime accepts an RFC 3339 instant or a date (midnight UTC).
func queryTime(v, name string, dst *time.Time) error {
	if v == "" {
		return nil
	}
	for _, layout := range []string{time.RFC3339Nano, time.DateOnly} {
		if t, err := time.Parse(layout, v); err == nil {
			*dst = t.UTC()
			return nil
		}
	}
	return domain.FieldErrorf(name, "%q is not a date (2016-02-27) or an RFC 3339 instant", v)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
