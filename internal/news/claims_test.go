package news

import (
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestCountGates checks that no count pattern can match a sentence its
// gate skips: a gate missing a word the pattern accepts would drop claims
// without a sound.
func TestCountGates(t *testing.T) {
	rules := []struct {
		name string
		re   *regexp.Regexp
		gate []string
	}{
		{"messages", messagesRe, gateMessages},
		{"strikes", strikesRe, gateStrikes},
		{"breach times", breachTimes, gateTimes},
		{"breach total", breachTotal, gateTotal},
		{"breach count", breachCount, gateBreaches},
		{"killed active", killedActive, gateKill},
		{"killed passive", killedPass, gateKilled},
		{"lives", livesRe, gateLives},
	}
	sentences := []string{ // each matches one pattern, in odd case
		"OVER TWO DOZEN MESSAGES HAVE BEEN RECEIVED",
		"They Carried Out 40 Combat Flights and 12 AIR RAIDS and 3 Sorties and 5 bombings.",
		"Terrorists BREACHED the truce 3 TIMES.",
		"the Number Of Violations since then to 465",
		"no fewer than 30 Breaches; 12 new VIOLATIONS",
		"KILLING at least five; Killed 3",
		"Ten civilians were KILLED",
		"it Claimed The Lives Of 12",
		"The \u212Aremlin said 12 were \u212Ailled.", // Kelvin sign: (?i) folds it to k
	}
	raw, err := os.ReadFile("testdata/fakes_labelled.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	items, err := ParseBatch(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.Err != nil {
			continue
		}
		for _, s := range Segment(it.Article.Text) {
			sentences = append(sentences, it.Article.Text[s.Start:s.End])
		}
	}
	for _, r := range rules {
		t.Run(r.name, func(t *testing.T) {
			matched := 0
			for _, sent := range sentences {
				plain := unquote.Replace(sent)
				if !r.re.MatchString(plain) {
					continue
				}
				matched++
				lower := strings.ToLower(plain)
				if !slices.ContainsFunc(r.gate, func(w string) bool { return strings.Contains(lower, w) }) {
					t.Errorf("%s matches %q but its gate %q skips it", r.name, sent, r.gate)
				}
			}
			if matched == 0 {
				t.Errorf("%s matched no sentence: the test proves nothing for it", r.name)
			}
		})
	}
}

// TestPassiveActor checks whom a passive count ("N were killed") names as
// actor, on FA-KES sentences (ids given): the cause in its own clause, not
// the victims listed with it nor an actor of another clause.
func TestPassiveActor(t *testing.T) {
	tests := []struct {
		name, sent string
		want       []string // value=actor of each claim
	}{
		{"a circumstance after 'as' (1923102926)",
			"At least five civilians were killed in aerial bombardment targeting a rebel-controlled neighbourhood east of Aleppo on Sunday as the opposition continued to mull over a US-Russia truce deal due to take effect on Monday.",
			nil},
		{"another event after 'while' (1923102926)",
			"The reports come just a day after more than 100 civilians were killed in regime-bombardment on Idlip and Aleppo while five others were killed on the outskirts of the capital.",
			[]string{"100=Syrian government"}},
		{"victims listed before (1923848261)",
			"The Syrian Observatory for Human Rights said 30 regime soldiers and 39 rebel fighters had been killed in battles around Aleppo.",
			[]string{"39="}},
		{"victims listed before, quoted (1924058061)",
			"\"Eleven regime fighters and 17 Daesh fighters were killed in the attack\" said Abdel Rahman.",
			[]string{"17="}},
		{"the wounded of the same event after 'while' (1926478960)",
			"Six civilians were killed among them 4 children and a woman while eight persons were injured in terrorist attacks with rocket shells on Aleppo.",
			[]string{"6=armed groups"}},
		{"'as a' is no clause (1924058083)",
			"At least 36 people were killed and 50 others injured in the attack he said describing it as a \"massacre\" perpetrated by the Bashar-al-Assad regime.",
			[]string{"36=Syrian government"}},
		{"'as' naming the cause after fighting (1923848317)",
			"More than 50 rebels and jihadists were killed in fighting in northeast Syrias Hasakeh province as the Islamic State overran a town bordering Iraq an NGO said Sunday.",
			[]string{"50=Islamic State"}},
	}
	an := &Analyzer{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := an.Analyze(&Article{Text: tt.sent})
			var got []string
			for _, c := range res.Claims {
				got = append(got, strconv.FormatFloat(c.Value, 'f', -1, 64)+"="+c.Actor)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("claims %q, want %q", got, tt.want)
			}
		})
	}
}
