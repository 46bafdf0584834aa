package news

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// PartyResolver links a name (a person, an organisation, a country) to a
// party in the registry. The store implements it over party names and
// aliases; the package only asks.
type PartyResolver interface {
	Resolve(name string) (slug string, ok bool)
}

// Speaker is who a statement is attributed to.
type Speaker struct {
	Mention string `json:"mention"`           // the words in this sentence: "He", "the spokesman"
	Name    string `json:"name"`              // resolved: a person's full name, or the body's name
	Kind    string `json:"kind"`              // person, organisation, country, group
	Title   string `json:"title,omitempty"`   // "Defense Ministry spokesperson Major General"
	Org     string `json:"org,omitempty"`     // "Defense Ministry"
	Country string `json:"country,omitempty"` // "Russia"
	Party   string `json:"party,omitempty"`   // registry slug, if the resolver knew one
	// Via says how the name was found: named here, a pronoun, a role
	// ("the spokesman"), or a quote continuing the previous statement.
	Via string `json:"via"`
}

// The speaker kinds.
const (
	KindPerson       = "person"
	KindOrganisation = "organisation"
	KindCountry      = "country"
	KindGroup        = "group" // unnamed people: "activists", "an opposition source"
)

type token struct {
	w          string // the word, trimmed of edge punctuation
	start, end int    // offsets in the sentence
	stopBefore bool   // punctuation before it ends a phrase scanned forward
	stopAfter  bool   // punctuation after it ends a phrase scanned backward
}

var wordRe = regexp.MustCompile(`\S+`)

// tokenize splits s into words, noting punctuation that closes a phrase.
func tokenize(s string) []token {
	var toks []token
	for _, loc := range wordRe.FindAllStringIndex(s, -1) {
		raw := s[loc[0]:loc[1]]
		w := strings.TrimLeft(raw, "\"“”'‘(«•")
		lead := len(raw) - len(w)
		w = strings.TrimRight(w, "\"“”'’),.;:!?»•")
		t := token{w: w, start: loc[0] + lead, end: loc[0] + lead + len(w)}
		t.stopBefore = lead > 0 && !strings.HasPrefix(raw, "(")
		tail := raw[lead+len(w):]
		t.stopAfter = strings.ContainsAny(tail, ",.;:!?\"”»") || strings.HasPrefix(w, "(") && false
		if w == "" {
			continue
		}
		toks = append(toks, t)
	}
	return toks
}

func isCap(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	if unicode.IsUpper(r) {
		return true
	}
	for _, p := range []string{"al-", "el-", "bin ", "abu-"} {
		if strings.HasPrefix(w, p) && len(w) > len(p) {
			r, _ := utf8.DecodeRuneInString(w[len(p):])
			return unicode.IsUpper(r)
		}
	}
	return false
}

var (
	// beforeVerb is cut from the end of the text before a speech verb so
	// that the subject is adjacent: "Russia has also said", "the center
	// went on to state", "SANA on Saturday reported".
	beforeVerb = regexp.MustCompile(`(?i)(?:\s+(?:also|meanwhile|has|have|had|further|later|earlier|then|again|previously|reportedly|went on to|continued to|in turn|on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)(?: night)?|in (?:a|an)(?: \w+)? (?:statement|briefing|interview)))+\s*$`)
	pronouns   = map[string]string{"he": KindPerson, "she": KindPerson, "it": KindOrganisation, "they": KindGroup}
)

// speakerPhraseBack collects the speaker phrase ending just before offset
// end of sentence s: capitalised words, role words and inner connectors.
func speakerPhraseBack(s string, end int) (phrase string, start int) {
	prefix := beforeVerb.ReplaceAllString(s[:end], "")
	toks := tokenize(prefix)
	i := len(toks) - 1
	first := len(toks)
	for ; i >= 0; i-- {
		t := toks[i]
		lw := strings.ToLower(t.w)
		if t.stopAfter && i < len(toks)-1 || t.stopAfter && i == len(toks)-1 && strings.ContainsAny(prefix[t.end:], "\"”") {
			break
		}
		switch {
		case lw == "the" || lw == "a" || lw == "an" || lw == "another":
			if i > 0 && (strings.EqualFold(toks[i-1].w, "of") || strings.EqualFold(toks[i-1].w, "for") || strings.EqualFold(toks[i-1].w, "in")) {
				first = i
				continue
			}
			if first < len(toks) {
				first = i
			}
			i = -1 // determiner: include and stop
		case isCap(t.w) || roleWords[lw] || titleWords[lw]:
			first = i
		case (lw == "of" || lw == "for" || lw == "and" || lw == "in") && first < len(toks):
			first = i
		default:
			i = -1
		}
		if i < 0 {
			break
		}
		if t.stopBefore {
			break
		}
	}
	if first >= len(toks) {
		return "", end
	}
	// Trim openers and time words swept up at the left.
	for first < len(toks) && leftStop[strings.ToLower(toks[first].w)] {
		first++
	}
	for first < len(toks) && len(toks[first].w) > 0 && toks[first].w[0] >= '0' && toks[first].w[0] <= '9' {
		first++
	}
	if first >= len(toks) {
		return "", end
	}
	return prefix[toks[first].start:toks[len(toks)-1].end], toks[first].start
}

