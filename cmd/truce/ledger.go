package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/ledger"
	"github.com/trucedesk/truce/internal/store"
)

func init() {
	commands["verify"] = command{"check the database against a signed checkpoint, offline", runVerify}
	commands["checkpoint"] = command{"sign a checkpoint of the tamper-evident log now", runCheckpoint}
	commands["keygen"] = command{"make a checkpoint signing key for this installation", runKeygen}
}

// defaultOrigin names the log in checkpoints unless --log-origin says otherwise.
const defaultOrigin = "truce.local/ledger"

// errProblems makes verify exit non-zero when it found tampering.
var errProblems = errors.New("the database does not match the log")

// loadSigner reads the installation's signing key, creating one on first use.
func loadSigner(path string, stdout io.Writer) (*ledger.Signer, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		host, _ := os.Hostname()
		s, err := ledger.GenerateKey(rand.Reader, "truce/"+strings.ToLower(host))
		if err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, []byte(s.String()+"\n"), 0o600); err != nil {
			return nil, fmt.Errorf("write signing key: %w", err)
		}
		if err := os.WriteFile(path+".pub", []byte(s.PublicKey().String()+"\n"), 0o644); err != nil {
			return nil, fmt.Errorf("write public key: %w", err)
		}
		fmt.Fprintf(stdout, "created checkpoint signing key %s (public key in %s.pub)\n", path, path)
		return s, nil
	} else if err != nil {
		return nil, fmt.Errorf("read signing key: %w", err)
	}
	return ledger.ParseSigner(strings.TrimSpace(string(data)))
}

// signCheckpoint signs the log as it stands and saves the note.
func signCheckpoint(ctx context.Context, db *store.DB, signer *ledger.Signer, origin string) ([]byte, error) {
	l, err := db.Ledger(ctx)
	if err != nil {
		return nil, err
	}
	cp, err := l.Checkpoint(ctx, origin)
	if err != nil {
		return nil, err
	}
	note, err := cp.Sign(signer)
	if err != nil {
		return nil, err
	}
	return note, db.SaveCheckpoint(ctx, cp.Size, note)
}

func runKeygen(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("keygen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("name", "", "key name, e.g. truce.example.org/us-cochair (required)")
	out := fs.String("out", "ledger.key", "where to write the private key; the public key goes beside it as .pub")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *name == "" {
		return errors.New("keygen: --name is required")
	}
	if _, err := os.Stat(*out); err == nil {
		return fmt.Errorf("keygen: %s exists; refusing to overwrite a signing key", *out)
	}
	s, err := ledger.GenerateKey(rand.Reader, *name)
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, []byte(s.String()+"\n"), 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(*out+".pub", []byte(s.PublicKey().String()+"\n"), 0o644); err != nil {
		return err
	}
	fmt.Fprintln(stdout, s.PublicKey().String())
	return nil
}

func runCheckpoint(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("checkpoint", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	c.flags(fs, "truce-data")
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := store.Open(ctx, c.dsn())
	if err != nil {
		return err
	}
	defer db.Close()
	signer, err := loadSigner(c.keyPath(), stderr)
	if err != nil {
		return err
	}
	note, err := signCheckpoint(ctx, db, signer, c.origin)
	if err != nil {
		return err
	}
	_, err = stdout.Write(note)
	return err
}

func runVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	c.flags(fs, "truce-data")
	cpFile := fs.String("checkpoint", "", "a signed checkpoint `file` to verify against (default: the newest one in the database)")
	var keys multiFlag
	fs.Var(&keys, "key", "a trusted public key, or a file holding one (repeatable; default DATA/ledger.key.pub)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if len(keys) == 0 {
		keys = append(keys, c.keyPath()+".pub")
	}
	var trusted []*ledger.PublicKey
	for _, k := range keys {
		if data, err := os.ReadFile(k); err == nil {
			k = strings.TrimSpace(string(data))
		}
		pk, err := ledger.ParsePublicKey(k)
		if err != nil {
			return fmt.Errorf("verify: key %q: %w", k, err)
		}
		trusted = append(trusted, pk)
	}
	db, err := store.Open(ctx, c.dsn())
	if err != nil {
		return err
	}
	defer db.Close()
	var note []byte
	if *cpFile != "" {
		if note, err = os.ReadFile(*cpFile); err != nil {
			return fmt.Errorf("verify: %w", err)
		}
	} else if note, err = db.LatestCheckpoint(ctx); err != nil {
		return fmt.Errorf("verify: %s (sign one with 'truce checkpoint')", domain.ErrorMessage(err))
	}
	cp, _, err := ledger.OpenCheckpoint(note, "", trusted)
	if err != nil {
		return fmt.Errorf("verify: checkpoint: %w", err)
	}
	snap, err := db.Snapshot(ctx)
	if err != nil {
		return err
	}
	rep, err := (&ledger.Verifier{LatestOnly: true}).Verify(cp, snap.Entries, snap.Records)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(struct {
			*ledger.Report
			Adoptions []*store.LedgerAdoption `json:"adoptions,omitempty"`
		}{rep, snap.Adoptions})
	} else {
		fmt.Fprintf(stdout, "checkpoint %s: %d entries, root %x…\n", cp.Origin, cp.Size, cp.Root[:8])
		fmt.Fprintf(stdout, "log entries %d, rows %d, superseded versions %d, entries after the checkpoint %d\n",
			rep.Entries, rep.Records, rep.Superseded, rep.Unattested)
		// Rows an upgrade adopted were unguarded until then; say so, so no
		// one reads the log as vouching for their earlier history.
		for _, a := range snap.Adoptions {
			fmt.Fprintf(stdout, "note: %d %s rows (IDs up to %d) were written before the log covered them and were adopted at %s;"+
				" the log vouches for them only since\n", a.Rows, a.Kind, a.ThroughID, a.AdoptedAt.UTC().Format(time.RFC3339))
		}
		for _, p := range rep.Problems {
			fmt.Fprintln(stdout, "  ✗", p.String())
		}
		if rep.OK() {
			fmt.Fprintln(stdout, "OK: every row matches the log, and the log matches the signed root")
		}
	}
	if !rep.OK() {
		return fmt.Errorf("%w: %d problems", errProblems, len(rep.Problems))
	}
	return nil
}

// multiFlag collects a repeated flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }
