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
