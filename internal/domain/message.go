package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
	"unicode/utf8"
)

// Channel is how a message reached the desk.
type Channel string

// The intake channels.
const (
	ChannelWeb   Channel = "web"   // the public HTML form
	ChannelAPI   Channel = "api"   // POST /api/v1/messages
	ChannelEmail Channel = "email" // an email gateway
	ChannelSMS   Channel = "sms"   // an SMS gateway
	ChannelFile  Channel = "file"  // a bulk file import
	ChannelPhone Channel = "phone" // a call logged by a monitor (the Hmeimim hotline)
)

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool {
	switch c {
	case ChannelWeb, ChannelAPI, ChannelEmail, ChannelSMS, ChannelFile, ChannelPhone:
		return true
	}
	return false
}

// SenderKind says who sent a message, which decides who may see it.
type SenderKind string

// The kinds of sender.
const (
	SenderPublic  SenderKind = "public"
	SenderLiaison SenderKind = "liaison" // a party's liaison officer
	SenderMonitor SenderKind = "monitor"
	SenderNGO     SenderKind = "ngo"
	SenderPress   SenderKind = "press"
)

// Valid reports whether k is a known sender kind.
func (k SenderKind) Valid() bool {
	switch k {
	case SenderPublic, SenderLiaison, SenderMonitor, SenderNGO, SenderPress:
		return true
	}
	return false
}

// MessageState is where a message stands in triage.
type MessageState string

// The triage states: received → triaged → linked or closed; any open message
// may be rejected (spam, duplicate…) with a reason, and a closed or rejected
// message may be reopened into triage.
const (
	StateReceived MessageState = "received"
	StateTriaged  MessageState = "triaged"
	StateLinked   MessageState = "linked"
	StateClosed   MessageState = "closed"
	StateRejected MessageState = "rejected"
)

// Valid reports whether s is a known state.
func (s MessageState) Valid() bool {
	_, ok := transitions[s]
	return ok
}

var transitions = map[MessageState][]MessageState{
	StateReceived: {StateTriaged, StateRejected},
	StateTriaged:  {StateLinked, StateClosed, StateRejected},
	StateLinked:   {StateClosed, StateLinked}, // linked again: a second incident, or a reconciliation
	StateClosed:   {StateTriaged},
	StateRejected: {StateTriaged},
}

// CanTransition reports whether a message may move from s to next.
func (s MessageState) CanTransition(next MessageState) bool {
	for _, t := range transitions[s] {
		if t == next {
			return true
		}
	}
	return false
}

// Linkable reports whether a message in s may be linked to a record: at
// once if triaged or linked already, after triage if just received. A
// closed or rejected message must be reopened first.
func (s MessageState) Linkable() bool {
	return s == StateReceived || s == StateTriaged || s == StateLinked
}

// Open reports whether the message still waits for a monitor.
func (s MessageState) Open() bool { return s == StateReceived || s == StateTriaged }

// RejectReason explains a rejection.
type RejectReason string

// The reasons a message may be rejected.
const (
	RejectSpam       RejectReason = "spam"
	RejectDuplicate  RejectReason = "duplicate"
	RejectOffTopic   RejectReason = "off_topic"
	RejectUnverified RejectReason = "unverifiable"
	RejectAbusive    RejectReason = "abusive"
)

// Valid reports whether r is a known reason.
func (r RejectReason) Valid() bool {
	switch r {
	case RejectSpam, RejectDuplicate, RejectOffTopic, RejectUnverified, RejectAbusive:
		return true
	}
	return false
}

// Limits on what intake accepts. They bound memory per request and keep one
// sender from filling the disk.
const (
	MaxBodyBytes       = 64 << 10 // a message body, in bytes of UTF-8
	MaxAttachments     = 10
	MaxAttachmentBytes = 20 << 20
	MaxNameBytes       = 200
	// MaxSubjectBytes is RFC 5322's line limit: an email subject in Arabic
	// runs past MaxNameBytes in a hundred letters.
	MaxSubjectBytes = 998
)

// Sender identifies who sent a message as far as the desk knows.
type Sender struct {
	Kind    SenderKind `json:"kind"`
	Name    string     `json:"name,omitempty"`
	Contact string     `json:"contact,omitempty"`  // phone number or email
	PartyID int64      `json:"party_id,omitempty"` // for liaisons
}

