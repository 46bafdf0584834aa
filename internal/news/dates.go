package news

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// TimeRef is a time expression found in the text and the window of days it
// denotes, [Start, End), resolved against the article date.
type TimeRef struct {
	Start  time.Time `json:"start"`
	End    time.Time `json:"end"`
	Offset int       `json:"offset"` // byte offset of the expression in the text
	Text   string    `json:"text"`
}

var (
	numberWord = `(?:\d+|a few|few|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fourteen|fifteen|twenty|thirty|forty-eight|seventy-two|twenty-four)`
	monthName  = `(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?`
	weekdayRe  = `(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)`
	timeRe     = regexp.MustCompile(`(?i)` +
		`\b(?:over|in|during|for|within)?\s*(?:the\s+)?(?:past|last|previous)\s+(` + numberWord + `)\s+(days?|hours?|weeks?)\b` + // 1,2
		`|\b(?:the\s+past|the\s+last|past)\s+(day|24 hours|week|month)\b` + // 3
		`|\b(yesterday|today|earlier today|this morning|tonight|last night|overnight|last week|earlier this week|this week|last month|earlier this month|this month|last year|earlier this year|this year)\b` + // 4
		`|\bsince\s+(early|mid|late)[- ](` + monthName + `)` + // 5,6
		`|\bsince\s+(\d{1,2})\s+(` + monthName + `)` + // 7,8
		`|\bsince\s+(` + monthName + `)\s+(\d{1,2})\b` + // 9,10
		`|\b(?:on\s+)?(` + weekdayRe + `)\b` + // 11
		`|\b(\d{1,2})\s+(` + monthName + `)(?:\s+(\d{4}))?` + // 12,13,14
		`|\b(` + monthName + `)\s+(\d{1,2})(?:,?\s+(\d{4}))?\b` + // 15,16,17
		`|\b(` + numberWord + `)\s+(days?|weeks?)\s+ago\b` + // 18,19
		`|\bsince\s+(?:(early|mid|late)[- ])?((?:19|20)\d\d)\b`) // 20,21
	// futureRe marks a clause that speaks of days to come: "talks are
	// due to resume on Friday" is the next Friday, not the last.
	// reportedRe follows a day on which something was said: "officials on
	// Wednesday said Kerry will meet…" is a past Wednesday.
	reportedRe = regexp.MustCompile(`^\s+(?:said|says|announced|told|reported|confirmed|stated|added)\b`)
	futureRe   = regexp.MustCompile(`(?i)\b(?:will|shall|next|is due|are due|scheduled|expected to|is set to|are set to|plans? to|planned|to be held|are holding|is holding|to meet|to resume)\b[^.;:]*$`)
)

var smallNumbers = map[string]int{
	"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
	"nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
	"sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
	"forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
	"hundred": 100, "dozen": 12, "twenty-four": 24, "forty-eight": 48, "seventy-two": 72,
}

