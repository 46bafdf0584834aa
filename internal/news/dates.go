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
	numberWord = `(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fourteen|fifteen|twenty|thirty|forty-eight|seventy-two|twenty-four)`
	monthName  = `(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?`
	weekdayRe  = `(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)`
	timeRe     = regexp.MustCompile(`(?i)` +
		`\b(?:over|in|during|for|within)?\s*(?:the\s+)?(?:past|last|previous)\s+(` + numberWord + `)\s+(days?|hours?|weeks?)\b` + // 1,2
		`|\b(?:the\s+past|the\s+last|past)\s+(day|24 hours|week|month)\b` + // 3
		`|\b(yesterday|today|last week|last month|this week)\b` + // 4
		`|\bsince\s+(early|mid|late)[- ](` + monthName + `)` + // 5,6
		`|\bsince\s+(\d{1,2})\s+(` + monthName + `)` + // 7,8
		`|\bsince\s+(` + monthName + `)\s+(\d{1,2})\b` + // 9,10
		`|\b(?:on\s+)?(` + weekdayRe + `)\b` + // 11
		`|\b(\d{1,2})\s+(` + monthName + `)(?:\s+(\d{4}))?` + // 12,13,14
		`|\b(` + monthName + `)\s+(\d{1,2})(?:,?\s+(\d{4}))?\b`) // 15,16,17
)

var smallNumbers = map[string]int{
	"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
	"nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
	"sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
	"forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
	"hundred": 100, "dozen": 12, "twenty-four": 24, "forty-eight": 48, "seventy-two": 72,
}

// ResolveTimes finds time expressions in s and resolves each against the
// article day ref: "on Tuesday" is the latest Tuesday on or before ref,
// "over the past two days" the two days before ref, "since late September"
// runs from 21 September of the latest such September to ref, "last week"
// is the calendar week (Monday to Sunday) before ref's. A zero ref yields
// nothing, since nothing can be resolved.
func ResolveTimes(s string, ref time.Time) []TimeRef {
	if ref.IsZero() {
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
			case "today":
				start, end = day, day.AddDate(0, 0, 1)
			case "this week":
				start, end = weekStart(day), day.AddDate(0, 0, 1)
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
			back := (int(day.Weekday()) - int(wd) + 7) % 7
			start = day.AddDate(0, 0, -back)
			end = start.AddDate(0, 0, 1)
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
