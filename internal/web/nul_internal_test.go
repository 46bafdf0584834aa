package web

import "testing"

func TestNulField(t *testing.T) {
	tests := []struct {
		doc, want string
		found     bool
	}{
		{`{"name":"plain"}`, "", false},
		{`{"name":"a\u0000b"}`, "name", true},
		{`{"name":"ok","aliases":[{"name":"ok"},{"name":"x\u0000"}]}`, "aliases.name", true},
		{`{"fatalities":{"best":1},"summary":"\u0000"}`, "summary", true},
		{`{"a\u0000":1}`, `a\0`, true},
		{`"\u0000"`, "body", true},
		{`{"note":"a backslash, then u0000: \\u0000"}`, "", false},
		{`{"broken":"\u0000"`, "broken", true}, // decodeJSON reports the malformed body first
	}
	for _, tt := range tests {
		got, found := nulField([]byte(tt.doc))
		if got != tt.want || found != tt.found {
			t.Errorf("nulField(%s) = %q, %v; want %q, %v", tt.doc, got, found, tt.want, tt.found)
		}
	}
}