// ResolveTimes finds time expressions in s and resolves each against the
// article day ref: "on Tuesday" is the latest Tuesday on or before ref (a
// report dated Tuesday that says "on Tuesday" means that day), unless the
// clause speaks of the future ("will meet on Thursday", "next Tuesday"):
// then the next such day on or after ref;
// "over the past two days" the two days before ref, "since late September"
// runs from 21 September of the latest such September to ref, "last week"
// is the calendar week (Monday to Sunday) before ref's. A zero ref yields
// nothing, since nothing can be resolved.
func ResolveTimes(s string, ref time.Time) []TimeRef {
	if ref.IsZero() || !mayHoldTime(s) {
		return nil
	}
	y, m, d := ref.Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	var out []TimeRef
	for _, loc := range timeRe.FindAllStringSubmatchIndex(s, -1) {
		g := func(i int) string {
			if loc[2*i] < 0 {
				return ""
			}
			return s[loc[2*i]:loc[2*i+1]]
		}
		var start, end time.Time
		switch {
		case g(1) != "":
			n := parseCount(g(1))
			if f := strings.ToLower(g(1)); f == "few" || f == "a few" {
				n = 3 // "the past few days": a few is three
			}
			unit := strings.ToLower(g(2))
			switch {
			case strings.HasPrefix(unit, "hour"):
				n = max(1, (n+23)/24)
			case strings.HasPrefix(unit, "week"):
				n *= 7
			}
			if n <= 0 {
				continue
			}
			start, end = day.AddDate(0, 0, -n), day
		case g(3) != "":
			switch strings.ToLower(g(3)) {
			case "day", "24 hours":
				start = day.AddDate(0, 0, -1)
			case "week":
				start = day.AddDate(0, 0, -7)
			case "month":
				start = day.AddDate(0, -1, 0)
			}
			end = day
		case g(4) != "":
			switch strings.ToLower(g(4)) {
			case "yesterday":
				start, end = day.AddDate(0, 0, -1), day
			case "today", "earlier today", "this morning", "tonight":
				start, end = day, day.AddDate(0, 0, 1)
			case "last night", "overnight": // the night before the article: its two days
				start, end = day.AddDate(0, 0, -1), day.AddDate(0, 0, 1)
			case "this week", "earlier this week":
				start, end = weekStart(day), day.AddDate(0, 0, 1)
			case "this month", "earlier this month":
				start, end = time.Date(y, m, 1, 0, 0, 0, 0, time.UTC), day.AddDate(0, 0, 1)
			case "this year", "earlier this year":
				start, end = time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), day.AddDate(0, 0, 1)
			case "last year":
				start, end = time.Date(y-1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
			case "last week":
				end = weekStart(day)
				start = end.AddDate(0, 0, -7)
			case "last month":
				end = time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
				start = end.AddDate(0, -1, 0)
			}
		case g(5) != "":
			mon, ok := parseMonth(g(6))
			if !ok {
				continue
			}
			dd := map[string]int{"early": 1, "mid": 11, "late": 21}[strings.ToLower(g(5))]
			start, end = latest(day, mon, dd), day
		case g(7) != "":
			mon, ok := parseMonth(g(8))
			dd, _ := strconv.Atoi(g(7))
			if !ok || dd < 1 || dd > 31 {
				continue
			}
			start, end = latest(day, mon, dd), day
		case g(9) != "":
			mon, ok := parseMonth(g(9))
			dd, _ := strconv.Atoi(g(10))
			if !ok || dd < 1 || dd > 31 {
				continue
			}
			start, end = latest(day, mon, dd), day
		case g(11) != "":
			wd := weekdays[strings.ToLower(g(11))]
			if futureRe.MatchString(clauseBefore(s, loc[0])) && !reportedRe.MatchString(s[loc[1]:]) {
				ahead := (int(wd) - int(day.Weekday()) + 7) % 7
				start = day.AddDate(0, 0, ahead)
			} else {
				back := (int(day.Weekday()) - int(wd) + 7) % 7
				start = day.AddDate(0, 0, -back)
			}
			end = start.AddDate(0, 0, 1)
		case g(18) != "":
			n := parseCount(g(18))
			if f := strings.ToLower(g(18)); f == "few" || f == "a few" {
				n = 3
			}
			if n <= 0 {
				continue
			}
			if strings.HasPrefix(strings.ToLower(g(19)), "week") {
				start, end = day.AddDate(0, 0, -7*n), day.AddDate(0, 0, -7*n+7)
			} else {
				start, end = day.AddDate(0, 0, -n), day.AddDate(0, 0, -n+1)
			}
		case g(21) != "":
			yy, _ := strconv.Atoi(g(21))
			mon := map[string]time.Month{"": time.January, "early": time.January, "mid": time.May, "late": time.September}[strings.ToLower(g(20))]
			start = time.Date(yy, mon, 1, 0, 0, 0, 0, time.UTC)
			if start.After(day) {
				continue
			}
			end = day
		case g(12) != "" || g(16) != "":
			dn, mn, yn := g(12), g(13), g(14)
			if dn == "" {
				dn, mn, yn = g(16), g(15), g(17)
			}
			mon, ok := parseMonth(mn)
			dd, _ := strconv.Atoi(dn)
			if !ok || dd < 1 || dd > 31 {
				continue
			}
			if yn != "" {
				yy, _ := strconv.Atoi(yn)
				start = time.Date(yy, mon, dd, 0, 0, 0, 0, time.UTC)
			} else {
				start = latest(day, mon, dd)
			}
			end = start.AddDate(0, 0, 1)
		default:
			continue
		}
		text := strings.TrimSpace(s[loc[0]:loc[1]])
		out = append(out, TimeRef{Start: start, End: end, Offset: loc[0] + strings.Index(s[loc[0]:loc[1]], text), Text: text})
	}
	return out
}

