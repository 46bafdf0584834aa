package news

import "strings"

// genericWords may follow a country in the name of its state's forces or
// offices: "Russian Armed Forces", "Syrian government", "Turkish army".
var genericWords = set("government", "regime", "forces", "force", "armed", "army", "military", "air",
	"aerospace", "troops", "defense", "defence", "ministry", "authorities", "officials", "warplanes",
	"jets", "aircraft", "navy", "state")

var countryTrim = strings.NewReplacer("-", " ", "’s", "", "'s", "")

// CountryOf returns the country a phrase names: a country, demonym or
// capital ("Russia", "Moscow"), alone or followed only by generic words of
// state ("Russian Armed Forces", "Syrian government"). "Syrian Democratic
// Forces" and "Syrian Observatory" name no country: the other words are not
// generic. A registry resolves state parties through it, so that a claim
// about "Russia" reaches the party named "Russian Armed Forces".
func CountryOf(phrase string) (string, bool) {
	words := strings.Fields(strings.ToLower(countryTrim.Replace(phrase)))
	for n := min(2, len(words)); n >= 1; n-- {
		c, ok := countryOf(strings.Join(words[:n], " "))
		if !ok {
			continue
		}
		generic := true
		for _, w := range words[n:] {
			generic = generic && genericWords[strings.Trim(w, ".,()")]
		}
		if generic {
			return c, true
		}
	}
	return "", false
}
