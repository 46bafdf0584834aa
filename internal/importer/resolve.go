// Package importer brings dataset files (ACLED, UCDP GED, Airwars) into a
// store: it resolves actor names to registry parties, locates rows that lack
// coordinates through the gazetteer and fills governorate and district from
// OCHA's boundaries, and writes in batches, each in one transaction and keyed
// by the dataset's own event ID, so a re-run after a crash neither duplicates
// nor loses rows. Reading, locating and writing overlap, and memory stays
// constant whatever the file's size.
package importer

import (
	"regexp"
	"strings"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/geo"
)

// Resolver maps dataset actor names to registry parties through their names
// and aliases, compared after geo.Fold (case, diacritics, Arabic letter
// variants, the article). A name two parties share resolves to neither: a
// wrong attribution is worse than an unmapped one, which a monitor sees.
type Resolver struct {
	ids       map[string]int64
	ambiguous map[string]bool
}

// NewResolver indexes the parties' names and aliases.
func NewResolver(parties []*domain.Party) *Resolver {
	r := &Resolver{ids: make(map[string]int64), ambiguous: make(map[string]bool)}
	for _, p := range parties {
		for _, n := range p.Names() {
			k := geo.Fold(n)
			if k == "" {
				continue
			}
			if id, ok := r.ids[k]; ok && id != p.ID {
				r.ambiguous[k] = true
				continue
			}
			r.ids[k] = p.ID
		}
	}
	for k := range r.ambiguous {
		delete(r.ids, k)
	}
	return r
}

// qualifier is the trailing parenthesis datasets add to actor names: a
// country ("Civilians (Syria)"), a period ("Military Forces of Syria
// (2000-)") or both.
var qualifier = regexp.MustCompile(`\s*\([^()]*\)\s*$`)

// Resolve returns the party a name refers to. A name that does not match as
// given is tried again without its trailing qualifiers, so "Islamic State
// (Syria)" finds "Islamic State" unless the registry has the longer name,
// and ACLED's "NDF: National Defence Forces" by either half.
func (r *Resolver) Resolve(name string) (int64, bool) {
	if id, ok := r.resolve(name); ok {
		return id, true
	}
	if abbr, full, ok := strings.Cut(name, ": "); ok {
		if id, ok := r.resolve(full); ok {
			return id, true
		}
		return r.resolve(abbr)
	}
	return 0, false
}

func (r *Resolver) resolve(name string) (int64, bool) {
	for {
		if id, ok := r.ids[geo.Fold(name)]; ok {
			return id, true
		}
		short := qualifier.ReplaceAllString(name, "")
		if short == name || strings.TrimSpace(short) == "" {
			return 0, false
		}
		name = short
	}
}
