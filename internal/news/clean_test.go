package news

import (
	"strings"
	"testing"
	"time"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// TestStripLead runs the opening-chrome rules on the openings of FA-KES
// articles (ids given), and on openings they must leave alone.
func TestStripLead(t *testing.T) {
	tests := []struct {
		name, line, title string
		want              string // prefix of the result
		day               time.Time
	}{
		{"date of publication (1923102926)", "Date of publication 11 September 2016 Aerial bombardment on a residential neighbourhood",
			"", "Aerial bombardment on", day(2016, 9, 11)},
		{"date of publication and video (1923102823)", "Date of publication 7 July 2016 Video More than 33 people were killed",
			"", "More than 33 people", day(2016, 7, 7)},
		{"bracketed video", "Date of publication 11 September 2016 [Video] Five dead in raids.", "", "Five dead", day(2016, 9, 11)},
		{"dateline (1924058091)", "19 Sep 2016 At least 10 people were killed on Sunday", "", "At least 10 people", day(2016, 9, 19)},
		{"dateline and title (1926479109)", "30 April 2016 Russia: Terrorists breached cessation of hostilities 3 times in 24 hours all breaches in Aleppo. The Russian coordination center in Hmeimim stated",
			"Russia: Terrorists breached cessation of hostilities 3 times in 24 hours all breaches in Aleppo", "The Russian coordination center", day(2016, 4, 30)},
		{"weekday month day (1962495688)", "Fri Apr 15 2016 150 Terrorists Infiltrated Syria from Turkey in Latakia Russian Coordination Center. The Russian Coordination Center in Hmeimim reported",
			"150 Terrorists Infiltrated Syria from Turkey in Latakia Russian Coordination Center", "The Russian Coordination Center in", day(2016, 4, 15)},
		{"weekday and time", "Monday 02 May 2016 20:08 Syrian Coalition: Russia Offering the Syrian People a Choice", "", "Syrian Coalition:", day(2016, 5, 2)},
		{"time and zone (1924058225)", "August 22 2013 1849 UTC+3 A total of 1500 people have fallen victims", "", "A total of 1500", day(2013, 8, 22)},
		{"published", "Published July 5 2016 A motorcycle bomber killed at least 16 civilians", "", "A motorcycle bomber", day(2016, 7, 5)},
		{"last updated, day and year run together", "Last updated at Jul 282016 A massive bomb blast claimed by the Daesh terror group", "", "A massive bomb blast", day(2016, 7, 28)},
		{"sputnik short URL", "18.05.2017Get short URL 0 15 The death toll following Daesh Thursday attack", "", "The death toll", day(2017, 5, 18)},
		{"numeric dateline and title", "15-09-2013 Militants Attack Syrias Idlib Kill 3 Including Journalist. A bomb attack in northwest Syria killed three people",
			"Militants Attack Syrias Idlib Kill 3 Including Journalist", "A bomb attack in", day(2013, 9, 15)},
		{"title, source and wire signature (1923848298)", "20 dead in Syria barrel bomb attack in Aleppo NGO AFP Monday 16 Jun 2014 Print Tweet Syrian regime helicopters on Monday dropped barrel bombs",
			"20 dead in Syria barrel bomb attack in Aleppo", "Syrian regime helicopters", day(2014, 6, 16)},
		{"wire signature first, then title (1923848166)", "AFP Friday 22 Jul 2016 Aleppo rebel tunnel blast killed 38 regime forces monitor Print Tweet Views 1430 Related",
			"Aleppo rebel tunnel blast killed 38 regime forces monitor", "Related", day(2016, 7, 22)},
		{"standfirst that tells more is kept (1923848217)", "Syria regime bombing kills 21 including 8 children Syrian regime bombardment and air strikes killed at least 21 civilians eight of them children in the south and northeast of the country AFP Friday 10 Oct 2014 The Syrian Observatory for Human Rights a Britain-based monitoring group said Friday 19 people including five children were killed by air strikes and surface-to-surface missiles on the Hara area in southern Daraa province.",
			"Syria regime bombing kills 21 including 8 children", "Syrian regime bombardment and air strikes killed at least 21 civilians eight of them children in the south and northeast of the country. The Syrian Observatory", day(2014, 10, 10)},
		{"standfirst printed twice (1965511171)", "Eleven civilians were killed among them a child and two women in Aleppo city on Friday Eleven civilians were killed among them a child and two women in Aleppo city on Friday. A source said",
			"", "Eleven civilians were killed among them a child and two women in Aleppo city on Friday. A source", time.Time{}},
		// Left alone.
		{"a lead that goes on from the title", "Syrian army kills 40 militants in Homs state media said.", "Syrian army kills 40 militants",
			"Syrian army kills 40 militants in Homs", time.Time{}},
		{"an agency word in a sentence", "6 September 2016 SANA reporter in Aleppo said", "", "SANA reporter", day(2016, 9, 6)},
		{"an impossible date", "31.02.2016 Five civilians were killed", "", "31.02.2016 Five", time.Time{}},
		{"no dateline", "United Nations diplomats are considering a resolution.", "", "United Nations diplomats", time.Time{}},
		{"a number that is not a time", "Fri Apr 15 2016 150 Terrorists Infiltrated Syria", "", "150 Terrorists", day(2016, 4, 15)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, d := stripLead(tt.line, tt.title)
			if !strings.HasPrefix(got, tt.want) || !d.Equal(tt.day) {
				t.Errorf("stripLead = %.80q, %v; want it to start %q, day %v", got, d.Format(time.DateOnly), tt.want, tt.day.Format(time.DateOnly))
			}
		})
	}
}

