package bulletin

import (
	"fmt"
	"html"
	"math"
	"strings"

	"github.com/trucedesk/truce/internal/stats"
)

// Chart geometry, shared by the SVG and the PDF drawing so they look alike.
const (
	chartW, chartH         = 640.0, 220.0
	chartLeft, chartRight  = 40.0, 10.0
	chartTop, chartBottom  = 24.0, 36.0
	colourBar, colourDay   = "#8aa4c8", "#b22222"
	colourStart, colourMap = "#444444", "#f2efe9"
)

// chartLayout is where each bar of the intensity chart goes.
type chartLayout struct {
	bars           []chartBar
	yMax           int64
	startX         float64 // the agreement start's x, or -1 when off the chart
	startLeft      bool    // write "cessation begins" left of the line, clear of the last bars
	plotW, plotH   float64
	baseY, originX float64
	labels         []chartLabel
}

type chartBar struct {
	x, y, w, h float64
	day        bool
	n          int64
	d          stats.Day
}

type chartLabel struct {
	x    float64
	text string
}

func layoutChart(in Intensity, day, start stats.Day) chartLayout {
	l := chartLayout{plotW: chartW - chartLeft - chartRight, plotH: chartH - chartTop - chartBottom,
		originX: chartLeft, baseY: chartH - chartBottom, startX: -1}
	n := len(in.Counts)
	for _, c := range in.Counts {
		l.yMax = max(l.yMax, c)
	}
	top := niceMax(l.yMax)
	step := l.plotW / float64(max(n, 1))
	for i, c := range in.Counts {
		h := 0.0
		if top > 0 {
			h = float64(c) / float64(top) * l.plotH
		}
		d := in.Window.From + stats.Day(i)
		l.bars = append(l.bars, chartBar{x: chartLeft + float64(i)*step + step*0.15, y: l.baseY - h,
			w: step * 0.7, h: h, day: d == day, n: c, d: d})
		if i%7 == 0 || d == day {
			l.labels = append(l.labels, chartLabel{x: chartLeft + float64(i)*step + step/2, text: d.Date().Format("2 Jan")})
		}
	}
	if in.Window.Contains(start) {
		l.startX = chartLeft + float64(start-in.Window.From)*step
		l.startLeft = l.startX+startLabelW > chartLeft+l.plotW
	}
	l.yMax = top
	return l
}

// niceMax rounds a maximum up to 1, 2 or 5 times a power of ten, so the
// axis reads at a glance.
func niceMax(v int64) int64 {
	if v <= 0 {
		return 0
	}
	p := int64(math.Pow(10, math.Floor(math.Log10(float64(v)))))
	for _, m := range []int64{1, 2, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

// startLabelW is the room "cessation begins" takes at 10 units.
const startLabelW = 90.0

// ChartSVG draws the intensity chart: a bar a day, the bulletin's day in
// red, the start of the cessation as a dashed line. Each bar links to the
// list of its day's incidents.
func ChartSVG(r *Report) string { return chartSVG(r, func(s string) string { return s }) }

func chartSVG(r *Report, link func(string) string) string {
	l := layoutChart(r.Intensity, r.Day, r.Agreement.StartDay)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %.0f %.0f" width="%.0f" height="%.0f" role="img" aria-label="%s">`,
		chartW, chartH, chartW, chartH, html.EscapeString(r.Intensity.Label))
	fmt.Fprintf(&b, `<title>%s, %s</title>`, html.EscapeString(r.Intensity.Label), r.Intensity.Window)
	fmt.Fprintf(&b, `<text x="%.0f" y="14" font-size="12" font-family="sans-serif">%s</text>`, chartLeft, html.EscapeString(r.Intensity.Label))
	fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#999"/>`, chartLeft, l.baseY, chartLeft+l.plotW, l.baseY)
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="10" text-anchor="end" font-family="sans-serif">%d</text>`, chartLeft-4, chartTop+4, l.yMax)
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="10" text-anchor="end" font-family="sans-serif">0</text>`, chartLeft-4, l.baseY)
	for _, bar := range l.bars {
		c := colourBar
		if bar.day {
			c = colourDay
		}
		// The link covers the bar's whole column, so a day of zero can be
		// opened too.
		fmt.Fprintf(&b, `<a href="%s"><rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="transparent"/>`+
			`<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/><title>%s: %d</title></a>`,
			html.EscapeString(link(dayLink(r, bar.d))), bar.x, chartTop, bar.w, l.baseY-chartTop,
			bar.x, bar.y, bar.w, bar.h, c, bar.d, bar.n)
	}
	for _, lb := range l.labels {
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="10" text-anchor="middle" font-family="sans-serif">%s</text>`, lb.x, l.baseY+14, lb.text)
	}
	if l.startX >= 0 {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-dasharray="4 3"/>`, l.startX, chartTop, l.startX, l.baseY, colourStart)
		if l.startLeft {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="10" text-anchor="end" font-family="sans-serif">cessation begins</text>`, l.startX-3, chartTop+10)
		} else {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="10" font-family="sans-serif">cessation begins</text>`, l.startX+3, chartTop+10)
		}
	}
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="10" font-family="sans-serif" fill="%s">■ %s</text>`, chartLeft, chartH-6, colourDay, r.Day)
	b.WriteString(`</svg>`)
	return b.String()
}

// mapW is the width of the map in SVG units.
const mapW = 360.0

// MapSVG draws the governorates with the day's incidents as dots: red for
// prohibited types, grey for the rest; each dot links to its incident.
func MapSVG(r *Report) string { return mapSVG(r, func(s string) string { return s }) }

func mapSVG(r *Report, link func(string) string) string {
	p := newProjection(r.Map, mapW)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="-2 -2 %.0f %.0f" width="%.0f" height="%.0f" role="img" aria-label="Map of the day's incidents">`,
		p.w+4, p.h+4, p.w+4, p.h+4)
	for _, s := range r.Map.Regions {
		fmt.Fprintf(&b, `<path fill="%s" stroke="#888" stroke-width="0.6" d="`, colourMap)
		for _, poly := range s.Polygons {
			for _, ring := range poly {
				for i, pt := range ring {
					x, y := p.xy(pt[0], pt[1])
					cmd := "L"
					if i == 0 {
						cmd = "M"
					}
					fmt.Fprintf(&b, "%s%.1f %.1f", cmd, x, y)
				}
				b.WriteString("Z")
			}
		}
		fmt.Fprintf(&b, `"><title>%s</title></path>`, html.EscapeString(s.Name))
	}
	for _, d := range r.Map.Dots {
		x, y := p.xy(d.Lon, d.Lat)
		c := "#777"
		if d.Prohibited {
			c = colourDay
		}
		fmt.Fprintf(&b, `<a href="%s"><circle cx="%.1f" cy="%.1f" r="3" fill="%s" fill-opacity="0.8"/></a>`, html.EscapeString(link(d.Link)), x, y, c)
	}
	b.WriteString(`</svg>`)
	return b.String()
}
