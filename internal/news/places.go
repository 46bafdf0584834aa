package news

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/trucedesk/truce/internal/domain"
)

// PlaceResolver finds the gazetteer place a name denotes. fuzzy allows a
// near spelling ("Khmeimin"); without it only the spellings the gazetteer
// lists, folded or by key, count.
type PlaceResolver interface {
	ResolvePlace(name string, fuzzy bool) (*domain.Place, bool)
}

// Place is a name in the text that the gazetteer resolved.
type Place struct {
	Start int    `json:"start"` // byte offsets in the text
	End   int    `json:"end"`
	Text  string `json:"text"`
	// Area is set for "Idlib province", "the Aleppo countryside", "rural
	// Damascus": the governorate around the town rather than the town.
	Area  bool          `json:"area,omitempty"`
	Place *domain.Place `json:"place"`
}

// A place name is a run of capitalised words, with the particles of
// Arabic names between them ("Ras al Ain") or before them ("al-Bab").
var (
	capWord     = `(?:(?:[Aa][lnrstdz]|[Aa]sh|[Ee][lnrstdz])-)?\p{Lu}[\p{L}'’]*(?:-\p{L}[\p{L}'’]*)*`
	placeRunRe  = regexp.MustCompile(capWord + `(?:[ \t]+(?:(?:al|el|ez|as|ash|ad|ar|an|at|bin|ibn|bani|abu|umm)[ \t]+)?` + capWord + `)*`)
	arabicRunRe = regexp.MustCompile(`\p{Arabic}+(?:[ \t]+\p{Arabic}+)*`)
)

// maxPlaceWords is the longest name looked up: "Deir ez Zor Military Airport".
const maxPlaceWords = 5

// notPlaces are capitalised words of news reports that some gazetteer
// entry spells alike (often a GeoNames alternate name) but that, in a
// report, are nearly always something else: a person, a party, an agency,
// a nerve agent, an English word. Found by reading every match in the 804
// FA-KES articles. Lower case.
var notPlaces = map[string]bool{
	"assad": true, "al-assad": true, "bashar": true, "hezbollah": true, "nusra": true, "daesh": true,
	"russia": true, "turkey": true, "iran": true, "israel": true, "syria": true, "may": true,
	"islam": true, "islamic": true, "army": true, "free": true, "state": true, "sham": true,
	"al sham": true, "al-sham": true, "ash-sham": true, "ahrar": true, "jaish": true, "jabhat": true,
	"fateh": true, "nasr": true, "sana": true, "road": true, "are": true, "khan": true, "china": true,
	"dam": true, "deal": true, "mare": true, "hall": true, "sarin": true, "erika": true, "qasim": true,
	"dali": true, "adra": true, "tal": true, "tel": true, "tall": true, "tell": true, "kafr": true,
	"deir": true, "ain": true, "ras": true, "jisr": true, "beit": true, "abu": true, "umm": true,
}

// lead words may come before a place name inside a capitalised run
// ("Eastern Aleppo", "In Raqqa", "Syria Aleppo" in a tag list) and are not
// part of it. Lower case.
var leadWords = map[string]bool{
	"the": true, "in": true, "at": true, "near": true, "outside": true, "on": true, "of": true,
	"from": true, "to": true, "and": true, "but": true, "a": true, "an": true, "syria": true,
	"syrian": true, "east": true, "eastern": true, "west": true, "western": true, "north": true,
	"northern": true, "south": true, "southern": true, "central": true, "northeast": true,
	"northwest": true, "southeast": true, "southwest": true, "rural": true, "tags": true,
	"besieged": true, "downtown": true, "greater": true, "old": true,
}

// tailWords end a capitalised run after a place name ("Aleppo Province",
// "Damascus Countryside"); the first four make it the area. Lower case.
var tailWords = map[string]bool{"province": true, "governorate": true, "countryside": true,
	"suburbs": true, "city": true, "the": true, "in": true, "a": true, "on": true, "at": true}

// areaAfter and areaBefore turn a town's name into its governorate or
// surroundings.
var (
	areaAfter  = []string{"province", "governorate", "countryside", "suburbs", "region"}
	areaBefore = []string{"rural", "province of", "governorate of", "countryside of", "suburbs of", "outskirts of"}
	// placeAfter and placeBefore make a name a place for sure, so that a
	// near spelling may be looked up too.
	// Not "neighbourhood" or "district": the gazetteer lists towns, and a
	// near spelling of a quarter is another town ("the Barzeh
	// neighbourhood" of Damascus is not Barza of Aleppo).
	placeAfter  = []string{"airbase", "air base", "airport", "military airport", "town", "village", "city"}
	placeBefore = []string{"town of", "village of", "city of", "near", "outside", "in the town", "in the village"}
	// arabicCues precede a place name in Arabic reports: in, near, town,
	// city, village, governorate, countryside, airport, base, quarter.
	arabicCues = map[string]bool{"في": true, "قرب": true, "بلدة": true, "مدينة": true, "قرية": true,
		"محافظة": true, "ريف": true, "مطار": true, "قاعدة": true, "حي": true, "بلده": true, "مدينه": true}
)