// timeWords are in every expression timeRe matches ("day" in each
// weekday, "today" and "yesterday"; a digit in every date): a sentence
// without one is skipped before the regular expression, which costs a
// backtracking attempt at every byte. Lower case; "ſ" and the Kelvin sign,
// which (?i) also folds, are not looked for.
var timeWords = []string{"day", "hour", "week", "month", "year", "night", "morning", "since", "ago",
	"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}

func mayHoldTime(s string) bool {
	lower := strings.ToLower(s)
	for _, w := range timeWords {
		if strings.Contains(lower, w) {
			return true
		}
	}
	return false
}

// clauseBefore returns the part of s's clause before at: back to the last
// stop, semicolon or "said", so that "said on Monday it will…" reads the
// Monday as past.
func clauseBefore(s string, at int) string {
	c := s[max(0, at-80):at]
	if i := strings.LastIndexAny(c, ".;:"); i >= 0 {
		c = c[i+1:]
	}
	if i := strings.LastIndex(strings.ToLower(c), " said"); i >= 0 {
		c = c[i+5:]
	}
	return c
}

var weekdays = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
}

func weekStart(day time.Time) time.Time {
	back := (int(day.Weekday()) + 6) % 7 // Monday is 0
	return day.AddDate(0, 0, -back)
}

// latest returns the latest date with the given month and day on or before
// ref: "since 21 May" in a February article means last year's May.
func latest(ref time.Time, mon time.Month, dd int) time.Time {
	t := time.Date(ref.Year(), mon, dd, 0, 0, 0, 0, time.UTC)
	if t.After(ref) {
		t = t.AddDate(-1, 0, 0)
	}
	return t
}

func parseMonth(s string) (time.Month, bool) {
	s = strings.ToLower(strings.TrimSuffix(s, "."))
	if len(s) < 3 {
		return 0, false
	}
	for m := time.January; m <= time.December; m++ {
		if strings.HasPrefix(strings.ToLower(m.String()), s[:3]) {
			return m, true
		}
	}
	return 0, false
}

// parseCount reads "24", "two", "two dozen", "Sixty-two", "a hundred";
// it returns -1 for anything else.
func parseCount(s string) int {
	s = strings.ToLower(strings.TrimSpace(strings.ReplaceAll(s, ",", "")))
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	if n, ok := smallNumbers[s]; ok {
		return n
	}
	if f := strings.Fields(s); len(f) == 2 {
		a, b := parseCount(f[0]), f[1]
		if f[0] == "a" {
			a = 1
		}
		switch b {
		case "dozen":
			if a > 0 {
				return a * 12
			}
		case "hundred":
			if a > 0 {
				return a * 100
			}
		case "thousand":
			if a > 0 {
				return a * 1000
			}
		}
	}
	if tens, units, ok := strings.Cut(s, "-"); ok {
		t, u := smallNumbers[tens], smallNumbers[units]
		if t >= 20 && t%10 == 0 && u > 0 && u < 10 {
			return t + u
		}
	}
	return -1
}
