package ledger

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/trucedesk/truce/internal/domain"
)

// The example of golang.org/x/mod/sumdb/note (BSD licence, The Go Authors),
// also used by the C2SP signed-note spec's implementations as a known answer:
// Ed25519 signatures are deterministic, so signing must give these bytes.
const (
	peterSigner = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
	peterKey    = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
	peterText   = "If you think cryptography is the answer to your problem,\n" +
		"then you don't know what your problem is.\n"
	peterNote = peterText + "\n" +
		"— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)

// testSigner returns a signer with a key derived from seed, so tests are
// repeatable.
func testSigner(tb testing.TB, name string, seed uint64) *Signer {
	tb.Helper()
	var s [32]byte
	s[0] = byte(seed)
	s[1] = byte(seed >> 8)
	k, err := GenerateKey(rand.NewChaCha8(s), name)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

func TestNoteKnownAnswer(t *testing.T) {
	s, err := ParseSigner(peterSigner)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.String(); got != peterSigner {
		t.Errorf("Signer.String() = %q, want %q", got, peterSigner)
	}
	if got := s.PublicKey().String(); got != peterKey {
		t.Errorf("PublicKey().String() = %q, want %q", got, peterKey)
	}
	signed, err := SignNote([]byte(peterText), s)
	if err != nil {
		t.Fatal(err)
	}
	if string(signed) != peterNote {
		t.Errorf("SignNote:\ngot  %q\nwant %q", signed, peterNote)
	}
	k, err := ParsePublicKey(peterKey)
	if err != nil {
		t.Fatal(err)
	}
	text, signers, err := OpenNote([]byte(peterNote), []*PublicKey{k})
	if err != nil {
		t.Fatal(err)
	}
	if string(text) != peterText || len(signers) != 1 || signers[0] != k {
		t.Errorf("OpenNote = %q, %v; want %q signed by %s", text, signers, peterText, k.Name())
	}
}

func TestKeyRoundTrip(t *testing.T) {
	s := testSigner(t, "truce.example.org/us-cochair", 1)
	s2, err := ParseSigner(s.String())
	if err != nil {
		t.Fatal(err)
	}
	if s2.String() != s.String() || s2.Name() != s.Name() || s2.KeyHash() != s.KeyHash() {
		t.Errorf("ParseSigner(%q) gave %q", s.String(), s2.String())
	}
	k, err := ParsePublicKey(s.PublicKey().String())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := k.String(), s.PublicKey().String(); got != want {
		t.Errorf("ParsePublicKey round trip = %q, want %q", got, want)
	}
}

func TestParseKeyRejects(t *testing.T) {
	other := testSigner(t, "other", 2).PublicKey().String()
	b64 := other[strings.LastIndex(other, "+")+1:]
	tests := []struct{ name, key string }{
		{"empty", ""},
		{"no parts", "PeterNeumann"},
		{"empty name", "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"},
		{"short hash", "PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"},
		{"upper-case hash", "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"},
		{"wrong hash", "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"},
		{"other name", "PaulNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"},
		{"other key", "PeterNeumann+c74f20a3+" + b64},
		{"bad base64", "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T"},
		{"wrong algorithm", "PeterNeumann+c74f20a3+Ahpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"},
		{"short key", "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy"},
		{"private key", peterSigner},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParsePublicKey(tt.key)
			if got := domain.ErrorCode(err); got != domain.EINVALID {
				t.Errorf("ParsePublicKey(%q) error code = %q (%v), want %q", tt.key, got, err, domain.EINVALID)
			}
		})
	}
	for _, key := range []string{peterKey, "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDF"} {
		if _, err := ParseSigner(key); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("ParseSigner(%q) error = %v, want %s", key, err, domain.EINVALID)
		}
	}
	if _, err := GenerateKey(rand.NewChaCha8([32]byte{}), "has space"); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("GenerateKey with a space in the name: error = %v, want %s", err, domain.EINVALID)
	}
}

