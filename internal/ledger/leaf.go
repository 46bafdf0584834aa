package ledger

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/transparency-dev/merkle/rfc6962"

	"github.com/trucedesk/truce/internal/domain"
)

// LeafVersion is the first line of every leaf. A change to the leaf format
// gets a new version line, so that an old log stays verifiable by the rules it
// was written under.
const LeafVersion = "truce-leaf/v1"

// HashSize is the size in bytes of leaf, node and root hashes (SHA-256).
const HashSize = 32

// hasher is the RFC 9162 (RFC 6962) tree hasher: SHA-256 with a 0x00 prefix
// for leaves and 0x01 for interior nodes, so no leaf can pose as a node.
var hasher = rfc6962.DefaultHasher

// Key names one version of one record: the log holds a leaf per write, so a
// record updated three times appears under three keys.
type Key struct {
	Kind    string `json:"kind"` // "message", "incident", "status"…
	ID      int64  `json:"id"`
	Version int64  `json:"version"`
}

// String returns the key as kind/id@vversion, the form reports use.
func (k Key) String() string {
	return k.Kind + "/" + strconv.FormatInt(k.ID, 10) + "@v" + strconv.FormatInt(k.Version, 10)
}

// Record is one write to the store as the log sees it: which record, which
// version, when, and its content. The store builds a Record on every write and
// again, from the row, when verifying; both must give the same leaf.
type Record struct {
	Kind    string
	ID      int64
	Version int64
	// Time is when the write happened. The leaf keeps it to the microsecond,
	// the precision PostgreSQL stores, so the store should write the same
	// truncated instant it logs.
	Time time.Time
	// Content is the record as JSON. Any key order and spacing will do: the
	// leaf holds its canonical form.
	Content json.RawMessage
}

// Key returns the key the record is logged under.
func (r *Record) Key() Key { return Key{Kind: r.Kind, ID: r.ID, Version: r.Version} }

// Leaf returns the canonical leaf bytes of the record, in the versioned format
// of docs/ledger.md:
//
//	truce-leaf/v1
//	kind incident
//	id 42
//	version 3
//	time 2016-02-27T00:00:00Z
//	content {"a":1,"b":[true,null]}
//
// each line ending in a newline. It fails with EINVALID on a malformed kind,
// a negative version, a zero time or content that is not one JSON value.
func (r *Record) Leaf() ([]byte, error) {
	if err := validKind(r.Kind); err != nil {
		return nil, err
	}
	if r.Version < 0 {
		return nil, domain.FieldErrorf("version", "version %d of %s/%d is negative", r.Version, r.Kind, r.ID)
	}
	if r.Time.IsZero() {
		return nil, domain.FieldErrorf("time", "%s has no time", r.Key())
	}
	content, err := CanonicalJSON(r.Content)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", r.Key(), err)
	}
	var b bytes.Buffer
	b.Grow(len(LeafVersion) + len(r.Kind) + len(content) + 96)
	b.WriteString(LeafVersion)
	b.WriteString("\nkind ")
	b.WriteString(r.Kind)
	b.WriteString("\nid ")
	b.WriteString(strconv.FormatInt(r.ID, 10))
	b.WriteString("\nversion ")
	b.WriteString(strconv.FormatInt(r.Version, 10))
	b.WriteString("\ntime ")
	b.WriteString(LeafTime(r.Time))
	b.WriteString("\ncontent ")
	b.Write(content)
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// LeafHash returns the RFC 9162 leaf hash of the record's leaf.
func (r *Record) LeafHash() ([]byte, error) {
	leaf, err := r.Leaf()
	if err != nil {
		return nil, err
	}
	return HashLeaf(leaf), nil
}

// HashLeaf returns SHA-256(0x00 || leaf), the RFC 9162 hash of a leaf.
func HashLeaf(leaf []byte) []byte { return hasher.HashLeaf(leaf) }

// HashChildren returns SHA-256(0x01 || left || right), the RFC 9162 hash of an
// interior node.
func HashChildren(left, right []byte) []byte { return hasher.HashChildren(left, right) }

// EmptyRoot returns the root of the empty tree, SHA-256 of nothing.
func EmptyRoot() []byte { return hasher.EmptyRoot() }

// LeafTime formats t as the leaf holds it: UTC, RFC 3339, truncated to the
// microsecond, without trailing zeros in the fraction.
func LeafTime(t time.Time) string {
	return t.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano)
}

