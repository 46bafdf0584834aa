package formats

import (
	"errors"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/trucedesk/truce/internal/domain"
)

// SeriesVDCDeaths names the Violations Documentation Center's daily deaths
// per governorate.
const SeriesVDCDeaths = "vdc-deaths"

// ReadVDCDaily reads the VDC daily casualty table (header day,Aleppo,
// Damascus,…, one row per day, one column per governorate) into daily counts
// of the series "vdc-deaths", with regions renamed to OCHA's governorate
// names (Damascus Suburbs → Rural Damascus, Deir Ezzor → Deir-ez-Zor…) so
// they join with the boundaries and with incidents. A column that names no
// governorate is refused rather than guessed. A row with a bad cell is
// rejected whole, since a partial day would understate the day's total.
func ReadVDCDaily(r io.Reader, opts Options) ([]domain.DailyCount, *Report, error) {
	t, err := openTable(r, FormatVDC, []string{"day"}, opts)
	if err != nil {
		return nil, nil, err
	}
	dayCol := t.cols["day"]
	regions := make([]string, len(t.header))
	for i, h := range t.header {
		if i == dayCol {
			continue
		}
		g, ok := Governorate(h)
		if !ok {
			return nil, nil, domain.Errorf(domain.EINVALID, "the %s column %q is not a Syrian governorate", FormatVDC, h)
		}
		regions[i] = g
	}
	var out []domain.DailyCount
	for {
		rw, err := t.next()
		if errors.Is(err, io.EOF) {
			break
		}
		var re *RowError
		if errors.As(err, &re) {
			t.report.reject(re)
			continue
		} else if err != nil {
			return nil, nil, err
		}
		day, re := rw.date("day")
		if re != nil {
			t.report.reject(re)
			continue
		}
		n := len(out)
		for i, v := range rw.fields {
			if i == dayCol {
				continue
			}
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil || f < 0 || math.IsNaN(f) || math.IsInf(f, 0) {
				re = rw.errorf(t.header[i], "%q is not a count", v)
				break
			}
			out = append(out, domain.DailyCount{Series: SeriesVDCDeaths, Region: regions[i], Day: day.Format("2006-01-02"), Value: f})
		}
		if re != nil {
			out = out[:n]
			t.report.reject(re)
			continue
		}
		t.report.Accepted++
	}
	rep := *t.report
	return out, &rep, nil
}
