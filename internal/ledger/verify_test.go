package ledger

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/trucedesk/truce/internal/domain"
)

// history is the log of a small desk: messages, incidents and statuses, some
// updated, in write order. Index i of the log holds history()[i].
func history() []Record {
	var recs []Record
	at := day0
	add := func(kind string, id, version int64, content string) {
		at = at.Add(17 * time.Minute)
		recs = append(recs, Record{Kind: kind, ID: id, Version: version, Time: at, Content: json.RawMessage(content)})
	}
	add("message", 1, 1, `{"channel":"phone","body":"shelling reported near Douma","state":"received"}`)
	add("message", 2, 1, `{"channel":"web","body":"air strike in Idlib","state":"received"}`)
	add("incident", 1, 1, `{"type":"Shelling/artillery/missile attack","admin1":"Rif Dimashq"}`)
	add("message", 1, 2, `{"channel":"phone","body":"shelling reported near Douma","state":"triaged"}`)
	add("status", 1, 1, `{"party":"Jaysh al-Islam","status":"committed","guarantor":"US"}`)
	add("incident", 1, 2, `{"type":"Shelling/artillery/missile attack","admin1":"Rif Dimashq","grade":"fair"}`)
	add("message", 3, 1, `{"channel":"sms","body":"قصف على حمص","state":"received"}`)
	add("status", 2, 1, `{"party":"YPG","status":"excluded","designator":"Turkey"}`)
	add("incident", 2, 1, `{"type":"Air/drone strike","admin1":"Idlib"}`)
	add("message", 2, 2, `{"channel":"web","body":"air strike in Idlib","state":"linked"}`)
	add("message", 4, 1, `{"channel":"email","body":"clash in Aleppo","state":"received"}`)
	add("incident", 3, 1, `{"type":"Armed clash","admin1":"Aleppo"}`)
	return recs
}

// desk is a logged database as the verify command reads it: the stored log,
// every row, and a checkpoint of the first cpSize entries.
type desk struct {
	entries []Entry
	rows    []Record
	cp      *Checkpoint
}

func newDesk(tb testing.TB, recs []Record, cpSize int) *desk {
	tb.Helper()
	ctx := context.Background()
	l, st := mustOpen(tb, 2)
	if _, err := l.Append(ctx, recs[:cpSize]...); err != nil {
		tb.Fatal(err)
	}
	cp, err := l.Checkpoint(ctx, "truce.example.org/test")
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := l.Append(ctx, recs[cpSize:]...); err != nil {
		tb.Fatal(err)
	}
	entries, err := st.Entries(ctx, 0, l.Size())
	if err != nil {
		tb.Fatal(err)
	}
	return &desk{entries: entries, rows: slices.Clone(recs), cp: cp}
}

func (d *desk) deleteRow(i int)   { d.rows = slices.Delete(d.rows, i, i+1) }
func (d *desk) deleteEntry(i int) { d.entries = slices.Delete(d.entries, i, i+1) }

func key(kind string, id, version int64) Key { return Key{Kind: kind, ID: id, Version: version} }

