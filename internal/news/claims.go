package news

import (
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/trucedesk/truce/internal/domain"
)

const (
	numRe  = `(\d[\d,]*|a hundred|(?:two|three|four|five) dozen|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)-(?:one|two|three|four|five|six|seven|eight|nine)|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)`
	qualRe = `(?:(over|more than|at least|no fewer than|no less than|nearly|almost|about|around|some|up to)\s+)?`
)

var (
	strikeNouns = `(?:air ?strikes|airstrikes|air raids|raids|strikes|sorties|combat flights|bombings)`
	directionRe = regexp.MustCompile(`(?i)\b(?:(significantly|considerably|substantially|markedly|sharply|dramatically|drastically|slightly|somewhat|marginally)\s+)?` +
		`(decreased|declined|dropped|fell|fallen|reduced|eased|subsided|lessened|diminished|increased|intensified|escalated|rose|risen|surged|stepped up|stopped|ceased|halted)\b` +
		`(?:\s+(significantly|considerably|substantially|markedly|sharply|dramatically|drastically|slightly|somewhat|marginally))?`)
	metricNounRe  = regexp.MustCompile(`(?i)\b(air ?strikes|airstrikes|air raids|raids|bombings?|bombardments?|strikes|sorties|shelling|artillery|attacks|violations|breaches|fighting|violence|hostilities)\b`)
	messagesRe    = regexp.MustCompile(`(?i)` + qualRe + numRe + `\s+(?:messages|requests|appeals|applications|complaints|reports)\s+(?:have|had)?\s*(?:been|were|was)\s+received`)
	strikesRe     = regexp.MustCompile(`(?i)\b(?:carried out|conducted|launched|made|flew|including|total of)\s+` + qualRe + numRe + `\s+(?:[a-z-]+\s+)?` + strikeNouns + `\b`)
	breachTimes   = regexp.MustCompile(`(?i)\b(?:breached|violated)\b.{0,80}?\b` + numRe + `\s+times\b`)
	breachTotal   = regexp.MustCompile(`(?i)\bnumber of (?:breaches|violations)\b.{0,80}?\bto\s+` + numRe + `\b`)
	breachCount   = regexp.MustCompile(`(?i)` + qualRe + numRe + `\s+(?:new\s+)?(?:breaches|violations)\b`)
	killedActive  = regexp.MustCompile(`(?i)\b(?:killed|killing)\s+` + qualRe + numRe + `\b`)
	killedPass    = regexp.MustCompile(`(?i)(?:^|[^\w-])` + qualRe + numRe + `\s+(?:[a-zA-Z][\w-]*\s+){0,6}?(?:were|have been|had been|was)\s+killed\b`)
	byActorRe     = regexp.MustCompile(`\b(\d+)\s+by\s+(?:the\s+)?`)
	breachWordRe  = regexp.MustCompile(`(?i)\b(?:breaches|violations)\b`)
	livesRe       = regexp.MustCompile(`(?i)\bclaimed the lives of\s+` + qualRe + numRe + `\b`)
	firstPersonRe = regexp.MustCompile(`(?i)\b(?:our|we)\b`)
	actorRe       = regexp.MustCompile(`(?i)\b(US-led coalition|U\.S\.-led coalition|international anti-jihadist coalition|coalition|Russian|Russia|Moscow|regime|government|Syrian army|pro-government|rebels?|opposition|militants|terrorists?|terrorist groups|ISIL|ISIS|IS|Daesh|Islamic State|Nusra|YPG|PYD|SDF|Turkish|Turkey|Israeli|Iranian-backed|Liwa [A-Z][\w-]+(?: [a-zA-Z-]+)?)\b`)
)

// The count patterns open with an optional qualifier and a number, so an
// unanchored search backtracks from every position of every sentence; most
// sentences lack the word each pattern needs, and these gates (lower case,
// without an "s" that (?i) would also let "ſ" match) skip them first.
var (
	gateMessages = []string{"received"}
	gateStrikes  = []string{"strike", "raid", "sortie", "flight", "bombing"}
	gateTimes    = []string{"time"}
	gateTotal    = []string{"number of"}
	gateBreaches = []string{"breach", "violation"}
	gateKill     = []string{"kill"}
	gateKilled   = []string{"killed"}
	gateLives    = []string{"claimed the live"}
)

