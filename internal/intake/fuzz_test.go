package intake_test

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/intake"
)

// FuzzParseEmail feeds the email parser arbitrary messages: it must never
// panic, must refuse with a user error (never an internal one, since the
// bytes are all there), and whatever it accepts must be UTF-8 within the
// limits, with attachments named by plain file names.
func FuzzParseEmail(f *testing.F) {
	f.Add([]byte(crlf("From: =?UTF-8?B?2KPYqNmIINmF2K3Zhdiv?= <a@example.org>\nSubject: =?KOI8-R?Q?=EF=C2=D3?=\nContent-Type: text/plain; charset=windows-1256\nContent-Transfer-Encoding: base64\n\n3tXdIOPP3drt\n")))
	f.Add([]byte(crlf("From: a@example.org\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: multipart/alternative; boundary=c\n\n--c\n\ntext\n--c--\n--b\nContent-Disposition: attachment; filename*=UTF-8''%D8%AD.jpg\nContent-Transfer-Encoding: quoted-printable\n\nx=3Dy\n--b--\n")))
	f.Add([]byte("From: a@example.org\n\n\xff"))
	f.Add([]byte("From a"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := intake.ParseEmail(bytes.NewReader(raw))
		if err != nil {
			if domain.ErrorCode(err) == domain.EINTERNAL {
				t.Fatalf("ParseEmail(%q): internal error %v", raw, err)
			}
			return
		}
		checkParsed(t, m, domain.ChannelEmail)
		if len(m.Attachments) > domain.MaxAttachments {
			t.Fatalf("%d attachments", len(m.Attachments))
		}
		for _, a := range m.Attachments {
			if a.Name == "" || strings.ContainsAny(a.Name, "/\\\x00") || a.Name == ".." || !utf8.ValidString(a.Name) || len(a.Name) > domain.MaxNameBytes {
				t.Fatalf("attachment name %q is not a plain file name", a.Name)
			}
		}
	})
}

// FuzzParseSMS does the same for the SMS gateway's form.
func FuzzParseSMS(f *testing.F) {
	f.Add([]byte("From=%2B963933000111&Body=%D9%82%D8%B5%D9%81&MessageSid=SM1"))
	f.Add([]byte("from=%2B7916&text=%D0%9E"))
	f.Add([]byte("From=%2B1&From=%2B2&Body=x"))
	f.Add([]byte("Body=%FF"))
	f.Fuzz(func(t *testing.T, form []byte) {
		m, err := intake.ParseSMS(form)
		if err != nil {
			if domain.ErrorCode(err) == domain.EINTERNAL {
				t.Fatalf("ParseSMS(%q): internal error %v", form, err)
			}
			return
		}
		checkParsed(t, m, domain.ChannelSMS)
	})
}

func checkParsed(t *testing.T, m *domain.Message, ch domain.Channel) {
	t.Helper()
	if m.Channel != ch || m.Sender.Kind != domain.SenderPublic || m.Sender.Contact == "" {
		t.Fatalf("channel %s sender %+v", m.Channel, m.Sender)
	}
	if len(m.Body) > domain.MaxBodyBytes {
		t.Fatalf("body of %d bytes accepted", len(m.Body))
	}
	for _, s := range []string{m.Body, m.Subject, m.Sender.Name, m.Sender.Contact, m.Language} {
		if !utf8.ValidString(s) {
			t.Fatalf("invalid UTF-8 accepted: %q", s)
		}
	}
}