func TestVerify(t *testing.T) {
	recs := history()
	k := func(i int) Key { return recs[i].Key() }
	at := func(kind ProblemKind, i int) Problem {
		return Problem{Kind: kind, Index: uint64(i), HasIndex: true, Key: k(i), Attested: true}
	}
	tests := []struct {
		name       string
		cpSize     int // 0 means all of history
		latestOnly bool
		tamper     func(d *desk)
		want       []Problem
		wantRootOK bool
		wantUnatt  uint64
		wantSuper  uint64
	}{
		{name: "untouched", tamper: func(d *desk) {}, wantRootOK: true},
		{
			name: "row content edited",
			tamper: func(d *desk) {
				d.rows[7].Content = json.RawMessage(`{"party":"YPG","status":"committed","designator":"Turkey"}`)
			},
			want:       []Problem{at(Edited, 7)},
			wantRootOK: true,
		},
		{
			name: "row reformatted but not edited",
			tamper: func(d *desk) {
				d.rows[7].Content = json.RawMessage(`{ "status": "excluded", "designator": "Turkey", "party": "YPG" }`)
			},
			wantRootOK: true,
		},
		{
			name:       "row time edited",
			tamper:     func(d *desk) { d.rows[2].Time = d.rows[2].Time.Add(-24 * time.Hour) },
			want:       []Problem{at(Edited, 2)},
			wantRootOK: true,
		},
		{
			name:       "row no longer JSON",
			tamper:     func(d *desk) { d.rows[4].Content = json.RawMessage(`{"party":`) },
			want:       []Problem{at(Edited, 4)},
			wantRootOK: true,
		},
		{
			name: "row inserted",
			tamper: func(d *desk) {
				d.rows = append(d.rows, Record{Kind: "incident", ID: 9, Version: 1, Time: day0, Content: json.RawMessage(`{"type":"Air/drone strike"}`)})
			},
			want:       []Problem{{Kind: Inserted, Key: key("incident", 9, 1)}},
			wantRootOK: true,
		},
		{
			name:       "second row for a logged key",
			tamper:     func(d *desk) { d.rows = append(d.rows, d.rows[3]) },
			want:       []Problem{{Kind: Inserted, Key: k(3)}},
			wantRootOK: true,
		},
		{
			name:       "row deleted",
			tamper:     func(d *desk) { d.deleteRow(8) },
			want:       []Problem{at(Deleted, 8)},
			wantRootOK: true,
		},
		{
			name: "edit, insert and delete together",
			tamper: func(d *desk) {
				d.rows[1].Content = json.RawMessage(`{"channel":"web","body":"nothing happened","state":"received"}`)
				d.rows = append(d.rows, Record{Kind: "status", ID: 3, Version: 1, Time: day0, Content: json.RawMessage(`{}`)})
				d.deleteRow(10)
			},
			want:       []Problem{at(Edited, 1), at(Deleted, 10), {Kind: Inserted, Key: key("status", 3, 1)}},
			wantRootOK: true,
		},
		{
			name:   "row and its log entry deleted",
			tamper: func(d *desk) { d.deleteRow(8); d.deleteEntry(8) },
			want:   []Problem{{Kind: LogMismatch}, {Kind: Deleted, Index: 8, HasIndex: true, Attested: true}},
		},
		{
			name:   "log truncated with its rows",
			tamper: func(d *desk) { d.rows = d.rows[:9]; d.entries = d.entries[:9] },
			want: []Problem{
				{Kind: LogMismatch},
				{Kind: Deleted, Index: 9, HasIndex: true, Attested: true},
				{Kind: Deleted, Index: 10, HasIndex: true, Attested: true},
				{Kind: Deleted, Index: 11, HasIndex: true, Attested: true},
			},
		},
		{
			name: "row and log entry edited to match",
			tamper: func(d *desk) {
				d.rows[6].Content = json.RawMessage(`{"channel":"sms","body":"all quiet","state":"received"}`)
				h, err := d.rows[6].LeafHash()
				if err != nil {
					t.Fatal(err)
				}
				d.entries[6].Hash = h
			},
			want: []Problem{{Kind: LogMismatch}},
		},
		{
			name:   "log entry hash edited, row intact",
			tamper: func(d *desk) { d.entries[5].Hash = append([]byte{}, d.entries[4].Hash...) },
			want:   []Problem{at(LogEdited, 5)},
		},
		{
			name:   "log entry moved far away",
			tamper: func(d *desk) { d.entries[11].Index = 1 << 40 },
			want: []Problem{
				{Kind: LogMismatch},
				{Kind: Deleted, Index: 11, HasIndex: true, Attested: true},
				{Kind: LogEdited, Index: 1 << 40, HasIndex: true, Key: k(11)},
				{Kind: Inserted, Key: k(11)}, // its row has no valid entry
			},
		},
		{
			name:       "entries after the checkpoint are unattested",
			cpSize:     8,
			tamper:     func(d *desk) {},
			wantRootOK: true,
			wantUnatt:  4,
		},
		{
			name:       "edit after the checkpoint",
			cpSize:     8,
			tamper:     func(d *desk) { d.rows[9].Content = json.RawMessage(`{}`) },
			want:       []Problem{{Kind: Edited, Index: 9, HasIndex: true, Key: k(9)}},
			wantRootOK: true,
			wantUnatt:  4,
		},
		{
			name:       "store keeps latest versions only",
			latestOnly: true,
			// Rows 0 and 1 are superseded by 3 and 9; 3 is message 1's
			// latest version, so its loss is a deletion.
			tamper:     func(d *desk) { d.deleteRow(3); d.deleteRow(1); d.deleteRow(0) },
			want:       []Problem{at(Deleted, 3)},
			wantRootOK: true,
			wantSuper:  2,
		},
	}
	ignoreDetail := cmpopts.IgnoreFields(Problem{}, "Detail")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cpSize := tt.cpSize
			if cpSize == 0 {
				cpSize = len(recs)
			}
			d := newDesk(t, recs, cpSize)
			tt.tamper(d)
			v := &Verifier{LatestOnly: tt.latestOnly}
			rep, err := v.Verify(d.cp, d.entries, d.rows)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, rep.Problems, ignoreDetail, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("problems mismatch (-want +got):\n%s", diff)
				for _, p := range rep.Problems {
					t.Log(p)
				}
			}
			if rep.OK() != (len(tt.want) == 0) {
				t.Errorf("OK() = %v with %d problems", rep.OK(), len(rep.Problems))
			}
			if rep.RootOK != tt.wantRootOK {
				t.Errorf("RootOK = %v, want %v", rep.RootOK, tt.wantRootOK)
			}
			if rep.Unattested != tt.wantUnatt {
				t.Errorf("Unattested = %d, want %d", rep.Unattested, tt.wantUnatt)
			}
			if rep.Superseded != tt.wantSuper {
				t.Errorf("Superseded = %d, want %d", rep.Superseded, tt.wantSuper)
			}
		})
	}
}

