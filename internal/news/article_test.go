package news

import (
	"strings"
	"testing"
	"time"

	"github.com/trucedesk/truce/internal/domain"
)

func TestParseTextRejects(t *testing.T) {
	tests := []struct {
		name string
		raw  []byte
		code string
	}{
		{"empty", []byte("  \n\n "), domain.EINVALID},
		{"binary", []byte("GIF89a\x00\x01\x02 some text"), domain.EINVALID},
		{"not utf8", []byte(strings.Repeat("\xff\xfe", 100) + "text"), domain.EINVALID},
		{"only chrome", []byte("Share\n\nAdvertisement\n"), domain.EINVALID},
		{"huge", make([]byte, MaxInputBytes+1), domain.ETOOLARGE},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseText(tt.raw, Meta{})
			if got := domain.ErrorCode(err); got != tt.code {
				t.Errorf("ParseText error code = %q (%v), want %q", got, err, tt.code)
			}
		})
	}
}

func TestParseTextBestEffort(t *testing.T) {
	raw := []byte("Title line\n\nThe army said it was \xff over. More text follows here.")
	a, err := ParseText(raw, Meta{})
	if err != nil {
		t.Fatalf("ParseText error: %v", err)
	}
	if len(a.Warnings) != 1 || !strings.Contains(a.Text, "\uFFFD") {
		t.Errorf("warnings %v text %q, want one warning and a replacement character", a.Warnings, a.Text)
	}
	long := "Headline\n\n" + strings.Repeat("The ceasefire held in the north today. ", MaxTextBytes/38+10)
	a, err = ParseText([]byte(long), Meta{})
	if err != nil {
		t.Fatalf("ParseText(long) error: %v", err)
	}
	if len(a.Text) > MaxTextBytes || len(a.Warnings) != 1 || !strings.HasSuffix(a.Text, ".") {
		t.Errorf("long text: %d bytes, warnings %v, ends %q; want ≤ %d bytes cut at a sentence, one warning",
			len(a.Text), a.Warnings, a.Text[len(a.Text)-10:], MaxTextBytes)
	}
}

func TestParseBatch(t *testing.T) {
	in := `{"title":"A","text":"The army said the truce held.","date":"2016-02-27","source":"x"}
not json
{"title":"B","text":"","date":"2016-02-27"}
{"title":"C","text":"Kerry said it was fine.","date":"27 Feb"}

{"title":"D","text":"Moscow said strikes stopped.","date":"2/28/2016"}
`
	items, err := ParseBatch(strings.NewReader(in))
	if err != nil {
		t.Fatalf("ParseBatch error: %v", err)
	}
	wantOK := map[int]bool{1: true, 2: false, 3: false, 4: false, 6: true}
	if len(items) != len(wantOK) {
		t.Fatalf("ParseBatch returned %d items, want %d: %+v", len(items), len(wantOK), items)
	}
	for _, it := range items {
		if ok := it.Err == nil; ok != wantOK[it.Line] {
			t.Errorf("line %d: ok = %v (%v), want %v", it.Line, ok, it.Err, wantOK[it.Line])
		}
	}
	if d := items[len(items)-1].Article.Date; !d.Equal(time.Date(2016, 2, 28, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("line 6 date = %s, want 2016-02-28", d)
	}
}

func TestParseHTML(t *testing.T) {
	page := `<html><head><title>Truce holds</title></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<div class="share">Share</div>
<article><h1>Truce holds</h1>
<p>The intensity of Russian airstrikes in Syria has significantly decreased over the past two days, Defense Ministry spokesperson Major General Igor Konashenkov told a media briefing on Wednesday.</p>
<p>Advertisement</p>
<p>He added that over two dozen messages have been received over the past two days from armed groups wishing to join the ceasefire.</p>
</article><footer>We use cookies to improve your browsing. Accept cookies.</footer></body></html>`
	a, err := ParseHTML([]byte(page), Meta{Date: seedDate})
	if err != nil {
		t.Fatalf("ParseHTML error: %v", err)
	}
	if strings.Contains(a.Text, "Advertisement") || strings.Contains(a.Text, "cookies") || !strings.Contains(a.Text, "Konashenkov") {
		t.Errorf("ParseHTML text = %q, want the paragraphs without chrome", a.Text)
	}
	res := (&Analyzer{}).Analyze(a)
	if len(res.Claims) != 2 {
		t.Errorf("claims from HTML = %d, want 2 (strikes down, messages count)", len(res.Claims))
	}
}

func TestScriptWarning(t *testing.T) {
	tests := []struct {
		name, text string
		want       string // a phrase of the warning; "" for none
	}{
		{"english", "Russian warplanes struck Talbiseh, the monitor said.", ""},
		{"english with names in other scripts", "Airstrikes hit Talbiseh (تلبيسة), the Observatory said. «ВКС» denied it, Konashenkov said.", ""},
		{"arabic", "قال المتحدث باسم وزارة الدفاع الروسية إن الغارات توقفت. Konashenkov", "not in Latin script"},
		{"russian", "Министерство обороны России заявило о снижении интенсивности ударов.", "100% of the letters"},
		{"accented latin", "Le ministère a dit que les frappes ont cessé à Alep.", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := ParseText([]byte(tt.text), Meta{})
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(a.Warnings, "; ")
			if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
				t.Errorf("warnings = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseBatchLineErrors(t *testing.T) {
	tests := []struct {
		line, want string
	}{
		{`[1,2]`, "not a JSON object but an array"},
		{`"text"`, "not a JSON object but a string"},
		{`{"text": 12}`, "text: must be a string, not number"},
		{`{"text": "Kerry said so.", "date": ["2016"]}`, "date: must be a string, not array"},
		{`{"text":`, "not a JSON object: unexpected end of JSON input"},
		{`{"text": "a\u0000b"}`, "binary"},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			items, err := ParseBatch(strings.NewReader(tt.line + "\n"))
			if err != nil || len(items) != 1 {
				t.Fatalf("ParseBatch = %+v, %v; want one item", items, err)
			}
			got := ""
			if items[0].Err != nil {
				got = items[0].Err.Error()
			}
			if !strings.Contains(got, tt.want) || strings.Contains(got, "news.") {
				t.Errorf("error %q, want %q and no Go type names", got, tt.want)
			}
		})
	}
}

// TestDatelineWarning: FA-KES 1923848246 is dated 2014-07-03 in the
// dataset, but its dateline, and the fall of Division 17 it reports, are
// of 26 July 2014.
func TestDatelineWarning(t *testing.T) {
	text := []byte("Sat 26 Jul 2014 At least 85 Syrian army troops were killed as the jihadist Islamic State advanced on a regime position in the northern province of Raqa a monitoring group said Saturday.")
	for _, tc := range []struct {
		date string
		warn bool
	}{{"2014-07-03", true}, {"2014-07-26", false}, {"", false}} {
		meta := Meta{}
		if tc.date != "" {
			d, err := ParseDate(tc.date)
			if err != nil {
				t.Fatal(err)
			}
			meta.Date = d
		}
		a, err := ParseText(text, meta)
		if err != nil {
			t.Fatal(err)
		}
		got := strings.Contains(strings.Join(a.Warnings, "; "), "the dateline says 2014-07-26")
		if got != tc.warn {
			t.Errorf("date %q: warnings %q, want a dateline warning: %v", tc.date, a.Warnings, tc.warn)
		}
	}
}
