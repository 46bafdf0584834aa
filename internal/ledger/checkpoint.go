package ledger

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"github.com/transparency-dev/merkle/proof"

	"github.com/trucedesk/truce/internal/domain"
)

// Checkpoint is a commitment to the log at one size, in the C2SP
// tlog-checkpoint format (https://c2sp.org/tlog-checkpoint):
//
//	truce.example.org/syria-2016
//	1234
//	<base64 root hash>
//
// A co-chair signs it as a note; whoever holds the signed checkpoint can
// later hold the log to every entry below Size.
type Checkpoint struct {
	// Origin names the log, conventionally a schema-less URL such as
	// "truce.example.org/syria-2016"; it keeps a checkpoint of one log from
	// being passed off as another's.
	Origin string
	Size   uint64
	Root   []byte
	// Extensions are further non-empty body lines, kept as written.
	Extensions []string
}

// Marshal returns the checkpoint body, the text that is signed.
func (c *Checkpoint) Marshal() []byte {
	var b bytes.Buffer
	b.WriteString(c.Origin)
	b.WriteByte('\n')
	b.WriteString(strconv.FormatUint(c.Size, 10))
	b.WriteByte('\n')
	b.WriteString(base64.StdEncoding.EncodeToString(c.Root))
	b.WriteByte('\n')
	for _, e := range c.Extensions {
		b.WriteString(e)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// ParseCheckpoint parses a checkpoint body (the text of a signed note, not
// the note itself) and fails with EINVALID, saying which line is wrong, on
// anything that would not marshal back to the same bytes.
func ParseCheckpoint(text []byte) (*Checkpoint, error) {
	if err := validText(text); err != nil {
		return nil, err
	}
	if len(text) == 0 || text[len(text)-1] != '\n' {
		return nil, badCheckpoint("it does not end in a newline")
	}
	lines := strings.Split(string(text[:len(text)-1]), "\n")
	if len(lines) < 3 {
		return nil, badCheckpoint(fmt.Sprintf("it has %d lines; want origin, tree size and root hash", len(lines)))
	}
	c := &Checkpoint{Origin: lines[0]}
	if c.Origin == "" || strings.TrimSpace(c.Origin) != c.Origin {
		return nil, badCheckpoint("the origin line is empty or padded with spaces")
	}
	size, err := strconv.ParseUint(lines[1], 10, 64)
	if err != nil || strconv.FormatUint(size, 10) != lines[1] {
		return nil, badCheckpoint(fmt.Sprintf("tree size %q is not a decimal number without leading zeros", clip(lines[1])))
	}
	c.Size = size
	root, err := base64.StdEncoding.Strict().DecodeString(lines[2])
	if err != nil || len(root) != HashSize {
		return nil, badCheckpoint(fmt.Sprintf("root hash %q is not base64 of %d bytes", clip(lines[2]), HashSize))
	}
	c.Root = root
	for i, e := range lines[3:] {
		if e == "" {
			return nil, badCheckpoint(fmt.Sprintf("extension line %d is empty", i+1))
		}
		c.Extensions = append(c.Extensions, e)
	}
	return c, nil
}

func badCheckpoint(why string) error {
	return domain.Errorf(domain.EINVALID, "malformed checkpoint: %s", why)
}

// Sign returns the checkpoint as a note signed by each signer.
func (c *Checkpoint) Sign(signers ...*Signer) ([]byte, error) {
	// Refuse to sign what no verifier would read back as c: a newline in
	// the origin could otherwise smuggle in a different size and root.
	if strings.Contains(c.Origin, "\n") || len(c.Root) != HashSize {
		return nil, badCheckpoint("the origin has a newline or the root is not a hash")
	}
	for _, e := range c.Extensions {
		if strings.Contains(e, "\n") {
			return nil, badCheckpoint("an extension line has a newline")
		}
	}
	if _, err := ParseCheckpoint(c.Marshal()); err != nil {
		return nil, err
	}
	return SignNote(c.Marshal(), signers...)
}

// OpenCheckpoint verifies a signed checkpoint against trusted keys and
// returns it with the keys that signed it. If origin is not empty the
// checkpoint must name it. Errors are EINVALID for malformed notes and
// checkpoints and EUNAUTHORIZED for missing or bad signatures.
func OpenCheckpoint(note []byte, origin string, trusted []*PublicKey) (*Checkpoint, []*PublicKey, error) {
	text, signers, err := OpenNote(note, trusted)
	if err != nil {
		return nil, nil, err
	}
	c, err := ParseCheckpoint(text)
	if err != nil {
		return nil, nil, err
	}
	if origin != "" && c.Origin != origin {
		return nil, nil, domain.Errorf(domain.EINVALID, "checkpoint is for log %q, not %q", clip(c.Origin), origin)
	}
	return c, signers, nil
}

// Checkpoint returns an unsigned checkpoint of the log at its current size.
func (l *Log) Checkpoint(ctx context.Context, origin string) (*Checkpoint, error) {
	l.mu.Lock()
	if l.edge == nil {
		if err := l.reload(ctx, l.st); err != nil {
			l.mu.Unlock()
			return nil, err
		}
	}
	edge := l.edge
	l.mu.Unlock()
	root := EmptyRoot()
	if edge.End() > 0 {
		r, err := edge.GetRootHash(nil)
		if err != nil {
			return nil, fmt.Errorf("checkpoint root: %w", err)
		}
		root = r
	}
	return &Checkpoint{Origin: origin, Size: edge.End(), Root: root}, nil
}

// VerifyInclusion checks an inclusion proof that leafHash is the leaf at
// index of the tree cp commits to. It fails with EINVALID if it is not.
func VerifyInclusion(leafHash []byte, index uint64, p [][]byte, cp *Checkpoint) error {
	if err := proof.VerifyInclusion(hasher, index, cp.Size, leafHash, p, cp.Root); err != nil {
		return domain.Errorf(domain.EINVALID, "leaf %d is not in the log of size %d: %v", index, cp.Size, err)
	}
	return nil
}

// VerifyConsistency checks a consistency proof that the tree newer commits
// to extends the one older commits to, so that nothing older signed for was
// rewritten. It fails with EINVALID if it does not.
func VerifyConsistency(older, newer *Checkpoint, p [][]byte) error {
	if older.Origin != newer.Origin {
		return domain.Errorf(domain.EINVALID, "checkpoints of different logs %q and %q", clip(older.Origin), clip(newer.Origin))
	}
	if err := proof.VerifyConsistency(hasher, older.Size, newer.Size, p, older.Root, newer.Root); err != nil {
		return domain.Errorf(domain.EINVALID, "log of size %d does not extend the log of size %d: %v", newer.Size, older.Size, err)
	}
	return nil
}
