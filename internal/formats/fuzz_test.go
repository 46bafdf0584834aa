package formats

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// FuzzReaders feeds each CSV reader arbitrary bytes: it must not panic, must
// stop, and every row it rejects must come with a line and a reason.
func FuzzReaders(f *testing.F) {
	f.Add(0, []byte("event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,source_scale,notes,fatalities,tags,timestamp\nSYR1,2016-02-28,2016,1,Political violence,Battles,Armed clash,A,,1,B,,2,12,,760,Middle East,Syria,Idleb,,,Kafr Nabl,35.61,36.56,1,src,,n,3,,0\n"))
	f.Add(1, []byte("id,year,type_of_violence,side_a,side_b,where_prec,latitude,longitude,date_start,date_end,date_prec,deaths_a,deaths_b,deaths_civilians,deaths_unknown,best,high,low\n1,2016,1,A,B,1,35,36,2016-02-28,2016-02-28,1,0,0,1,0,1,2,1\n"))
	f.Add(2, []byte("airwars_id,incident_date,belligerent\n1,2023-09-01,\"YPG, Russian Military\"\n"))
	f.Add(0, []byte("a;b;c\n1;2;3\n"))
	f.Add(1, []byte("\xff\xfe\x00"))
	readers := []func(io.Reader, Options) (*Reader, error){NewACLEDReader, NewUCDPReader, NewAirwarsReader}
	f.Fuzz(func(t *testing.T, which int, data []byte) {
		if which < 0 {
			which = -which
		}
		r, err := readers[which%len(readers)](bytes.NewReader(data), Options{})
		if err != nil {
			return // a header it cannot read is refused up front
		}
		for i := 0; ; i++ {
			if i > len(data)+1 {
				t.Fatal("the reader returned more rows than the input has bytes")
			}
			_, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			var re *RowError
			if err != nil && !errors.As(err, &re) {
				break // a fatal error ends the stream
			}
			if re != nil && (re.Line <= 0 || re.Reason == "") {
				t.Fatalf("row error without line or reason: %+v", re)
			}
		}
	})
}
