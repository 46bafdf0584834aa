package bulletin

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/trucedesk/truce/internal/stats"
)

// Options control rendering.
type Options struct {
	// BaseURL is put before the API links ("https://desk.example.org"), so
	// a bulletin read offline or forwarded still leads to its records.
	BaseURL string
}

func (o Options) link(path string) string { return strings.TrimSuffix(o.BaseURL, "/") + path }

//go:embed bulletin.html.tmpl
var htmlTemplate string

var funcs = template.FuncMap{
	"chart":  func(r *Report, link func(string) string) template.HTML { return template.HTML(chartSVG(r, link)) },
	"mapsvg": func(r *Report, link func(string) string) template.HTML { return template.HTML(mapSVG(r, link)) },
	"local":  func(r *Report, t time.Time) string { return localTime(r, t) },
	"day":    func(d stats.Day) string { return d.Date().Format("Monday 2 January 2006") },
	"test":   testLine,
	"dict3": func(title, head string, rows []Row, link func(string) string) rowsData {
		return rowsData{title, head, rows, link}
	},
}

type rowsData struct {
	Title, Head string
	Rows        []Row
	Link        func(string) string
}

var tmpl = template.Must(template.New("bulletin").Funcs(funcs).Parse(htmlTemplate))

// HTML renders the bulletin as one self-contained page: CSS and charts are
// inline, nothing is fetched, so it reads the same offline.
func HTML(r *Report, o Options) ([]byte, error) {
	var b bytes.Buffer
	err := tmpl.Execute(&b, struct {
		*Report
		Link func(string) string
	}{r, o.link})
	if err != nil {
		return nil, fmt.Errorf("render bulletin html: %w", err)
	}
	return b.Bytes(), nil
}

func localTime(r *Report, t time.Time) string {
	loc, err := time.LoadLocation(r.Agreement.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2 Jan 2006 15:04 MST")
}

// testLine is the sentence of the day's intensity test.
func testLine(r *Report) string {
	if r.Intensity.Test == nil {
		return r.Intensity.TestNote
	}
	t := r.Intensity.Test
	return t.Sentence + " Test: " + t.Preferred.Method + " (" + t.Why + ")."
}

// Markdown renders the bulletin as Markdown, with the chart as a table of
// days, since Markdown readers do not all show inline SVG.
func Markdown(r *Report, o Options) []byte {
	var b strings.Builder
	ln := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	ln("# %s", r.Title)
	ln("")
	ln("**%s** — %s.", r.Agreement.Name, dayLine(r))
	ln("")
	ln("Local day %s to %s (%s). Figures as of %s.", localTime(r, r.From), localTime(r, r.Until), r.Agreement.TimeZone, r.AsOf.Format(time.RFC3339))
	for _, n := range r.Notes {
		ln("")
		ln("> %s", n)
	}
	ln("")
	ln("## Violations")
	ln("")
	ln("%s: **[%d](%s)** (%d deaths).", r.Violations.Label, r.Violations.Total, o.link(r.Violations.Link), r.Violations.Fatalities)
	mdRows(ln, o, "By governorate", "Governorate", r.Violations.ByGovernorate, true)
	mdRows(ln, o, "By alleged perpetrator", "Party", r.Violations.ByParty, true)
	if len(r.Verdicts) > 0 {
		mdRows(ln, o, "Verdicts on the day's incidents", "Outcome", r.Verdicts, true)
	}
	ln("")
	ln("## Commitments and reconciliations")
	ln("")
	if len(r.Commitments) == 0 {
		ln("No party status took effect on this day.")
	} else {
		ln("| Party | Status | Through / by | Effective |")
		ln("|---|---|---|---|")
		for _, c := range r.Commitments {
			ln("| [%s](%s) | %s | %s | %s |", mdEscape(c.Party), o.link(c.Link), c.Kind, mdEscape(c.Designator), localTime(r, c.At))
		}
	}
	ln("")
	ln("### Local reconciliation agreements")
	ln("")
	rs := r.Reconciliations
	ln("Signed on this day: **[%d](%s)**. In force at the end of the day: **[%d](%s)**; signed and not yet reported in force: **[%d](%s)**.",
		len(rs.New), o.link(rs.Link), rs.InForce, o.link(rs.InForceLink), rs.Pending, o.link(rs.PendingLink))
	if len(rs.New) > 0 {
		ln("")
		ln("| Settlement | Governorate | Parties | Terms |")
		ln("|---|---|---|---|")
		for _, n := range rs.New {
			ln("| [%s](%s) | %s | %s | %s |", mdEscape(n.Settlement), o.link(n.Link), mdEscape(n.Governorate),
				mdEscape(strings.Join(n.Parties, "; ")), mdEscape(strings.Join(n.Terms, "; ")))
		}
	}
	ln("")
	ln("## Messages")
	ln("")
	ln("Received: **[%d](%s)**; still open: **[%d](%s)**.", r.Messages.Received, o.link(r.Messages.Link), r.Messages.Open, o.link(r.Messages.OpenLink))
	mdRows(ln, o, "", "Channel", r.Messages.ByChannel, false)
	ln("")
	ln("## Intensity")
	ln("")
	ln("%s, %s ([series](%s)):", r.Intensity.Label, r.Intensity.Window, o.link(r.Intensity.Link))
	ln("")
	ln("| Day | Count | |")
	ln("|---|---:|---|")
	var top int64 = 1
	for _, c := range r.Intensity.Counts {
		top = max(top, c)
	}
	for i, c := range r.Intensity.Counts {
		d := r.Intensity.Window.From + stats.Day(i)
		mark := ""
		switch {
		case d == r.Day:
			mark = " ◀ this day"
		case d == r.Agreement.StartDay:
			mark = " ◀ cessation begins"
		}
		ln("| %s | %d | %s%s |", d, c, strings.Repeat("█", int((c*20+top-1)/top)), mark)
	}
	ln("")
	ln("%s", testLine(r))
	ln("")
	ln("## Map")
	ln("")
	ln("%d incidents with a known point (%d without); the HTML and PDF bulletins draw them.", len(r.Map.Dots), r.Map.Missing)
	ln("")
	ln("## Deaths recorded by the VDC")
	ln("")
	if r.VDC.Note != "" {
		ln("%s", r.VDC.Note)
	} else {
		ln("Total: **[%d](%s)**.", r.VDC.Total, o.link(r.VDC.Link))
		mdRows(ln, o, "", "Governorate", r.VDC.Rows, false)
	}
	ln("")
	ln("---")
	ln("Each figure links to the records behind it. Violations Documentation Center in Syria (VDC) figures are theirs; OCHA boundaries.")
	return []byte(b.String())
}

func mdRows(ln func(string, ...any), o Options, title, head string, rows []Row, deaths bool) {
	ln("")
	if title != "" {
		ln("### %s", title)
		ln("")
	}
	if len(rows) == 0 {
		ln("None.")
		return
	}
	if deaths {
		ln("| %s | Incidents | Deaths |", head)
		ln("|---|---:|---:|")
	} else {
		ln("| %s | Count |", head)
		ln("|---|---:|")
	}
	for _, row := range rows {
		if deaths {
			ln("| %s | [%d](%s) | %d |", mdEscape(row.Label), row.Count, o.link(row.Link), row.Fatalities)
		} else {
			ln("| %s | [%d](%s) |", mdEscape(row.Label), row.Count, o.link(row.Link))
		}
	}
}

func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "[", `\[`, "]", `\]`, "*", `\*`, "_", `\_`).Replace(s)
}

func dayLine(r *Report) string {
	if r.DayNumber == 0 {
		return "before the cessation began on " + localTime(r, r.Agreement.Start)
	}
	return fmt.Sprintf("day %d of the cessation of hostilities", r.DayNumber)
}
