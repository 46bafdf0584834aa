package news

import (
	"bytes"
	"testing"
	"time"
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
		_, _ = ParseBatch(bytes.NewReader(raw))
	})
}