// Key returns the identity used to spot repeats: the contact if given, else
// the name, else the fallback (the client address for anonymous web reports).
func (s Sender) Key(fallback string) string {
	switch {
	case s.Contact != "":
		return "c:" + strings.ToLower(strings.TrimSpace(s.Contact))
	case s.Name != "":
		return "n:" + strings.ToLower(strings.TrimSpace(s.Name))
	default:
		return "a:" + fallback
	}
}

// Attachment describes a file that came with a message. The bytes live in
// the attachment store; the message keeps their size and digest.
type Attachment struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
}

// Message is anything received by the desk.
type Message struct {
	ID          int64        `json:"id"`
	Tracking    string       `json:"tracking"`
	Channel     Channel      `json:"channel"`
	Sender      Sender       `json:"sender"`
	SenderKey   string       `json:"-"`
	ReceivedAt  time.Time    `json:"received_at"`
	Language    string       `json:"language,omitempty"` // BCP 47, e.g. "ar", "ru", "en"
	Subject     string       `json:"subject,omitempty"`
	Body        string       `json:"body"`
	Attachments []Attachment `json:"attachments,omitempty"`
	ContentHash string       `json:"content_hash"`
	State       MessageState `json:"state"`
	Reason      RejectReason `json:"reject_reason,omitempty"`
	// ReconciliationID is the reconciliation the message was last linked
	// to. Links to incidents are the incidents' sources, since an incident
	// rests on many messages; a message that reports a reconciliation
	// becomes one record, and a later link to another moves it (the
	// history keeps both). Left out of JSON when zero, so the ledger's
	// leaves of messages never linked to one are those logged before it.
	ReconciliationID int64     `json:"reconciliation_id,omitempty"`
	Repeats          int       `json:"repeats"` // times the same sender sent it again
	Version          int       `json:"version"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// Validate checks a message as received, before it is stored.
func (m *Message) Validate() error {
	if !m.Channel.Valid() {
		return FieldErrorf("channel", "unknown channel %q", m.Channel)
	}
	if !m.Sender.Kind.Valid() {
		return FieldErrorf("sender.kind", "unknown sender kind %q", m.Sender.Kind)
	}
	if m.Sender.Kind == SenderLiaison && m.Sender.PartyID == 0 {
		return FieldErrorf("sender.party_id", "a liaison's message must name the liaison's party")
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{
		{"sender.name", m.Sender.Name, MaxNameBytes}, {"sender.contact", m.Sender.Contact, MaxNameBytes},
		{"subject", m.Subject, MaxSubjectBytes},
	} {
		if !utf8.ValidString(f.v) {
			return FieldErrorf(f.name, "is not valid UTF-8")
		}
		if strings.IndexByte(f.v, 0) >= 0 {
			return FieldErrorf(f.name, "holds a NUL character, which no text may contain")
		}
		if len(f.v) > f.max {
			return FieldErrorf(f.name, "is longer than %d bytes", f.max)
		}
	}
	if !utf8.ValidString(m.Body) {
		return FieldErrorf("body", "is not valid UTF-8")
	}
	// SQLite would keep a NUL and PostgreSQL refuse the statement: neither
	// sees one, whichever channel (email, SMS, form) brought it.
	if strings.IndexByte(m.Body, 0) >= 0 {
		return FieldErrorf("body", "holds a NUL character, which no text may contain")
	}
	if strings.TrimSpace(m.Body) == "" {
		return FieldErrorf("body", "is required")
	}
	if len(m.Body) > MaxBodyBytes {
		return &Error{Code: ETOOLARGE, Field: "body", Message: "is longer than 65536 bytes"}
	}
	if len(m.Language) > 35 {
		return FieldErrorf("language", "is not a language tag")
	}
	if len(m.Attachments) > MaxAttachments {
		return &Error{Code: ETOOLARGE, Field: "attachments", Message: "more than 10 attachments"}
	}
	for _, a := range m.Attachments {
		if a.Size < 0 || a.Size > MaxAttachmentBytes {
			return &Error{Code: ETOOLARGE, Field: "attachments", Message: "an attachment is larger than 20 MiB"}
		}
		if a.Name == "" || !utf8.ValidString(a.Name) || len(a.Name) > MaxNameBytes {
			return FieldErrorf("attachments", "an attachment needs a UTF-8 name of at most %d bytes", MaxNameBytes)
		}
		// A file name is a name, never a path: whatever later saves the
		// bytes must not be steered outside its directory.
		if strings.ContainsAny(a.Name, "/\\\x00") || a.Name == "." || a.Name == ".." || strings.IndexFunc(a.Name, isControl) >= 0 {
			return FieldErrorf("attachments", "attachment name %q must be a plain file name, without a path", a.Name)
		}
	}
	if m.ReceivedAt.IsZero() {
		return FieldErrorf("received_at", "is required")
	}
	return nil
}

// ComputeContentHash fills ContentHash with the SHA-256 of the subject, body
// and attachment digests: what makes two submissions "the same message".
func (m *Message) ComputeContentHash() {
	h := sha256.New()
	h.Write([]byte(m.Subject))
	h.Write([]byte{0})
	h.Write([]byte(m.Body))
	for _, a := range m.Attachments {
		h.Write([]byte{0})
		h.Write([]byte(a.SHA256))
	}
	m.ContentHash = hex.EncodeToString(h.Sum(nil))
}

// MessageEvent records one change of a message's state: who, when, from, to.
type MessageEvent struct {
	ID         int64        `json:"id"`
	MessageID  int64        `json:"message_id"`
	At         time.Time    `json:"at"`
	Actor      string       `json:"actor"`
	From       MessageState `json:"from"`
	To         MessageState `json:"to"`
	Reason     RejectReason `json:"reason,omitempty"`
	IncidentID int64        `json:"incident_id,omitempty"`
	// ReconciliationID is set instead of IncidentID on a link to a
	// reconciliation.
	ReconciliationID int64  `json:"reconciliation_id,omitempty"`
	Note             string `json:"note,omitempty"`
}

// Transition asks to move a message to a new state. Version is the version the
// actor saw; a stale one is refused so two monitors cannot overwrite each other.
type Transition struct {
	MessageID int64
	Version   int
	To        MessageState
	Reason    RejectReason // required when To is rejected
	// A link names exactly one record: an incident (the message becomes
	// one of its sources) or a reconciliation (the message records it).
	IncidentID       int64
	ReconciliationID int64
	Note             string
	Actor            string
	At               time.Time
}

// Validate checks the request itself; the store checks it against the message.
func (t *Transition) Validate() error {
	if !t.To.Valid() {
		return FieldErrorf("to", "unknown state %q", t.To)
	}
	if t.To == StateRejected && !t.Reason.Valid() {
		return FieldErrorf("reason", "a rejection needs a reason: spam, duplicate, off_topic, unverifiable or abusive")
	}
	if t.To != StateRejected && t.Reason != "" {
		return FieldErrorf("reason", "only a rejection takes a reason")
	}
	switch {
	case t.IncidentID < 0:
		return FieldErrorf("incident_id", "is not an ID")
	case t.ReconciliationID < 0:
		return FieldErrorf("reconciliation_id", "is not an ID")
	case t.To != StateLinked && t.IncidentID != 0:
		return FieldErrorf("incident_id", "only a link names an incident")
	case t.To != StateLinked && t.ReconciliationID != 0:
		return FieldErrorf("reconciliation_id", "only a link names a reconciliation")
	case t.To == StateLinked && t.IncidentID != 0 && t.ReconciliationID != 0:
		return FieldErrorf("reconciliation_id", "a link names an incident or a reconciliation, not both")
	case t.To == StateLinked && t.IncidentID == 0 && t.ReconciliationID == 0:
		return FieldErrorf("incident_id", "linking needs an incident_id or a reconciliation_id")
	}
	if t.Actor == "" {
		return FieldErrorf("actor", "is required")
	}
	if !utf8.ValidString(t.Note) || len(t.Note) > MaxBodyBytes {
		return FieldErrorf("note", "must be UTF-8 of at most 64 KiB")
	}
	return nil
}

// MessageFilter selects messages from the inbox.
type MessageFilter struct {
	States  []MessageState
	Channel Channel
	PartyID int64 // the sender's party
	// ReconciliationID selects the messages linked to a reconciliation.
	ReconciliationID int64
	Since            time.Time
	Until            time.Time
	AfterID          int64 // keyset pagination: messages with a smaller ID (newest first)
	Limit            int
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }
