package importer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/formats"
)

// Store is what an import writes to; domain.Store provides it.
type Store interface {
	ImportIncidents(ctx context.Context, batch []*domain.Incident) (domain.ImportCounts, error)
	PutUnmappedActors(ctx context.Context, input string, actors []domain.UnmappedActor) error
}

// DefaultBatchSize is how many rows commit together. Larger batches amortise
// the disk sync; a crash loses at most one uncommitted batch, which the
// re-run writes again.
const DefaultBatchSize = 2000

// Formats are the names Import accepts.
var Formats = []string{"acled", "ucdp", "airwars"}

// Importer imports dataset files into a Store. Set Store; the rest is
// optional.
type Importer struct {
	Store    Store
	Resolver formats.PartyResolver // nil: every actor is unmapped
	Locator  *Locator              // nil: rows keep the points they came with
	Actor    string                // recorded as the incidents' creator; default "import"
	// BatchSize is the number of rows per transaction (DefaultBatchSize).
	BatchSize int
	// Progress is told the bytes read so far, for a progress bar.
	Progress formats.Progress
}

// Report is the outcome of one import: the reader's report (rows, accepted,
// rejected with line, column and reason, unmapped actors) and what the
// store and the gazetteer did.
type Report struct {
	formats.Report
	Input string `json:"input"` // SHA-256 of the input, the key of its unmapped-actor counts
	domain.ImportCounts
	Geocoded int `json:"geocoded"` // rows whose point came from the gazetteer
	Unplaced int `json:"unplaced"` // rows with no point, and none found
}

// OK reports whether every row was accepted.
func (r *Report) OK() bool { return r.Rejected == 0 }

// batch is a run of accepted rows waiting to be written.
type batch struct {
	incidents []*domain.Incident
	lines     []int
}

// Import reads one file of the given format (acled, ucdp, airwars) and
// writes it. size is the input's length for progress, or 0. A row the
// reader or the store refuses is reported and skipped; an error is returned
// only when the import could not go on (unreadable input, store failure),
// and then every batch written before it stays written.
func (im *Importer) Import(ctx context.Context, format string, r io.Reader, size int64) (*Report, error) {
	h := sha256.New()
	opts := formats.Options{Resolver: im.Resolver, Progress: im.Progress, Size: size}
	var (
		rd  *formats.Reader
		err error
	)
	tee := io.TeeReader(r, h)
	switch strings.ToLower(format) {
	case "acled":
		rd, err = formats.NewACLEDReader(tee, opts)
	case "ucdp":
		rd, err = formats.NewUCDPReader(tee, opts)
	case "airwars":
		rd, err = formats.NewAirwarsReader(tee, opts)
	default:
		return nil, domain.FieldErrorf("format", "unknown format %q (want %s)", format, strings.Join(Formats, ", "))
	}
	if err != nil {
		return nil, err
	}
	n := im.BatchSize
	if n <= 0 {
		n = DefaultBatchSize
	}
	actor := im.Actor
	if actor == "" {
		actor = "import"
	}
	origin := ""

	rep := &Report{}
	// Reading and locating run here while the previous batch is written:
	// the two halves of the work overlap, and at most three batches are in
	// memory at a time.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	work := make(chan batch, 1)
	type written struct {
		counts   domain.ImportCounts
		rejected []formats.RowError
		err      error
	}
	done := make(chan written, 1)
	go func() {
		var w written
		for b := range work {
			c, rej, err := im.write(ctx, b)
			w.counts.Add(c)
			w.rejected = append(w.rejected, rej...)
			if err != nil {
				w.err = err
				cancel()
				for range work { // drain so the reader is not blocked
				}
				break
			}
		}
		done <- w
	}()

	cur := batch{}
	var readErr error
	for {
		if ctx.Err() != nil {
			break
		}
		rec, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var re *formats.RowError
		if errors.As(err, &re) {
			continue // counted in the reader's report
		} else if err != nil {
			readErr = err
			break
		}
		in := rec.Incident
		origin = in.Origin
		in.CreatedBy = actor
		if im.Locator != nil {
			res := im.Locator.Locate(&in, rec.LocationAR)
			if res.Geocoded {
				rep.Geocoded++
			}
			if res.Unplaced {
				rep.Unplaced++
			}
		} else if in.Point == nil {
			rep.Unplaced++
		}
		cur.incidents = append(cur.incidents, &in)
		cur.lines = append(cur.lines, rec.Line)
		if len(cur.incidents) >= n {
			work <- cur
			cur = batch{}
		}
	}
	if len(cur.incidents) > 0 && readErr == nil && ctx.Err() == nil {
		work <- cur
	}
	close(work)
	w := <-done
	rep.Report = *rd.Report()
	rep.ImportCounts = w.counts
	for _, e := range w.rejected {
		rep.Accepted--
		rep.Rejected++
		if len(rep.Errors) < formats.MaxRowErrors {
			rep.Errors = append(rep.Errors, e)
		}
	}
	switch {
	case w.err != nil:
		return rep, w.err
	case readErr != nil:
		return rep, readErr
	case ctx.Err() != nil:
		return rep, ctx.Err()
	}
	// The hash covers the whole input only once the reader has hit EOF.
	io.Copy(io.Discard, tee)
	rep.Input = hex.EncodeToString(h.Sum(nil))
	if len(rep.Unmapped) > 0 {
		if origin == "" {
			origin = strings.ToLower(format)
		}
		actors := make([]domain.UnmappedActor, len(rep.Unmapped))
		for i, a := range rep.Unmapped {
			actors[i] = domain.UnmappedActor{Origin: origin, Name: a.Name, Count: a.Count, FirstLine: a.FirstLine}
		}
		if err := im.Store.PutUnmappedActors(ctx, rep.Input, actors); err != nil {
			return rep, fmt.Errorf("record unmapped actors: %w", err)
		}
	}
	return rep, nil
}

// write stores a batch. If the store refuses it for a rule one row breaks,
// the rows are written one by one so the rest still go in and the bad one
// is reported with its line.
func (im *Importer) write(ctx context.Context, b batch) (domain.ImportCounts, []formats.RowError, error) {
	c, err := im.Store.ImportIncidents(ctx, b.incidents)
	if err == nil || domain.ErrorCode(err) != domain.EINVALID {
		return c, nil, err
	}
	var total domain.ImportCounts
	var rejected []formats.RowError
	for i, in := range b.incidents {
		c, err := im.Store.ImportIncidents(ctx, []*domain.Incident{in})
		switch {
		case err == nil:
			total.Add(c)
		case domain.ErrorCode(err) == domain.EINVALID:
			rejected = append(rejected, formats.RowError{Line: b.lines[i], Column: domain.ErrorField(err), Reason: domain.ErrorMessage(err)})
		default:
			return total, rejected, err
		}
	}
	return total, rejected, nil
}
