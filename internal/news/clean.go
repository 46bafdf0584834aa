package news

import (
	"regexp"
	"strings"
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
	return cleanLines(text, true)
}

func cleanLines(text string, guessTitle bool) (title, body string) {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	var paras []string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(strings.Join(strings.Fields(line), " "))
		if line == "" || isChrome(line) {
			continue
		}
		line = strings.TrimSpace(inlineChrome.ReplaceAllString(line, " "))
		if line == "" {
			continue
		}
		if guessTitle && title == "" && len(paras) == 0 && isHeadline(line) {
			title = line
			continue
		}
		paras = append(paras, line)
	}
	// Headlines after the last paragraph are links to related stories.
	for len(paras) > 1 && isHeadline(paras[len(paras)-1]) {
		paras = paras[:len(paras)-1]
	}
	return title, strings.Join(paras, "\n\n")
}

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