// validKind accepts short lowercase tokens, which keep the leaf's line
// structure unambiguous and the kind readable in reports.
func validKind(kind string) error {
	if kind == "" || len(kind) > 64 {
		return domain.FieldErrorf("kind", "record kind %q must be 1 to 64 characters", kind)
	}
	for i, c := range []byte(kind) {
		switch {
		case c >= 'a' && c <= 'z':
		case i > 0 && (c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.'):
		default:
			return domain.FieldErrorf("kind", "record kind %q must be a lowercase letter then letters, digits, '_', '-' or '.'", kind)
		}
	}
	return nil
}

// CanonicalJSON returns the canonical form of one JSON value, which is that of
// RFC 8785 (JCS) but for numbers: no insignificant space, object keys sorted
// by UTF-16 code units, strings with only '"', '\\' and control characters
// escaped, and numbers kept exactly as written (JCS would reformat them as
// JavaScript does, which can round large integers). It rejects
// duplicate object keys, which would let two readers see different content
// behind one hash, and trailing data.
func CanonicalJSON(data []byte) ([]byte, error) {
	// The fast path reads the bytes once; it needs well-formed input, so
	// anything json.Valid refuses takes the decoder path for its error.
	if json.Valid(data) {
		return canonicalFast(data)
	}
	return canonicalSlow(data)
}

// canonicalSlow is CanonicalJSON by way of encoding/json's tokenizer: the
// reference the fast path is tested against, and the source of precise
// errors for malformed content.
func canonicalSlow(data []byte) ([]byte, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, domain.FieldErrorf("content", "content is empty; want one JSON value")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var out bytes.Buffer
	out.Grow(len(data))
	if err := canonicalValue(dec, &out, 0); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, domain.FieldErrorf("content", "content has data after its JSON value")
	}
	return out.Bytes(), nil
}

// maxDepth bounds nesting so hostile content cannot exhaust the stack.
const maxDepth = 100

func canonicalValue(dec *json.Decoder, out *bytes.Buffer, depth int) error {
	if depth > maxDepth {
		return domain.FieldErrorf("content", "content nests deeper than %d", maxDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		return jsonError(err)
	}
	switch v := tok.(type) {
	case json.Delim:
		switch v {
		case '[':
			out.WriteByte('[')
			for i := 0; dec.More(); i++ {
				if i > 0 {
					out.WriteByte(',')
				}
				if err := canonicalValue(dec, out, depth+1); err != nil {
					return err
				}
			}
			if _, err := dec.Token(); err != nil {
				return jsonError(err)
			}
			out.WriteByte(']')
		case '{':
			type member struct {
				key string
				val []byte
			}
			var members []member
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return jsonError(err)
				}
				key := kt.(string) // the decoder only yields string keys
				var val bytes.Buffer
				if err := canonicalValue(dec, &val, depth+1); err != nil {
					return err
				}
				members = append(members, member{key, val.Bytes()})
			}
			if _, err := dec.Token(); err != nil {
				return jsonError(err)
			}
			slices.SortFunc(members, func(a, b member) int { return compareUTF16(a.key, b.key) })
			out.WriteByte('{')
			for i, m := range members {
				if i > 0 {
					if m.key == members[i-1].key {
						return domain.FieldErrorf("content", "content repeats the object key %q", m.key)
					}
					out.WriteByte(',')
				}
				writeString(out, m.key)
				out.WriteByte(':')
				out.Write(m.val)
			}
			out.WriteByte('}')
		}
	case string:
		writeString(out, v)
	case json.Number:
		out.WriteString(string(v))
	case bool:
		out.WriteString(strconv.FormatBool(v))
	case nil:
		out.WriteString("null")
	}
	return nil
}

// writeString writes s as a JSON string the way RFC 8785 (JCS) does: only
// '"', '\\' and control characters are escaped, the common ones in short
// form and the rest as \u00xx; everything else is literal UTF-8.
func writeString(out *bytes.Buffer, s string) {
	const hexDigits = "0123456789abcdef"
	out.WriteByte('"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		out.WriteString(s[start:i])
		switch c {
		case '"', '\\':
			out.WriteByte('\\')
			out.WriteByte(c)
		case '\b':
			out.WriteString(`\b`)
		case '\f':
			out.WriteString(`\f`)
		case '\n':
			out.WriteString(`\n`)
		case '\r':
			out.WriteString(`\r`)
		case '\t':
			out.WriteString(`\t`)
		default:
			out.WriteString(`\u00`)
			out.WriteByte(hexDigits[c>>4])
			out.WriteByte(hexDigits[c&0xf])
		}
		start = i + 1
	}
	out.WriteString(s[start:])
	out.WriteByte('"')
}

// compareUTF16 orders object keys by their UTF-16 code units, as RFC 8785
// does; for the ASCII keys Truce writes it is plain byte order.
func compareUTF16(a, b string) int {
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if ra != rb {
			return cmp.Compare(utf16Key(ra), utf16Key(rb))
		}
		a, b = a[na:], b[nb:]
	}
	return cmp.Compare(len(a), len(b))
}

// utf16Key maps a rune to a value that sorts as its first UTF-16 code unit
// would, breaking ties between surrogate pairs by the rune itself.
func utf16Key(r rune) int64 {
	if r >= 0x10000 {
		hi, _ := utf16.EncodeRune(r)
		return int64(hi)<<32 | int64(r)
	}
	return int64(r) << 32
}

func jsonError(err error) error {
	return domain.FieldErrorf("content", "content is not valid JSON: %v", err)
}
