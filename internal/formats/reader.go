package formats

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"iter"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"github.com/trucedesk/truce/internal/domain"
)

// sniffSize is how much input is examined to choose the encoding and the
// separator.
const sniffSize = 64 << 10

// table is a CSV file opened for streaming: its header and a csv.Reader
// positioned on the first data row.
type table struct {
	format string
	cr     *csv.Reader
	header []string
	cols   map[string]int
	report *Report
}

// openTable checks the encoding, the separator and the header of a CSV
// stream. Problems that make every row unreadable are returned as EINVALID
// errors; the rest are the caller's to report row by row.
func openTable(r io.Reader, format string, required []string, opts Options) (*table, error) {
	rep := &Report{Format: format}
	if opts.Progress != nil {
		r = &progressReader{r: r, fn: opts.Progress, total: opts.Size}
	}
	br := bufio.NewReaderSize(r, sniffSize)
	peek, err := br.Peek(sniffSize)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("read %s: %w", format, err)
	}
	var src io.Reader = br
	switch {
	case bytes.HasPrefix(peek, []byte{0xFF, 0xFE}) || bytes.HasPrefix(peek, []byte{0xFE, 0xFF}):
		return nil, domain.Errorf(domain.EINVALID, "the %s file is UTF-16; save it as UTF-8 CSV", format)
	case bytes.HasPrefix(peek, []byte{0xEF, 0xBB, 0xBF}):
		br.Discard(3)
	case !utf8.Valid(completeRunes(peek)):
		at := invalidAt(peek)
		if opts.StrictUTF8 {
			return nil, domain.Errorf(domain.EINVALID, "the %s file is not UTF-8 (byte %d is 0x%02X); save it as UTF-8 CSV", format, at+1, peek[at])
		}
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("input is not UTF-8 (byte %d is 0x%02X): decoded as Windows-1252", at+1, peek[at]))
		src = charmap.Windows1252.NewDecoder().Reader(br)
	}

	// The separator is judged on the header line, before csv.Reader splits
	// it into one long field.
	dec := bufio.NewReaderSize(src, sniffSize)
	head, _ := dec.Peek(sniffSize)
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	comma := opts.Comma
	if comma == 0 {
		comma = ','
		if bytes.IndexByte(head, ',') < 0 {
			if n := bytes.Count(head, []byte{';'}); n > 0 {
				return nil, domain.Errorf(domain.EINVALID, "the %s header is separated by semicolons (';'), not commas: export it as comma-separated CSV or choose ';' as the separator", format)
			}
			if n := bytes.Count(head, []byte{'\t'}); n > 0 {
				return nil, domain.Errorf(domain.EINVALID, "the %s header is separated by tabs, not commas: export it as comma-separated CSV or choose tab as the separator", format)
			}
		}
	}

	cr := csv.NewReader(dec)
	cr.Comma = comma
	cr.FieldsPerRecord = -1 // counted here, to name truncated rows
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, domain.Errorf(domain.EINVALID, "the %s file is empty", format)
	} else if err != nil {
		return nil, domain.Errorf(domain.EINVALID, "the %s header cannot be read: %v", format, err)
	}
	t := &table{format: format, cr: cr, header: make([]string, len(header)), cols: make(map[string]int, len(header)), report: rep}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		t.header[i] = h
		if _, dup := t.cols[h]; !dup {
			t.cols[h] = i
		}
	}
	var missing []string
	for _, c := range required {
		if _, ok := t.cols[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, domain.Errorf(domain.EINVALID, "the %s header lacks required columns: %s", format, strings.Join(missing, ", "))
	}
	return t, nil
}

// row is one data row as read, valid until the next read.
type row struct {
	line   int
	fields []string
	cols   map[string]int
}

// get returns the trimmed value of a column, or "" if the file lacks it.
func (r *row) get(col string) string {
	i, ok := r.cols[col]
	if !ok || i >= len(r.fields) {
		return ""
	}
	return strings.TrimSpace(r.fields[i])
}

func (r *row) errorf(col, format string, args ...any) *RowError {
	return &RowError{Line: r.line, Column: col, Reason: fmt.Sprintf(format, args...)}
}

// next reads the next row. It returns io.EOF at the end, a *RowError for a
// row that cannot be split into the header's columns, and any other error
// for input that cannot be read at all.
func (t *table) next() (*row, error) {
	rec, err := t.cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, io.EOF
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		t.report.Rows++
		reason := pe.Err.Error()
		if errors.Is(pe.Err, csv.ErrQuote) {
			reason = fmt.Sprintf("a quoted field is not closed properly (detected on line %d, column %d): truncated or stray quote", pe.Line, pe.Column)
		} else if errors.Is(pe.Err, csv.ErrBareQuote) {
			reason = fmt.Sprintf("a bare \" in an unquoted field (line %d, column %d)", pe.Line, pe.Column)
		}
		col := ""
		if pe.StartLine == pe.Line && pe.Column > 0 {
			col = t.columnAt(rec, pe.Column)
		}
		return nil, &RowError{Line: pe.StartLine, Column: col, Reason: reason}
	} else if err != nil {
		return nil, fmt.Errorf("read %s: %w", t.format, err)
	}
	t.report.Rows++
	line, _ := t.cr.FieldPos(0)
	if len(rec) != len(t.header) {
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			t.report.Rows-- // a blank line is not a row
			return t.next()
		}
		reason := fmt.Sprintf("has %d fields, the header has %d", len(rec), len(t.header))
		if len(rec) < len(t.header) {
			reason += ": truncated row?"
		}
		return nil, &RowError{Line: line, Reason: reason}
	}
	for i, f := range rec {
		if !utf8.ValidString(f) {
			return nil, &RowError{Line: line, Column: t.header[i], Reason: "is not valid UTF-8"}
		}
	}
	return &row{line: line, fields: rec, cols: t.cols}, nil
}

