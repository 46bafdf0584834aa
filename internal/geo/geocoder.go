package geo

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
	"github.com/trucedesk/truce/internal/domain"
)

// Weights of the score parts. The name match dominates; the rest break ties
// between namesakes and between an exact match far away and a near miss in
// the governorate the message names.
const (
	weightClass      = 0.05 // populated place or spot (airbase)
	weightAdminClass = 0.02 // an admin unit, unless the query asks for one
	weightAskedAdmin = 0.12 // "… governorate", "محافظة …"
	weightPopulation = 0.05 // at 3 million people
	weightHint       = 0.15 // inside (or, negated, outside) the hinted governorate
	weightNear       = 0.15 // at the hinted point, decaying over nearKm
	nearKm           = 25.0

	scoreKey     = 0.97 // keys equal, folded spellings differ
	scoreFuzzy   = 0.95 // times the key similarity
	scoreWindow  = 0.80 // a few words of a longer phrase, plus up to 0.1 for coverage
	partDecay    = 0.05 // per phrase after the first, up to three
	minWindowKey = 4    // shorter keys ("bab") match too much on their own
)

// Hint is what a message says besides the place name: the governorate it
// names and a point it is near (the sender's own place, or an earlier
// report). Either may be empty.
type Hint struct {
	Admin1 string        `json:"admin1,omitempty"` // a governorate name in any script or spelling
	Near   *domain.Point `json:"near,omitempty"`
}

// Candidate is one place a name may refer to, with its score and the parts
// the score is made of, so a monitor can see why it ranked where it did.
type Candidate struct {
	Place *domain.Place `json:"place"`
	Score float64       `json:"score"`
	Parts ScoreParts    `json:"parts"`
}

// ScoreParts explains a candidate's score: Score is the sum of Name, Class,
// Population and Hint.
type ScoreParts struct {
	Query      string  `json:"query"`   // the words of the input that matched
	Matched    string  `json:"matched"` // the gazetteer spelling they matched
	Match      string  `json:"match"`   // exact, key, fuzzy or partial
	Name       float64 `json:"name"`
	Class      float64 `json:"class"`
	Population float64 `json:"population"`
	Hint       float64 `json:"hint"`
	Admin1     string  `json:"admin1,omitempty"`      // pcode of the place's governorate
	DistanceKm float64 `json:"distance_km,omitempty"` // from Hint.Near
}

// String renders the parts for logs and the monitor's UI.
func (p ScoreParts) String() string {
	return fmt.Sprintf("%s %q→%q name %.2f class %+.2f pop %+.2f hint %+.2f",
		p.Match, p.Query, p.Matched, p.Name, p.Class, p.Population, p.Hint)
}

type posting struct {
	place int32
	name  string
}

// Geocoder finds gazetteer places by name, however the name is spelt. Exact
// folded spellings and equal match keys are map lookups; near misses are
// found through a bigram index over the keys and scored by edit distance.
// It is safe for concurrent use.
type Geocoder struct {
	// Limit caps the candidates Geocode returns.
	Limit int
	// MinSimilarity is the least key similarity a fuzzy match needs.
	MinSimilarity float64
	// MinScore drops candidates scoring less: by default a near miss outside
	// the hinted governorate, which is more often a different village than
	// a misspelling.
	MinScore float64

	places  []*domain.Place
	admin1  []string // governorate pcode per place, "" when unknown
	folded  map[string][]posting
	keys    map[string][]posting
	keyList []string
	grams   map[string][]int32 // bigram → indexes into keyList
	admin   *AdminIndex
	govs    map[string]string // key of a governorate name or alias → pcode
	govKeys []string          // the keys of govs, sorted, for a stable fuzzy pick
}

