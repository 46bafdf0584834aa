package news

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"codeberg.org/readeck/go-readability/v2"
	"github.com/trucedesk/truce/internal/domain"
)

// MaxTextBytes caps the cleaned text of one article. Longer texts are cut at
// a paragraph or sentence boundary and flagged, because a news page longer
// than this is almost surely a dump, and analysis time grows with length.
const MaxTextBytes = 2 << 20

// MaxInputBytes caps a raw input (an HTML page or a JSONL line); beyond it the
// input is refused rather than truncated, since HTML cut in the middle cannot
// be trusted to yield the article.
const MaxInputBytes = 16 << 20

// maxInvalidRatio is the share of invalid UTF-8 bytes above which an input is
// taken for binary rather than for text with a few bad bytes.
const maxInvalidRatio = 0.05

// Article is one news report ready for analysis. Text is the cleaned body;
// every offset the package reports is a byte offset into it.
type Article struct {
	Title  string    `json:"title"`
	Text   string    `json:"text"`
	Date   time.Time `json:"date,omitzero"` // publication day; relative dates resolve against it
	Source string    `json:"source,omitempty"`
	URL    string    `json:"url,omitempty"`
	// Warnings says why the result is best-effort (text cut at the cap,
	// invalid bytes replaced); empty means the input was taken whole.
	Warnings []string `json:"warnings,omitempty"`
}

// Meta is what the caller knows about an article besides its body.
type Meta struct {
	Title  string
	Date   time.Time
	Source string
	URL    string
}

// ParseText builds an Article from a plain-text page, such as a scraped page
// saved as text, removing page chrome line by line. A title in meta wins over
// one guessed from the first headline-like line.
func ParseText(raw []byte, meta Meta) (*Article, error) {
	text, warns, err := decode(raw)
	if err != nil {
		return nil, err
	}
	p := cleanPage(text, strings.TrimSpace(meta.Title), true)
	title := p.title
	if meta.Title != "" {
		title = strings.TrimSpace(meta.Title)
	}
	if meta.Date.IsZero() {
		meta.Date = p.date // the dateline the body opened with
	}
	warns = append(warns, datelineWarning(meta.Date, p.date)...)
	return finish(title, p.body, meta, warns)
}

// ParseHTML builds an Article from a saved HTML page: go-readability finds
// the main content, then the line heuristics of CleanText remove what it
// keeps of share bars and credits.
func ParseHTML(raw []byte, meta Meta) (*Article, error) {
	if _, _, err := decode(raw); err != nil {
		return nil, err
	}
	var pageURL *url.URL
	if meta.URL != "" {
		u, err := url.Parse(meta.URL)
		if err != nil {
			return nil, domain.FieldErrorf("url", "%q is not a URL", meta.URL)
		}
		pageURL = u
	}
	doc, err := readability.FromReader(bytes.NewReader(raw), pageURL)
	if err != nil {
		return nil, domain.Errorf(domain.EINVALID, "no article found in the HTML page: %v", err)
	}
	if doc.Node == nil {
		return nil, domain.Errorf(domain.EINVALID, "no article found in the HTML page")
	}
	var buf strings.Builder
	if err := doc.RenderText(&buf); err != nil {
		return nil, fmt.Errorf("render article text: %w", err)
	}
	text, warns, err := decode([]byte(buf.String()))
	if err != nil {
		return nil, err
	}
	title := doc.Title()
	if meta.Title != "" {
		title = meta.Title
	}
	// A headline-like first line is the page's own heading: dropped, as the
	// title comes from the page.
	p := cleanPage(text, strings.TrimSpace(title), true)
	if meta.Date.IsZero() {
		if t, err := doc.PublishedTime(); err == nil {
			meta.Date = t
		} else {
			meta.Date = p.date
		}
	}
	warns = append(warns, datelineWarning(meta.Date, p.date)...)
	if meta.Source == "" {
		meta.Source = doc.SiteName()
	}
	return finish(strings.TrimSpace(title), p.body, meta, warns)
}

