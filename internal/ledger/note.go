package ledger

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/trucedesk/truce/internal/domain"
)

// This file implements C2SP signed notes (https://c2sp.org/signed-note) with
// Ed25519 keys, in the key and signature encodings of Go's
// golang.org/x/mod/sumdb/note, so that notes and keys interoperate with that
// package and with other transparency-log tooling.

// algEd25519 is the signature type byte of Ed25519 keys in signed notes.
const algEd25519 = 0x01

// maxSignatures bounds the signature lines a note may carry, as the spec
// allows, so a hostile note cannot make a verifier do unbounded work.
const maxSignatures = 100

// sigPrefix starts every signature line: an em dash (U+2014) and a space.
const sigPrefix = "\u2014 "

// Signer signs notes with one Ed25519 key. Each co-chair installation has its
// own, named after the installation (e.g. "truce.example.org/us-cochair").
type Signer struct {
	name string
	hash uint32
	key  ed25519.PrivateKey
}

// PublicKey verifies the signatures of one Signer. Parties exchange public
// keys out of band and pass them to OpenNote and the Verifier as trusted.
type PublicKey struct {
	name string
	hash uint32
	key  ed25519.PublicKey
}

// GenerateKey returns a new signer named name, drawing randomness from rand
// (crypto/rand.Reader outside tests).
func GenerateKey(rand io.Reader, name string) (*Signer, error) {
	if err := validKeyName(name); err != nil {
		return nil, err
	}
	pub, priv, err := ed25519.GenerateKey(rand)
	if err != nil {
		return nil, fmt.Errorf("generate ed25519 key: %w", err)
	}
	return &Signer{name: name, hash: keyHash(name, pub), key: priv}, nil
}

// Name returns the key's name, which appears on its signature lines.
func (s *Signer) Name() string { return s.name }

// KeyHash returns the 32-bit key ID that prefixes the key's signatures.
func (s *Signer) KeyHash() uint32 { return s.hash }

// PublicKey returns the key that verifies s's signatures.
func (s *Signer) PublicKey() *PublicKey {
	return &PublicKey{name: s.name, hash: s.hash, key: s.key.Public().(ed25519.PublicKey)}
}

// String encodes the private key as PRIVATE+KEY+name+keyhash+base64(0x01 ||
// seed), the signer key format of golang.org/x/mod/sumdb/note. It is a
// secret: store it with file mode 0600 and never log it.
func (s *Signer) String() string {
	return "PRIVATE+KEY+" + s.name + "+" + hashHex(s.hash) + "+" +
		base64.StdEncoding.EncodeToString(append([]byte{algEd25519}, s.key.Seed()...))
}

// ParseSigner decodes a private key written by Signer.String.
func ParseSigner(skey string) (*Signer, error) {
	rest, ok := strings.CutPrefix(skey, "PRIVATE+KEY+")
	if !ok {
		return nil, domain.Errorf(domain.EINVALID, "malformed signer key: want PRIVATE+KEY+name+hash+key")
	}
	name, hash, key, err := splitKey(rest, "signer")
	if err != nil {
		return nil, err
	}
	if len(key) != 1+ed25519.SeedSize || key[0] != algEd25519 {
		return nil, domain.Errorf(domain.EINVALID, "malformed signer key: want an Ed25519 seed")
	}
	priv := ed25519.NewKeyFromSeed(key[1:])
	if keyHash(name, priv.Public().(ed25519.PublicKey)) != hash {
		return nil, domain.Errorf(domain.EINVALID, "malformed signer key: key hash does not match the key")
	}
	return &Signer{name: name, hash: hash, key: priv}, nil
}

// Name returns the key's name.
func (k *PublicKey) Name() string { return k.name }

// KeyHash returns the key's 32-bit ID.
func (k *PublicKey) KeyHash() uint32 { return k.hash }

// String encodes the key as name+keyhash+base64(0x01 || public key), the
// verifier key format of golang.org/x/mod/sumdb/note.
func (k *PublicKey) String() string {
	return k.name + "+" + hashHex(k.hash) + "+" +
		base64.StdEncoding.EncodeToString(append([]byte{algEd25519}, k.key...))
}

