package news

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// chromeLines are whole lines that pages add around an article: share bars,
// ad slots, navigation. They are compared lower-cased and trimmed.
var chromeLines = map[string]bool{
	"share": true, "share this": true, "share this article": true, "share on facebook": true,
	"share on twitter": true, "tweet": true, "email": true, "print": true, "facebook": true,
	"twitter": true, "whatsapp": true, "linkedin": true, "telegram": true, "reddit": true,
	"advertisement": true, "advertising": true, "sponsored": true, "sponsored content": true,
	"read more": true, "read also": true, "related": true, "related news": true,
	"related articles": true, "related stories": true, "more on this": true, "comments": true,
	"subscribe": true, "follow us": true, "video": true, "photo": true, "close": true,
	"skip to content": true, "menu": true, "home": true, "top stories": true, "most read": true,
	"[click to enlarge]": true, "click to enlarge": true, "show comments": true,
}

var (
	// chromeRe matches lines that are boilerplate by their shape: bylines,
	// photo credits, cookie notices, "Related:" lists and copyright lines.
	chromeRe = regexp.MustCompile(`(?i)^(?:` +
		`by\s+[\p{Lu}][\p{L}.'-]+(?:\s+(?:[\p{Lu}][\p{L}.'-]+|and|&))*(?:\s*[,|–-]\s*[\p{L} ]{0,40})?` + // byline
		`|(?:photo|image|picture|file photo|credit)s?(?:\s+credit)?\s*[:|-].*` + // photo credit
		`|.*\((?:reuters|afp|ap|getty images|epa|anadolu)(?:\s+photo)?\)\s*$` +
		`|(?:related|read also|read more|see also|more|also read|recommended)\s*:.*` +
		`|(?:©|copyright|\(c\)).*` +
		`|.*\b(?:getty images|photo:|/ reuters|/ afp|/ ap)\b.*` +
		`)$`)
	cookieRe = regexp.MustCompile(`(?i)\bcookies?\b.*\b(?:use|accept|consent|policy|agree|browsing)\b|\b(?:accept|consent)\b.*\bcookies?\b`)
	// inlineChrome is boilerplate glued into the text of single-line
	// scrapes such as FA-KES.
	inlineChrome = regexp.MustCompile(`\s*\[Click to enlarge\]\s*|\s+(?:Read Also|Read More|Related News)\s*$`)
)

// CleanText strips page chrome from a plain-text page and returns the title
// it found (the first headline-like line, if it precedes the body) and the
// body, with paragraphs separated by blank lines.
func CleanText(text string) (title, body string) {
	p := cleanPage(text, "", true)
	return p.title, p.body
}

// page is a cleaned page: its title, its body, and the day of the dateline
// the body opened with (zero if none).
type page struct {
	title, body string
	date        time.Time
}

// cleanPage removes chrome line by line. Before the first paragraph it also
// removes a dateline and a repeat of the title (known, or guessed from the
// first headline-like line), since scrapes open the body with both.
func cleanPage(text, knownTitle string, guessTitle bool) page {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	var p page
	var paras []string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(strings.Join(strings.Fields(line), " "))
		if line == "" || isChrome(line) {
			continue
		}
		line = strings.TrimSpace(inlineChrome.ReplaceAllString(line, " "))
		if len(paras) == 0 {
			title := knownTitle
			if title == "" {
				title = p.title
			}
			var d time.Time
			line, d = stripLead(line, title)
			if p.date.IsZero() {
				p.date = d
			}
		}
		line = stripTags(line)
		if line == "" {
			continue
		}
		if guessTitle && p.title == "" && len(paras) == 0 && isHeadline(line) {
			p.title = line
			continue
		}
		paras = append(paras, line)
	}
	// Headlines after the last paragraph are links to related stories.
	for len(paras) > 1 && isHeadline(paras[len(paras)-1]) {
		paras = paras[:len(paras)-1]
	}
	p.body = strings.Join(paras, "\n\n")
	return p
}

const (
	monthRe       = `(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?`
	weekdayPrefix = `(?:(?:Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun)\.?|(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day),?\s+`
)

