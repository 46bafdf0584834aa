package newsdesk

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/news"
)

// Format is how an input is read.
type Format string

// The input formats.
const (
	FormatText  Format = "text"
	FormatHTML  Format = "html"
	FormatJSONL Format = "jsonl" // one JSON object a line: title, text or html, date, source, url
)

// FormatOf picks the format of an input by its name's extension, or, for
// any other name, by its first bytes: "{" a JSONL batch, "<" an HTML page,
// anything else plain text.
func FormatOf(name string, head []byte) Format {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".txt", ".text":
		return FormatText
	case ".html", ".htm", ".xhtml":
		return FormatHTML
	case ".jsonl", ".ndjson":
		return FormatJSONL
	}
	head = bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	switch {
	case bytes.HasPrefix(head, []byte("{")):
		return FormatJSONL
	case bytes.HasPrefix(head, []byte("<")):
		return FormatHTML
	}
	return FormatText
}

// Item is one article read from an input, or the error that kept it out.
type Item struct {
	Name    string // the input, with ":line" for a line of a batch
	Article *news.Article
	Err     error
}

// dateInName finds a publication date written into a file name, as in
// "seed-2016-02-24-russia-syria-bombings.txt".
var dateInName = regexp.MustCompile(`(?:^|[^0-9])((?:19|20)\d\d-[01]\d-[0-3]\d)(?:[^0-9]|$)`)

// ReadFile reads the articles of a file. Without a date in meta, a date in
// the file's name is used for plain text and HTML.
func ReadFile(path string, meta news.Meta) []Item {
	f, err := os.Open(path)
	if err != nil {
		return []Item{{Name: path, Err: domain.Errorf(domain.EINVALID, "cannot open: %v", unwrapPath(err))}}
	}
	defer f.Close()
	if meta.Date.IsZero() {
		if m := dateInName.FindStringSubmatch(filepath.Base(path)); m != nil {
			meta.Date, _ = time.Parse(time.DateOnly, m[1])
		}
	}
	return Read(path, f, meta)
}

func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// Read reads the articles of one input. Nothing in the input makes it fail
// as a whole beyond its own item: a bad line of a batch is one failed item,
// and the lines after it are read.
func Read(name string, r io.Reader, meta news.Meta) []Item {
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(4096)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return []Item{{Name: name, Err: fmt.Errorf("read %s: %w", name, err)}}
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return []Item{{Name: name, Err: domain.Errorf(domain.EINVALID, "the input is binary (it contains NUL bytes), not an article")}}
	}
	format := FormatOf(name, head)
	if format == FormatJSONL {
		batch, err := news.ParseBatch(br)
		items := make([]Item, 0, len(batch)+1)
		for _, b := range batch {
			items = append(items, Item{Name: fmt.Sprintf("%s:%d", name, b.Line), Article: b.Article, Err: b.Err})
		}
		if err != nil {
			items = append(items, Item{Name: name, Err: err})
		} else if len(batch) == 0 {
			items = append(items, Item{Name: name, Err: domain.Errorf(domain.EINVALID, "the batch holds no articles")})
		}
		return items
	}
	raw, err := io.ReadAll(io.LimitReader(br, news.MaxInputBytes+1))
	if err != nil {
		return []Item{{Name: name, Err: fmt.Errorf("read %s: %w", name, err)}}
	}
	if len(raw) > news.MaxInputBytes {
		return []Item{{Name: name, Err: domain.Errorf(domain.ETOOLARGE, "the input is over the %d-byte limit", news.MaxInputBytes)}}
	}
	var a *news.Article
	if format == FormatHTML {
		a, err = news.ParseHTML(raw, meta)
	} else {
		a, err = news.ParseText(raw, meta)
	}
	return []Item{{Name: name, Article: a, Err: err}}
}
