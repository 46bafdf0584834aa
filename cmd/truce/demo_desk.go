package main

import (
	"context"
	"fmt"
	"slices"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/scenario"
)

func init() {
	demoSteps = append(demoSteps, demoStep{"desk", installDeskWork})
}

// installDeskWork does what a monitor's first hour with the imported
// incidents would: accept the strongest cluster proposals (the same strike
// reported several times), grade the merged incidents fair with a note, and
// split the weakest proposal. The demo's desk then shows decisions with
// their authors, and its log holds every kind of record.
func installDeskWork(ctx context.Context, s domain.Store, _ *scenario.Scenario, _ map[string]int64) (string, error) {
	const monitor = "monitor"
	ps, err := s.ClusterProposals(ctx, domain.ClusterProposed, 0, 1000)
	if err != nil {
		return "", err
	}
	slices.SortStableFunc(ps, func(a, b *domain.ClusterProposal) int {
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		}
		return 0
	})
	var accepted, graded, split int
	for _, p := range ps {
		if accepted == 3 {
			break
		}
		if len(p.Incidents()) < 2 {
			continue
		}
		note := "the same event, reported more than once"
		if len(p.Reasons) > 0 {
			note += ": " + p.Reasons[0]
		}
		d, err := s.DecideCluster(ctx, domain.ClusterDecision{ID: p.ID, To: domain.ClusterAccepted, Version: p.Version, Actor: monitor, Note: note})
		if domain.ErrorCode(err) == domain.ECONFLICT {
			continue // a member went with an earlier merge
		} else if err != nil {
			return "", fmt.Errorf("accept cluster %d: %w", p.ID, err)
		}
		accepted++
		in, err := s.Incident(ctx, d.SurvivorID)
		if err != nil {
			return "", err
		}
		if in.Grade == domain.GradeFair || in.Grade == domain.GradeConfirmed {
			continue
		}
		if _, err := s.GradeIncident(ctx, domain.GradeChange{IncidentID: in.ID, To: domain.GradeFair, Version: in.Version, Actor: monitor,
			Note: fmt.Sprintf("%d reports of one event merged (cluster %d)", len(p.Incidents()), p.ID)}); err != nil {
			return "", fmt.Errorf("grade incident %d: %w", in.ID, err)
		}
		graded++
	}
	if len(ps) > accepted {
		last := ps[len(ps)-1]
		if _, err := s.DecideCluster(ctx, domain.ClusterDecision{ID: last.ID, To: domain.ClusterSplit, Version: last.Version, Actor: monitor,
			Note: "different events: the places match, the reports do not"}); err != nil && domain.ErrorCode(err) != domain.ECONFLICT {
			return "", fmt.Errorf("split cluster %d: %w", last.ID, err)
		} else if err == nil {
			split++
		}
	}
	return fmt.Sprintf("a monitor accepted %d cluster proposals, split %d, graded %d merged incidents fair", accepted, split, graded), nil
}