// columnAt guesses which column a parse error's byte column falls in; the
// error gives only a byte offset within the line.
func (t *table) columnAt(rec []string, byteCol int) string {
	n := 0
	for i, f := range rec {
		n += len(f) + 1
		if byteCol <= n && i < len(t.header) {
			return t.header[i]
		}
	}
	if len(rec) < len(t.header) {
		return t.header[len(rec)]
	}
	return ""
}

// Reader streams records from one dataset file. Make one with NewACLEDReader,
// NewUCDPReader or NewAirwarsReader.
type Reader struct {
	t        *table
	mapRow   func(*row) (Record, *RowError)
	resolver PartyResolver
	unmapped actorTally
}

func newReader(r io.Reader, format string, required []string, opts Options, mapRow func(*row) (Record, *RowError)) (*Reader, error) {
	t, err := openTable(r, format, required, opts)
	if err != nil {
		return nil, err
	}
	return &Reader{t: t, mapRow: mapRow, resolver: opts.Resolver, unmapped: actorTally{}}, nil
}

// Next returns the next record. A rejected row comes back as a *RowError,
// already counted in the Report: the caller may log it and call Next again.
// At the end Next returns io.EOF; any other error means the input cannot be
// read further.
func (r *Reader) Next() (Record, error) {
	rw, err := r.t.next()
	if err != nil {
		var re *RowError
		if errors.As(err, &re) {
			r.t.report.reject(re)
		}
		return Record{}, err
	}
	rec, re := r.mapRow(rw)
	if re == nil {
		re = validate(r.t.format, rw, &rec.Incident)
	}
	if re != nil {
		r.t.report.reject(re)
		return Record{}, re
	}
	rec.Line = rw.line
	rec.Incident.Perpetrators = r.resolve(rec.Perpetrators, rw.line)
	rec.Incident.Targets = r.resolve(rec.Targets, rw.line)
	r.t.report.Accepted++
	return rec, nil
}

// All iterates over the records: accepted ones with a nil error, rejected
// rows with their *RowError, and, last, any error that stopped the reading.
func (r *Reader) All() iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		for {
			rec, err := r.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			if !yield(rec, err) {
				return
			}
			var re *RowError
			if err != nil && !errors.As(err, &re) {
				return
			}
		}
	}
}

// Report returns the import's report so far; after io.EOF it is complete.
func (r *Reader) Report() *Report {
	rep := *r.t.report
	rep.Unmapped = r.unmapped.sorted()
	return &rep
}

func (r *Reader) resolve(names []string, line int) []int64 {
	var ids []int64
	for _, n := range names {
		if r.resolver != nil {
			if id, ok := r.resolver.Resolve(n); ok {
				if !containsID(ids, id) {
					ids = append(ids, id)
				}
				continue
			}
		}
		r.unmapped.add(n, line)
	}
	return ids
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// fieldColumns names, per domain field, the column of each format that feeds
// it, so a failed domain validation points at the column to fix.
var fieldColumns = map[string]map[string]string{
	FormatACLED: {"sub_event_type": "sub_event_type", "event_type": "event_type", "occurred_at": "event_date",
		"time_precision": "time_precision", "geo_precision": "geo_precision", "lat": "latitude", "lon": "longitude",
		"fatalities": "fatalities", "fatalities.civilian": "tags", "injured": "tags", "grade": "tags",
		"location": "location", "admin1": "admin1", "admin2": "admin2", "summary": "notes"},
	FormatUCDP: {"sub_event_type": "type_of_violence", "event_type": "type_of_violence", "occurred_at": "date_start",
		"time_precision": "date_prec", "geo_precision": "where_prec", "lat": "latitude", "lon": "longitude",
		"fatalities": "best", "fatalities.civilian": "deaths_civilians", "location": "where_coordinates",
		"admin1": "adm_1", "admin2": "adm_2", "summary": "truce_summary", "grade": "truce_grade", "injured": "truce_injured"},
	FormatAirwars: {"sub_event_type": "strike_type", "event_type": "strike_type", "occurred_at": "incident_date",
		"lat": "latitude", "lon": "longitude", "fatalities": "civilians_killed_min", "grade": "civilian_harm_grading",
		"location": "location_en", "admin1": "region", "summary": "narrative_en", "injured": "civilians_injured_min"},
}

// validate applies the domain's rules to a mapped incident.
func validate(format string, rw *row, in *domain.Incident) *RowError {
	err := in.Validate()
	if err == nil {
		return nil
	}
	col := fieldColumns[format][domain.ErrorField(err)]
	if col == "" {
		col = domain.ErrorField(err)
	}
	return &RowError{Line: rw.line, Column: col, Reason: domain.ErrorMessage(err)}
}

// completeRunes drops a multi-byte character cut off at the end of a sniffed
// buffer, which would otherwise look like bad UTF-8.
func completeRunes(p []byte) []byte {
	for i := len(p) - 1; i >= 0 && i >= len(p)-utf8.UTFMax; i-- {
		if utf8.RuneStart(p[i]) {
			if !utf8.FullRune(p[i:]) {
				return p[:i]
			}
			break
		}
	}
	return p
}

func invalidAt(p []byte) int {
	for i := 0; i < len(p); {
		r, n := utf8.DecodeRune(p[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return 0
}

// progressReader reports bytes read to a Progress hook.
type progressReader struct {
	r     io.Reader
	fn    Progress
	total int64
	n     int64
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.n += int64(n)
	if n > 0 || errors.Is(err, io.EOF) {
		p.fn(p.n, p.total)
	}
	return n, err
}