// NewGeocoder indexes places. With an admin index it also learns each
// place's governorate from its point, which Hint.Admin1 needs; admin may be
// nil. The places are not modified and must not be while the geocoder is in
// use.
func NewGeocoder(places []*domain.Place, admin *AdminIndex) *Geocoder {
	g := &Geocoder{
		Limit:         10,
		MinSimilarity: 0.75,
		MinScore:      0.80,
		places:        places,
		admin1:        make([]string, len(places)),
		folded:        make(map[string][]posting),
		keys:          make(map[string][]posting),
		grams:         make(map[string][]int32),
		admin:         admin,
		govs:          make(map[string]string),
	}
	for i, p := range places {
		if admin != nil {
			if a, ok := admin.Assign(p.Point); ok {
				g.admin1[i] = a.Admin1.PCode
			}
		}
		names := append([]string{p.Name, p.NameAR}, p.Alternates...)
		for _, n := range names {
			f := Fold(n)
			if f == "" {
				continue
			}
			pt := posting{place: int32(i), name: n}
			g.folded[f] = addPosting(g.folded[f], pt)
			k := keyOfFolded(f)
			if _, seen := g.keys[k]; !seen {
				id := int32(len(g.keyList))
				g.keyList = append(g.keyList, k)
				for _, bg := range bigrams(k) {
					if l := g.grams[bg]; len(l) == 0 || l[len(l)-1] != id {
						g.grams[bg] = append(l, id)
					}
				}
			}
			g.keys[k] = addPosting(g.keys[k], pt)
		}
	}
	if admin != nil {
		for _, r := range admin.Governorates() {
			for _, n := range append([]string{r.Name, r.NameAR}, governorateAliases[r.PCode]...) {
				if k := Key(stripAdminWords(n)); k != "" {
					if _, dup := g.govs[k]; !dup {
						g.govKeys = append(g.govKeys, k)
					}
					g.govs[k] = r.PCode
				}
			}
		}
		slices.Sort(g.govKeys)
	}
	return g
}

// addPosting adds pt unless the place is already listed under the name.
func addPosting(list []posting, pt posting) []posting {
	for _, q := range list {
		if q.place == pt.place {
			return list
		}
	}
	return append(list, pt)
}

func bigrams(key string) []string {
	r := []rune("^" + key + "$")
	out := make([]string, 0, len(r)-1)
	for i := 1; i < len(r); i++ {
		out = append(out, string(r[i-1:i+1]))
	}
	return out
}

// governorateAliases are spellings of the OCHA governorates (by pcode) that
// reports and other datasets (GeoNames, VDC, Airwars) use.
var governorateAliases = map[string][]string{
	"SY01": {"Dimashq", "Damascus City", "Damascus Governorate"},
	"SY02": {"Halab"},
	"SY03": {"Rif Dimashq", "Rif-dimashq", "Reef Damascus", "Damascus Suburbs", "Damascus Countryside", "ريف دمشق"},
	"SY04": {"Hims"},
	"SY05": {"Hamah"},
	"SY06": {"Latakia", "Al-Ladhiqiyah"},
	"SY07": {"Idlib"},
	"SY08": {"Al-Hasakah", "Hasakah", "Hassakah", "Hasaka", "Al Hassakah"},
	"SY09": {"Deir ez-Zor", "Deir Ezzor", "Dayr az Zawr", "Deir al-Zour"},
	"SY10": {"Tartus", "Tartous"},
	"SY11": {"Raqqa", "Ar Raqqah"},
	"SY12": {"Daraa", "Deraa", "Dara'a"},
	"SY13": {"Suwayda", "As-Suwayda", "Sweida", "Al-Suwayda", "Al Suwayda"},
	"SY14": {"Al-Qunaytirah"},
}

// adminWords mark a name as an administrative unit rather than a town, and
// say which level: 1 governorate, 2 district, 3 sub-district.
var adminWords = map[string]int{
	"governorate": 1, "province": 1, "muhafazat": 1, "muhafaza": 1, "محافظه": 1,
	"district": 2, "mantiqat": 2, "منطقه": 2,
	"subdistrict": 3, "nahiya": 3, "ناحيه": 3,
}

