package intake

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/htmlindex"

	"github.com/trucedesk/truce/internal/domain"
)

// Bounds on the structure of an email, beside the domain's limits on its
// text and attachments: a crafted message must not make the parser recurse
// or loop without end.
const (
	maxMIMEDepth = 5
	maxMIMEParts = 100
)

// ParseEmail reads one RFC 5322 message, as a mail server or an inbound
// webhook delivers it, into a message for the email channel: the sender from
// From, the subject and display name decoded from RFC 2047 encoded words, the
// body from the plain-text part (quoted-printable or base64, in any charset
// the WHATWG encoding standard names: windows-1256 and KOI8-R are still
// common in Syria and Russia), and every other part as an attachment's name,
// type, size and SHA-256. Problems are domain errors naming the header or
// part at fault; an I/O error (the caller's size limit, say) is returned
// wrapped, so the caller can tell it apart.
func ParseEmail(r io.Reader) (*domain.Message, error) {
	src := &source{r: r}
	msg, err := mail.ReadMessage(bufio.NewReader(src))
	if err != nil {
		return nil, src.fail("header", "the email's header cannot be read", err)
	}
	h := textproto.MIMEHeader(msg.Header)
	m := &domain.Message{Channel: domain.ChannelEmail, Sender: domain.Sender{Kind: domain.SenderPublic}}

	from := h.Get("From")
	if strings.TrimSpace(from) == "" {
		return nil, domain.FieldErrorf("from", "is required: the desk answers to the sender's address")
	}
	ap := mail.AddressParser{WordDecoder: wordDecoder}
	addrs, err := ap.ParseList(from)
	if err != nil || len(addrs) == 0 {
		return nil, domain.FieldErrorf("from", "%q is not an email address", from)
	}
	m.Sender.Name, m.Sender.Contact = addrs[0].Name, addrs[0].Address
	if !utf8.ValidString(m.Sender.Name) {
		return nil, domain.FieldErrorf("from", "the sender's name is not valid text in its charset")
	}
	if m.Subject, err = wordDecoder.DecodeHeader(h.Get("Subject")); err != nil || !utf8.ValidString(m.Subject) {
		return nil, domain.FieldErrorf("subject", "cannot be decoded: %v", errOr(err, "not valid UTF-8"))
	}
	m.Subject = strings.TrimSpace(m.Subject)
	if lang := strings.TrimSpace(strings.Split(h.Get("Content-Language"), ",")[0]); len(lang) <= 35 {
		m.Language = lang
	}

	p := &emailParser{m: m, src: src}
	if err := p.entity(h, msg.Body, 0); err != nil {
		return nil, err
	}
	if !p.sawText {
		return nil, domain.FieldErrorf("body", "the email has no plain-text part; send the report as plain text")
	}
	m.Body = p.body.String()
	return m, nil
}

// emailParser walks the MIME tree of one email.
type emailParser struct {
	m       *domain.Message
	src     *source
	body    strings.Builder
	sawText bool
	parts   int
}

// entity reads one MIME entity: a leaf becomes the body or an attachment, a
// multipart is walked.
func (p *emailParser) entity(h textproto.MIMEHeader, r io.Reader, depth int) error {
	if p.parts++; p.parts > maxMIMEParts {
		return &domain.Error{Code: domain.ETOOLARGE, Field: "body", Message: fmt.Sprintf("the email has more than %d MIME parts", maxMIMEParts)}
	}
	mediaType, params := "text/plain", map[string]string{"charset": "us-ascii"}
	if ct := h.Get("Content-Type"); ct != "" {
		mt, ps, err := mime.ParseMediaType(ct)
		if err != nil {
			return domain.FieldErrorf("content-type", "%q cannot be read: %v", ct, err)
		}
		mediaType, params = mt, ps
	}
	disposition, dparams, _ := mime.ParseMediaType(h.Get("Content-Disposition"))

	if strings.HasPrefix(mediaType, "multipart/") {
		if depth >= maxMIMEDepth {
			return domain.FieldErrorf("content-type", "multipart parts are nested more than %d deep", maxMIMEDepth)
		}
		if params["boundary"] == "" {
			return domain.FieldErrorf("content-type", "%s has no boundary", mediaType)
		}
		return p.multipart(mediaType, multipart.NewReader(r, params["boundary"]), depth)
	}
	decoded, err := transferDecoder(h.Get("Content-Transfer-Encoding"), r)
	if err != nil {
		return err
	}
	if mediaType == "text/plain" && disposition != "attachment" {
		return p.text(decoded, params["charset"])
	}
	return p.attachment(decoded, mediaType, attachmentName(dparams["filename"], params["name"], len(p.m.Attachments)+1))
}

// multipart walks a multipart entity. Of alternatives only the plain text
// counts (the others say the same in HTML); the parts of a mixed message
// are read in order, inline text joined into the body.
func (p *emailParser) multipart(mediaType string, mr *multipart.Reader, depth int) error {
	alternative, chosen := mediaType == "multipart/alternative", false
	for {
		part, err := mr.NextRawPart()
		if errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return p.src.fail("body", "a MIME part cannot be read", err)
		}
		if alternative {
			mt, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
			if chosen || (mt != "text/plain" && mt != "" && !strings.HasPrefix(mt, "multipart/")) {
				continue // NextRawPart skips what is not read
			}
			chosen = true
		}
		if err := p.entity(part.Header, part, depth+1); err != nil {
			return err
		}
	}
}

