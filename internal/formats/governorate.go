package formats

import (
	"strings"
	"unicode"
)

// governorates maps the spellings of Syria's 14 governorates found in ACLED,
// Airwars, VDC and UCDP to the English names (NAME_EN) of OCHA's admin-1
// boundaries, which the gazetteer and bulletins group by. Keys are folded by
// foldName.
var governorates = func() map[string]string {
	m := map[string]string{}
	for name, variants := range map[string][]string{
		"Damascus":       {"Damascus", "Dimashq"},
		"Rural Damascus": {"Rural Damascus", "Damascus Suburbs", "Rif Dimashq", "Reef Damascus", "Rif Damascus", "Damascus Countryside"},
		"Aleppo":         {"Aleppo", "Halab"},
		"Homs":           {"Homs"},
		"Hama":           {"Hama", "Hamah"},
		"Lattakia":       {"Lattakia", "Latakia", "Al Ladhiqiyah", "Latakia Governorate"},
		"Idleb":          {"Idleb", "Idlib"},
		"Al-Hasakeh":     {"Al-Hasakeh", "Hasakeh", "Hasakah", "Al-Hasakah", "Al Hasakah", "Al Hasakeh", "Al Hassakah", "Al-Hassakah", "Hassakah", "Hassaka", "Hasaka", "Al Hasaka"},
		"Deir-ez-Zor":    {"Deir-ez-Zor", "Deir ez Zor", "Deir Ezzor", "Deir ez-Zor", "Deir Ez-Zor", "Deir al-Zor", "Deir Al Zor", "Dayr az Zawr", "Deir Ezzour"},
		"Tartous":        {"Tartous", "Tartus"},
		"Ar-Raqqa":       {"Ar-Raqqa", "Raqqa", "Ar Raqqa", "Al-Raqqa", "Al Raqqa", "Raqqah", "Ar-Raqqah"},
		"Dar'a":          {"Dar'a", "Daraa", "Deraa", "Dara", "Dar’a", "Der'a"},
		"As-Sweida":      {"As-Sweida", "Sweida", "As-Suwayda", "As Suwayda", "Suwayda", "Al Suwayda", "Al-Suwayda", "Sweyda", "As Sweida"},
		"Quneitra":       {"Quneitra", "Al Qunaytirah", "Qunaytirah"},
	} {
		for _, v := range variants {
			m[foldName(v)] = name
		}
	}
	return m
}()

// foldName reduces a name to lower-case letters, dropping "governorate" and
// "province", so "Al-Hasakah Governorate" and "al hasakah" meet.
func foldName(s string) string {
	s = strings.ToLower(s)
	s = strings.NewReplacer("governorate", "", "province", "").Replace(s)
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Governorate returns OCHA's English name for a Syrian governorate however a
// dataset spells it, and false for names it does not recognise.
func Governorate(name string) (string, bool) {
	g, ok := governorates[foldName(name)]
	return g, ok
}

// admin1 returns the OCHA name if the value is a known governorate, else the
// value as given: an unknown admin1 is still information.
func admin1(name string) string {
	if g, ok := Governorate(name); ok {
		return g
	}
	return name
}