// TestVerifyLocatesEveryEdit edits each row in turn and checks the verifier
// names exactly that index, so no position escapes the check.
func TestVerifyLocatesEveryEdit(t *testing.T) {
	recs := history()
	for i := range recs {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			d := newDesk(t, recs, len(recs))
			d.rows[i].Content = json.RawMessage(`{"edited":true}`)
			rep, err := (&Verifier{}).Verify(d.cp, d.entries, d.rows)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Problems) != 1 || rep.Problems[0].Kind != Edited || rep.Problems[0].Index != uint64(i) {
				t.Errorf("problems = %v, want one edit at %d", rep.Problems, i)
			}
		})
	}
}

func TestVerifyNeedsCheckpoint(t *testing.T) {
	_, err := (&Verifier{}).Verify(nil, nil, nil)
	if got := domain.ErrorCode(err); got != domain.EINVALID {
		t.Errorf("Verify(nil checkpoint) error code = %q, want %q", got, domain.EINVALID)
	}
	rep, err := (&Verifier{}).Verify(&Checkpoint{Origin: "o", Root: EmptyRoot()}, nil, nil)
	if err != nil || !rep.OK() || !rep.RootOK {
		t.Errorf("empty log against empty checkpoint: report %+v, error %v; want OK", rep, err)
	}
}

func TestProblemString(t *testing.T) {
	tests := []struct {
		p    Problem
		want string
	}{
		{Problem{Kind: Edited, Index: 7, HasIndex: true, Key: key("status", 2, 1), Attested: true, Detail: "d"}, "edited at index 7 status/2@v1: d"},
		{Problem{Kind: Edited, Index: 9, HasIndex: true, Key: key("message", 2, 2)}, "edited at index 9 message/2@v2 (after the checkpoint)"},
		{Problem{Kind: Inserted, Key: key("incident", 9, 1), Detail: "d"}, "inserted incident/9@v1: d"},
		{Problem{Kind: LogMismatch, Detail: "d"}, "log_mismatch: d"},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}
