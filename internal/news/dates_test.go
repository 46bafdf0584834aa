package news

import (
	"testing"
	"time"
)

func TestResolveTimes(t *testing.T) {
	ref := time.Date(2016, 2, 24, 0, 0, 0, 0, time.UTC) // a Wednesday
	day := func(m time.Month, d int) time.Time { return time.Date(2016, m, d, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		text       string
		start, end time.Time
	}{
		{"decreased over the past two days", day(2, 22), day(2, 24)},
		{"in the past 24 hours", day(2, 23), day(2, 24)},
		{"in the last 48 hours", day(2, 22), day(2, 24)},
		{"started on Tuesday", day(2, 23), day(2, 24)},
		{"told a briefing on Wednesday", day(2, 24), day(2, 25)},
		{"on Thursday", day(2, 18), day(2, 19)},
		{"yesterday", day(2, 23), day(2, 24)},
		{"last week", day(2, 15), day(2, 22)},
		{"since late September", time.Date(2015, 9, 21, 0, 0, 0, 0, time.UTC), day(2, 24)},
		{"since 21 May", time.Date(2015, 5, 21, 0, 0, 0, 0, time.UTC), day(2, 24)},
		{"on 22 February", day(2, 22), day(2, 23)},
		{"on February 27, 2016", day(2, 27), day(2, 28)},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got := ResolveTimes(tt.text, ref)
			if len(got) != 1 {
				t.Fatalf("ResolveTimes(%q) found %d expressions, want 1: %+v", tt.text, len(got), got)
			}
			if !got[0].Start.Equal(tt.start) || !got[0].End.Equal(tt.end) {
				t.Errorf("ResolveTimes(%q) = [%s, %s), want [%s, %s)", tt.text,
					got[0].Start.Format(time.DateOnly), got[0].End.Format(time.DateOnly),
					tt.start.Format(time.DateOnly), tt.end.Format(time.DateOnly))
			}
		})
	}
	if got := ResolveTimes("on Tuesday", time.Time{}); got != nil {
		t.Errorf("ResolveTimes with zero date = %v, want nil", got)
	}
}

func TestParseCount(t *testing.T) {
	for s, want := range map[string]int{"24": 24, "two dozen": 24, "Sixty-two": 62, "a hundred": 100, "fifteen": 15, "1,200": 1200, "many": -1} {
		if got := parseCount(s); got != want {
			t.Errorf("parseCount(%q) = %d, want %d", s, got, want)
		}
	}
}

// TestResolveTimesFAKES resolves time expressions of real FA-KES sentences
// (the id of each article in a comment) against the article's date, which
// its own dateline confirms in every case below.
func TestResolveTimesFAKES(t *testing.T) {
	d := func(y int, m time.Month, dd int) time.Time { return time.Date(y, m, dd, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		id, text   string
		ref        time.Time // the article's date
		start, end time.Time
	}{
		// Same day: a report dated Wednesday saying "on Wednesday".
		{"1914947530", "the World Health Organization said on Wednesday.", d(2017, 4, 5), d(2017, 4, 5), d(2017, 4, 6)},
		{"1914947537", "22 people killed in U.S. air strikes on the Islamic State groups de facto Syrian capital on Saturday", d(2015, 7, 5), d(2015, 7, 4), d(2015, 7, 5)},
		// The future: the next such day, the same day included.
		{"1923102920", "US President Barack Obama will meet with security aides on Friday amid deep unease", d(2016, 9, 16), d(2016, 9, 16), d(2016, 9, 17)},
		{"1926479384", "senior U.S. and Russian diplomats would meet in The Hague next Wednesday", d(2013, 8, 23), d(2013, 8, 28), d(2013, 8, 29)},
		{"1924058098", "Kerry and Lavrov to meet in Switzerland US officials on Wednesday said", d(2016, 10, 13), d(2016, 10, 12), d(2016, 10, 13)},
		{"1924058098", "John Kerry will meet his Russian counterpart in Switzerland on Saturday to discuss Syria.", d(2016, 10, 13), d(2016, 10, 15), d(2016, 10, 16)},
		{"1915433684", "have launched a series of attacks in Aleppo since last week", d(2015, 7, 8), d(2015, 6, 29), d(2015, 7, 6)},
		{"1918398782", "attacked several southern neighborhoods held by government troops earlier this month.", d(2015, 7, 5), d(2015, 7, 1), d(2015, 7, 6)},
		{"1914947538", "troops had executed 48 people earlier this week in a northern village", d(2015, 2, 22), d(2015, 2, 16), d(2015, 2, 23)},
		{"1914947535", "were killed in clashes with regime troops overnight during a failed bid", d(2016, 7, 10), d(2016, 7, 9), d(2016, 7, 11)},
		{"1923102855", "burning last night following one air raid.", d(2016, 8, 19), d(2016, 8, 18), d(2016, 8, 20)},
		{"1926479088", "hundreds of civilians have been killed over the past few days in deliberate bombardment", d(2016, 11, 30), d(2016, 11, 27), d(2016, 11, 30)},
		{"1915433685", "the regimes latest attempt to secure Zabadani started 12 days ago.", d(2015, 7, 15), d(2015, 7, 3), d(2015, 7, 4)},
		{"1918398795", "Syria has been locked in a vicious civil war since early 2011", d(2016, 7, 2), d(2011, 1, 1), d(2016, 7, 2)},
		{"1919191770", "after the last batch of them left this morning", d(2017, 4, 19), d(2017, 4, 19), d(2017, 4, 20)},
		{"1914947530", "the rebels had used the same chemical weapons in Aleppo last year.", d(2017, 4, 5), d(2016, 1, 1), d(2017, 1, 1)},
		{"1923102946", "have been killed in the past 24 hours of fighting", d(2016, 6, 30), d(2016, 6, 29), d(2016, 6, 30)},
		// The seed article (line 25): "are holding further discussions
		// Thursday" in a Wednesday report is the next day.
		{"seed", "USA and Russian officials are holding further discussions Thursday on implementing the cease-fire", d(2016, 2, 24), d(2016, 2, 25), d(2016, 2, 26)},
	}
	for _, tt := range tests {
		t.Run(tt.id+" "+tt.text, func(t *testing.T) {
			got := ResolveTimes(tt.text, tt.ref)
			if len(got) != 1 {
				t.Fatalf("found %d expressions, want 1: %+v", len(got), got)
			}
			if !got[0].Start.Equal(tt.start) || !got[0].End.Equal(tt.end) {
				t.Errorf("%q = [%s, %s), want [%s, %s)", got[0].Text,
					got[0].Start.Format(time.DateOnly), got[0].End.Format(time.DateOnly),
					tt.start.Format(time.DateOnly), tt.end.Format(time.DateOnly))
			}
		})
	}
}