// FindPlaces returns the places text names, as r resolves them, in text
// order. A run of capitalised words is read from the left, its longest
// prefix that names a place first, so "Aleppo Governor Hussein Diab"
// yields Aleppo and "Deir ez-Zor Military Airport" the airport. Arabic
// script is read after a word that introduces a place ("في", "قرب",
// "بلدة"…), since every Arabic word is as capitalised as any other.
func FindPlaces(text string, r PlaceResolver) []Place {
	if r == nil {
		return nil
	}
	var out []Place
	for _, loc := range placeRunRe.FindAllStringIndex(text, -1) {
		words := wordSpans(text, loc[0], loc[1])
		out = appendPlaces(out, text, words, r, nil)
	}
	if hasArabic(text) {
		for _, loc := range arabicRunRe.FindAllStringIndex(text, -1) {
			words := wordSpans(text, loc[0], loc[1])
			out = appendPlaces(out, text, words, r, func(i int) bool {
				return i > 0 && arabicCues[text[words[i-1][0]:words[i-1][1]]]
			})
		}
	}
	return out
}

// appendPlaces looks up the word runs of one run of words, longest first.
// In a capitalised run (cued nil) a name starts only at its first word,
// after a lead word or after another place: "Kafr Hamra" is not Hamra, nor
// "Yaarab Dali" Dali. In Arabic a name starts where cued says.
func appendPlaces(out []Place, text string, words [][2]int, r PlaceResolver, cued func(int) bool) []Place {
	lower := func(k int) string { return strings.ToLower(text[words[k][0]:words[k][1]]) }
	free := true // the previous word may precede a name
	for i := 0; i < len(words); {
		if leadWords[lower(i)] {
			i, free = i+1, true
			continue
		}
		if cued == nil && !free || cued != nil && !cued(i) {
			i, free = i+1, false
			continue
		}
		found := false
		for j := min(len(words), i+maxPlaceWords); j > i; j-- {
			if tailWords[lower(j-1)] || leadWords[lower(j-1)] {
				continue
			}
			start, end := words[i][0], words[j-1][1]
			name := text[start:end]
			if notPlaces[strings.ToLower(name)] || utf8.RuneCountInString(name) < 3 || isAcronym(name) {
				continue
			}
			before, after := lowerAround(text, start, end)
			fuzzy := hasAny(after, placeAfter, true) || hasAny(before, placeBefore, false)
			p, ok := r.ResolvePlace(name, fuzzy)
			if !ok {
				continue
			}
			out = append(out, Place{Start: start, End: end, Text: name, Place: p,
				Area: hasAny(after, areaAfter, true) || hasAny(before, areaBefore, false)})
			i, found = j, true
			break
		}
		if !found {
			i++
		}
		free = found
	}
	return out
}

// isAcronym is an all-capital word of four letters or fewer: "SANA" is
// the news agency, not the village GeoNames lists as Sana.
func isAcronym(s string) bool {
	if len(s) > 4 {
		return false
	}
	for _, r := range s {
		if !unicode.IsUpper(r) {
			return false
		}
	}
	return true
}

// wordSpans splits text[from:to] at spaces and tabs.
func wordSpans(text string, from, to int) [][2]int {
	var out [][2]int
	start := -1
	for i := from; i <= to; i++ {
		if i == to || text[i] == ' ' || text[i] == '\t' {
			if start >= 0 {
				out = append(out, [2]int{start, i})
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	// Particles cannot start or end a name.
	for len(out) > 0 && isParticle(text[out[len(out)-1][0]:out[len(out)-1][1]]) {
		out = out[:len(out)-1]
	}
	return out
}

// isParticle is a lower-case word between capitalised ones ("Ras al
// Ain"); "al-Bab" is a name.
func isParticle(w string) bool {
	return strings.IndexFunc(w, unicode.IsUpper) < 0 && strings.IndexFunc(w, unicode.IsLower) >= 0
}

// lowerAround returns up to 30 bytes of text either side of [start, end), in
// lower case, the "the" and punctuation next to the name dropped.
func lowerAround(text string, start, end int) (before, after string) {
	b := text[max(0, start-30):start]
	a := text[end:min(len(text), end+30)]
	before = strings.TrimSpace(strings.ToLower(b))
	before = strings.TrimSpace(strings.TrimSuffix(before, " the"))
	after = strings.TrimSpace(strings.ToLower(a))
	after = strings.TrimLeft(after, "'’s ")
	return before, after
}

// hasAny reports whether s begins (prefix) or ends (!prefix) with one of
// the phrases, as whole words.
func hasAny(s string, phrases []string, prefix bool) bool {
	for _, p := range phrases {
		if prefix && strings.HasPrefix(s, p) && (len(s) == len(p) || !isLetterByte(s[len(p)])) {
			return true
		}
		if !prefix && strings.HasSuffix(s, p) && (len(s) == len(p) || !isLetterByte(s[len(s)-len(p)-1])) {
			return true
		}
	}
	return false
}

func isLetterByte(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= 0x80 }

func hasArabic(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Arabic, r) {
			return true
		}
	}
	return false
}
