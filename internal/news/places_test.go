package news

import (
	"strings"
	"testing"

	"github.com/trucedesk/truce/internal/domain"
)

// fakeGazetteer knows a few places by exact spelling; a fuzzy lookup also
// takes the spellings in near.
type fakeGazetteer struct {
	exact map[string]string // spelling → place name
	near  map[string]string
}

func (g fakeGazetteer) ResolvePlace(name string, fuzzy bool) (*domain.Place, bool) {
	if p, ok := g.exact[name]; ok {
		return &domain.Place{Name: p}, true
	}
	if p, ok := g.near[name]; ok && fuzzy {
		return &domain.Place{Name: p}, true
	}
	return nil, false
}

func TestFindPlaces(t *testing.T) {
	gaz := fakeGazetteer{
		exact: map[string]string{"Aleppo": "Aleppo", "Hamra": "Al Hamra", "Dali": "Ad Daliyah", "Idlib": "Idlib",
			"al-Qaryatain": "Al Qaryatayn", "Palmyra": "Tadmur", "SANA": "As Si'in", "Sana": "As Si'in",
			"إدلب": "Idlib", "Damascus": "Damascus", "Khan Sheikhoun": "Khan Shaykhun", "Raqa": "Ar Raqqah"},
		near: map[string]string{"Khmeimin": "Hmeimim Air Base"},
	}
	tests := []struct {
		src, text string
		want      []string // place names; "+" marks an area
	}{
		{"1926479313", "For his part Aleppo Governor Hussein Diab inspected al-Furqan School", []string{"Aleppo"}},
		{"Kafr Hamra, FA-KES", "the only hospital for women and children in the town of Kafr Hamra before dawn", nil},
		{"Yaarab Dali, FA-KES", `said media activist Yaarab Dali. Dali added that the wounded were transferred`, nil},
		{"1965511207", "in the vicinity of Palmyra and al-Qaryatain in the countryside of the central Homs province", []string{"Tadmur", "Al Qaryatayn"}},
		{"1926479115", "make all efforts to address the deteriorating situation across Idlib province", []string{"+Idlib"}},
		{"1923848246", "a regime position in the northern province of Raqa a monitoring group said", []string{"+Ar Raqqah"}},
		{"1926479049", "SANA reporter in Aleppo said that terrorists fired a rocket shell", []string{"Aleppo"}},
		{"1924058146", "The Syrian Observatory for Human Rights said the Boukamal strike", nil},
		{"1923102880", `"Samples obtained from Khan Sheikhun" In Khan Sheikhoun`, []string{"Khan Shaykhun"}},
		{"seed line 21", "started its work at the Khmeimin airbase near Latakia, on Tuesday", []string{"Hmeimim Air Base"}},
		{"Khmeimin without a cue", "Khmeimin was quiet", nil},
		{"Arabic, after في", "قصف الطيران الروسي مواقع في إدلب أمس", []string{"Idlib"}},
		{"Arabic, no cue", "إدلب", nil},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			var got []string
			for _, p := range FindPlaces(tt.text, gaz) {
				if tt.text[p.Start:p.End] != p.Text {
					t.Errorf("offsets [%d,%d) hold %q, not %q", p.Start, p.End, tt.text[p.Start:p.End], p.Text)
				}
				n := p.Place.Name
				if p.Area {
					n = "+" + n
				}
				got = append(got, n)
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("FindPlaces(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
	if FindPlaces("Aleppo", nil) != nil {
		t.Error("FindPlaces without a resolver found places")
	}
}

// countryParties resolves the country names the analysis gives speakers
// to state parties, as the desk's Resolver does.
type countryParties map[string]string

func (c countryParties) Resolve(name string) (string, bool) {
	if co, ok := CountryOf(name); ok && c[co] != "" {
		return c[co], true
	}
	return "", false
}

// TestSpeakerPartyByCountry checks that a speaker's country gives it the
// state's party only when it speaks for the state.
func TestSpeakerPartyByCountry(t *testing.T) {
	an := &Analyzer{Parties: countryParties{"Russia": "ru-af", "Syria": "sy-gov", "Turkey": "tr-af"}}
	tests := []struct {
		src, text, party string
	}{
		{"seed line 9", "The intensity of Russian airstrikes in Syria has “significantly” decreased over the past two days, Defense Ministry spokesperson Major General Igor Konashenkov told a media briefing on Wednesday.", "ru-af"},
		{"1918150030", "The Syrian Coalition an opposition group based outside the country said regime planes carried out the airstrike on Khan Sheikhoun south of the city of Idlib the provincial capital.", ""},
		{"1923848146", "The air strikes on the town of Khan Sheikhoun in the south of rebel-held Idlib in Syria also wounded more than 60 people said the Observatory a British-based war monitoring group.", ""},
		{"1923848278", "Syrias army said in a statement on Monday that the Nusra Front had killed 84 people in Aleppo.", "sy-gov"},
		{"seed line 27", "Meanwhile, Turkish President Recep Tayyip Erdogan said that Syrian Kurdish militia forces it considers terrorists should also be kept out of the scope of the cease-fire.", "tr-af"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			res := an.Analyze(&Article{Text: tt.text})
			if len(res.Statements) != 1 {
				t.Fatalf("%d statements, want 1", len(res.Statements))
			}
			if sp := res.Statements[0].Speaker; sp.Party != tt.party {
				t.Errorf("speaker %q (org %q, country %q, title %q) has party %q, want %q", sp.Name, sp.Org, sp.Country, sp.Title, sp.Party, tt.party)
			}
		})
	}
}
