package cluster

import (
	"context"
	"time"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/geo"
)

// Store is what a scan reads and writes; domain.Store provides it.
type Store interface {
	Incidents(ctx context.Context, f domain.IncidentFilter) ([]*domain.Incident, error)
	MergedInto(ctx context.Context, ids []int64) (map[int64]int64, error)
	Messages(ctx context.Context, f domain.MessageFilter) ([]*domain.Message, error)
	Parties(ctx context.Context) ([]*domain.Party, error)
	SaveClusterProposals(ctx context.Context, ps []*domain.ClusterProposal) ([]*domain.ClusterProposal, error)
}

// Scan proposes clusters among the incidents that occurred in [since, until)
// (zero times leave the window open) and the open messages received in it,
// and stores the proposals not made before. Messages are located with g;
// nil g leaves them out. Incidents already merged away are skipped.
func Scan(ctx context.Context, s Store, g *geo.Geocoder, p Params, since, until time.Time) ([]*domain.ClusterProposal, error) {
	if p.Name == nil {
		parties, err := s.Parties(ctx)
		if err != nil {
			return nil, err
		}
		names := make(map[int64]string, len(parties))
		for _, pt := range parties {
			names[pt.ID] = pt.Name
		}
		p.Name = func(id int64) string { return names[id] }
	}
	var items []Item
	f := domain.IncidentFilter{Since: since, Until: until, Limit: 1000}
	for {
		page, err := s.Incidents(ctx, f)
		if err != nil {
			return nil, err
		}
		ids := make([]int64, len(page))
		for i, in := range page {
			ids[i] = in.ID
		}
		merged, err := s.MergedInto(ctx, ids)
		if err != nil {
			return nil, err
		}
		for _, in := range page {
			if _, gone := merged[in.ID]; gone {
				continue
			}
			if it, ok := IncidentItem(in); ok {
				items = append(items, it)
			}
		}
		if len(page) < f.Limit {
			break
		}
		f.AfterID = page[len(page)-1].ID
	}
	if g != nil {
		mf := domain.MessageFilter{States: []domain.MessageState{domain.StateReceived, domain.StateTriaged},
			Since: since, Until: until, Limit: 1000}
		for {
			page, err := s.Messages(ctx, mf)
			if err != nil {
				return nil, err
			}
			for _, m := range page {
				if it, ok := MessageItem(m, g); ok {
					items = append(items, it)
				}
			}
			if len(page) < mf.Limit {
				break
			}
			mf.AfterID = page[len(page)-1].ID
		}
	}
	return s.SaveClusterProposals(ctx, Propose(items, p))
}
