package main

import (
	"context"
	"fmt"
	"time"

	"github.com/trucedesk/truce/internal/analysis"
	"github.com/trucedesk/truce/internal/bulletin"
	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/scenario"
	"github.com/trucedesk/truce/internal/stats"
)

func init() {
	demoSteps = append(demoSteps, demoStep{"bulletins", installBulletins})
}

// demoBulletinDays are the first two days of the cessation, whose
// bulletins the demo publishes.
var demoBulletinDays = []stats.Day{stats.DayFromDate(2016, 2, 27), stats.DayFromDate(2016, 2, 28)}

// demoBulletinNote tells a reader of the demo's bulletins which of their
// figures are real: the desk's incidents of these days are the verdicts
// step's made-up ones, since the shared event data hold none from 2016.
const demoBulletinNote = "Truce demo. The incidents counted here are illustrative, made up to show how verdicts " +
	"are reached, not a record of events; the VDC deaths, the terms and the parties' statuses are real."

// installBulletins publishes the bulletins of 27 and 28 February 2016 from
// whatever incidents are stored when it runs; steps registered after it add
// incidents the published versions will not show, which is what publishing
// means: a later correction is a new version.
func installBulletins(ctx context.Context, s domain.Store, sc *scenario.Scenario, _ map[string]int64) (string, error) {
	// The bulletins are written as of the morning after their day.
	clock := func() time.Time { return time.Date(2016, 2, 29, 8, 0, 0, 0, sc.Agreement.Location()) }
	an, err := analysis.New(ctx, s, sc.Agreement.Slug, clock)
	if err != nil {
		return "", err
	}
	var line string
	for _, d := range demoBulletinDays {
		b, err := bulletin.Publish(ctx, an, d, "demo co-chair", demoBulletinNote, bulletin.Options{})
		if err != nil {
			return "", fmt.Errorf("bulletin %s: %w", d, err)
		}
		line += fmt.Sprintf("%s v%d (%d kB PDF) ", b.Day, b.Version, len(b.PDF)/1024)
	}
	return line + "published", nil
}