// TestStripTags runs the tag-list rule on FA-KES lines (ids given).
func TestStripTags(t *testing.T) {
	tests := []struct{ name, line, want string }{
		{"standfirst retells the lead, opener 'At least' (1923102926)",
			"Aerial bombardment on a residential neighbourhood controlled by Syrias rebels killed at least five civilians on Sunday as the world anticipates the implementation of a ceasefire. Tags Syria Airstrikes Truce Ceasefire Assad Rebels Aleppo At least five civilians were killed in aerial bombardment targeting a rebel-controlled neighbourhood east of Aleppo on Sunday as the opposition continued to mull over a US-Russia truce deal due to take effect on Monday.",
			"At least five civilians were killed in aerial bombardment targeting a rebel-controlled neighbourhood east of Aleppo on Sunday as the opposition continued to mull over a US-Russia truce deal due to take effect on Monday."},
		{"a stop ends the tags (1923102920)",
			"Two civilians including a child have been killed in Aleppo city in the first deaths reported in areas covered by a US-Russian-brokered ceasefire since it began this week. Tags Syria Aleppo ceasefire truce civilian casualties sniper fire. An adult and a child have been killed in Syrias Aleppo city in the first deaths in areas covered by a US-Russian-brokered ceasefire since it began this week.",
			"An adult and a child have been killed in Syrias Aleppo city in the first deaths in areas covered by a US-Russian-brokered ceasefire since it began this week."},
		{"the lead repeats the standfirst's opening (1923102896)",
			"Russia has accused Belgium of killing civilians in Aleppo while partaking in coalition strikes. Tags Belgium Syria coalition air raids strikes Aleppo Russia has accused Belgium a member of a US-led coalition fighting militants in Syria of killing six civilians.",
			"Russia has accused Belgium a member of a US-led coalition fighting militants in Syria of killing six civilians."},
		{"subject before the first verb (1923102855)",
			"The uneasy peace in Syrias Hassakeh city was broken two days ago as clashes between regime and Kurdish forces escalated leading to Damascus to bomb separatist positions. Tags Qamishli Rojava Hassakeh Kurdish Syrian-Kurdish YPG Peoples Protection Units Turkey Syrian regime Syrian regime warplanes bombed Kurdish positions in the north-eastern city of Hassakeh on Friday.",
			"The uneasy peace in Syrias Hassakeh city was broken two days ago as clashes between regime and Kurdish forces escalated leading to Damascus to bomb separatist positions. Syrian regime warplanes bombed Kurdish positions in the north-eastern city of Hassakeh on Friday."},
		{"a number word before a name (1923102955)",
			"Four Hezbollah members have been killed in Syria amid reports that dozens of fighters died. Tags Aleppo Syria Hizbollah Four Hizballah members were reportedly killed in Syria amid reports dozens of fighters were killed.",
			"Four Hizballah members were reportedly killed in Syria amid reports dozens of fighters were killed."},
		{"a standfirst that tells more is kept (1923102898)",
			"At least 45 people have been killed in Aleppo in the last 24 hours according to monitors with high-level diplomatic talks over the weekend failing to curb the bloodshed. Tags Aleppo Syria United States Russia At least 12 civilians were killed by airstrikes in the rebel-held east Aleppo district of Marjeh on Monday.",
			"At least 45 people have been killed in Aleppo in the last 24 hours according to monitors with high-level diplomatic talks over the weekend failing to curb the bloodshed. At least 12 civilians were killed by airstrikes in the rebel-held east Aleppo district of Marjeh on Monday."},
		{"a trailing list before the comment bar (1965495371)",
			"Israeli Air Force Targets Syrian Mortars in Golan Heights as Fighting Escalates Tags strike Golan Heights Israel Community standardsDiscussion Comment via FacebookComment via Sputnik News",
			"Israeli Air Force Targets Syrian Mortars in Golan Heights as Fighting Escalates"},
		{"no lead start found: left alone",
			"The army said the truce held. Tags Syria Aleppo", "The army said the truce held. Tags Syria Aleppo"},
		{"no tag list", "Tagsa and Tags-like words stay.", "Tagsa and Tags-like words stay."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := stripTags(tt.line); got != tt.want {
				t.Errorf("stripTags =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

// TestParseTextDateline checks that the dateline's day becomes the article
// date only when the caller gave none, and that statement offsets index the
// cleaned text.
func TestParseTextDateline(t *testing.T) {
	raw := []byte("Date of publication 11 September 2016 Aerial bombardment killed at least five civilians on Sunday. Tags Syria Airstrikes Aleppo At least five civilians were killed in regime air raids on Sunday the Observatory said.")
	for _, tt := range []struct {
		name string
		meta Meta
		want time.Time
	}{
		{"no date given", Meta{}, day(2016, 9, 11)},
		{"a date given wins", Meta{Date: day(2016, 9, 12)}, day(2016, 9, 12)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a, err := ParseText(raw, tt.meta)
			if err != nil {
				t.Fatal(err)
			}
			if !a.Date.Equal(tt.want) {
				t.Errorf("Date = %v, want %v", a.Date, tt.want)
			}
			if want := "At least five civilians were killed in regime air raids on Sunday the Observatory said."; a.Text != want {
				t.Errorf("Text = %q, want %q", a.Text, want)
			}
			res := (&Analyzer{}).Analyze(a)
			if len(res.Claims) != 1 {
				t.Fatalf("claims = %+v, want one", res.Claims)
			}
			for _, st := range res.Statements {
				if a.Text[st.Start:st.End] != st.Text {
					t.Errorf("statement offsets [%d,%d) give %q, want %q", st.Start, st.End, a.Text[st.Start:st.End], st.Text)
				}
			}
		})
	}
}