// fillerWords surround place names in reports without being part of them.
var fillerWords = map[string]bool{
	"vicinity": true, "of": true, "near": true, "nearby": true, "outskirts": true,
	"village": true, "town": true, "city": true, "countryside": true, "between": true,
	"north": true, "south": true, "east": true, "west": true, "northern": true,
	"southern": true, "eastern": true, "western": true, "northeast": true,
	"northwest": true, "southeast": true, "southwest": true, "area": true,
	"neighbourhood": true, "neighborhood": true, "camp": true, "the": true,
	"in": true, "outside": true, "centre": true, "center": true, "sub": true,
	"قريه": true, "مدينه": true, "بلده": true, "حي": true, "قرب": true, "بين": true,
	"شمال": true, "جنوب": true, "شرق": true, "غرب": true, "مخيم": true, "محيط": true,
}

// conjunctions split one location field into several places.
var conjunctions = map[string]bool{"and": true, "or": true, "و": true, "او": true}

func stripAdminWords(name string) string {
	var out []string
	for _, w := range strings.Fields(Fold(name)) {
		if adminWords[w] == 0 {
			out = append(out, w)
		}
	}
	return strings.Join(out, " ")
}

// queryParts splits a location field such as "Al-Shuhada School, Afes" or
// "Amuda and Joli" into folded phrases, dropping filler words, and says
// which admin level it asks for, if any.
func queryParts(s string) (parts [][]string, wantAdmin int) {
	raw := strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(",،;؛/|()[]\n", r) })
	for _, r := range raw {
		var cur []string
		flush := func() {
			if len(cur) > 0 {
				parts = append(parts, cur)
				cur = nil
			}
		}
		for _, w := range strings.Fields(Fold(r)) {
			switch {
			case conjunctions[w]:
				flush()
			case adminWords[w] > 0:
				wantAdmin = adminWords[w]
			case fillerWords[w]:
			default:
				cur = append(cur, w)
			}
		}
		flush()
	}
	return parts, wantAdmin
}

type match struct {
	name    float64
	how     string
	query   string
	matched string
}

// Geocode returns the places name may refer to, best first, at most Limit.
// It splits the name into phrases at commas and conjunctions, matches each
// phrase whole (exactly, by key, or fuzzily) and its shorter word runs
// exactly, then ranks by name match, feature class, population and the
// hint. An empty result means nothing came close.
func (g *Geocoder) Geocode(name string, hint Hint) []Candidate {
	return g.geocode(name, hint, false)
}

// Lookup is Geocode without near misses: only places whose name, folded or
// by key, is a whole phrase of name. Text mining asks it of every
// capitalised phrase of an article, where a near miss is more often a word
// that is no place at all ("Assad" is not "Asad") than a misspelt village.
func (g *Geocoder) Lookup(name string, hint Hint) []Candidate {
	return g.geocode(name, hint, true)
}