// datelineRe matches the datelines scrapes open a body with: "Date of
// publication 11 September 2016 [Video]", "Saturday 27 February 2016",
// "Fri Apr 15 2016", "Published August 1 2016", "Last updated at Jul
// 282016", "18.05.2017(updated 19.05.2017) Get short URL 0 15",
// "15-09-2013", "Monday 02 May 2016 20:08". Groups: day-month-year 1-3,
// month-day-year 4-6, numeric day, month, year 7-9.
var datelineRe = regexp.MustCompile(`^(?:(?:Date of publication|Published(?: on)?|Posted on|Last updated(?: at| on)?|Updated):?\s+)?` +
	`(?:` + weekdayPrefix + `)?` +
	`(?:(\d{1,2})\s+(` + monthRe + `),?\s+(\d{4})` +
	`|(` + monthRe + `)\s+(\d{1,2}),?\s*(\d{4})` +
	`|(\d{1,2})[.-](\d{1,2})[.-](\d{4}))` +
	`(?:,?\s+(?:at\s+)?(?:\d{1,2}:\d{2}|\d{4})(?:\s*[AP]M)?(?:\s*(?:GMT|UTC)(?:[+-]\d{1,2})?)?)?` +
	`(?:\s*\((?:updated|upd\.?)[^)]{0,40}\)|\))?` +
	`(?:\s*Get short URL(?:\s+\d+){0,2})?` +
	`(?:\s*[|:–—-])?(?:\s+\[?Video\]?)?(?:\s+|$)`)

// stripLead removes, from the opening of a body, a dateline (returning its
// day), print and share links, and a repeat of the title with the agency
// name a wire copy puts after it; they come in any order, as in "AFP Friday
// 22 Jul 2016 <title> Print Tweet …". The title goes once: a lead that
// says the title again is the lead.
func stripLead(line, title string) (string, time.Time) {
	if l := wireRe.FindStringIndex(line[:min(len(line), maxHeadBlock)]); l != nil && l[0] > 0 {
		return wireBlock(line, l[0], title)
	}
	var day time.Time
	titled := false
	for range 4 {
		rest := line
		if m := leadJunkRe.FindStringIndex(rest); m != nil && (m[1] == len(rest) || unicode.IsUpper(rune(rest[m[1]]))) {
			rest = rest[m[1]:]
		}
		if m := datelineRe.FindStringSubmatchIndex(rest); m != nil {
			if d, ok := datelineDay(rest, m); ok {
				if day.IsZero() {
					day = d
				}
				rest = rest[m[1]:]
			}
		}
		if !titled {
			if r := dropTitle(rest, title); r != rest {
				rest, titled = r, true
			}
		}
		rest = dropEcho(rest)
		if rest == line {
			break
		}
		line = rest
	}
	return line, day
}

// wireBlock handles a body whose headline block ends in a wire signature
// at sig ("<title> <standfirst> AFP Friday 10 Oct 2014 <lead>"): the title
// and the signature go, and the standfirst too if it retells the lead; one
// that does not is kept as a sentence of its own ("Syrian regime
// bombardment … killed at least 21 civilians …" before a lead about 19 of
// them).
func wireBlock(s string, sig int, title string) (string, time.Time) {
	head := s[:sig]
	if h := dropTitle(head, title); h != head {
		head, title = h, ""
	}
	head = strings.TrimSpace(head)
	lead, day := stripLead(s[sig:], title)
	// A few words are the source a headline names ("NGO", "State media").
	if len(strings.Fields(head)) < 4 || retells(head, lead) {
		return lead, day
	}
	if !strings.ContainsRune(".!?", rune(head[len(head)-1])) {
		head += "."
	}
	return head + " " + lead, day
}

// datelineDay reads the day a datelineRe match names; ok is false for
// impossible dates ("31.02.2016"), which are then left in the text.
func datelineDay(s string, m []int) (time.Time, bool) {
	g := func(i int) string {
		if m[2*i] < 0 {
			return ""
		}
		return s[m[2*i]:m[2*i+1]]
	}
	var dd, yy int
	var mon time.Month
	ok := false
	switch {
	case g(1) != "":
		dd, _ = strconv.Atoi(g(1))
		mon, ok = parseMonth(g(2))
		yy, _ = strconv.Atoi(g(3))
	case g(4) != "":
		mon, ok = parseMonth(g(4))
		dd, _ = strconv.Atoi(g(5))
		yy, _ = strconv.Atoi(g(6))
	default:
		dd, _ = strconv.Atoi(g(7))
		n, _ := strconv.Atoi(g(8))
		mon, ok = time.Month(n), n >= 1 && n <= 12
		yy, _ = strconv.Atoi(g(9))
	}
	t := time.Date(yy, mon, dd, 0, 0, 0, 0, time.UTC)
	if !ok || yy < 1900 || yy > 2100 || t.Day() != dd {
		return time.Time{}, false
	}
	return t, true
}

// wireRe is a wire signature, agency and weekday dateline: "… in Aleppo
// NGO AFP Monday 16 Jun 2014 <lead>". Near the start of a body it closes
// the headline block (headline, source, standfirst), which the lead
// restates.
var wireRe = regexp.MustCompile(`\b(?:AFP|AP|Reuters|REUTERS)\s+(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+` +
	`(?:\d{1,2}\s+` + monthRe + `|` + monthRe + `\s+\d{1,2}),?\s+\d{4}\b`)

// maxHeadBlock bounds how far into a body wireRe is sought.
const maxHeadBlock = 400

