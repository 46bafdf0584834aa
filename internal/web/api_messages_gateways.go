package web

import (
	"encoding/xml"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/trucedesk/truce/internal/auth"
	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/intake"
)

// maxEmailBytes bounds one email as the gateway receives it, attachments
// and their base64 included: what common mail servers accept.
const maxEmailBytes = 32 << 20

// The email and SMS gateways are intake channels like the JSON API: each
// message is acknowledged only once committed, a repeat gets the original's
// tracking number, and bad input gets a 4xx naming the field. A gateway
// should hold an API token with the intake scope: anonymous callers meet the
// public rate limit, which a gateway relaying many senders would exhaust.
func init() {
	routeSets = append(routeSets, func(s *Server) []Route {
		return []Route{
			{"POST /api/v1/gateways/email", auth.ActSubmitMessage, s.limitPublic(s.handleEmailGateway)},
			{"POST /api/v1/gateways/sms", auth.ActSubmitMessage, s.limitPublic(s.handleSMSGateway)},
		}
	})
}

// handleEmailGateway takes one email: the raw RFC 5322 message as the body
// (message/rfc822, what a mail server's pipe to curl sends), or the "email"
// field of a multipart form (SendGrid's Inbound Parse set to post the raw,
// full MIME message; Mailgun's "mime" routes likewise send body-mime).
func (s *Server) handleEmailGateway(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxEmailBytes)
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var raw io.Reader
	switch {
	case err == nil && mt == "message/rfc822":
		raw = r.Body
	case err == nil && mt == "multipart/form-data" && params["boundary"] != "":
		if raw, err = emailField(multipart.NewReader(r.Body, params["boundary"])); err != nil {
			s.error(w, r, requestError(err))
			return
		}
	default:
		s.error(w, r, &domain.Error{Code: codeUnsupportedMedia,
			Message: "the request body must be message/rfc822, or multipart/form-data with the raw message in its email field"})
		return
	}
	m, err := intake.ParseEmail(raw)
	if err != nil {
		s.error(w, r, requestError(err))
		return
	}
	rc, err := s.submit(r, m)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, receiptStatus(w, rc), newReceipt(rc.Message, rc.Repeat))
}

// emailField finds the raw message in an inbound-parse webhook's form.
func emailField(mr *multipart.Reader) (io.Reader, error) {
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, domain.FieldErrorf("email", "is required: the raw message, as SendGrid's Inbound Parse posts it (\"email\") or Mailgun's MIME route (\"body-mime\")")
		} else if err != nil {
			return nil, err
		}
		if name := part.FormName(); name == "email" || name == "body-mime" {
			return part, nil
		}
	}
}

// handleSMSGateway takes one SMS as a gateway's form-encoded webhook posts
// it. With ?reply=twiml it answers in TwiML, so that Twilio texts the sender
// the tracking number; otherwise with the JSON receipt.
func (s *Server) handleSMSGateway(w http.ResponseWriter, r *http.Request) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/x-www-form-urlencoded" {
		s.error(w, r, &domain.Error{Code: codeUnsupportedMedia, Message: "the request body must be application/x-www-form-urlencoded"})
		return
	}
	form, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBytes))
	if err != nil {
		s.error(w, r, requestError(err))
		return
	}
	m, err := intake.ParseSMS(form)
	if err != nil {
		s.error(w, r, err)
		return
	}
	rc, err := s.submit(r, m)
	if err != nil {
		s.error(w, r, err)
		return
	}
	status := receiptStatus(w, rc)
	if r.URL.Query().Get("reply") != "twiml" {
		writeJSON(w, status, newReceipt(rc.Message, rc.Repeat))
		return
	}
	text := "Truce received your report. Your tracking number is " + rc.Message.Tracking + "."
	if rc.Repeat {
		text = "Truce already has this report. Its tracking number is " + rc.Message.Tracking + "."
	}
	var b strings.Builder
	b.WriteString(xml.Header + "<Response><Message>")
	xml.EscapeText(&b, []byte(text))
	b.WriteString("</Message></Response>\n")
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(http.StatusOK) // Twilio reads TwiML from a 200
	io.WriteString(w, b.String())
}

// requestError turns a failure to read a gateway's request into the user
// error it is: too large, or unreadable; domain errors pass unchanged.
func requestError(err error) error {
	var tooBig *http.MaxBytesError
	var de *domain.Error
	switch {
	case errors.As(err, &tooBig):
		return domain.Errorf(domain.ETOOLARGE, "the request body is larger than %d bytes", tooBig.Limit)
	case errors.As(err, &de):
		return err
	}
	return domain.Errorf(domain.EINVALID, "could not read the request body: %v", err)
}
