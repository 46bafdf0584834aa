package news

import (
	"regexp"
	"strings"

	"github.com/trucedesk/truce/internal/domain"
)

// Statement is something a speaker is reported as saying, with where it is
// in the cleaned text.
type Statement struct {
	Start   int     `json:"start"`
	End     int     `json:"end"`
	Text    string  `json:"text"`
	Quotes  []Span  `json:"quotes,omitempty"` // direct quotations inside it (text offsets)
	Verb    string  `json:"verb,omitempty"`   // "said", "according to"; empty for a continued quote
	Speaker Speaker `json:"speaker"`
}

// Analysis is what Analyze finds in one article.
type Analysis struct {
	Sentences  []Sentence  `json:"sentences"`
	Statements []Statement `json:"statements"`
	Claims     []Claim     `json:"claims"`
	Places     []Place     `json:"places,omitempty"` // only with an Analyzer.Places
}

// Analyzer extracts statements and claims, and places when Places is set.
// Parties and Places may be nil.
type Analyzer struct {
	Parties PartyResolver
	Places  PlaceResolver
}

var verbRe = regexp.MustCompile(`\b(?:(?i:according to)|called (?:on|for)|[a-z]+)\b`)

// Analyze segments the article and returns its statements, each attributed
// to a speaker, and the checkable claims in its sentences.
func (an *Analyzer) Analyze(a *Article) *Analysis {
	text := a.Text
	quotes := QuoteSpans(text)
	res := &Analysis{Sentences: segment(text, quotes), Places: FindPlaces(text, an.Places)}
	var mem []Speaker // speakers so far, latest last
	var prevStmt *Statement
	prevSentence := -1
	for si, s := range res.Sentences {
		sent := text[s.Start:s.End]
		var inQuotes []Span
		masked := []byte(sent)
		for _, q := range quotes {
			if q.End <= s.Start || q.Start >= s.End {
				continue
			}
			inQuotes = append(inQuotes, q)
			for i := max(q.Start, s.Start); i < min(q.End, s.End); i++ {
				masked[i-s.Start] = '_'
			}
		}
		st := an.statement(string(masked), sent, len(inQuotes) > 0, mem, prevStmt)
		if st == nil && len(inQuotes) > 0 && prevStmt != nil && prevSentence == si-1 {
			st = &Statement{Speaker: prevStmt.Speaker}
			st.Speaker.Mention, st.Speaker.Via = "", "continuation"
		}
		if st != nil {
			st.Start, st.End, st.Text, st.Quotes = s.Start, s.End, sent, inQuotes
			if st.Speaker.Country == "" {
				st.Speaker.Country = firstCountry(string(masked))
			}
			if an.Parties != nil {
				names := []string{st.Speaker.Name, st.Speaker.Org}
				if stateVoice(&st.Speaker) {
					names = append(names, st.Speaker.Country)
				}
				for _, n := range names {
					if slug, ok := an.Parties.Resolve(n); n != "" && ok {
						st.Speaker.Party = slug
						break
					}
				}
			}
			res.Statements = append(res.Statements, *st)
			prevStmt = &res.Statements[len(res.Statements)-1]
			prevSentence = si
			if st.Speaker.Via == "named" {
				mem = append(mem, st.Speaker)
			}
		}
		var who *Speaker
		if st != nil {
			who = &st.Speaker
		}
		res.Claims = append(res.Claims, an.claims(sent, s.Start, a, who)...)
	}
	return res
}

// officeRe marks a speaker who speaks for a state: its ministers,
// presidents, armed forces and envoys.
var officeRe = regexp.MustCompile(`(?i)\b(?:ministry|minister|president|prime|government|army|military|armed forces|defen[cs]e|foreign|ambassador|envoy|secretary of state|kremlin|white house|pentagon|state department)\b`)

// stateVoice reports whether a speaker's country stands for its state's
// party: "Russia said", "Defense Ministry spokesperson", "Turkish
// President"; not the Syrian Observatory or the Syrian Coalition, whose
// country is only where they work.
func stateVoice(sp *Speaker) bool {
	if sp.Kind == KindCountry {
		return true
	}
	for _, n := range []string{sp.Name, sp.Org} {
		if _, ok := CountryOf(n); ok && n != "" {
			return true
		}
	}
	return officeRe.MatchString(sp.Title + " " + sp.Org + " " + sp.Name)
}