// ParsePublicKey decodes a public key written by PublicKey.String.
func ParsePublicKey(vkey string) (*PublicKey, error) {
	name, hash, key, err := splitKey(vkey, "public")
	if err != nil {
		return nil, err
	}
	if len(key) != 1+ed25519.PublicKeySize || key[0] != algEd25519 {
		return nil, domain.Errorf(domain.EINVALID, "malformed public key: want an Ed25519 key")
	}
	pub := ed25519.PublicKey(key[1:])
	if keyHash(name, pub) != hash {
		return nil, domain.Errorf(domain.EINVALID, "malformed public key: key hash does not match the key")
	}
	return &PublicKey{name: name, hash: hash, key: pub}, nil
}

func splitKey(s, what string) (name string, hash uint32, key []byte, err error) {
	parts := strings.SplitN(s, "+", 3) // the base64 key may hold a '+'
	if len(parts) != 3 {
		return "", 0, nil, domain.Errorf(domain.EINVALID, "malformed %s key: want name+hash+key", what)
	}
	if err := validKeyName(parts[0]); err != nil {
		return "", 0, nil, err
	}
	h, err := hex.DecodeString(parts[1])
	if err != nil || len(h) != 4 || strings.ToLower(parts[1]) != parts[1] {
		return "", 0, nil, domain.Errorf(domain.EINVALID, "malformed %s key: hash %q is not 8 lowercase hex digits", what, parts[1])
	}
	// The decoder skips line breaks even in strict mode; a key broken over
	// lines is refused, so one key has one text.
	if strings.ContainsAny(parts[2], "\r\n") {
		return "", 0, nil, domain.Errorf(domain.EINVALID, "malformed %s key: a line break inside the key", what)
	}
	key, err = base64.StdEncoding.Strict().DecodeString(parts[2])
	if err != nil {
		return "", 0, nil, domain.Errorf(domain.EINVALID, "malformed %s key: %v", what, err)
	}
	return parts[0], binary.BigEndian.Uint32(h), key, nil
}

// keyHash is the C2SP key ID: the first four bytes of
// SHA-256(name || 0x0A || 0x01 || public key).
func keyHash(name string, pub ed25519.PublicKey) uint32 {
	h := sha256.New()
	h.Write([]byte(name))
	h.Write([]byte{'\n', algEd25519})
	h.Write(pub)
	return binary.BigEndian.Uint32(h.Sum(nil))
}

func hashHex(h uint32) string { return fmt.Sprintf("%08x", h) }

// validKeyName enforces the spec's rule that names be non-empty UTF-8 without
// spaces or '+', which the key and signature line formats use as separators.
func validKeyName(name string) error {
	if name == "" || !utf8.ValidString(name) || strings.ContainsFunc(name, func(r rune) bool {
		return r == '+' || unicode.IsSpace(r) || unicode.IsControl(r)
	}) {
		return domain.Errorf(domain.EINVALID, "key name %q must be non-empty UTF-8 without spaces or '+'", name)
	}
	return nil
}

// Signature is one signature line of a note, not yet verified.
type Signature struct {
	Name string // the key name on the line
	Hash uint32 // the key ID from the first four signature bytes
	Sig  []byte // the Ed25519 signature proper
}

// Note is a signed note split into its text and signature lines.
type Note struct {
	Text []byte // ends in a newline; what the signatures sign
	Sigs []Signature
}

