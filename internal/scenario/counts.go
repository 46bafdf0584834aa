package scenario

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"

	"github.com/trucedesk/truce/internal/domain"
)

// SeriesVDC names the Violations Documentation Center's daily deaths.
const SeriesVDC = "vdc-deaths"

// The days of the VDC series the scenario keeps: the year of the
// cessation, with eight weeks before it as a baseline.
const (
	countsFrom = "2016-01-01"
	countsTo   = "2016-12-31"
)

// vdcColumns maps the VDC aggregate's column names to OCHA governorate
// names, the spelling Regions uses.
var vdcColumns = map[string]string{
	"Aleppo":           "Aleppo",
	"Damascus":         "Damascus",
	"Damascus Suburbs": "Rural Damascus",
	"Daraa":            "Dar'a",
	"Deir Ezzor":       "Deir-ez-Zor",
	"Hama":             "Hama",
	"Hasakeh":          "Al-Hasakeh",
	"Homs":             "Homs",
	"Idlib":            "Idleb",
	"Lattakia":         "Lattakia",
	"Quneitra":         "Quneitra",
	"Raqqa":            "Ar-Raqqa",
	"Sweida":           "As-Sweida",
	"Tartous":          "Tartous",
}

// counts reads the VDC deaths per governorate per day for 2016, and adds
// the country total for each day (Region ""), which the aggregate lacks.
func counts() ([]domain.DailyCount, error) {
	b, err := files.ReadFile("data/casualties_by_province_by_day.csv")
	if err != nil {
		return nil, fmt.Errorf("vdc counts: %w", err)
	}
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("vdc counts: %w", err)
	}
	if len(rows) == 0 || rows[0][0] != "day" {
		return nil, fmt.Errorf("vdc counts: the header does not start with \"day\"")
	}
	header := rows[0]
	regions := make([]string, len(header))
	for i, col := range header[1:] {
		name, ok := vdcColumns[col]
		if !ok {
			return nil, fmt.Errorf("vdc counts: unknown column %q", col)
		}
		regions[i+1] = name
	}
	var out []domain.DailyCount
	for _, row := range rows[1:] {
		day := row[0]
		// ISO dates compare as strings.
		if day < countsFrom || day > countsTo {
			continue
		}
		total := 0.0
		for i, v := range row[1:] {
			n, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				return nil, fmt.Errorf("vdc counts: %s %s: %w", day, header[i+1], err)
			}
			total += n
			out = append(out, domain.DailyCount{Series: SeriesVDC, Region: regions[i+1], Day: day, Value: n})
		}
		out = append(out, domain.DailyCount{Series: SeriesVDC, Region: "", Day: day, Value: total})
	}
	return out, nil
}
