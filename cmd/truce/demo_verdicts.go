package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/trucedesk/truce/internal/assess"
	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/scenario"
)

func init() {
	demoSteps = append(demoSteps, demoStep{"verdicts", installVerdicts})
}

// illustrativeNote marks every record of this step: the control area and
// the incidents are made up to show each kind of verdict, on real ground
// and under the real terms and statuses, and claim nothing about 2016.
const illustrativeNote = "ILLUSTRATIVE, not a record of events: made up for the Truce demo to show how verdicts are reached."

// demoIncident is one made-up incident, its parties by slug.
type demoIncident struct {
	id, sub, location, admin1 string
	day, hour, min            int
	lat, lon                  float64
	perps, targets            []string
	summary                   string
}

var demoIncidents = []demoIncident{
	{"strike-raqqa", domain.SubAirStrike, "Ar-Raqqa", "Ar-Raqqa", 29, 14, 0, 35.9500, 39.0100,
		[]string{scenario.SlugRussia}, nil, "Air strike on Raqqa city, in ground held by ISIL: not a violation."},
	{"shelling-douma", domain.SubShelling, "Douma", "Rural Damascus", 28, 10, 0, 33.5717, 36.4028,
		[]string{scenario.SlugSyria}, []string{scenario.SlugJaishIslam}, "Shelling of Jaysh al-Islam positions in Douma after the start: a violation."},
	{"strike-before-start", domain.SubAirStrike, "Douma", "Rural Damascus", 26, 23, 59, 33.5717, 36.4028,
		[]string{scenario.SlugSyria}, []string{scenario.SlugJaishIslam}, "Air strike on Douma one minute before the start: before the cessation."},
	{"turkish-shelling-ypg", domain.SubShelling, "Tell Rifaat", "Aleppo", 28, 9, 30, 36.4731, 37.0969,
		[]string{scenario.SlugTurkey}, []string{scenario.SlugYPG}, "Turkish artillery shelling YPG positions near Tell Rifaat: the views disagree."},
	{"shelling-unknown", domain.SubShelling, "Aleppo", "Aleppo", 2, 18, 0, 36.2021, 37.1343,
		nil, []string{scenario.SlugCivilians}, "Shelling of a residential quarter of Aleppo by an unidentified party: undetermined."},
}

// installVerdicts stores an illustrative control area (ISIL-held Raqqa
// governorate, on OCHA's boundary) and a handful of illustrative incidents,
// one for each kind of verdict, then judges every stored incident.
func installVerdicts(ctx context.Context, s domain.Store, sc *scenario.Scenario, ids map[string]int64) (string, error) {
	loc, err := time.LoadLocation(sc.Agreement.TimeZone)
	if err != nil {
		return "", err
	}
	svc := assess.New(s)
	var raqqa *domain.Region
	for _, r := range sc.Regions {
		if r.Level == 1 && r.PCode == "SY11" {
			raqqa = r
		}
	}
	if raqqa == nil {
		return "", fmt.Errorf("the scenario has no Ar-Raqqa governorate (SY11)")
	}
	fc, err := json.Marshal(map[string]any{
		"type": "FeatureCollection",
		"features": []any{map[string]any{
			"type":     "Feature",
			"geometry": json.RawMessage(raqqa.Geometry),
			"properties": map[string]any{
				"name":       "Ar-Raqqa governorate, held by ISIL (ILLUSTRATIVE: OCHA governorate boundary standing in for a front line)",
				"controller": scenario.SlugISIL,
				"valid_from": "2014-01-13",
				"source":     "OCHA COD-AB syr_admin1 boundary; control illustrative, not a claim",
			},
		}},
	})
	if err != nil {
		return "", err
	}
	imp, err := svc.ImportAreas(ctx, fc, loc, "demo")
	if err != nil {
		return "", fmt.Errorf("control area: %w", err)
	}
	for _, d := range demoIncidents {
		month := time.February
		if d.day < 15 {
			month = time.March
		}
		in := &domain.Incident{
			SubEventType: d.sub, OccurredAt: time.Date(2016, month, d.day, d.hour, d.min, 0, 0, loc),
			TimePrecision: domain.TimeDay, Location: d.location, Admin1: d.admin1,
			Point: &domain.Point{Lat: d.lat, Lon: d.lon}, GeoPrecision: domain.GeoExact,
			Summary: d.summary + " " + illustrativeNote, Origin: "truce-demo", OriginID: d.id, CreatedBy: "demo",
		}
		for _, p := range d.perps {
			in.Perpetrators = append(in.Perpetrators, ids[p])
		}
		for _, p := range d.targets {
			in.Targets = append(in.Targets, ids[p])
		}
		if err := s.CreateIncident(ctx, in); err != nil {
			return "", fmt.Errorf("incident %s: %w", d.id, err)
		}
	}
	// Every incident stored so far, the demo's and any earlier step's.
	rep, err := svc.Recompute(ctx, 0, "demo")
	if err != nil {
		return "", err
	}
	counts := map[string]int{}
	disputed := 0
	for after := int64(0); ; {
		vs, err := s.Verdicts(ctx, domain.VerdictFilter{IncidentFilter: domain.IncidentFilter{AfterID: after, Limit: 1000}})
		if err != nil {
			return "", err
		}
		for _, v := range vs {
			counts[v.Outcome]++
			if v.Disputed() {
				disputed++
			}
		}
		if len(vs) < 1000 {
			break
		}
		after = vs[len(vs)-1].IncidentID
	}
	return fmt.Sprintf("%d judged: %d violation, %d not a violation, %d undetermined, %d disputed between views; %d illustrative area(s), %d illustrative incidents",
		len(rep.Judged), counts["violation"], counts["not_violation"], counts["undetermined"], disputed,
		len(imp.Areas), len(demoIncidents)), nil
}
