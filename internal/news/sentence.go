package news

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Sentence is a span of the cleaned text: Text[Start:End].
type Sentence struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// Span is a quotation: the bytes from the opening to the closing mark,
// inclusive of both.
type Span struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// maxQuote bounds how far an opening quote mark looks for its closer; a
// quote longer than this is almost surely a stray mark.
const maxQuote = 1500

// titleAbbrevs never end a sentence: they precede a name.
var titleAbbrevs = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "dr": true, "prof": true, "maj": true, "gen": true,
	"lt": true, "col": true, "sgt": true, "capt": true, "cmdr": true, "adm": true, "gov": true,
	"sen": true, "rep": true, "st": true, "rev": true, "hon": true, "brig": true, "pres": true,
	"amb": true, "lieut": true, "cpl": true, "pvt": true, "messrs": true, "mt": true,
}

// numberAbbrevs end a sentence unless a number follows: "Jan. 5", "No. 3".
var numberAbbrevs = map[string]bool{
	"jan": true, "feb": true, "mar": true, "apr": true, "jun": true, "jul": true, "aug": true,
	"sep": true, "sept": true, "oct": true, "nov": true, "dec": true, "no": true, "nos": true,
	"vol": true, "art": true, "fig": true, "p": true, "pp": true,
}

// sentenceStarters are words that, after an ambiguous abbreviation such as
// "U.S." or "a.m.", show that a new sentence began.
var sentenceStarters = map[string]bool{
	"The": true, "He": true, "She": true, "It": true, "They": true, "We": true, "I": true,
	"But": true, "And": true, "In": true, "On": true, "A": true, "An": true, "This": true,
	"That": true, "There": true, "Meanwhile": true, "However": true, "His": true, "Her": true,
	"Their": true, "Its": true, "At": true, "After": true, "Earlier": true, "Later": true,
}

// QuoteSpans finds the direct quotations in text: curly pairs “…”, and
// straight double quotes paired in order within a paragraph.
func QuoteSpans(text string) []Span {
	var spans []Span
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRuneInString(text[i:])
		var closer string
		switch r {
		case '“':
			closer = "”"
		case '"':
			closer = `"`
		case '«':
			closer = "»"
		}
		if closer == "" {
			i += n
			continue
		}
		limit := min(len(text), i+n+maxQuote)
		rest := text[i+n : limit]
		if p := strings.Index(rest, "\n\n"); p >= 0 {
			rest = rest[:p]
		}
		j := strings.Index(rest, closer)
		if j < 0 {
			i += n
			continue
		}
		end := i + n + j + len(closer)
		spans = append(spans, Span{i, end})
		i = end
	}
	return spans
}

// Segment splits text into sentences. It does not split after title
// abbreviations (Maj. Gen., Dr., Lt. Col.), after "Jan." or "No." before a
// number, inside decimals, after initials, after "U.S." or "a.m." unless a
// usual sentence opener follows, or inside a quotation that closes later;
// a blank line always ends a sentence.
func Segment(text string) []Sentence {
	return segment(text, QuoteSpans(text))
}

func segment(text string, quotes []Span) []Sentence {
	var out []Sentence
	start := skipSpace(text, 0)
	q := 0
	emit := func(end int) {
		e := end
		for e > start && isSpaceByte(text[e-1]) {
			e--
		}
		if e > start {
			out = append(out, Sentence{start, e})
		}
	}
	for i := start; i < len(text); i++ {
		c := text[i]
		if c == '\n' && i+1 < len(text) && text[i+1] == '\n' {
			emit(i)
			start = skipSpace(text, i)
			i = start - 1
			continue
		}
		if c != '.' && c != '!' && c != '?' {
			continue
		}
		j := i + 1
		for j < len(text) {
			r, n := utf8.DecodeRuneInString(text[j:])
			if r == '"' || r == '”' || r == '’' || r == ')' || r == ']' || r == '\'' || r == '»' || r == '.' {
				j += n
				continue
			}
			break
		}
		if j < len(text) && !isSpaceByte(text[j]) {
			continue // "1.2", "U.S", "e.g"
		}
		for q < len(quotes) && quotes[q].End <= i {
			q++
		}
		if q < len(quotes) && quotes[q].Start < i && j < quotes[q].End {
			continue // inside a quotation that closes later
		}
		k := skipSpace(text, j)
		if k >= len(text) {
			break
		}
		if strings.Contains(text[j:k], "\n\n") {
			continue // the paragraph rule above will cut
		}
		next, _ := utf8.DecodeRuneInString(text[k:])
		if !(unicode.IsUpper(next) || unicode.IsDigit(next) || strings.ContainsRune("\"“«(['‘", next)) {
			continue
		}
		if c == '.' && !endsSentence(text, i, k) {
			continue
		}
		emit(j)
		start = k
		i = k - 1
	}
	emit(len(text))
	return out
}

// endsSentence decides whether the period at i, followed by the word at k,
// ends a sentence, by looking at the word the period closes.
func endsSentence(text string, i, k int) bool {
	w := i
	for w > 0 && !isSpaceByte(text[w-1]) && text[w-1] != '(' && text[w-1] != '"' {
		w--
	}
	word := text[w:i]
	lw := strings.ToLower(word)
	nextWord := text[k:]
	if e := strings.IndexAny(nextWord, " \n\t,.;:"); e >= 0 {
		nextWord = nextWord[:e]
	}
	nextDigit := nextWord != "" && nextWord[0] >= '0' && nextWord[0] <= '9'
	switch {
	case titleAbbrevs[lw]:
		return false
	case numberAbbrevs[lw]:
		return !nextDigit
	case utf8.RuneCountInString(word) == 1 && unicode.IsUpper([]rune(word)[0]):
		return false // an initial: "John F. Kennedy"
	case strings.Contains(word, "."):
		return sentenceStarters[nextWord] // "U.S.", "a.m."
	}
	return true
}

func skipSpace(s string, i int) int {
	for i < len(s) && isSpaceByte(s[i]) {
		i++
	}
	return i
}

func isSpaceByte(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }
