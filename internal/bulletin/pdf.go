package bulletin

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
)

// PDF renders the bulletin on A4. It uses fpdf's core Helvetica, whose
// encoding is Windows-1252: the bulletin prints English names only (party
// names, OCHA's Latin governorate names), and any character outside
// Windows-1252 is replaced by "?" rather than dropped silently, so nothing
// is misread. The chart and map are drawn with PDF vector primitives, from
// the same layout as the SVG, so no rasteriser or font file is needed.
func PDF(r *Report, o Options) ([]byte, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCompression(true)
	pdf.SetCatalogSort(true)
	pdf.SetCreationDate(r.AsOf)
	pdf.SetModificationDate(r.AsOf)
	pdf.SetMargins(15, 15, 15)
	pdf.SetAutoPageBreak(true, 15)
	tr := latin1(pdf.UnicodeTranslatorFromDescriptor(""))
	pdf.SetTitle(tr(r.Title+" - "+r.Agreement.Name), false)
	pdf.SetAuthor("Truce ceasefire desk", false)
	pdf.SetFooterFunc(func() {
		pdf.SetY(-11)
		pdf.SetFont("Helvetica", "", 7)
		pdf.SetTextColor(110, 110, 110)
		pdf.CellFormat(0, 4, tr(fmt.Sprintf("%s - %s - page %d/{nb}", r.Agreement.Name, r.Title, pdf.PageNo())), "", 0, "C", false, 0, "")
		pdf.SetTextColor(0, 0, 0)
	})
	pdf.AliasNbPages("{nb}")
	pdf.AddPage()
	w, _ := pdf.GetPageSize()
	body := w - 30

	pdf.SetFont("Helvetica", "B", 18)
	pdf.MultiCell(body, 8, tr(r.Title), "", "L", false)
	pdf.SetFont("Helvetica", "", 10)
	pdf.MultiCell(body, 5, tr(r.Agreement.Name+" - "+dayLine(r)+"."), "", "L", false)
	pdf.SetTextColor(90, 90, 90)
	pdf.MultiCell(body, 5, tr(fmt.Sprintf("Local day %s to %s (%s). Figures as of %s.",
		localTime(r, r.From), localTime(r, r.Until), r.Agreement.TimeZone, r.AsOf.Format(time.RFC3339))), "", "L", false)
	pdf.SetTextColor(0, 0, 0)
	for _, n := range r.Notes {
		pdf.Ln(1)
		pdf.SetFillColor(255, 246, 214)
		pdf.MultiCell(body, 5, tr(n), "", "L", true)
	}

	heading := func(s string) {
		pdf.Ln(4)
		if _, y := pdf.GetXY(); y > 260 {
			pdf.AddPage()
		}
		pdf.SetFont("Helvetica", "B", 13)
		pdf.CellFormat(body, 7, tr(s), "B", 1, "L", false, 0, "")
		pdf.Ln(1)
		pdf.SetFont("Helvetica", "", 10)
	}
	para := func(s string) { pdf.MultiCell(body, 5, tr(s), "", "L", false) }
	table := func(title, head, count string, rows []Row, deaths bool) {
		if title != "" {
			pdf.SetFont("Helvetica", "B", 10)
			pdf.CellFormat(body, 6, tr(title), "", 1, "L", false, 0, "")
		}
		pdf.SetFont("Helvetica", "", 9)
		if len(rows) == 0 {
			para("None.")
			return
		}
		cw := []float64{body - 50, 25, 25}
		pdf.SetFillColor(236, 236, 236)
		pdf.CellFormat(cw[0], 5, tr(head), "", 0, "L", true, 0, "")
		pdf.CellFormat(cw[1], 5, count, "", 0, "R", true, 0, "")
		if !deaths {
			pdf.CellFormat(cw[1], 5, "", "", 0, "R", true, 0, "")
		} else {
			pdf.CellFormat(cw[2], 5, "Deaths", "", 0, "R", true, 0, "")
		}
		pdf.Ln(-1)
		for _, row := range rows {
			pdf.CellFormat(cw[0], 5, tr(row.Label), "B", 0, "L", false, 0, "")
			pdf.SetTextColor(26, 77, 143)
			pdf.CellFormat(cw[1], 5, strconv.FormatInt(row.Count, 10), "B", 0, "R", false, 0, o.link(row.Link))
			pdf.SetTextColor(0, 0, 0)
			d := ""
			if deaths {
				d = strconv.FormatInt(row.Fatalities, 10)
			}
			pdf.CellFormat(cw[2], 5, d, "B", 1, "R", false, 0, "")
		}
		pdf.SetFont("Helvetica", "", 10)
	}
	figure := func(label string, n int64, link string) {
		pdf.SetFont("Helvetica", "", 10)
		pdf.Write(5, tr(label+": "))
		pdf.SetFont("Helvetica", "B", 12)
		pdf.SetTextColor(26, 77, 143)
		pdf.WriteLinkString(5, strconv.FormatInt(n, 10), o.link(link))
		pdf.SetTextColor(0, 0, 0)
		pdf.SetFont("Helvetica", "", 10)
	}

	heading("Violations")
	figure(r.Violations.Label, r.Violations.Total, r.Violations.Link)
	pdf.Write(5, tr(fmt.Sprintf(" (%d deaths).", r.Violations.Fatalities)))
	pdf.Ln(7)
	table("By governorate", "Governorate", "Incidents", r.Violations.ByGovernorate, true)
	pdf.Ln(2)
	table("By alleged perpetrator", "Party", "Incidents", r.Violations.ByParty, true)
	if len(r.Verdicts) > 0 {
		pdf.Ln(2)
		table("Verdicts on the day's incidents", "Outcome", "Incidents", r.Verdicts, true)
	}

	heading("Commitments and reconciliations")
	if len(r.Commitments) == 0 {
		para("No party status took effect on this day.")
	}
	for _, c := range r.Commitments {
		by := ""
		if c.Designator != "" {
			by = " (" + c.Designator + ")"
		}
		para(fmt.Sprintf("%s: %s%s, effective %s.", c.Party, c.Kind, by, localTime(r, c.At)))
	}
	// Each agreement is one flowing paragraph, so a day of many stays short.
	rs := r.Reconciliations
	figure("Local reconciliation agreements signed on this day", int64(len(rs.New)), rs.Link)
	pdf.Write(5, ". ")
	figure("In force at the end of the day", int64(rs.InForce), rs.InForceLink)
	pdf.Write(5, "; ")
	figure("signed and not yet reported in force", int64(rs.Pending), rs.PendingLink)
	pdf.Write(5, ".")
	pdf.Ln(6)
	for _, n := range rs.New {
		pdf.SetFont("Helvetica", "B", 10)
		pdf.SetTextColor(26, 77, 143)
		pdf.WriteLinkString(5, tr(n.Settlement), o.link(n.Link))
		pdf.SetTextColor(0, 0, 0)
		pdf.SetFont("Helvetica", "", 10)
		line := " (" + n.Governorate + "), signed " + localTime(r, n.At) + ". Parties: " + strings.Join(n.Parties, "; ") + "."
		if len(n.Terms) > 0 {
			line += " Terms: " + strings.Join(n.Terms, "; ") + "."
		}
		pdf.Write(5, tr(line))
		pdf.Ln(6)
	}

	heading("Messages")
	figure("Received", int64(r.Messages.Received), r.Messages.Link)
	pdf.Write(5, "; ")
	figure("still open", int64(r.Messages.Open), r.Messages.OpenLink)
	pdf.Ln(7)
	if len(r.Messages.ByChannel) > 0 {
		table("", "Channel", "Messages", r.Messages.ByChannel, false)
	}

	if _, y := pdf.GetXY(); y > 188 {
		pdf.AddPage() // keep the heading with its chart
	}
	heading("Intensity")
	drawChart(pdf, r, 15, pdf.GetY(), body, tr, o.link)
	para(testLine(r))

	mapW := body * 0.62
	p := newProjection(r.Map, mapW)
	if _, y := pdf.GetXY(); y+p.h+24 > 270 {
		pdf.AddPage() // keep the heading with its map
	}
	heading("Map")
	drawMap(pdf, r, 15+(body-mapW)/2, pdf.GetY(), mapW, o.link)
	pdf.SetFont("Helvetica", "", 8)
	para(fmt.Sprintf("Governorates (OCHA) and the day's %d incidents with a known point: red for prohibited types, grey for others.", len(r.Map.Dots)))
	if r.Map.Missing > 0 {
		para(fmt.Sprintf("Not shown: %d without a point.", r.Map.Missing))
	}
	pdf.SetFont("Helvetica", "", 10)

	heading("Deaths recorded by the VDC")
	if r.VDC.Note != "" {
		para(r.VDC.Note)
	} else {
		figure("Total", r.VDC.Total, r.VDC.Link)
		pdf.Ln(7)
		table("", "Governorate", "Deaths", r.VDC.Rows, false)
	}
	pdf.Ln(4)
	pdf.SetFont("Helvetica", "", 8)
	pdf.SetTextColor(100, 100, 100)
	para("Each figure links to the records behind it. Death counts of the Violations Documentation Center in Syria (VDC) are theirs; boundaries (c) OCHA.")

	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("render bulletin pdf: %w", err)
	}
	return buf.Bytes(), nil
}

// latin1 wraps fpdf's translator: characters it cannot encode become "?",
// where fpdf would otherwise drop them without a trace.
func latin1(tr func(string) string) func(string) string {
	enc := strings.NewReplacer("−", "-", "–", "-", "—", "-", "’", "'", "‘", "'", "“", "\"", "”", "\"", "≥", ">=", "≤", "<=", "◀", "<", "■", "")
	return func(s string) string {
		s = enc.Replace(s)
		var b strings.Builder
		for _, r := range s {
			if r < 0x80 || (r >= 0xA0 && r <= 0xFF) || strings.ContainsRune("€‚ƒ„…†‡ˆ‰Š‹ŒŽ•˜™š›œžŸ", r) {
				b.WriteRune(r)
			} else {
				b.WriteRune('?')
			}
		}
		return tr(b.String())
	}
}

// drawChart draws the intensity chart at (x, y), w wide, with the layout
// the SVG uses, scaled from SVG units to millimetres.
func drawChart(pdf *fpdf.Fpdf, r *Report, x, y, w float64, tr, link func(string) string) {
	k := w / chartW
	l := layoutChart(r.Intensity, r.Day, r.Agreement.StartDay)
	X := func(v float64) float64 { return x + v*k }
	Y := func(v float64) float64 { return y + v*k }
	pdf.SetFont("Helvetica", "B", 9)
	pdf.Text(X(chartLeft), Y(14), tr(r.Intensity.Label))
	pdf.SetFont("Helvetica", "", 7)
	pdf.SetDrawColor(150, 150, 150)
	pdf.SetLineWidth(0.2)
	pdf.Line(X(chartLeft), Y(l.baseY), X(chartLeft+l.plotW), Y(l.baseY))
	ymax := strconv.FormatInt(l.yMax, 10)
	pdf.Text(X(chartLeft-4)-pdf.GetStringWidth(ymax), Y(chartTop+4), ymax)
	pdf.Text(X(chartLeft-4)-pdf.GetStringWidth("0"), Y(l.baseY), "0")
	for _, b := range l.bars {
		if b.day {
			pdf.SetFillColor(178, 34, 34)
		} else {
			pdf.SetFillColor(138, 164, 200)
		}
		if b.h > 0 {
			pdf.Rect(X(b.x), Y(b.y), b.w*k, b.h*k, "F")
		}
		pdf.LinkString(X(b.x), Y(chartTop), b.w*k, (l.baseY-chartTop)*k, link(dayLink(r, b.d)))
	}
	for _, lb := range l.labels {
		pdf.Text(X(lb.x)-pdf.GetStringWidth(lb.text)/2, Y(l.baseY+14), lb.text)
	}
	if l.startX >= 0 {
		pdf.SetDrawColor(68, 68, 68)
		pdf.SetDashPattern([]float64{1.2, 0.9}, 0)
		pdf.Line(X(l.startX), Y(chartTop), X(l.startX), Y(l.baseY))
		pdf.SetDashPattern(nil, 0)
		if l.startLeft {
			pdf.Text(X(l.startX-3)-pdf.GetStringWidth("cessation begins"), Y(chartTop+10), "cessation begins")
		} else {
			pdf.Text(X(l.startX+3), Y(chartTop+10), "cessation begins")
		}
	}
	pdf.SetTextColor(178, 34, 34)
	pdf.Text(X(chartLeft), Y(chartH-6), tr("this day: "+r.Day.String()))
	pdf.SetTextColor(0, 0, 0)
	pdf.SetDrawColor(0, 0, 0)
	pdf.SetFont("Helvetica", "", 10)
	pdf.SetY(y + chartH*k + 2)
}

// drawMap draws the governorates and the day's dots at (x, y), w wide.
func drawMap(pdf *fpdf.Fpdf, r *Report, x, y, w float64, link func(string) string) {
	p := newProjection(r.Map, w)
	pdf.SetDrawColor(136, 136, 136)
	pdf.SetFillColor(242, 239, 233)
	pdf.SetLineWidth(0.15)
	for _, s := range r.Map.Regions {
		for _, poly := range s.Polygons {
			for _, ring := range poly {
				pts := make([]fpdf.PointType, 0, len(ring))
				for _, pt := range ring {
					px, py := p.xy(pt[0], pt[1])
					pts = append(pts, fpdf.PointType{X: x + px, Y: y + py})
				}
				pdf.Polygon(pts, "DF")
			}
		}
	}
	for _, d := range r.Map.Dots {
		px, py := p.xy(d.Lon, d.Lat)
		if d.Prohibited {
			pdf.SetFillColor(178, 34, 34)
		} else {
			pdf.SetFillColor(119, 119, 119)
		}
		pdf.Circle(x+px, y+py, 0.9, "F")
		pdf.LinkString(x+px-1.2, y+py-1.2, 2.4, 2.4, link(d.Link))
	}
	pdf.SetDrawColor(0, 0, 0)
	pdf.SetY(y + p.h + 2)
}