// datelineWarning flags a given date that the article's own dateline
// contradicts: "on Tuesday" then resolves against the given one. FA-KES's
// date field is the date of the event a story was matched to, not of its
// publication, and differs from the dateline in 225 of its 772 datelined
// articles.
func datelineWarning(given, dateline time.Time) []string {
	if given.IsZero() || dateline.IsZero() {
		return nil
	}
	gy, gm, gd := given.Date()
	dy, dm, dd := dateline.Date()
	if gy == dy && gm == dm && gd == dd {
		return nil
	}
	return []string{fmt.Sprintf("the dateline says %s but the date given is %s; relative dates (\"on Tuesday\") are resolved against %s",
		dateline.Format(time.DateOnly), given.Format(time.DateOnly), given.Format(time.DateOnly))}
}

func finish(title, body string, meta Meta, warns []string) (*Article, error) {
	if strings.TrimSpace(body) == "" {
		return nil, domain.Errorf(domain.EINVALID, "the article has no text after cleaning")
	}
	if len(body) > MaxTextBytes {
		body = cutText(body, MaxTextBytes)
		warns = append(warns, fmt.Sprintf("text cut to %d bytes", len(body)))
	}
	if w := scriptWarning(body); w != "" {
		warns = append(warns, w)
	}
	a := &Article{Title: title, Text: body, Source: meta.Source, URL: meta.URL, Warnings: warns}
	if !meta.Date.IsZero() {
		y, m, d := meta.Date.Date()
		a.Date = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	return a, nil
}

// maxOtherScript is the share of letters in scripts other than Latin above
// which an article is flagged: the lexicons are English, so an Arabic or
// Russian report yields few statements, and the reader must know why.
const maxOtherScript = 1.0 / 3

// scriptWarning says how much of body the English analysis cannot read, or
// "" when nearly all of it is Latin script.
func scriptWarning(body string) string {
	var letters, other int
	for _, r := range body {
		if !unicode.IsLetter(r) {
			continue
		}
		letters++
		if !unicode.Is(unicode.Latin, r) {
			other++
		}
	}
	if letters == 0 || float64(other)/float64(letters) <= maxOtherScript {
		return ""
	}
	return fmt.Sprintf("%.0f%% of the letters are not in Latin script; statements and claims are read in English text only",
		100*float64(other)/float64(letters))
}

// decode checks that raw is text: not empty, no NUL bytes, few invalid UTF-8
// bytes (which it replaces, with a warning), and not over MaxInputBytes.
func decode(raw []byte) (string, []string, error) {
	if len(raw) > MaxInputBytes {
		return "", nil, domain.Errorf(domain.ETOOLARGE, "input is %d bytes, over the %d-byte limit", len(raw), MaxInputBytes)
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return "", nil, domain.Errorf(domain.EINVALID, "input is empty")
	}
	if bytes.IndexByte(raw, 0) >= 0 {
		return "", nil, domain.Errorf(domain.EINVALID, "input is binary (contains NUL bytes)")
	}
	if utf8.Valid(raw) {
		return string(raw), nil, nil
	}
	bad := 0
	for b := raw; len(b) > 0; {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n == 1 {
			bad++
		}
		b = b[n:]
	}
	if float64(bad)/float64(len(raw)) > maxInvalidRatio {
		return "", nil, domain.Errorf(domain.EINVALID, "input is not UTF-8 text (%d invalid bytes of %d)", bad, len(raw))
	}
	return strings.ToValidUTF8(string(raw), "\uFFFD"), []string{fmt.Sprintf("%d invalid UTF-8 bytes replaced", bad)}, nil
}

// cutText cuts s to at most max bytes, at the last paragraph break, else the
// last sentence end, else the last rune boundary.
func cutText(s string, max int) string {
	s = s[:max]
	for !utf8.ValidString(s[len(s)-3:]) && len(s) > 3 {
		s = s[:len(s)-1]
	}
	if i := strings.LastIndex(s, "\n\n"); i > max/2 {
		return s[:i]
	}
	if i := strings.LastIndex(s, ". "); i > max/2 {
		return s[:i+1]
	}
	return strings.ToValidUTF8(s, "")
}

// BatchItem is the outcome of one line of a JSONL batch: the article, or the
// error that kept it out.
type BatchItem struct {
	Line    int      `json:"line"`
	Article *Article `json:"article,omitempty"`
	Err     error    `json:"-"`
	Error   string   `json:"error,omitempty"`
}

// batchRecord is one JSONL line; Title, Text, Date and Source are the keys of
// the FA-KES conversion and of the ingest format.
type batchRecord struct {
	Title  string `json:"title"`
	Text   string `json:"text"`
	HTML   string `json:"html"`
	Date   string `json:"date"`
	Source string `json:"source"`
	URL    string `json:"url"`
}

// ParseBatch reads JSONL articles, one object a line, and reports on every
// line: a bad line never stops the batch. The error is only for a failure to
// read r itself.
func ParseBatch(r io.Reader) ([]BatchItem, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var items []BatchItem
	for n := 1; ; n++ {
		line, tooLong, err := readLine(br, MaxInputBytes)
		if err == io.EOF && len(line) == 0 && !tooLong {
			return items, nil
		}
		if err != nil && err != io.EOF {
			return items, fmt.Errorf("read batch line %d: %w", n, err)
		}
		eof := err == io.EOF
		if len(bytes.TrimSpace(line)) == 0 && !tooLong {
			if eof {
				return items, nil
			}
			continue
		}
		item := BatchItem{Line: n}
		if tooLong {
			item.Err = domain.Errorf(domain.ETOOLARGE, "line is over the %d-byte limit", MaxInputBytes)
		} else {
			item.Article, item.Err = parseRecord(line)
		}
		if item.Err != nil {
			item.Error = item.Err.Error()
		}
		items = append(items, item)
		if eof {
			return items, nil
		}
	}
}

// readLine reads one line, discarding the rest of a line over max bytes.
func readLine(br *bufio.Reader, max int) ([]byte, bool, error) {
	var line []byte
	tooLong := false
	for {
		chunk, err := br.ReadSlice('\n')
		if !tooLong {
			if len(line)+len(chunk) > max {
				tooLong, line = true, nil
			} else {
				line = append(line, chunk...)
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		return line, tooLong, err
	}
}

func parseRecord(line []byte) (*Article, error) {
	var rec batchRecord
	if err := json.Unmarshal(line, &rec); err != nil {
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &typ) && typ.Field != "":
			return nil, domain.FieldErrorf(typ.Field, "must be a string, not %s", typ.Value)
		case errors.As(err, &typ):
			return nil, domain.Errorf(domain.EINVALID, "not a JSON object but %s %s", article(typ.Value), typ.Value)
		}
		return nil, domain.Errorf(domain.EINVALID, "not a JSON object: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	meta := Meta{Title: rec.Title, Source: rec.Source, URL: rec.URL}
	if rec.Date != "" {
		d, err := ParseDate(rec.Date)
		if err != nil {
			return nil, err
		}
		meta.Date = d
	}
	switch {
	case rec.Text != "":
		return ParseText([]byte(rec.Text), meta)
	case rec.HTML != "":
		return ParseHTML([]byte(rec.HTML), meta)
	}
	return nil, domain.FieldErrorf("text", "is required")
}

// article is "a" or "an" before a JSON type name.
func article(noun string) string {
	if noun != "" && strings.IndexByte("aeiou", noun[0]) >= 0 {
		return "an"
	}
	return "a"
}

// ParseDate reads a publication date in the layouts batches use: ISO day,
// RFC 3339, or the M/D/YYYY of the FA-KES CSV.
func ParseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02", time.RFC3339, "1/2/2006", "2 January 2006", "January 2 2006", "January 2, 2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, domain.FieldErrorf("date", "%q is not a date (want YYYY-MM-DD)", s)
}