// statement finds the speech verb of a sentence (outside quotes) and its
// speaker, resolving pronouns and roles against mem.
func (an *Analyzer) statement(masked, sent string, quoted bool, mem []Speaker, prev *Statement) *Statement {
	for _, loc := range verbRe.FindAllStringIndex(masked, -1) {
		v := masked[loc[0]:loc[1]]
		switch {
		case strings.EqualFold(v, "according to"):
			phrase := speakerPhraseFwd(sent, loc[1])
			if phrase == "" {
				continue
			}
			return &Statement{Verb: v, Speaker: resolve(describe(phrase), mem, prev)}
		case strings.HasPrefix(v, "called "):
			if !quoted && !strings.HasSuffix(v, "for") && !strings.HasSuffix(v, "on") {
				continue
			}
		case v == "called":
			if !quoted {
				continue
			}
		case v == "state":
			if !strings.HasPrefix(masked[loc[1]:], " that") {
				continue
			}
		case !speechVerbs[v]:
			continue
		}
		before := strings.TrimRight(masked[:loc[0]], " ")
		// A pronoun subject: "He added", "it said".
		if fs := strings.Fields(beforeVerb.ReplaceAllString(before, "")); len(fs) > 0 {
			lw := strings.ToLower(fs[len(fs)-1])
			if kind, ok := pronouns[lw]; ok {
				if sp, ok := recall(mem, kind, ""); ok {
					sp.Mention, sp.Via = fs[len(fs)-1], "pronoun"
					return &Statement{Verb: v, Speaker: sp}
				}
				continue
			}
		}
		phrase, _ := speakerPhraseBack(sent, loc[0])
		if phrase == "" || strings.HasSuffix(before, "_") {
			phrase = speakerPhraseFwd(sent, loc[1])
		}
		if phrase == "" {
			continue
		}
		return &Statement{Verb: v, Speaker: resolve(describe(phrase), mem, prev)}
	}
	return nil
}

// resolve links a described speaker to one named earlier: a surname alone
// ("Konashenkov") to the full name, a role ("the spokesman", "the center",
// "the statement") to the latest speaker whose mention holds that word.
func resolve(sp Speaker, mem []Speaker, prev *Statement) Speaker {
	words := strings.Fields(strings.ToLower(parenRe.ReplaceAllString(sp.Mention, "")))
	if len(words) == 0 {
		return sp
	}
	head := strings.TrimSuffix(strings.TrimSuffix(words[len(words)-1], "s"), "’")
	definite := words[0] == "the" || words[0] == "this"
	if sp.Kind != KindPerson && len(words) == 1 && isCap(sp.Mention) {
		for i := len(mem) - 1; i >= 0; i-- {
			if mem[i].Kind == KindPerson && lastWord(mem[i].Name) == strings.TrimSpace(sp.Mention) {
				out := mem[i]
				out.Mention, out.Via = sp.Mention, "named"
				return out
			}
		}
	}
	if definite && (head == "statement" || head == "report") && prev != nil {
		out := prev.Speaker
		out.Mention, out.Via = sp.Mention, "role"
		return out
	}
	if definite || len(words) <= 2 && allLower(strings.Fields(sp.Mention)) {
		for i := len(mem) - 1; i >= 0; i-- {
			m := strings.ToLower(mem[i].Mention + " " + mem[i].Title)
			if head != "" && strings.Contains(m, head) && mem[i].Mention != sp.Mention {
				out := mem[i]
				out.Mention, out.Via = sp.Mention, "role"
				return out
			}
		}
	}
	return sp
}

// recall returns the latest remembered speaker of a kind: a person for
// "he"/"she", anything else for "it"/"they".
func recall(mem []Speaker, kind, _ string) (Speaker, bool) {
	for i := len(mem) - 1; i >= 0; i-- {
		if (kind == KindPerson) == (mem[i].Kind == KindPerson) {
			return mem[i], true
		}
	}
	return Speaker{}, false
}

func lastWord(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return ""
	}
	return f[len(f)-1]
}

func firstCountry(s string) string {
	for _, w := range strings.Fields(s) {
		if c, ok := countryOf(w); ok {
			return c
		}
	}
	return ""
}

// Claim is a checkable claim found in the text, with its provenance.
type Claim struct {
	domain.Claim
	Start      int    `json:"start"` // the sentence it came from
	End        int    `json:"end"`
	Speaker    string `json:"speaker,omitempty"`     // who made it, if attributed
	AtLeast    bool   `json:"at_least,omitempty"`    // "over two dozen": Value is a lower bound
	ActorParty string `json:"actor_party,omitempty"` // registry slug of the actor
}