func (g *Geocoder) geocode(name string, hint Hint, exactOnly bool) []Candidate {
	parts, wantAdmin := queryParts(name)
	best := make(map[int32]match)
	consider := func(pl int32, m match) {
		if old, ok := best[pl]; !ok || m.name > old.name || (m.name == old.name && m.matched < old.matched) {
			best[pl] = m
		}
	}
	hintCodes := g.ResolveGovernorates(hint.Admin1)
	for i, words := range parts {
		phrase := strings.Join(words, " ")
		// "Hmeimim Air Base, Latakia": reports name the place first and
		// where it lies after, so later phrases weigh less and, when they
		// name a governorate, serve as the hint.
		order := 1 - partDecay*float64(min(i, 3))
		if i > 0 && hint.Admin1 == "" {
			hintCodes = appendNew(hintCodes, g.ResolveGovernorates(phrase)...)
		}
		g.lookup(phrase, true, !exactOnly, order, consider)
		if exactOnly {
			continue
		}
		n := min(len(words), 8)
		for size := n - 1; size >= 1; size-- {
			base := order * (scoreWindow + 0.1*float64(size)/float64(len(words)))
			for i := 0; i+size <= n; i++ {
				g.lookup(strings.Join(words[i:i+size], " "), false, false, base, consider)
			}
		}
	}
	if len(best) == 0 {
		return nil
	}
	order := make([]int32, 0, len(best))
	for pl := range best {
		order = append(order, pl)
	}
	slices.Sort(order) // ties then keep gazetteer order, run after run
	out := make([]Candidate, 0, len(best))
	for _, pl := range order {
		m := best[pl]
		p := g.places[pl]
		parts := ScoreParts{Query: m.query, Matched: m.matched, Match: m.how, Name: m.name, Admin1: g.admin1[pl]}
		switch p.FeatureClass {
		case "P", "S":
			parts.Class = weightClass
		case "A":
			parts.Class = weightAdminClass
			if wantAdmin > 0 && p.FeatureCode == fmt.Sprintf("ADM%d", wantAdmin) {
				parts.Class += weightAskedAdmin
			}
		}
		if p.Population > 0 {
			parts.Population = weightPopulation * math.Min(1, math.Log10(float64(p.Population)+1)/6.5)
		}
		if len(hintCodes) > 0 && parts.Admin1 != "" {
			if slices.Contains(hintCodes, parts.Admin1) {
				parts.Hint += weightHint
			} else {
				parts.Hint -= weightHint
			}
		}
		if hint.Near != nil {
			parts.DistanceKm = DistanceKm(*hint.Near, p.Point)
			parts.Hint += weightNear * math.Exp(-parts.DistanceKm/nearKm)
		}
		c := Candidate{Place: p, Parts: parts, Score: parts.Name + parts.Class + parts.Population + parts.Hint}
		if c.Score >= g.MinScore {
			out = append(out, c)
		}
	}
	// Stable, so equal candidates stay in gazetteer order; among admin
	// units of one name the governorate (ADM1) comes before the district.
	slices.SortStableFunc(out, func(a, b Candidate) int {
		switch {
		case a.Score != b.Score:
			return cmpFloat(b.Score, a.Score)
		case a.Place.Population != b.Place.Population:
			return cmpFloat(float64(b.Place.Population), float64(a.Place.Population))
		}
		return strings.Compare(a.Place.FeatureCode, b.Place.FeatureCode)
	})
	if g.Limit > 0 && len(out) > g.Limit {
		out = out[:g.Limit]
	}
	return out
}

func appendNew(list []string, more ...string) []string {
	for _, s := range more {
		if !slices.Contains(list, s) {
			list = append(list, s)
		}
	}
	return list
}

func cmpFloat(a, b float64) int {
	if a < b {
		return -1
	}
	return 1
}

// lookup reports the places a folded phrase names: exactly, by key, and,
// when fuzzy, by similar keys. base is the score of an exact match: 1 for a
// whole phrase, less for a run of its words.
func (g *Geocoder) lookup(phrase string, whole, fuzzy bool, base float64, report func(int32, match)) {
	key := keyOfFolded(phrase)
	if key == "" || (!whole && len(key) < minWindowKey) {
		return
	}
	exact, byKey := "exact", "key"
	if !whole {
		exact, byKey = "partial", "partial"
	}
	for _, pt := range g.folded[phrase] {
		report(pt.place, match{name: base, how: exact, query: phrase, matched: pt.name})
	}
	for _, pt := range g.keys[key] {
		report(pt.place, match{name: base * scoreKey, how: byKey, query: phrase, matched: pt.name})
	}
	// A phrase that matched its key exactly needs no near misses: they
	// would score lower, and the bigram scan is most of the cost.
	if !fuzzy || len(g.keys[key]) > 0 {
		return
	}
	qd := distinctiveKey(phrase)
	for id, sim := range g.similarKeys(key) {
		sim *= base
		for _, pt := range g.keys[g.keyList[id]] {
			// "Kafr Taal" is not "Kafr Nabl": the words that set a name
			// apart must be alike too, not just the long common prefix.
			if qd != "" {
				if d := distinctiveKey(Fold(pt.name)); d != "" && Similarity(qd, d) < g.MinSimilarity {
					continue
				}
			}
			report(pt.place, match{name: scoreFuzzy * sim, how: "fuzzy", query: phrase, matched: pt.name})
		}
	}
}