// leadJunkRe is what scrapes put around a dateline besides the date: print
// and share links, an "UPDATED" flag, and the agency or source a wire
// headline is signed with ("… in Aleppo NGO AFP Monday 16 Jun 2014"); these
// go only before a capitalised word, so "SANA reporter in Aleppo said"
// stays.
var leadJunkRe = regexp.MustCompile(`^(?:(?:Print this page|Print Tweet(?: Views \d+)?|UPDATED|\((?:AFP|Reuters|AP)\)|AFP|Reuters|REUTERS|AP|SANA|NGO|Monitor)\s+)+`)

// agencyRe is the wire agency a copied headline is signed with.
var agencyRe = regexp.MustCompile(`^[.:]?\s*(?:\((?:AFP|Reuters|AP)\)|AFP|Reuters|AP|SANA)?\s*[.:]?(?:\s+|$)`)

// dropTitle removes a copy of the title from the start of s, compared
// without regard to case, with the agency name that may follow it.
func dropTitle(s, title string) string {
	title = strings.TrimRight(title, ". ")
	if len(title) < 12 || len(s) < len(title) || !strings.EqualFold(s[:len(title)], title) {
		return s
	}
	rest := s[len(title):]
	cut := len(agencyRe.FindString(rest))
	switch {
	case cut == len(rest):
	case cut > 0 && (strings.ContainsRune(".:", rune(rest[0])) || strings.TrimSpace(rest[:cut]) != ""):
	case cut > 0 && unicode.IsUpper(rune(rest[cut])):
		// A headline runs into the lead without a stop: "… Idlib Dozens of people".
	default:
		return s // the title is only the start of a longer first sentence
	}
	return rest[cut:]
}

// maxEcho bounds the run dropEcho looks for a repeat of.
const maxEcho = 800

// dropEcho removes a run that the body opens with and then repeats at once,
// as pages that print the standfirst without a stop before the lead that
// restates it do: "Eleven civilians were killed … on Friday Eleven civilians
// were killed … on Friday." Each claim in it would be found twice.
func dropEcho(s string) string {
	words := strings.SplitN(s, " ", 7)
	if len(words) < 7 {
		return s
	}
	head := strings.Join(words[:6], " ")
	if len(head) >= maxEcho {
		return s
	}
	k := strings.Index(s[len(head):min(len(s), maxEcho)], " "+head)
	if k < 0 {
		return s
	}
	k += len(head) + 1
	if !strings.HasPrefix(s[k:], s[:k-1]) {
		return s
	}
	return s[k:]
}

// tagsRe finds the "Tags" label of a tag list glued into a scraped line.
var tagsRe = regexp.MustCompile(`(?:^|[.!?"”)]\s+|\s)Tags\s+`)

// sputnikTail is the comment bar that follows a trailing tag list.
const sputnikTail = "Community standards"

// stripTags removes a tag list glued into a line. A list at the end of the
// line (before a comment bar, or with no sentence after it) goes whole. A
// list between a standfirst and the lead ("<standfirst>. Tags Syria Aleppo
// Airstrikes At least five civilians were killed …") goes up to where the
// lead begins (see leadStart); the standfirst goes too when it retells the
// lead, since it would yield each statement and claim twice. With no clear
// lead start the line is left as it is: a tag too many beats a lost
// sentence.
func stripTags(line string) string {
	if !strings.Contains(line, "Tags ") {
		return line
	}
	loc := tagsRe.FindStringIndex(line)
	if loc == nil {
		return line
	}
	at := loc[0]
	if line[at] != ' ' && line[at] != 'T' {
		at++ // keep the stop that ends the sentence before the list
	}
	before, after := strings.TrimSpace(line[:at]), line[loc[1]:]
	if strings.Contains(after, sputnikTail) {
		return before
	}
	n := leadStart(after, before)
	if n < 0 {
		return line
	}
	lead := after[n:]
	if before == "" || retells(before, lead) {
		return lead
	}
	return before + " " + lead
}

// Words a lead sentence opens with that a tag list does not hold:
// determiners and number words before any word ("An Israeli airstrike",
// "Four Hizballah members"), quantifiers before a lower-case word or a
// number ("At least 19", "Dozens of").
var (
	leadDeterminers = set("A", "An", "The", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight",
		"Nine", "Ten", "Eleven", "Twelve", "Thirteen", "Fourteen", "Fifteen", "Sixteen", "Seventeen",
		"Eighteen", "Nineteen", "Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty",
		"Ninety")
	leadQuantifiers = set("At", "More", "Over", "Nearly", "Almost", "Some", "About", "Around", "Up",
		"Dozens", "Hundreds", "Thousands", "Scores", "Several", "One")
)

// sentenceWords are lower-case words of running text that tag lists lack:
// "Tags Syria Ariha Government air raids in …" has passed the lead's start.
var sentenceWords = set("a", "an", "in", "on", "at", "to", "by", "and", "or", "was", "were", "is",
	"are", "has", "have", "had", "been", "that", "with", "from", "into", "after", "as", "say", "says",
	"said")

// maxTagScan bounds how far into the text after "Tags" the lead is sought.
const maxTagScan = 600

// leadStart returns the byte offset in s, the text after "Tags ", at which
// the lead sentence begins, or -1. The tag list holds at least one word and
// ends at the first of: a stop ("sniper fire. An adult …"); the opening
// three words of the standfirst, which leads repeat ("Russia has
// accused"); a lead opener (leadDeterminers, leadQuantifiers). Failing
// those, the first word of running text (sentenceWords, or a lower-case
// past tense: "bombed") ends the lead's subject, which starts at the
// nearest capitalised word before it: "… Turkey Syrian regime | Syrian
// regime warplanes bombed".
func leadStart(s, standfirst string) int {
	if len(s) > maxTagScan {
		s = s[:strings.LastIndexByte(s[:maxTagScan], ' ')+1]
	}
	words := strings.Fields(s)
	offs := make([]int, len(words))
	for i, off := 0, 0; i < len(words); i++ {
		off += strings.Index(s[off:], words[i])
		offs[i] = off
		off += len(words[i])
	}
	echo := strings.Fields(standfirst)
	if len(echo) > 3 {
		echo = echo[:3]
	}
	for i := 1; i < len(words); i++ {
		w, prev := words[i], words[i-1]
		if strings.HasSuffix(prev, ".") && isCap(w) {
			return offs[i]
		}
		if len(echo) == 3 && i+3 <= len(words) && slices.Equal(words[i:i+3], echo) {
			return offs[i]
		}
		if runningText(w) {
			for j := i - 1; j >= 1; j-- {
				if r := []rune(words[j])[0]; unicode.IsUpper(r) {
					return offs[j]
				} else if !unicode.IsLower(r) {
					break
				}
			}
			return -1
		}
		if i+1 >= len(words) {
			break
		}
		next := []rune(words[i+1])[0]
		switch {
		case leadDeterminers[w]:
			return offs[i]
		case (leadQuantifiers[w] || unicode.IsDigit([]rune(w)[0])) && (unicode.IsLower(next) || unicode.IsDigit(next)):
			return offs[i]
		}
	}
	return -1
}

// runningText reports whether w is a word of a sentence rather than of a
// tag: a function word, or a lower-case past tense.
func runningText(w string) bool {
	return sentenceWords[w] || len(w) > 4 && strings.HasSuffix(w, "ed") && unicode.IsLower([]rune(w)[0])
}

// retells reports whether a standfirst tells what the lead's first two
// sentences tell: enough of its words recur there. A standfirst is the
// publisher's summary, so most retell the lead in other words ("At least 16
// civilians have been killed" / "Sixteen civilians … were killed"); one
// that shares few words (FA-KES 1923102898: a 24-hour toll of 45 where the
// lead gives one district's 12) is kept.
func retells(standfirst, lead string) bool {
	if end := strings.Index(lead, ". "); end > 0 {
		if end2 := strings.Index(lead[end+2:], ". "); end2 > 0 {
			end += 2 + end2
		} else {
			end = len(lead)
		}
		lead = lead[:end]
	}
	in := map[string]bool{}
	for _, w := range strings.Fields(strings.ToLower(lead)) {
		in[strings.Trim(w, ".,;:\"“”")] = true
	}
	var n, hit int
	for _, w := range strings.Fields(strings.ToLower(standfirst)) {
		w = strings.Trim(w, ".,;:\"“”")
		if len(w) < 4 { // content words only
			continue
		}
		n++
		if in[w] {
			hit++
		}
	}
	return n > 0 && float64(hit)/float64(n) >= retellShare
}

// retellShare is the share of a standfirst's content words (four letters or
// more) that must recur in the lead for it to count as a retelling; on the
// 73 FA-KES standfirsts it drops 66, each a retelling by our reading.
const retellShare = 0.4

func isChrome(line string) bool {
	l := strings.ToLower(strings.Trim(line, " :|•·-–—"))
	if chromeLines[l] {
		return true
	}
	if len(line) < 300 && (chromeRe.MatchString(line) || cookieRe.MatchString(line)) {
		return true
	}
	return false
}

// isHeadline reports whether a line looks like a headline: short, and not
// ending as a sentence does.
func isHeadline(line string) bool {
	words := strings.Fields(line)
	if len(words) == 0 || len(words) > 20 {
		return false
	}
	last := []rune(line)
	r := last[len(last)-1]
	if strings.ContainsRune(".!?\"”’:;)", r) {
		return false
	}
	return unicode.IsUpper([]rune(words[0])[0]) || unicode.IsDigit([]rune(words[0])[0])
}
