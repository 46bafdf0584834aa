package main

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/trucedesk/truce/internal/cluster"
	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/importer"
	"github.com/trucedesk/truce/internal/scenario"
)

func init() {
	demoSteps = append(demoSteps, demoStep{"airwars", installAirwars})
}

// installAirwars imports the embedded Airwars incidents through the same
// importer as `truce import airwars`, geocoding the rows Airwars left
// without coordinates, and proposes clusters among them. Airwars' incidents
// date from June 2017 on, after the 2016 agreement, so they show the import
// and the map rather than verdicts.
func installAirwars(ctx context.Context, s domain.Store, sc *scenario.Scenario, _ map[string]int64) (string, error) {
	im, warning, err := importer.New(ctx, s, "demo", true)
	if err != nil {
		return "", err
	}
	rep, err := im.Import(ctx, "airwars", bytes.NewReader(sc.Airwars), int64(len(sc.Airwars)))
	if err != nil {
		return "", err
	}
	line := fmt.Sprintf("%d rows: %d accepted, %d rejected; %d geocoded, %d without a place; %d actor names unmapped",
		rep.Rows, rep.Accepted, rep.Rejected, rep.Geocoded, rep.Unplaced, len(rep.Unmapped))
	if warning != "" {
		line += " (" + warning + ")"
	}
	ps, err := cluster.Scan(ctx, s, nil, cluster.Params{}, time.Time{}, time.Time{})
	if err != nil {
		return "", err
	}
	return line + fmt.Sprintf("; %d cluster proposals", len(ps)), nil
}