// Marshal returns the note in its wire form: text, a blank line, and one
// "— name base64(keyhash || signature)" line per signature.
func (n *Note) Marshal() []byte {
	var b bytes.Buffer
	b.Write(n.Text)
	b.WriteByte('\n')
	for _, s := range n.Sigs {
		sig := binary.BigEndian.AppendUint32(nil, s.Hash)
		sig = append(sig, s.Sig...)
		b.WriteString(sigPrefix)
		b.WriteString(s.Name)
		b.WriteByte(' ')
		b.WriteString(base64.StdEncoding.EncodeToString(sig))
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// ParseNote splits a signed note into text and signatures without verifying
// them, failing with EINVALID, and saying why, on anything malformed.
func ParseNote(note []byte) (*Note, error) {
	if err := validText(note); err != nil {
		return nil, err
	}
	split := bytes.LastIndex(note, []byte("\n\n"))
	if split < 0 {
		return nil, malformed("no blank line before the signatures")
	}
	text, sigs := note[:split+1], note[split+2:]
	if len(sigs) == 0 {
		return nil, malformed("no signature lines")
	}
	if sigs[len(sigs)-1] != '\n' {
		return nil, malformed("signature lines do not end in a newline")
	}
	n := &Note{Text: text}
	for _, line := range strings.SplitAfter(string(sigs[:len(sigs)-1]), "\n") {
		line = strings.TrimSuffix(line, "\n")
		if len(n.Sigs) == maxSignatures {
			return nil, malformed(fmt.Sprintf("more than %d signatures", maxSignatures))
		}
		rest, ok := strings.CutPrefix(line, sigPrefix)
		if !ok {
			return nil, malformed(fmt.Sprintf("signature line %q does not start with an em dash and a space", clip(line)))
		}
		name, b64, ok := strings.Cut(rest, " ")
		if !ok || validKeyName(name) != nil {
			return nil, malformed(fmt.Sprintf("signature line %q lacks a valid key name", clip(line)))
		}
		raw, err := base64.StdEncoding.Strict().DecodeString(b64)
		if err != nil || len(raw) < 5 {
			return nil, malformed(fmt.Sprintf("signature of %q is not base64 of a key hash and signature", clip(name)))
		}
		n.Sigs = append(n.Sigs, Signature{Name: name, Hash: binary.BigEndian.Uint32(raw), Sig: raw[4:]})
	}
	return n, nil
}

// validText enforces the spec: valid UTF-8, no control characters but
// newline.
func validText(b []byte) error {
	if !utf8.Valid(b) {
		return malformed("not valid UTF-8")
	}
	for _, c := range b {
		if c < 0x20 && c != '\n' {
			return malformed(fmt.Sprintf("control character %#02x", c))
		}
	}
	return nil
}

func malformed(why string) error {
	return domain.Errorf(domain.EINVALID, "malformed note: %s", why)
}

// clip shortens attacker-controlled text quoted in errors.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// SignNote signs text, which must be valid note text ending in a newline,
// with each signer, and returns the signed note.
func SignNote(text []byte, signers ...*Signer) ([]byte, error) {
	if len(text) == 0 || text[len(text)-1] != '\n' {
		return nil, malformed("text does not end in a newline")
	}
	if err := validText(text); err != nil {
		return nil, err
	}
	if len(signers) == 0 {
		return nil, domain.Errorf(domain.EINVALID, "no signer")
	}
	n := &Note{Text: text}
	return Cosign(n, signers...)
}

// Cosign adds signatures by signers to a parsed note, so that the second
// co-chair can sign the checkpoint the first published; both signatures then
// travel together.
func Cosign(n *Note, signers ...*Signer) ([]byte, error) {
	if len(n.Sigs)+len(signers) > maxSignatures {
		return nil, domain.Errorf(domain.EINVALID, "a note carries at most %d signatures", maxSignatures)
	}
	out := &Note{Text: n.Text, Sigs: append([]Signature(nil), n.Sigs...)}
	for _, s := range signers {
		out.Sigs = append(out.Sigs, Signature{Name: s.name, Hash: s.hash, Sig: ed25519.Sign(s.key, n.Text)})
	}
	return out.Marshal(), nil
}

// OpenNote parses a signed note and verifies it against trusted keys. It
// returns the text and the trusted keys whose signatures verified. It fails
// with EINVALID if the note is malformed and with EUNAUTHORIZED if no trusted
// key signed it or a signature claiming to be from a trusted key is bad.
// Signatures by unknown keys are ignored, as the spec asks, so that notes can
// carry cosignatures the reader does not know.
func OpenNote(note []byte, trusted []*PublicKey) (text []byte, signers []*PublicKey, err error) {
	n, err := ParseNote(note)
	if err != nil {
		return nil, nil, err
	}
	seen := make(map[*PublicKey]bool)
	for _, s := range n.Sigs {
		for _, k := range trusted {
			if k.name != s.Name || k.hash != s.Hash {
				continue
			}
			if !ed25519.Verify(k.key, n.Text, s.Sig) {
				return nil, nil, domain.Errorf(domain.EUNAUTHORIZED, "note signature by %s does not verify", k.name)
			}
			if !seen[k] {
				seen[k] = true
				signers = append(signers, k)
			}
		}
	}
	if len(signers) == 0 {
		return nil, nil, domain.Errorf(domain.EUNAUTHORIZED, "note is not signed by any trusted key")
	}
	return n.Text, signers, nil
}