// text appends a plain-text part to the body, in UTF-8 with LF line ends.
func (p *emailParser) text(r io.Reader, charset string) error {
	cr, err := charsetReader(charset, r)
	if err != nil {
		return err
	}
	room := domain.MaxBodyBytes - p.body.Len()
	data, err := io.ReadAll(io.LimitReader(cr, int64(room)+1))
	if err != nil {
		return p.src.fail("body", "cannot be decoded", err)
	}
	if len(data) > room {
		return &domain.Error{Code: domain.ETOOLARGE, Field: "body", Message: fmt.Sprintf("is longer than %d bytes", domain.MaxBodyBytes)}
	}
	if !utf8.Valid(data) {
		return domain.FieldErrorf("body", "is not valid %s", strings.ToUpper(charsetName(charset)))
	}
	if p.sawText && p.body.Len() > 0 && !strings.HasSuffix(p.body.String(), "\n") {
		p.body.WriteByte('\n')
	}
	p.body.Write(bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n")))
	p.sawText = true
	return nil
}

// attachment records a part's name, type, size and digest; the bytes are
// read once, bounded, and not kept.
func (p *emailParser) attachment(r io.Reader, mediaType, name string) error {
	if len(p.m.Attachments) == domain.MaxAttachments {
		return &domain.Error{Code: domain.ETOOLARGE, Field: "attachments", Message: fmt.Sprintf("more than %d attachments", domain.MaxAttachments)}
	}
	h := sha256.New()
	n, err := io.Copy(h, io.LimitReader(r, domain.MaxAttachmentBytes+1))
	if err != nil {
		return p.src.fail("attachments", "cannot be decoded", err)
	}
	if n > domain.MaxAttachmentBytes {
		return &domain.Error{Code: domain.ETOOLARGE, Field: "attachments", Message: fmt.Sprintf("attachment %q is larger than 20 MiB", name)}
	}
	p.m.Attachments = append(p.m.Attachments, domain.Attachment{Name: name, ContentType: mediaType, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))})
	return nil
}

// wordDecoder decodes RFC 2047 encoded words in any charset charsetReader knows.
var wordDecoder = &mime.WordDecoder{CharsetReader: charsetReader}

// charsetReader converts text in charset to UTF-8. UTF-8 and ASCII pass as
// they are, to be checked by the caller: invalid bytes are refused, never
// replaced.
func charsetReader(charset string, r io.Reader) (io.Reader, error) {
	switch strings.ToLower(strings.TrimSpace(charset)) {
	case "", "utf-8", "utf8", "us-ascii", "ascii":
		return r, nil
	}
	enc, err := htmlindex.Get(charset)
	if err != nil {
		return nil, domain.FieldErrorf("charset", "unknown charset %q", charset)
	}
	return enc.NewDecoder().Reader(r), nil
}

func charsetName(charset string) string {
	if charset == "" {
		return "us-ascii"
	}
	return charset
}

// transferDecoder undoes a part's Content-Transfer-Encoding.
func transferDecoder(cte string, r io.Reader) (io.Reader, error) {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "", "7bit", "8bit", "binary":
		return r, nil
	case "quoted-printable":
		return quotedprintable.NewReader(r), nil
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, r), nil
	}
	return nil, domain.FieldErrorf("content-transfer-encoding", "unknown encoding %q", cte)
}

// attachmentName is a part's file name reduced to a plain name: never a path
// that a later save could follow out of its directory, never empty.
func attachmentName(filename, name string, n int) string {
	s := filename
	if s == "" {
		s = name
	}
	if dec, err := wordDecoder.DecodeHeader(s); err == nil {
		s = dec
	}
	if i := strings.LastIndexAny(s, `/\`); i >= 0 {
		s = s[i+1:]
	}
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
	for len(s) > domain.MaxNameBytes {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	if s = strings.TrimSpace(s); s == "" || s == "." || s == ".." {
		s = fmt.Sprintf("attachment-%d", n)
	}
	return s
}

// source remembers a failure to read the request itself (the caller's
// size limit, a dropped connection), so that it is not blamed on the sender's
// encoding.
type source struct {
	r   io.Reader
	err error
}

func (s *source) Read(b []byte) (int, error) {
	n, err := s.r.Read(b)
	if err != nil && err != io.EOF {
		s.err = err
	}
	return n, err
}

// fail returns the read failure, wrapped, if there was one; else a domain
// error naming the field whose content could not be decoded.
func (s *source) fail(field, what string, err error) error {
	if s.err != nil {
		return fmt.Errorf("read email: %w", s.err)
	}
	var de *domain.Error
	if errors.As(err, &de) {
		return err
	}
	return domain.FieldErrorf(field, "%s: %v", what, err)
}

func errOr(err error, fallback string) string {
	if err != nil {
		return err.Error()
	}
	return fallback
}
