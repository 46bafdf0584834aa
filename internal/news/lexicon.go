package news

import "strings"

// countries maps country names, demonyms and capitals to a country, so that
// "Russian", "Moscow" and "Russia’s" all name Russia.
var countries = map[string]string{
	"russia": "Russia", "russian": "Russia", "russians": "Russia", "moscow": "Russia", "kremlin": "Russia", "russian federation": "Russia",
	"us": "United States", "u.s.": "United States", "usa": "United States", "united states": "United States",
	"american": "United States", "americans": "United States", "washington": "United States",
	"turkey": "Turkey", "turkish": "Turkey", "ankara": "Turkey", "syria": "Syria", "syrian": "Syria",
	"damascus": "Syria", "iran": "Iran", "iranian": "Iran", "tehran": "Iran", "france": "France",
	"french": "France", "paris": "France", "uk": "United Kingdom", "british": "United Kingdom",
	"britain": "United Kingdom", "london": "United Kingdom", "israel": "Israel", "israeli": "Israel",
	"iraq": "Iraq", "iraqi": "Iraq", "jordan": "Jordan", "jordanian": "Jordan", "saudi": "Saudi Arabia",
	"saudi arabia": "Saudi Arabia", "qatar": "Qatar", "germany": "Germany", "german": "Germany",
	"china": "China", "chinese": "China", "lebanon": "Lebanon", "lebanese": "Lebanon",
}

// titleWords precede or follow a person's name and say what office they hold.
var titleWords = set("president", "minister", "secretary", "spokesman", "spokeswoman", "spokesperson",
	"general", "major", "major-general", "lieutenant", "lieutenant-general", "colonel", "lt.", "col.",
	"maj.", "gen.", "dr.", "mr.", "mrs.", "ms.", "deputy", "chief", "head", "adviser", "advisor",
	"ambassador", "envoy", "commander", "chairman", "director", "under", "secretary-general", "prime",
	"captain", "activist", "official", "leader", "member", "correspondent", "journalist", "witness",
	"monitor", "representative", "foreign", "defense", "defence", "senator", "king", "emir", "sheikh",
	"mayor", "governor", "analyst", "researcher", "sergeant", "brigadier", "admiral", "lt", "col",
	"gen", "maj", "dr", "mr", "mrs", "ms", "vice", "senior", "top", "aid", "political", "media",
	"national", "security", "humanitarian", "special", "state")

// orgWords mark a phrase as naming an organisation or a body of people.
var orgWords = set("ministry", "department", "observatory", "center", "centre", "council", "committee",
	"committees", "coalition", "army", "military", "forces", "force", "agency", "office", "house",
	"staff", "operation", "group", "front", "commission", "nations", "un", "reuters", "afp", "cnn",
	"sana", "sohr", "tass", "media", "statement", "sources", "source", "officials", "activists",
	"agency", "government", "regime", "reports", "report", "rights", "affairs", "defence", "defense",
	"directorate", "organisation", "organization", "union", "alliance", "brigade", "battalion",
	"militia", "factions", "faction", "opposition", "groups", "monitor", "correspondent", "journalist",
	"witness", "witnesses", "residents", "doctors", "medics", "ambassador", "kremlin", "pentagon",
	"network", "authorities", "police", "hospital")

// roleWords are lower-case words allowed inside a speaker phrase: "Defense
// Ministry spokesperson", "local activists", "another rebel official".
var roleWords = func() map[string]bool {
	m := set("rebel", "local", "opposition", "state", "news", "monitoring", "military", "security",
		"government", "regime", "office", "political", "aid", "top", "group", "groups", "ally",
		"army", "statement", "sources", "source", "officials", "activists", "media", "agency", "center",
		"centre", "coordination", "observatory", "ministry", "spokesman", "spokesperson", "head",
		"official", "member", "activist", "correspondent", "journalist", "witness", "reports", "report",
		"witnesses", "residents", "doctors", "medics", "leader", "commander", "minister", "president",
		"monitor", "senior", "foreign", "defence", "defense", "emailed", "regional", "provincial",
		"council", "committee", "coalition", "forces", "authorities", "police", "civil", "military's")
	for w := range orgWords {
		m[w] = true
	}
	return m
}()

// leftStop words are cut from the start of a speaker phrase: sentence
// openers and time words swept up by the backward scan.
var leftStop = set("on", "in", "at", "meanwhile", "but", "and", "however", "while", "earlier", "later",
	"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "of", "for",
	"january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
	"november", "december", "turn", "also", "then", "today", "yesterday", "last", "night", "this", "that",
	"when", "after", "before", "as", "so", "one", "some", "with", "from", "by", "to", "since")

// speechVerbs introduce reported speech.
var speechVerbs = set("said", "says", "say", "told", "tells", "added", "adding", "adds", "stated",
	"states", "reported", "reports", "announced", "announces", "confirmed", "confirms", "stressed",
	"urged", "urges", "reiterated", "reiterating", "warned", "warns", "noted", "noting", "insisted",
	"insisting", "accused", "denied", "denies", "claimed", "claiming", "explained", "described",
	"expressed", "welcomed", "argued", "asserted", "acknowledged", "alleged", "state")

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// countryOf returns the country a word or phrase names, ignoring a final
// possessive ("Russia’s").
func countryOf(w string) (string, bool) {
	w = strings.ToLower(strings.Trim(w, ".,;:()[]\"“”"))
	w = strings.TrimSuffix(strings.TrimSuffix(w, "’s"), "'s")
	w = strings.TrimSuffix(w, "s'")
	if c, ok := countries[w]; ok {
		return c, true
	}
	if strings.HasSuffix(w, "s") && len(w) > 4 { // "Russias" in texts stripped of apostrophes
		if c, ok := countries[w[:len(w)-1]]; ok {
			return c, true
		}
	}
	return "", false
}