// genericWords begin many Syrian place names ("Kafr …", "Tall …", "Ma'arat
// …") and so say little about which place is meant.
var genericWords = map[string]bool{
	"kafr": true, "kfar": true, "kafar": true, "tal": true, "tall": true, "tell": true, "tel": true,
	"ain": true, "ayn": true, "ein": true, "deir": true, "dayr": true, "dair": true,
	"maarat": true, "maaret": true, "maarrat": true, "bir": true, "abu": true, "umm": true, "um": true,
	"jabal": true, "jebel": true, "khirbet": true, "khirbat": true, "ras": true, "qasr": true,
	"mazraa": true, "mazraat": true, "beit": true, "bayt": true, "sheikh": true, "shaykh": true,
	"jisr": true, "wadi": true, "tal'at": true, "كفر": true, "تل": true, "عين": true, "دير": true,
	"معره": true, "بير": true, "ابو": true, "ام": true, "جبل": true, "خربه": true, "راس": true,
	"قصر": true, "مزرعه": true, "بيت": true, "شيخ": true, "جسر": true, "وادي": true,
}

// distinctiveKey is the key of a folded name without its generic words, or
// "" when it has none (or nothing else).
func distinctiveKey(folded string) string {
	words := strings.Fields(folded)
	rest := words[:0:0]
	for _, w := range words {
		if !genericWords[w] {
			rest = append(rest, w)
		}
	}
	if len(rest) == len(words) || len(rest) == 0 {
		return ""
	}
	return keyOfFolded(strings.Join(rest, " "))
}

// similarKeys returns the indexed keys within MinSimilarity of key, other
// than key itself. Bigram counting prunes the candidates: a key sharing too
// few bigrams cannot be within the edit budget.
func (g *Geocoder) similarKeys(key string) map[int32]float64 {
	qg := bigrams(key)
	counts := make(map[int32]int)
	for _, bg := range qg {
		for _, id := range g.grams[bg] {
			counts[id]++
		}
	}
	out := make(map[int32]float64)
	qlen := len([]rune(key))
	for id, shared := range counts {
		k := g.keyList[id]
		if k == key {
			continue
		}
		klen := len([]rune(k))
		// Each edit destroys at most two bigrams.
		maxEdits := int((1 - g.MinSimilarity) * float64(max(qlen, klen)))
		if shared < max(qlen, klen)+1-2*maxEdits {
			continue
		}
		if sim := Similarity(key, k); sim >= g.MinSimilarity {
			out[id] = sim
		}
	}
	return out
}

// ResolveGovernorates returns the pcodes of the governorates a name such as
// "Deir Ezzor", "Rif Dimashq", "محافظة إدلب" or "Al-Hasakah and Deir Ezzor"
// refers to: by key, then by the closest fuzzy match. It returns nil without
// an admin index or when nothing is close.
func (g *Geocoder) ResolveGovernorates(name string) []string {
	if strings.TrimSpace(name) == "" || len(g.govs) == 0 {
		return nil
	}
	var codes []string
	parts, _ := queryParts(name)
	for _, words := range parts {
		k := keyOfFolded(strings.Join(words, " "))
		code, ok := g.govs[k]
		if !ok {
			bestSim := g.MinSimilarity
			for _, gk := range g.govKeys {
				if s := Similarity(k, gk); s > bestSim || (s == bestSim && !ok) {
					bestSim, code, ok = s, g.govs[gk], true
				}
			}
		}
		if ok && !slices.Contains(codes, code) {
			codes = append(codes, code)
		}
	}
	return codes
}

// DistanceKm returns the great-circle distance between two points.
func DistanceKm(a, b domain.Point) float64 {
	return geo.Distance(orb.Point{a.Lon, a.Lat}, orb.Point{b.Lon, b.Lat}) / 1000
}
