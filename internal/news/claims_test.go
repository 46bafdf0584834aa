package news

import (
	"os"
	"regexp"
	"slices"
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
