package ledger

import (
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"testing"
	"time"

	"github.com/trucedesk/truce/internal/domain"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// day0 is the start of the 2016 cessation of hostilities: 00:00 Damascus
// time (UTC+2) on 27 February 2016.
var day0 = time.Date(2016, 2, 27, 0, 0, 0, 0, time.FixedZone("EET", 2*3600))

func TestCanonicalJSON(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"sorted keys, no space", `{ "b": 1, "a": [true, false, null] }`, `{"a":[true,false,null],"b":1}`},
		{"nested objects sorted", `{"z":{"y":1,"x":{"b":2,"a":1}},"a":"s"}`, `{"a":"s","z":{"x":{"a":1,"b":2},"y":1}}`},
		{"numbers kept as written", `[1, 1.0, -0, 1e3, 12345678901234567890]`, `[1,1.0,-0,1e3,12345678901234567890]`},
		{"no HTML escaping", `"<a href=\"x\">&</a>"`, `"<a href=\"x\">&</a>"`},
		{"escapes made uniform", `"\u0041\/\u00e9\n"`, `"A/é\n"`},
		{"arabic kept as UTF-8", `{"name":"\u062d\u0645\u0635"}`, `{"name":"حمص"}`},
		{"keys sorted by code point", `{"é":1,"z":2,"Z":3}`, `{"Z":3,"z":2,"é":1}`},
		{"keys sorted by UTF-16 as JCS", `{"\uff21":1,"\ud83d\ude00":2}`, `{"😀":2,"Ａ":1}`},
		{"control characters escaped", `"\u0001\b\f\t\r\u001f\u007f"`, `"\u0001\b\f\t\r\u001f` + "\x7f" + `"`},
		{"line separator literal", `"\u2028"`, "\"\u2028\""},
		{"quote and backslash", `"\"\\"`, `"\"\\"`},
		{"empty containers", `{"a":{},"b":[]}`, `{"a":{},"b":[]}`},
		{"scalar", ` "x" `, `"x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CanonicalJSON([]byte(tt.in))
			if err != nil {
				t.Fatalf("CanonicalJSON(%s): %v", tt.in, err)
			}
			if string(got) != tt.want {
				t.Errorf("CanonicalJSON(%s) = %s, want %s", tt.in, got, tt.want)
			}
			again, err := CanonicalJSON(got)
			if err != nil || string(again) != string(got) {
				t.Errorf("CanonicalJSON is not idempotent: %s → %s (%v)", got, again, err)
			}
		})
	}
}

func TestCanonicalJSONRejects(t *testing.T) {
	deep := ""
	for range maxDepth + 2 {
		deep += "["
	}
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"space only", "  "},
		{"duplicate key", `{"a":1,"a":2}`},
		{"nested duplicate key", `{"x":{"a":1,"b":0,"a":1}}`},
		{"two values", `{} {}`},
		{"truncated", `{"a":`},
		{"not json", `hello`},
		{"too deep", deep},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := CanonicalJSON([]byte(tt.in))
			if got := domain.ErrorCode(err); got != domain.EINVALID {
				t.Errorf("CanonicalJSON(%q) error code = %q (%v), want %q", tt.in, got, err, domain.EINVALID)
			}
		})
	}
}

// TestLeafGolden pins the v1 leaf bytes and hash: a change here breaks every
// existing log, and needs a new LeafVersion instead.
func TestLeafGolden(t *testing.T) {
	r := Record{
		Kind:    "incident",
		ID:      42,
		Version: 3,
		Time:    day0.Add(1234567891 * time.Nanosecond), // nanoseconds are dropped
		Content: json.RawMessage(`{"type": "Shelling/artillery/missile attack", "admin1": "Rif Dimashq", "fatalities": {"best": 2, "low": 1}}`),
	}
	leaf, err := r.Leaf()
	if err != nil {
		t.Fatal(err)
	}
	hash, err := r.LeafHash()
	if err != nil {
		t.Fatal(err)
	}
	got := string(leaf) + "\nleaf hash " + hex.EncodeToString(hash) + "\n"
	const golden = "testdata/leaf_v1.golden"
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("leaf mismatch:\ngot:\n%s\nwant:\n%s", got, want)
	}
}

func TestLeafDeterministic(t *testing.T) {
	a := Record{Kind: "status", ID: 7, Version: 1, Time: day0, Content: json.RawMessage(`{"b":[1,2],"a":"committed"}`)}
	b := a
	b.Time = day0.UTC().Add(999 * time.Nanosecond) // same microsecond, other zone
	b.Content = json.RawMessage("{\n  \"a\": \"committed\",\n  \"b\": [1, 2]\n}")
	ha, err := a.LeafHash()
	if err != nil {
		t.Fatal(err)
	}
	hb, err := b.LeafHash()
	if err != nil {
		t.Fatal(err)
	}
	if hex.EncodeToString(ha) != hex.EncodeToString(hb) {
		t.Errorf("same record, other spelling: leaf hashes %x and %x differ", ha, hb)
	}

	changes := map[string]func(r *Record){
		"kind":    func(r *Record) { r.Kind = "message" },
		"id":      func(r *Record) { r.ID = 8 },
		"version": func(r *Record) { r.Version = 2 },
		"time":    func(r *Record) { r.Time = r.Time.Add(time.Microsecond) },
		"content": func(r *Record) { r.Content = json.RawMessage(`{"b":[1,2],"a":"excluded"}`) },
	}
	for name, change := range changes {
		t.Run(name, func(t *testing.T) {
			c := a
			change(&c)
			hc, err := c.LeafHash()
			if err != nil {
				t.Fatal(err)
			}
			if hex.EncodeToString(hc) == hex.EncodeToString(ha) {
				t.Errorf("changing the %s left the leaf hash %x unchanged", name, hc)
			}
		})
	}
}

func TestLeafRejects(t *testing.T) {
	ok := Record{Kind: "message", ID: 1, Version: 1, Time: day0, Content: json.RawMessage(`{}`)}
	tests := []struct {
		name  string
		edit  func(r *Record)
		field string
	}{
		{"empty kind", func(r *Record) { r.Kind = "" }, "kind"},
		{"kind with newline", func(r *Record) { r.Kind = "message\nid 2" }, "kind"},
		{"kind with capital", func(r *Record) { r.Kind = "Message" }, "kind"},
		{"kind starting with digit", func(r *Record) { r.Kind = "1message" }, "kind"},
		{"negative version", func(r *Record) { r.Version = -1 }, "version"},
		{"zero time", func(r *Record) { r.Time = time.Time{} }, "time"},
		{"bad content", func(r *Record) { r.Content = json.RawMessage(`{`) }, "content"},
		{"no content", func(r *Record) { r.Content = nil }, "content"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ok
			tt.edit(&r)
			_, err := r.Leaf()
			if got := domain.ErrorCode(err); got != domain.EINVALID {
				t.Fatalf("Leaf() error code = %q (%v), want %q", got, err, domain.EINVALID)
			}
			if got := domain.ErrorField(err); got != tt.field {
				t.Errorf("Leaf() error field = %q, want %q", got, tt.field)
			}
		})
	}
	if _, err := ok.Leaf(); err != nil {
		t.Errorf("valid record: Leaf() = %v", err)
	}
}