// unquote blanks quotation marks, keeping byte offsets.
var unquote = strings.NewReplacer("“", "   ", "”", "   ", "\"", " ")

// actorNames maps what the text says to the actor a claim records.
var actorNames = map[string]string{
	"russian": "Russia", "russia": "Russia", "moscow": "Russia", "regime": "Syrian government",
	"government": "Syrian government", "syrian army": "Syrian government", "pro-government": "Syrian government",
	"us-led coalition": "US-led coalition", "u.s.-led coalition": "US-led coalition", "coalition": "US-led coalition",
	"international anti-jihadist coalition": "US-led coalition", "rebels": "rebels", "rebel": "rebels",
	"opposition": "rebels", "isil": "Islamic State", "isis": "Islamic State", "is": "Islamic State",
	"daesh": "Islamic State", "islamic state": "Islamic State", "nusra": "Jabhat al-Nusra", "ypg": "YPG",
	"pyd": "PYD", "sdf": "SDF", "turkish": "Turkey", "turkey": "Turkey", "israeli": "Israel",
	"iranian-backed": "Iranian-backed militias", "militants": "armed groups", "terrorists": "armed groups",
	"terrorist": "armed groups", "terrorist groups": "armed groups",
}

func actorName(s string) string {
	if n, ok := actorNames[strings.ToLower(s)]; ok {
		return n
	}
	return s
}

// findActor returns the actor named in s nearest its end (before=true) or
// its start.
func findActor(s string, nearEnd bool) string {
	var keep [][]int
	for _, l := range actorRe.FindAllStringIndex(s, -1) {
		// "government-held", "rebel-controlled": a place, not an actor.
		if rest := s[l[1]:]; strings.HasPrefix(rest, "-held") || strings.HasPrefix(rest, "-controlled") {
			continue
		}
		keep = append(keep, l)
	}
	if len(keep) == 0 {
		return ""
	}
	l := keep[0]
	if nearEnd {
		l = keep[len(keep)-1]
	}
	return actorName(s[l[0]:l[1]])
}

