package intake_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/intake"
)

// crlf writes an email as it travels: CRLF line ends.
func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

func digest(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

var pdf = []byte("%PDF-1.4 a photo of the crater\n")

func TestParseEmail(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want domain.Message
	}{
		{"arabic, encoded words and quoted-printable", `From: =?UTF-8?B?2KPYqNmIINmF2K3Zhdiv?= <abu.mohammed@example.org>
To: desk@truce.example
Subject: =?UTF-8?Q?=D9=82=D8=B5=D9=81_=D8=B9=D9=84=D9=89_?= =?UTF-8?Q?=D8=A7=D9=84=D9=88=D8=B9=D8=B1?=
Content-Language: ar
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

=D9=82=D8=B5=D9=81 =D9=85=D8=AF=D9=81=D8=B9=D9=8A
=D8=B9=D9=84=D9=89 =D8=AD=D9=8A =D8=A7=D9=84=D9=88=D8=B9=D8=B1=
 =D9=81=D9=8A =D8=AD=D9=85=D8=B5
`, domain.Message{Channel: domain.ChannelEmail, Language: "ar", Subject: "قصف على الوعر",
			Sender: domain.Sender{Kind: domain.SenderPublic, Name: "أبو محمد", Contact: "abu.mohammed@example.org"},
			Body:   "قصف مدفعي\nعلى حي الوعر في حمص\n"}},
		{"windows-1256 in base64, KOI8-R subject", `From: field@example.org
Subject: =?KOI8-R?Q?=EF=C2=D3=D4=D2=C5=CC_=E1=CC=C5=D0=D0=CF?=
Content-Type: text/plain; charset=windows-1256
Content-Transfer-Encoding: base64

3tXdIOPP3drt
`, domain.Message{Channel: domain.ChannelEmail, Subject: "Обстрел Алеппо",
			Sender: domain.Sender{Kind: domain.SenderPublic, Contact: "field@example.org"}, Body: "قصف مدفعي"}},
		{"KOI8-R quoted-printable body", `From: "Наблюдатель" <observer@example.ru>
Content-Type: text/plain; charset="koi8-r"
Content-Transfer-Encoding: quoted-printable

=EF=C2=D3=D4=D2=C5=CC =D2=C1=CA=CF=CE=C1, =C4=D7=CF=C5 =D0=CF=C7=C9=C2=DB=
=C9=C8.`, domain.Message{Channel: domain.ChannelEmail,
			Sender: domain.Sender{Kind: domain.SenderPublic, Name: "Наблюдатель", Contact: "observer@example.ru"},
			Body:   "Обстрел района, двое погибших."}},
		{"alternative: the plain text, not the HTML", `From: a@example.org
Content-Type: multipart/alternative; boundary="alt"

--alt
Content-Type: text/html; charset=utf-8

<p>Shelling <b>now</b></p>
--alt
Content-Type: text/plain; charset=utf-8

Shelling now
--alt--
`, domain.Message{Channel: domain.ChannelEmail, Sender: domain.Sender{Kind: domain.SenderPublic, Contact: "a@example.org"},
			Body: "Shelling now"}},
		{"mixed: body, alternative inside, attachments named safely", `From: a@example.org
Subject: Photos
Content-Type: multipart/mixed; boundary=mix

preamble is ignored
--mix
Content-Type: multipart/alternative; boundary=alt

--alt
Content-Type: text/plain

Crater on the road to Talbiseh.
--alt
Content-Type: text/html

<p>Crater</p>
--alt--
--mix
Content-Type: application/pdf; name="ignored.pdf"
Content-Disposition: attachment; filename="../../etc/crater.pdf"
Content-Transfer-Encoding: base64

` + base64.StdEncoding.EncodeToString(pdf) + `
--mix
Content-Type: image/jpeg
Content-Disposition: attachment; filename*=UTF-8''%D8%AD%D9%81%D8%B1%D8%A9.jpg

rawbytes
--mix
Content-Type: text/plain; charset=utf-8
Content-Disposition: attachment; filename="notes.txt"

not the body
--mix
Content-Type: application/octet-stream

--mix--
`, domain.Message{Channel: domain.ChannelEmail, Subject: "Photos", Sender: domain.Sender{Kind: domain.SenderPublic, Contact: "a@example.org"},
			Body: "Crater on the road to Talbiseh.", Attachments: []domain.Attachment{
				{Name: "crater.pdf", ContentType: "application/pdf", Size: int64(len(pdf)), SHA256: digest(pdf)},
				{Name: "حفرة.jpg", ContentType: "image/jpeg", Size: 8, SHA256: digest([]byte("rawbytes"))},
				{Name: "notes.txt", ContentType: "text/plain", Size: 12, SHA256: digest([]byte("not the body"))},
				{Name: "attachment-4", ContentType: "application/octet-stream", Size: 0, SHA256: digest(nil)},
			}}},
		{"inline text parts joined", `From: a@example.org
Content-Type: multipart/mixed; boundary=b

--b

first part
--b
Content-Type: text/plain; charset=us-ascii

second part
--b--
`, domain.Message{Channel: domain.ChannelEmail, Sender: domain.Sender{Kind: domain.SenderPublic, Contact: "a@example.org"},
			Body: "first part\nsecond part"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := intake.ParseEmail(strings.NewReader(crlf(tt.raw)))
			if err != nil {
				t.Fatalf("ParseEmail: %v", err)
			}
			if diff := cmp.Diff(&tt.want, got); diff != "" {
				t.Errorf("message (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseEmailBadInput(t *testing.T) {
	many := "From: a@example.org\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\nbody\n"
	for i := range domain.MaxAttachments + 1 {
		many += fmt.Sprintf("--b\nContent-Type: image/png\nContent-Disposition: attachment; filename=%d.png\n\nx\n", i)
	}
	many += "--b--\n"
	nested := "From: a@example.org\n"
	for i := range 7 {
		nested += fmt.Sprintf("Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n", i, i)
	}
	nested += "\nbody\n"
	tests := []struct {
		name, raw   string
		code, field string
	}{
		{"no header end", "From a@example.org", domain.EINVALID, "header"},
		{"no from", "Subject: x\n\nbody", domain.EINVALID, "from"},
		{"blank from", "From:  \n\nbody", domain.EINVALID, "from"},
		{"from not an address", "From: shelling in Homs\n\nbody", domain.EINVALID, "from"},
		{"undecodable subject", "From: a@example.org\nSubject: =?x-unknown?Q?abc?=\n\nbody", domain.EINVALID, "subject"},
		{"html only", "From: a@example.org\nContent-Type: text/html\n\n<p>x</p>", domain.EINVALID, "body"},
		{"empty multipart", "From: a@example.org\nContent-Type: multipart/mixed; boundary=b\n\n--b--\n", domain.EINVALID, "body"},
		{"unknown charset", "From: a@example.org\nContent-Type: text/plain; charset=x-martian\n\nbody", domain.EINVALID, "charset"},
		{"invalid utf-8", "From: a@example.org\nContent-Type: text/plain; charset=utf-8\n\n\xff\xfe", domain.EINVALID, "body"},
		{"8-bit bytes declared ascii", "From: a@example.org\n\nqa\xe7ef", domain.EINVALID, "body"},
		{"unknown transfer encoding", "From: a@example.org\nContent-Transfer-Encoding: uuencode\n\nbody", domain.EINVALID, "content-transfer-encoding"},
		{"broken base64", "From: a@example.org\nContent-Transfer-Encoding: base64\n\n!!!!", domain.EINVALID, "body"},
		{"bad content type", "From: a@example.org\nContent-Type: text/\n\nbody", domain.EINVALID, "content-type"},
		{"multipart without boundary", "From: a@example.org\nContent-Type: multipart/mixed\n\nbody", domain.EINVALID, "content-type"},
		{"multipart cut short", "From: a@example.org\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\nbody", domain.EINVALID, "body"},
		{"nested too deep", nested, domain.EINVALID, "content-type"},
		{"body over limit", "From: a@example.org\n\n" + strings.Repeat("ق", domain.MaxBodyBytes/2+1), domain.ETOOLARGE, "body"},
		{"too many attachments", many, domain.ETOOLARGE, "attachments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := intake.ParseEmail(strings.NewReader(crlf(tt.raw)))
			if domain.ErrorCode(err) != tt.code || domain.ErrorField(err) != tt.field {
				t.Errorf("ParseEmail = %+v, %v; want %s in %q", m, err, tt.code, tt.field)
			}
			if m != nil {
				t.Error("a message came back with the error")
			}
		})
	}
}

// A failure to read the request is the caller's to report, not the
// sender's: it comes back wrapped, not as a domain error.
func TestParseEmailReadFailure(t *testing.T) {
	cut := errors.New("connection reset")
	for _, at := range []int{5, 40, 90} {
		raw := crlf("From: a@example.org\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n" + strings.Repeat("QUJD", 30))
		_, err := intake.ParseEmail(io.MultiReader(strings.NewReader(raw[:at]), &failing{cut}))
		if !errors.Is(err, cut) {
			t.Errorf("cut at byte %d: err = %v, want the read failure", at, err)
		}
	}
}

type failing struct{ err error }

func (f *failing) Read([]byte) (int, error) { return 0, f.err }