// speakerPhraseFwd collects the speaker phrase starting at offset start:
// "said the Civil Defence also…", "according to the Observatory".
func speakerPhraseFwd(s string, start int) string {
	toks := tokenize(s[start:])
	last := -1
	for i, t := range toks {
		lw := strings.ToLower(t.w)
		if i > 0 && t.stopBefore {
			break
		}
		ok := false
		switch {
		case i == 0 && (lw == "the" || lw == "a" || lw == "an"):
			ok = true
		case isCap(t.w) || roleWords[lw] || titleWords[lw]:
			ok = true
			last = i
		case lw == "of" || lw == "for" || lw == "the" || lw == "in" || lw == "and":
			ok = i+1 < len(toks) && (isCap(toks[i+1].w) || lw == "of" || lw == "the")
		}
		if !ok || leftStop[lw] && isCap(t.w) && lw != "the" && i > 0 && !isCap(toks[i-1].w) {
			break
		}
		if t.stopAfter {
			break
		}
	}
	if last < 0 {
		return ""
	}
	// Trim trailing time words swept up ("on Wednesday").
	for last >= 0 && leftStop[strings.ToLower(toks[last].w)] {
		last--
	}
	if last < 0 {
		return ""
	}
	return strings.TrimSpace(s[start+toks[0].start : start+toks[last].end])
}

var parenRe = regexp.MustCompile(`\s*\([^)]*\)`)

// describe turns a speaker phrase into a Speaker: it finds a person's name
// among the capitalised words, the title words around it, and any country.
func describe(phrase string) Speaker {
	sp := Speaker{Mention: phrase, Via: "named"}
	clean := parenRe.ReplaceAllString(phrase, "")
	lc := strings.ToLower(clean)
	for _, pre := range []string{"one of ", "some of ", "the ", "a ", "an ", "another "} {
		if strings.HasPrefix(lc, pre) {
			clean, lc = clean[len(pre):], lc[len(pre):]
		}
	}
	words := strings.Fields(clean)
	type run struct{ from, to int }
	var runs []run
	isName := func(w string) bool {
		lw := strings.ToLower(strings.TrimRight(w, "’'s"))
		if !isCap(w) || titleWords[strings.ToLower(w)] || orgWords[strings.ToLower(w)] || leftStop[strings.ToLower(w)] {
			return false
		}
		if _, ok := countryOf(w); ok {
			return false
		}
		return !orgWords[lw] && !strings.Contains(w, "-based")
	}
	for i := 0; i < len(words); {
		if !isName(words[i]) {
			i++
			continue
		}
		j := i
		for j < len(words) && isName(words[j]) {
			j++
		}
		runs = append(runs, run{i, j})
		i = j
	}
	hasOrg := false
	for _, w := range words {
		if orgWords[strings.ToLower(strings.Trim(w, "’'s"))] || orgWords[strings.ToLower(w)] {
			hasOrg = true
		}
		if c, ok := countryOf(w); ok && sp.Country == "" {
			sp.Country = c
		}
	}
	connector := func(w string) bool { lw := strings.ToLower(w); return lw == "of" || lw == "for" || lw == "the" }
	person := -1
	if n := len(runs); n > 0 {
		last := runs[n-1]
		switch {
		case last.to == len(words) && last.from > 0 && titleWords[strings.ToLower(words[last.from-1])]:
			person = n - 1
		case last.to == len(words) && last.to-last.from >= 2 && (last.from == 0 || !connector(words[last.from-1])):
			person = n - 1
		default:
			for k, r := range runs {
				if r.to < len(words) && titleWords[strings.ToLower(words[r.to])] && r.to-r.from >= 2 {
					person = k
					break
				}
				if r.from > 0 && titleWords[strings.ToLower(words[r.from-1])] && r.to-r.from >= 2 {
					person = k
				}
			}
		}
	}
	switch {
	case person >= 0:
		r := runs[person]
		sp.Kind = KindPerson
		sp.Name = strings.Join(words[r.from:r.to], " ")
		title := strings.Join(words[:r.from], " ")
		if r.from == 0 && r.to < len(words) {
			title = strings.Join(words[r.to:], " ")
		}
		sp.Title = title
		sp.Org = orgOf(title)
	case hasOrg:
		sp.Kind = KindOrganisation
		sp.Name = clean
		sp.Org = clean
		if allLower(words) {
			sp.Kind = KindGroup
		}
	case len(words) > 0 && allCountry(words):
		sp.Kind = KindCountry
		sp.Name = sp.Country
	case len(runs) == 1 && runs[0].to-runs[0].from == len(words) && len(words) >= 2:
		sp.Kind = KindPerson
		sp.Name = clean
	case allLower(words):
		sp.Kind = KindGroup
		sp.Name = clean
	default:
		sp.Kind = KindOrganisation // a lone unknown name: "SOHR", "Halabi" until memory says more
		sp.Name = clean
	}
	return sp
}

// orgOf picks the organisation out of a title: "Defense Ministry
// spokesperson Major General" → "Defense Ministry".
func orgOf(title string) string {
	words := strings.Fields(title)
	end := -1
	for i, w := range words {
		if orgWords[strings.ToLower(w)] && isCap(w) {
			end = i
		}
	}
	if end < 0 {
		return ""
	}
	start := end
	for start > 0 && isCap(words[start-1]) && !titleWords[strings.ToLower(words[start-1])] ||
		start > 0 && (strings.EqualFold(words[start-1], "defense") || strings.EqualFold(words[start-1], "defence") || strings.EqualFold(words[start-1], "foreign")) {
		start--
	}
	return strings.Join(words[start:end+1], " ")
}

func allLower(words []string) bool {
	for _, w := range words {
		if isCap(w) {
			return false
		}
	}
	return true
}

func allCountry(words []string) bool {
	_, ok := countryOf(strings.Join(words, " "))
	if ok {
		return true
	}
	for _, w := range words {
		if _, ok := countryOf(w); !ok {
			return false
		}
	}
	return true
}