// claims extracts the checkable claims of one sentence at offset off.
func (an *Analyzer) claims(sent string, off int, a *Article, who *Speaker) []Claim {
	plain := unquote.Replace(sent)
	lower := strings.ToLower(plain)
	var times []TimeRef
	resolved := false
	window := func(at int) (time.Time, time.Time) {
		if !resolved { // most sentences hold no claim: resolve dates only when one does
			times, resolved = ResolveTimes(plain, a.Date), true
		}
		best := -1
		for i, t := range times {
			if best < 0 || abs(t.Offset-at) < abs(times[best].Offset-at) {
				best = i
			}
		}
		if best >= 0 {
			return times[best].Start, times[best].End
		}
		if a.Date.IsZero() {
			return time.Time{}, time.Time{}
		}
		return a.Date, a.Date.AddDate(0, 0, 1)
	}
	var out []Claim
	add := func(c domain.Claim, at int, atLeast bool) {
		c.WindowStart, c.WindowEnd = window(at)
		c.Text = sent
		cl := Claim{Claim: c, Start: off, End: off + len(sent), AtLeast: atLeast}
		if who != nil {
			cl.Speaker = who.Name
		}
		if an.Parties != nil && c.Actor != "" {
			cl.ActorParty, _ = an.Parties.Resolve(c.Actor)
		}
		out = append(out, cl)
	}
	speakerActor := func() string {
		if who == nil {
			return ""
		}
		if who.Country != "" {
			return who.Country
		}
		return who.Org
	}
	attributed := who != nil

	// Changes: "the intensity of Russian airstrikes has significantly decreased".
	for _, m := range directionRe.FindAllStringSubmatchIndex(plain, -1) {
		verb := strings.ToLower(plain[m[4]:m[5]])
		from := max(0, m[0]-120)
		nouns := metricNounRe.FindAllStringIndex(plain[from:m[0]], -1)
		var noun string
		nounAt := 0
		if len(nouns) > 0 {
			l := nouns[len(nouns)-1]
			noun, nounAt = plain[from+l[0]:from+l[1]], from+l[0]
		} else if l := metricNounRe.FindStringIndex(plain[m[1]:min(len(plain), m[1]+40)]); l != nil {
			noun, nounAt = plain[m[1]+l[0]:m[1]+l[1]], m[1]+l[0]
		} else {
			continue
		}
		c := domain.Claim{Metric: metricOf(noun), Direction: directionOf(verb)}
		adv := ""
		if m[2] >= 0 {
			adv = plain[m[2]:m[3]]
		} else if m[6] >= 0 {
			adv = plain[m[6]:m[7]]
		}
		c.Strength = strengthOf(adv)
		c.Actor = findActor(plain[max(0, nounAt-60):nounAt+len(noun)], true)
		if c.Actor == "" && firstPersonRe.MatchString(plain) {
			c.Actor = speakerActor()
		}
		if c.Actor == "" && !attributed {
			continue
		}
		add(c, m[1], false)
	}
	count := func(re *regexp.Regexp, gate []string, metric domain.Metric, actorFrom func(m []int) string) {
		if !slices.ContainsFunc(gate, func(w string) bool { return strings.Contains(lower, w) }) {
			return
		}
		for _, m := range re.FindAllStringSubmatchIndex(plain, -1) {
			q, n := "", ""
			if m[2] >= 0 {
				q = strings.ToLower(plain[m[2]:m[3]])
			}
			if len(m) >= 6 && m[4] >= 0 {
				n = plain[m[4]:m[5]]
			} else if m[2] >= 0 && len(m) == 4 {
				n, q = plain[m[2]:m[3]], ""
			}
			v := parseCount(n)
			if v <= 0 || len(n) == 4 && v >= 1900 && v <= 2100 { // a year in a dateline
				continue
			}
			actor := actorFrom(m)
			if actor == "" && !attributed {
				continue
			}
			atLeast := q == "over" || q == "more than" || q == "at least" || q == "no fewer than" || q == "no less than"
			add(domain.Claim{Actor: actor, Metric: metric, Direction: domain.DirectionCount, Value: float64(v)}, m[0], atLeast)
		}
	}
	count(messagesRe, gateMessages, domain.MetricMessages, func([]int) string { return speakerActor() })
	count(strikesRe, gateStrikes, domain.MetricStrikes, func(m []int) string { return findActor(plain[:m[0]], true) })
	count(breachTimes, gateTimes, domain.MetricViolations, func(m []int) string { return findActor(plain[:m[0]], true) })
	count(breachTotal, gateTotal, domain.MetricViolations, func(m []int) string { return findActor(plain[:m[0]], true) })
	count(breachCount, gateBreaches, domain.MetricViolations, func(m []int) string { return findActor(plain[:m[0]], true) })
	count(killedActive, gateKill, domain.MetricFatalities, func(m []int) string { return findActor(plain[max(0, m[0]-150):m[0]], true) })
	count(livesRe, gateLives, domain.MetricFatalities, func(m []int) string { return findActor(plain[:m[0]], true) })
	count(killedPass, gateKilled, domain.MetricFatalities, func(m []int) string {
		if a := findActor(causeClause(plain[m[1]:]), false); a != "" {
			return a
		}
		return findActor(victimsCut(ownClause(plain[:m[0]])), true)
	})
	// Tallies by party: "breaches included: 20 by Russian forces 13 by …".
	if breachWordRe.MatchString(plain) {
		for _, m := range byActorRe.FindAllStringSubmatchIndex(plain, -1) {
			l := actorRe.FindStringIndex(plain[m[1]:])
			if l == nil || l[0] > 20 {
				continue
			}
			v := parseCount(plain[m[2]:m[3]])
			actor := actorName(plain[m[1]+l[0] : m[1]+l[1]])
			add(domain.Claim{Actor: actor, Metric: domain.MetricViolations, Direction: domain.DirectionCount, Value: float64(v)}, m[0], false)
		}
	}
	return out
}

