package intake

import (
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/trucedesk/truce/internal/domain"
)

// smsFields are the sender and text fields of the webhook dialects the SMS
// gateway reads: Twilio's (From, Body) and the lower-case one of RapidPro's
// external channels, FrontlineSMS and most Android gateways (from, text).
var smsFields = []struct{ from, body string }{
	{"From", "Body"},
	{"from", "text"},
}

// ParseSMS reads an SMS gateway's form-encoded webhook into a message for
// the SMS channel: the sender's number as contact, the text as body. The
// other fields gateways send (ids, accounts, countries) are ignored, since
// each gateway adds its own; but the sender and the text must each appear
// exactly once, in valid UTF-8, and errors name the field as the gateway
// spelt it.
func ParseSMS(form []byte) (*domain.Message, error) {
	if !utf8.Valid(form) {
		return nil, domain.Errorf(domain.EINVALID, "the request body is not valid UTF-8")
	}
	vals, err := url.ParseQuery(string(form))
	if err != nil {
		return nil, domain.Errorf(domain.EINVALID, "the form cannot be read: %v", err)
	}
	for _, f := range smsFields {
		if _, ok := vals[f.from]; !ok {
			if _, ok := vals[f.body]; !ok {
				continue
			}
		}
		from, err := one(vals, f.from)
		if err != nil {
			return nil, err
		}
		body, err := one(vals, f.body)
		if err != nil {
			return nil, err
		}
		if from = strings.TrimSpace(from); from == "" {
			return nil, domain.FieldErrorf(f.from, "is required: the sender's number")
		}
		if strings.TrimSpace(body) == "" {
			return nil, domain.FieldErrorf(f.body, "is required")
		}
		if len(body) > domain.MaxBodyBytes {
			return nil, &domain.Error{Code: domain.ETOOLARGE, Field: f.body, Message: fmt.Sprintf("is longer than %d bytes", domain.MaxBodyBytes)}
		}
		return &domain.Message{Channel: domain.ChannelSMS, Body: body,
			Sender: domain.Sender{Kind: domain.SenderPublic, Contact: from}}, nil
	}
	return nil, domain.FieldErrorf("From", "is required: an SMS webhook carries From and Body (Twilio) or from and text")
}

// one returns the single value of a form field, in valid UTF-8 without NUL.
func one(vals url.Values, name string) (string, error) {
	switch v := vals[name]; {
	case len(v) == 0:
		return "", domain.FieldErrorf(name, "is required")
	case len(v) > 1:
		return "", domain.FieldErrorf(name, "appears %d times; send it once", len(v))
	case !utf8.ValidString(v[0]):
		return "", domain.FieldErrorf(name, "is not valid UTF-8")
	case strings.IndexByte(v[0], 0) >= 0:
		return "", domain.FieldErrorf(name, "holds a NUL character, which no text may contain")
	default:
		return v[0], nil
	}
}
