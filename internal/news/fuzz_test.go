package news

import (
	"bytes"
	"testing"
	"time"

	"github.com/trucedesk/truce/internal/domain"
)

// FuzzAnalyze feeds arbitrary text and HTML through parsing and analysis:
// nothing may panic, and every statement's offsets must lie in the text.
func FuzzAnalyze(f *testing.F) {
	f.Add([]byte(`Maj. Gen. Igor Konashenkov said the intensity of Russian airstrikes had "significantly decreased" over the past two days. He added that over two dozen messages have been received.`), false)
	f.Add([]byte(`<html><body><p>"Stop," he said.</p><div>Advertisement</div></body></html>`), true)
	f.Add([]byte("قال المتحدث إن الغارات توقفت"), false)
	f.Add([]byte("\x00\x01"), false)
	an := &Analyzer{}
	f.Fuzz(func(t *testing.T, raw []byte, html bool) {
		meta := Meta{Date: time.Date(2016, 2, 24, 0, 0, 0, 0, time.UTC)}
		parse := ParseText
		if html {
			parse = ParseHTML
		}
		a, err := parse(raw, meta)
		if err != nil {
			return
		}
		res := an.Analyze(a)
		for _, s := range res.Statements {
			if s.Start < 0 || s.End > len(a.Text) || s.Start > s.End {
				t.Fatalf("statement offsets [%d,%d) outside the text of %d bytes", s.Start, s.End, len(a.Text))
			}
		}
		for _, p := range FindPlaces(a.Text, anyPlace{}) {
			if p.Start < 0 || p.End > len(a.Text) || p.Start >= p.End || a.Text[p.Start:p.End] != p.Text {
				t.Fatalf("place %q at [%d,%d) does not match the text of %d bytes", p.Text, p.Start, p.End, len(a.Text))
			}
		}
		for _, r := range ResolveTimes(a.Text, meta.Date) {
			if r.Offset < 0 || r.Offset > len(a.Text) || !r.End.After(r.Start) {
				t.Fatalf("time %q at %d is [%s, %s)", r.Text, r.Offset, r.Start, r.End)
			}
		}
		_, _ = ParseBatch(bytes.NewReader(raw))
	})
}

// anyPlace takes every name for a place, so that fuzzing runs every path
// of FindPlaces.
type anyPlace struct{}

func (anyPlace) ResolvePlace(name string, _ bool) (*domain.Place, bool) {
	return &domain.Place{Name: name}, true
}