// clauseBreakRe ends the clause of a passive "were killed": what follows
// "while", "but", "although" or ";" is another event (unless it counts the
// wounded of the same one), and after "as" a circumstance once the means is
// told ("killed in aerial bombardment … as
// the opposition continued to mull a truce"), though "killed as Russian
// jets pounded …" names the cause.
var (
	clauseBreakRe = regexp.MustCompile(`\s(?:while|whereas|but|although|though)\s|;`)
	asRe          = regexp.MustCompile(`\sas\s+(?:an?\s)?`) // "as a massacre …" is no clause
	meansRe       = regexp.MustCompile(`(?i)\b(?:air ?strikes?|airstrikes?|air raids?|raids?|strikes?|bombs?|bombing|bombardment|shelling|shells|attacks?|blast|explosion|fire|gunfire|missiles?|rockets?)\b`)
	// "6 were killed while 8 were injured in terrorist attacks": one event.
	injuredRe = regexp.MustCompile(`^(?:\S+\s+){0,6}?(?:were\s+|others?\s+)?(?:injured|wounded)\b`)
)

// causeClause is the part of the text after "were killed" that can name who
// killed: up to the end of its clause.
func causeClause(after string) string {
	for _, l := range clauseBreakRe.FindAllStringIndex(after, -1) {
		if strings.HasPrefix(after[l[0]:], " while ") && injuredRe.MatchString(after[l[1]:]) {
			continue
		}
		after = after[:l[0]]
		break
	}
	if l := asRe.FindStringIndex(after); l != nil && !strings.HasSuffix(after[:l[1]], "a ") &&
		!strings.HasSuffix(after[:l[1]], "an ") && meansRe.MatchString(after[:l[0]]) {
		after = after[:l[0]]
	}
	return after
}

// ownClause is the part of the text before a passive count that belongs to
// its clause: "100 civilians were killed in regime bombardment while five
// others were killed" does not say who killed the five.
func ownClause(before string) string {
	before += " " // the count's match took the space after "while"
	if ls := clauseBreakRe.FindAllStringIndex(before, -1); ls != nil {
		return before[ls[len(ls)-1][1]:]
	}
	return before
}

// victimsRe is a count of victims joined to the one that follows: "45
// Islamic State militants and [20 Kurdish fighters were killed]".
var victimsRe = regexp.MustCompile(`(?i)` + qualRe + numRe + `(?:\s+[\w-]+){1,6}?\s*(?:,|\band)\s*$`)

// victimsCut removes from the text before a passive count the victims
// listed with it, who are not the actor.
func victimsCut(before string) string {
	if l := victimsRe.FindStringIndex(before); l != nil {
		return before[:l[0]]
	}
	return before
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func metricOf(noun string) domain.Metric {
	switch n := strings.ToLower(noun); {
	case strings.Contains(n, "shell") || n == "artillery":
		return domain.MetricShelling
	case strings.Contains(n, "violation") || strings.Contains(n, "breach"):
		return domain.MetricViolations
	case strings.Contains(n, "attack") || n == "fighting" || n == "violence" || n == "hostilities":
		return domain.MetricAttacks
	}
	return domain.MetricStrikes
}

func directionOf(verb string) domain.Direction {
	switch verb {
	case "increased", "intensified", "escalated", "rose", "risen", "surged", "stepped up":
		return domain.DirectionUp
	case "stopped", "ceased", "halted":
		return domain.DirectionStopped
	}
	return domain.DirectionDown
}

func strengthOf(adv string) domain.Strength {
	switch strings.ToLower(adv) {
	case "significantly", "considerably", "substantially", "markedly":
		return domain.StrengthSignificant
	case "sharply", "dramatically", "drastically":
		return domain.StrengthSharp
	case "slightly", "somewhat", "marginally":
		return domain.StrengthSlight
	}
	return domain.StrengthNone
}
