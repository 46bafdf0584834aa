package newsdesk

import (
	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/geo"
	"github.com/trucedesk/truce/internal/news"
)

// Resolver links the names an article uses to registry parties. Names and
// aliases are compared as geo.Fold leaves them (case, diacritics, Arabic
// letter variants and the article al- folded away), so "IŞİD", "Daesh" and
// "داعش" reach the same party. A country ("Russia", "Moscow") reaches the
// state party whose name or alias is that country's forces ("Russian Armed
// Forces"). A name two parties share resolves to neither.
type Resolver struct {
	byName    map[string]string // folded name → slug; "" when ambiguous
	byCountry map[string]string // country → slug of its state party; "" when ambiguous
	ids       map[string]int64
	parents   map[int64]int64
}

var _ news.PartyResolver = (*Resolver)(nil)

// NewResolver indexes the names of parties.
func NewResolver(parties []*domain.Party) *Resolver {
	r := &Resolver{byName: map[string]string{}, byCountry: map[string]string{},
		ids: map[string]int64{}, parents: map[int64]int64{}}
	claim := func(m map[string]string, key, slug string) {
		if key == "" {
			return
		}
		if old, ok := m[key]; ok && old != slug {
			m[key] = ""
			return
		}
		m[key] = slug
	}
	for _, p := range parties {
		r.ids[p.Slug] = p.ID
		r.parents[p.ID] = p.ParentID
		claim(r.byName, geo.Fold(p.Slug), p.Slug)
		for _, n := range p.Names() {
			claim(r.byName, geo.Fold(n), p.Slug)
			if p.Kind == domain.KindState {
				if c, ok := news.CountryOf(n); ok {
					claim(r.byCountry, c, p.Slug)
				}
			}
		}
	}
	return r
}

// Resolve returns the slug of the party name names.
func (r *Resolver) Resolve(name string) (string, bool) {
	if slug := r.byName[geo.Fold(name)]; slug != "" {
		return slug, true
	}
	if c, ok := news.CountryOf(name); ok {
		if slug := r.byCountry[c]; slug != "" {
			return slug, true
		}
	}
	return "", false
}

// ID returns the stored ID of a slug, or 0.
func (r *Resolver) ID(slug string) int64 { return r.ids[slug] }

// Within reports whether party id is ancestor or one of its units: a claim
// about the Russian Armed Forces counts the strikes of the Russian
// Aerospace Forces when the registry makes them a unit of it.
func (r *Resolver) Within(id, ancestor int64) bool {
	for seen := 0; id != 0 && seen < 64; seen++ {
		if id == ancestor {
			return true
		}
		id = r.parents[id]
	}
	return false
}
