package importer

import (
	"context"

	"github.com/trucedesk/truce/internal/domain"
)

// Registry is what New reads to set an importer up; domain.Store provides it.
type Registry interface {
	Store
	Parties(ctx context.Context) ([]*domain.Party, error)
	Places(ctx context.Context) ([]*domain.Place, error)
	Regions(ctx context.Context, level int) ([]*domain.Region, error)
}

// New returns an importer writing to s, resolving actors through its
// parties and, if geocode is set, locating rows through its gazetteer and
// OCHA boundaries. Without either it still imports, and the warning says
// that rows without coordinates will stay unplaced.
func New(ctx context.Context, s Registry, actor string, geocode bool) (im *Importer, warning string, err error) {
	parties, err := s.Parties(ctx)
	if err != nil {
		return nil, "", err
	}
	im = &Importer{Store: s, Resolver: NewResolver(parties), Actor: actor}
	if !geocode {
		return im, "", nil
	}
	im.Locator, err = StoreLocator(ctx, s)
	if err != nil {
		return nil, "", err
	}
	if im.Locator == nil {
		return im, "the store has no gazetteer or boundaries: rows without coordinates stay unplaced", nil
	}
	return im, "", nil
}

// StoreLocator builds a locator from the store's gazetteer and boundaries,
// or returns nil if it has neither.
func StoreLocator(ctx context.Context, s interface {
	Places(ctx context.Context) ([]*domain.Place, error)
	Regions(ctx context.Context, level int) ([]*domain.Region, error)
}) (*Locator, error) {
	places, err := s.Places(ctx)
	if err != nil {
		return nil, err
	}
	var regions []*domain.Region
	for _, level := range []int{1, 2} {
		rs, err := s.Regions(ctx, level)
		if err != nil {
			return nil, err
		}
		regions = append(regions, rs...)
	}
	if len(places) == 0 && len(regions) == 0 {
		return nil, nil
	}
	return NewLocator(places, regions)
}