func TestCheckpointSignOpen(t *testing.T) {
	const origin = "truce.example.org/syria-2016"
	us := testSigner(t, "truce.example.org/us-cochair", 1)
	ru := testSigner(t, "truce.example.org/ru-cochair", 2)
	mallory := testSigner(t, "truce.example.org/us-cochair", 3) // same name, other key
	cp := &Checkpoint{Origin: origin, Size: 1234, Root: bytes.Repeat([]byte{0xab}, HashSize)}
	byUS, err := cp.Sign(us)
	if err != nil {
		t.Fatal(err)
	}
	n, err := ParseNote(byUS)
	if err != nil {
		t.Fatal(err)
	}
	byBoth, err := Cosign(n, ru)
	if err != nil {
		t.Fatal(err)
	}
	byMallory, err := cp.Sign(mallory)
	if err != nil {
		t.Fatal(err)
	}
	usKey, ruKey := us.PublicKey(), ru.PublicKey()
	tampered := bytes.Replace(byBoth, []byte("1234"), []byte("1233"), 1)
	swapped := append(append([]byte(nil), cp.Marshal()...), byMallory[len(cp.Marshal()):]...)

	tests := []struct {
		name        string
		note        []byte
		origin      string
		trusted     []*PublicKey
		wantCode    string
		wantSigners []string
	}{
		{"one co-chair", byUS, origin, []*PublicKey{usKey, ruKey}, "", []string{us.Name()}},
		{"both co-chairs", byBoth, origin, []*PublicKey{usKey, ruKey}, "", []string{us.Name(), ru.Name()}},
		{"unknown cosigner ignored", byBoth, origin, []*PublicKey{ruKey}, "", []string{ru.Name()}},
		{"any origin", byUS, "", []*PublicKey{usKey}, "", []string{us.Name()}},
		{"wrong key", byUS, origin, []*PublicKey{ruKey}, domain.EUNAUTHORIZED, nil},
		{"no trusted keys", byUS, origin, nil, domain.EUNAUTHORIZED, nil},
		{"same name other key", byMallory, origin, []*PublicKey{usKey}, domain.EUNAUTHORIZED, nil},
		{"signature from another note", swapped, origin, []*PublicKey{usKey}, domain.EUNAUTHORIZED, nil},
		{"tampered body", tampered, origin, []*PublicKey{usKey, ruKey}, domain.EUNAUTHORIZED, nil},
		{"wrong origin", byUS, "truce.example.org/yemen", []*PublicKey{usKey}, domain.EINVALID, nil},
		{"truncated signature", byUS[:len(byUS)-10], origin, []*PublicKey{usKey}, domain.EINVALID, nil},
		{"truncated to body", byUS[:len(cp.Marshal())], origin, []*PublicKey{usKey}, domain.EINVALID, nil},
		{"signatures cut off", byUS[:len(cp.Marshal())+1], origin, []*PublicKey{usKey}, domain.EINVALID, nil},
		{"empty", nil, origin, []*PublicKey{usKey}, domain.EINVALID, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, signers, err := OpenCheckpoint(tt.note, tt.origin, tt.trusted)
			if code := domain.ErrorCode(err); code != tt.wantCode {
				t.Fatalf("OpenCheckpoint error code = %q (%v), want %q", code, err, tt.wantCode)
			}
			if err != nil {
				return
			}
			if diff := cmp.Diff(cp, got); diff != "" {
				t.Errorf("checkpoint mismatch (-want +got):\n%s", diff)
			}
			var names []string
			for _, s := range signers {
				names = append(names, s.Name())
			}
			if diff := cmp.Diff(tt.wantSigners, names); diff != "" {
				t.Errorf("signers mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseCheckpoint(t *testing.T) {
	root := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, HashSize))
	tests := []struct {
		name, text string
		want       *Checkpoint // nil: must fail with EINVALID
	}{
		{"minimal", "o\n0\n" + root + "\n", &Checkpoint{Origin: "o", Size: 0, Root: bytes.Repeat([]byte{7}, HashSize)}},
		{"extensions", "o\n5\n" + root + "\nx y\nz\n", &Checkpoint{Origin: "o", Size: 5, Root: bytes.Repeat([]byte{7}, HashSize), Extensions: []string{"x y", "z"}}},
		{"no final newline", "o\n5\n" + root, nil},
		{"two lines", "o\n5\n", nil},
		{"empty origin", "\n5\n" + root + "\n", nil},
		{"padded origin", " o\n5\n" + root + "\n", nil},
		{"leading zero", "o\n05\n" + root + "\n", nil},
		{"signed size", "o\n+5\n" + root + "\n", nil},
		{"size overflows", "o\n18446744073709551616\n" + root + "\n", nil},
		{"short root", "o\n5\n" + root[:40] + "\n", nil},
		{"root without padding", "o\n5\n" + strings.TrimRight(root, "=") + "\n", nil},
		{"hex root", "o\n5\n" + strings.Repeat("07", HashSize) + "\n", nil},
		{"empty extension", "o\n5\n" + root + "\n\nx\n", nil},
		{"control character", "o\x01\n5\n" + root + "\n", nil},
		{"bad UTF-8", "o\xff\n5\n" + root + "\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCheckpoint([]byte(tt.text))
			if tt.want == nil {
				if code := domain.ErrorCode(err); code != domain.EINVALID {
					t.Errorf("ParseCheckpoint(%q) error code = %q (%v), want %q", tt.text, code, err, domain.EINVALID)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseCheckpoint(%q): %v", tt.text, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("checkpoint mismatch (-want +got):\n%s", diff)
			}
			if back := string(got.Marshal()); back != tt.text {
				t.Errorf("Marshal() = %q, want %q", back, tt.text)
			}
		})
	}
}

func TestParseNoteRejects(t *testing.T) {
	good := []byte(peterNote)
	sigLine := good[len(peterText)+1:]
	tests := []struct{ name, note string }{
		{"no blank line", peterText + string(sigLine)},
		{"no signatures", peterText + "\n"},
		{"no final newline", strings.TrimSuffix(peterNote, "\n")},
		{"hyphen not em dash", strings.Replace(peterNote, "—", "-", 1)},
		{"no space after dash", strings.Replace(peterNote, "— ", "—", 1)},
		{"no key name", strings.Replace(peterNote, "PeterNeumann ", " ", 1)},
		{"name without signature", peterText + "\n— PeterNeumann\n"},
		{"signature too short", peterText + "\n— PeterNeumann AAAA\n"},
		{"signature not base64", peterText + "\n— PeterNeumann !!!!\n"},
		{"control character", "\x07" + peterNote},
		{"carriage return", strings.Replace(peterNote, "\n", "\r\n", 1)},
		{"too many signatures", peterText + "\n" + strings.Repeat(string(sigLine), maxSignatures+1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseNote([]byte(tt.note))
			if code := domain.ErrorCode(err); code != domain.EINVALID {
				t.Errorf("ParseNote error code = %q (%v), want %q", code, err, domain.EINVALID)
			}
		})
	}
}

func TestSignRejects(t *testing.T) {
	s := testSigner(t, "k", 1)
	root := bytes.Repeat([]byte{1}, HashSize)
	tests := []struct {
		name string
		cp   *Checkpoint
	}{
		{"newline in origin smuggles a size", &Checkpoint{Origin: "o\n9\n" + base64.StdEncoding.EncodeToString(root), Size: 1, Root: root}},
		{"empty origin", &Checkpoint{Size: 1, Root: root}},
		{"short root", &Checkpoint{Origin: "o", Size: 1, Root: root[:5]}},
		{"newline in extension", &Checkpoint{Origin: "o", Size: 1, Root: root, Extensions: []string{"a\nb"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.cp.Sign(s); domain.ErrorCode(err) != domain.EINVALID {
				t.Errorf("Sign() error = %v, want %s", err, domain.EINVALID)
			}
		})
	}
	if _, err := SignNote([]byte("no newline"), s); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("SignNote without final newline: error = %v, want %s", err, domain.EINVALID)
	}
}

// TestLogCheckpoint signs the live log's checkpoint and checks an inclusion
// proof against the opened checkpoint, the path a party follows online.
func TestLogCheckpoint(t *testing.T) {
	ctx := context.Background()
	l, _ := mustOpen(t, StratumHeight)
	var recs []Record
	for i := range int64(300) {
		recs = append(recs, Record{Kind: "incident", ID: i, Version: 1, Time: day0, Content: json.RawMessage(`{"i":` + string(rune('0'+i%10)) + `}`)})
	}
	entries, err := l.Append(ctx, recs...)
	if err != nil {
		t.Fatal(err)
	}
	s := testSigner(t, "truce.example.org/us-cochair", 1)
	cp, err := l.Checkpoint(ctx, "truce.example.org/syria-2016")
	if err != nil {
		t.Fatal(err)
	}
	note, err := cp.Sign(s)
	if err != nil {
		t.Fatal(err)
	}
	opened, _, err := OpenCheckpoint(note, "truce.example.org/syria-2016", []*PublicKey{s.PublicKey()})
	if err != nil {
		t.Fatal(err)
	}
	if opened.Size != 300 {
		t.Errorf("checkpoint size = %d, want 300", opened.Size)
	}
	for _, i := range []uint64{0, 255, 256, 299} {
		p, err := l.InclusionProof(ctx, i, opened.Size)
		if err != nil {
			t.Fatal(err)
		}
		if err := VerifyInclusion(entries[i].Hash, i, p, opened); err != nil {
			t.Errorf("VerifyInclusion(leaf %d): %v", i, err)
		}
		if err := VerifyInclusion(entries[(i+1)%300].Hash, i, p, opened); err == nil {
			t.Errorf("VerifyInclusion of leaf %d's proof for another leaf: got nil error", i)
		}
	}
}
