package ledger

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const corpusDir = "testdata/fuzz/FuzzParseCheckpoint"

// corpusSeeds are the committed seeds of FuzzParseCheckpoint: valid notes and
// near misses, so the fuzzer starts from the format's corners.
func corpusSeeds(tb testing.TB) map[string][]byte {
	tb.Helper()
	us := testSigner(tb, "truce.example.org/us-cochair", 1)
	ru := testSigner(tb, "truce.example.org/ru-cochair", 2)
	cp := &Checkpoint{Origin: "truce.example.org/syria-2016", Size: 1234, Root: HashLeaf([]byte("root"))}
	one, err := cp.Sign(us)
	if err != nil {
		tb.Fatal(err)
	}
	n, err := ParseNote(one)
	if err != nil {
		tb.Fatal(err)
	}
	both, err := Cosign(n, ru)
	if err != nil {
		tb.Fatal(err)
	}
	ext := &Checkpoint{Origin: "truce.example.org/syria-2016", Size: 0, Root: EmptyRoot(), Extensions: []string{"timestamp 1456524000"}}
	withExt, err := ext.Sign(us)
	if err != nil {
		tb.Fatal(err)
	}
	return map[string][]byte{
		"signed":         one,
		"cosigned":       both,
		"extension":      withExt,
		"sumdb-example":  []byte(peterNote),
		"unsigned-body":  cp.Marshal(),
		"truncated":      one[:len(one)-20],
		"leading-zero":   bytes.Replace(one, []byte("\n1234\n"), []byte("\n01234\n"), 1),
		"crlf":           bytes.ReplaceAll(one, []byte("\n"), []byte("\r\n")),
		"hyphen":         bytes.Replace(one, []byte("—"), []byte("-"), 1),
		"empty-sig-line": append(append([]byte{}, cp.Marshal()...), "\n— \n"...),
		"empty":          {},
	}
}

// corpusFile encodes a seed in the go test fuzz v1 format.
func corpusFile(seed []byte) []byte {
	return []byte("go test fuzz v1\n[]byte(" + strconv.Quote(string(seed)) + ")\n")
}

// TestFuzzCorpus keeps the committed seed corpus in step with corpusSeeds;
// run with -update to rewrite it.
func TestFuzzCorpus(t *testing.T) {
	for name, seed := range corpusSeeds(t) {
		path := filepath.Join(corpusDir, name)
		want := corpusFile(seed)
		if *update {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("seed %s: %v (run go test -run TestFuzzCorpus -update)", name, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("seed %s is stale: run go test -run TestFuzzCorpus -update", name)
		}
	}
}

// FuzzParseCheckpoint checks that the note and checkpoint parsers never
// panic, that what they accept marshals back to the same bytes (so two
// readers cannot see different checkpoints in one note), and that opening
// never accepts a note the trusted key did not sign.
func FuzzParseCheckpoint(f *testing.F) {
	for _, seed := range corpusSeeds(f) {
		f.Add(seed)
	}
	us := testSigner(f, "truce.example.org/us-cochair", 1).PublicKey()
	// The bodies the key really signed: Ed25519 forgeries are out of a
	// fuzzer's reach, so an opened note must carry one of them.
	var bodies [][]byte
	for _, name := range []string{"signed", "extension"} {
		n, err := ParseNote(corpusSeeds(f)[name])
		if err != nil {
			f.Fatal(err)
		}
		bodies = append(bodies, n.Text)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if n, err := ParseNote(data); err == nil {
			if back := n.Marshal(); !bytes.Equal(back, data) {
				t.Errorf("ParseNote(%q).Marshal() = %q", data, back)
			}
			if c, err := ParseCheckpoint(n.Text); err == nil {
				if back := c.Marshal(); !bytes.Equal(back, n.Text) {
					t.Errorf("ParseCheckpoint(%q).Marshal() = %q", n.Text, back)
				}
			}
		}
		if c, err := ParseCheckpoint(data); err == nil {
			if back := c.Marshal(); !bytes.Equal(back, data) {
				t.Errorf("ParseCheckpoint(%q).Marshal() = %q", data, back)
			}
		}
		c, _, err := OpenCheckpoint(data, "", []*PublicKey{us})
		if err == nil && !slices.ContainsFunc(bodies, func(b []byte) bool { return bytes.Equal(b, c.Marshal()) }) {
			t.Errorf("OpenCheckpoint(%q) accepted a body the key never signed: %+v", data, c)
		}
	})
}

// FuzzCanonicalJSON checks the fast canonicaliser against the decoder-based
// reference: the same bytes for every input both accept, and both refuse
// the same inputs.
func FuzzCanonicalJSON(f *testing.F) {
	f.Add([]byte(`{"b":1,"a":[true,null,"x\u00e9\n"],"c":{"z":1.50,"y":-0}}`))
	f.Add([]byte(`{"a":1,"a":2}`))
	f.Add([]byte(`"\ud83d\ude00"`))
	f.Add([]byte("{\"k\":\"\xff\"}"))
	f.Add([]byte(`  [ 1 , {"é":1,"e":2} ]  `))
	f.Fuzz(func(t *testing.T, data []byte) {
		fast, ferr := CanonicalJSON(data)
		slow, serr := canonicalSlow(data)
		if (ferr == nil) != (serr == nil) {
			t.Fatalf("%q: fast error %v, reference error %v", data, ferr, serr)
		}
		if ferr == nil && !bytes.Equal(fast, slow) {
			t.Fatalf("%q:\nfast      %q\nreference %q", data, fast, slow)
		}
	})
}

func TestCanonicalDepth(t *testing.T) {
	for _, n := range []int{maxDepth, maxDepth + 1, maxDepth + 2} {
		data := []byte(strings.Repeat("[", n) + strings.Repeat("]", n))
		_, ferr := CanonicalJSON(data)
		_, serr := canonicalSlow(data)
		if (ferr == nil) != (serr == nil) {
			t.Errorf("depth %d: fast %v, reference %v", n, ferr, serr)
		}
	}
}

// FuzzParsePublicKey feeds the verifier-key parser arbitrary text: a party
// hands its key to the other side as a string, and truce verify --key reads
// it from a file. It must never panic, and a key it accepts must print back
// as itself, so that two readers cannot trust different keys under one text.
// The seed corpus is in testdata/fuzz/FuzzParsePublicKey.
func FuzzParsePublicKey(f *testing.F) {
	f.Add(testSigner(f, "truce.example.org/us-cochair", 1).PublicKey().String())
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParsePublicKey(s)
		if err != nil {
			return
		}
		if got := k.String(); got != s {
			t.Fatalf("ParsePublicKey(%q).String() = %q", s, got)
		}
	})
}
