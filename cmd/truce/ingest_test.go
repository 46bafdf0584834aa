package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestIngestNews runs `truce ingest news` on a batch with bad items among
// good ones: each bad item is reported with its reason, the good ones are
// stored, and the status is 3.
func TestIngestNews(t *testing.T) {
	dir := t.TempDir()
	seed, err := os.ReadFile("../../internal/newsdesk/testdata/seed.txt")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"seed-2016-02-24.txt": seed,
		"empty.txt":           nil,
		"binary.html":         []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
		"latin1.txt":          []byte("The ministry said the strikes on Alep had stopped, Konashenkov said. Caf\xe9 \xe9t\xe9."),
		"batch.jsonl": []byte(`{"title":"One","text":"Russia said strikes fell, Konashenkov said.","date":"2016-02-24"}
{not json}
{"title":"Two","text":"Turkey said the YPG attacked, Erdogan said.","date":"2016-02-26"}
`),
	}
	var args []string
	for _, name := range []string{"seed-2016-02-24.txt", "empty.txt", "binary.html", "batch.jsonl", "latin1.txt", "seed-2016-02-24.txt"} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, files[name], 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, p)
	}
	var out, errOut bytes.Buffer
	db := filepath.Join(dir, "truce.db")
	err = runIngest(context.Background(), append([]string{"news", "--db", db}, args...), &out, &errOut)
	var ec *exitCode
	if !errors.As(err, &ec) || ec.code != exitPartial {
		t.Errorf("ingest with failed items = %v, want exit status %d", err, exitPartial)
	}
	report := out.String()
	for _, want := range []string{
		`ok\s+\S+seed-2016-02-24.txt\s+article 1: \d+ statements, 2 claims`,
		`FAILED\s+\S+empty.txt\s+input is empty`,
		`FAILED\s+\S+binary.html\s+the input is binary`,
		`ok\s+\S+batch.jsonl:1\s+article 2`,
		`FAILED\s+\S+batch.jsonl:2\s+not a JSON object`,
		`ok\s+\S+batch.jsonl:3\s+article 3`,
		`ok\s+\S+latin1.txt\s+article 4: .*; best effort: 3 invalid UTF-8 bytes replaced`,
		`same\s+\S+seed-2016-02-24.txt\s+already stored as article 1`,
		`8 items in \S+: 4 stored, 1 already stored, 3 failed`,
	} {
		if !regexp.MustCompile(want).MatchString(report) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}

	// A clean run exits 0.
	out.Reset()
	if err := runIngest(context.Background(), []string{"news", "--db", db, args[0]}, &out, &errOut); err != nil {
		t.Errorf("clean run: err %v, want nil", err)
	}
	if !strings.Contains(out.String(), "1 already stored, 0 failed") {
		t.Errorf("clean run report:\n%s", out.String())
	}
}
