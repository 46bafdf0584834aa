package news

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSegment(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"plain", "One thing. Another thing! A third?", []string{"One thing.", "Another thing!", "A third?"}},
		{"titles", "Maj. Gen. Igor Konashenkov spoke. Lt. Col. Smith and Dr. Jones and Mr. Brown agreed.",
			[]string{"Maj. Gen. Igor Konashenkov spoke.", "Lt. Col. Smith and Dr. Jones and Mr. Brown agreed."}},
		{"US mid sentence", "The U.S. State Department said so. The U.S. Army agreed.",
			[]string{"The U.S. State Department said so.", "The U.S. Army agreed."}},
		{"US at end", "It was backed by the U.S. The talks went on.", []string{"It was backed by the U.S.", "The talks went on."}},
		{"month and number", "It began on Jan. 5 at 10 a.m. local time. Resolution No. 2268 passed.",
			[]string{"It began on Jan. 5 at 10 a.m. local time.", "Resolution No. 2268 passed."}},
		{"decimal", "About 1.2 million people live there. Prices rose 3.5 percent.",
			[]string{"About 1.2 million people live there.", "Prices rose 3.5 percent."}},
		{"quote spanning sentences", `"There is no hope. Every day there is a pretext." he said. Then he left.`,
			[]string{`"There is no hope. Every day there is a pretext." he said.`, "Then he left."}},
		{"quote at end", `He said: “It is over.” The Russian side disagreed.`,
			[]string{`He said: “It is over.”`, "The Russian side disagreed."}},
		{"paragraphs", "A headline\n\nBody text here. More.", []string{"A headline", "Body text here.", "More."}},
		{"initial", "John F. Kennedy spoke.", []string{"John F. Kennedy spoke."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, s := range Segment(tt.text) {
				got = append(got, tt.text[s.Start:s.End])
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Segment(%q) mismatch (-want +got):\n%s", tt.text, diff)
			}
		})
	}
}
