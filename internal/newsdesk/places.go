package newsdesk

import (
	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/geo"
	"github.com/trucedesk/truce/internal/news"
)

// minPlaceScore is the least geocoder score a name in an article needs to
// be taken for a place: the importer's threshold (importer.DefaultMinScore),
// so an article's places are as sure as an imported row's.
const minPlaceScore = 0.9

// minCuedScore is the least score of a near spelling where the text says
// it is a place ("the Khmeimin airbase", "the town of …"): the cue stands
// for the governorate hint an imported row would have. Measured: the seed's
// "Khmeimin" scores 0.86 for Hmeimim Air Base; FA-KES's "town of Salma"
// 0.81 for Salkhad, a wrong place.
const minCuedScore = 0.85

// Gazetteer resolves the place names of articles through the desk's
// gazetteer (GeoNames and its supplement, in Latin and Arabic script,
// folded and matched by key, so Hmeimim, Khmeimim and حميميم are one).
type Gazetteer struct {
	coder *geo.Geocoder
}

var _ news.PlaceResolver = (*Gazetteer)(nil)

// NewGazetteer indexes places; nil when there are none.
func NewGazetteer(places []*domain.Place) *Gazetteer {
	if len(places) == 0 {
		return nil
	}
	return &Gazetteer{coder: geo.NewGeocoder(places, nil)}
}

// ResolvePlace returns the best place for name: among listed spellings
// only, unless fuzzy (the text says it is a place).
func (g *Gazetteer) ResolvePlace(name string, fuzzy bool) (*domain.Place, bool) {
	if g == nil {
		return nil, false
	}
	var cs []geo.Candidate
	least := minPlaceScore
	if fuzzy {
		cs, least = g.coder.Geocode(name, geo.Hint{}), minCuedScore
	} else {
		cs = g.coder.Lookup(name, geo.Hint{})
	}
	if len(cs) == 0 || cs[0].Score < least || cs[0].Parts.Match == "partial" {
		return nil, false
	}
	return cs[0].Place, true
}
