package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/ledger"
)

// Articles, statements and claims are logged to the ledger as stated; a
// claim's check is derived from the incidents and is not.

const articleColumns = `id, title, published_on, source, url, content_hash, warnings, ingested_at, ingested_by`

func scanArticle(row interface{ Scan(...any) error }, withText bool) (*domain.Article, error) {
	var a domain.Article
	var warnings string
	dest := []any{&a.ID, &a.Title, ts{&a.Date}, &a.Source, &a.URL, &a.ContentHash, &warnings, ts{&a.IngestedAt}, &a.IngestedBy}
	if withText {
		dest = append(dest, &a.Text)
	}
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(warnings), &a.Warnings); err != nil {
		return nil, fmt.Errorf("article %d warnings: %w", a.ID, err)
	}
	return &a, nil
}

const statementColumns = `s.id, s.article_id, s.start_offset, s.end_offset, s.body, s.quotes, s.verb,
	s.speaker_name, s.speaker_kind, s.speaker_title, s.speaker_org, s.speaker_country, s.speaker_mention,
	s.speaker_via, COALESCE(s.party_id, 0), a.published_on`

func scanStatement(row interface{ Scan(...any) error }) (*domain.Statement, error) {
	var s domain.Statement
	var quotes string
	sp := &s.Speaker
	if err := row.Scan(&s.ID, &s.ArticleID, &s.Start, &s.End, &s.Text, &quotes, &s.Verb, &sp.Name, &sp.Kind,
		&sp.Title, &sp.Org, &sp.Country, &sp.Mention, &sp.Via, &sp.PartyID, ts{&s.Date}); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(quotes), &s.Quotes); err != nil {
		return nil, fmt.Errorf("statement %d quotes: %w", s.ID, err)
	}
	return &s, nil
}

const claimColumns = `id, article_id, COALESCE(statement_id, 0), start_offset, end_offset, speaker, at_least, actor,
	COALESCE(actor_party_id, 0), metric, window_start, window_end, baseline_s, direction, strength, value, body,
	verdict, reason, sentence, p_value, detail, checked_at, checked_by`

func scanClaim(row interface{ Scan(...any) error }) (*domain.StoredClaim, error) {
	var c domain.StoredClaim
	var baseline int64
	var r domain.ClaimCheckResult
	var detail string
	if err := row.Scan(&c.ID, &c.ArticleID, &c.StatementID, &c.Start, &c.End, &c.Speaker, &c.AtLeast, &c.Actor,
		&c.ActorPartyID, &c.Metric, ts{&c.WindowStart}, ts{&c.WindowEnd}, &baseline, &c.Direction, &c.Strength,
		&c.Value, &c.Text, &r.Verdict, &r.Reason, &r.Sentence, &r.P, &detail, ts{&r.CheckedAt}, &r.CheckedBy); err != nil {
		return nil, err
	}
	c.Baseline = time.Duration(baseline) * time.Second
	c.Statement = -1
	if r.Verdict != domain.VerdictUnchecked {
		if detail != "" {
			r.Detail = json.RawMessage(detail)
		}
		c.Check = &r
	}
	return &c, nil
}

// PutArticle stores an article with its statements and claims in one
// transaction, or, if its text is already stored, returns the stored
// article's ID and false.
func (db *DB) PutArticle(ctx context.Context, a *domain.Article) (bool, error) {
	if err := a.Validate(); err != nil {
		return false, err
	}
	if a.IngestedAt.IsZero() {
		a.IngestedAt = db.now()
	}
	a.IngestedAt, a.Date = utc(a.IngestedAt), utc(a.Date)
	warnings, err := json.Marshal(nonNil(a.Warnings))
	if err != nil {
		return false, err
	}
	created := true
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		// The hash is unique: a concurrent writer of the same text makes
		// this insert do nothing, and the stored row is read back.
		err := tx.QueryRowContext(ctx, `INSERT INTO articles (title, body, published_on, source, url, content_hash,
			warnings, ingested_at, ingested_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
			ON CONFLICT (content_hash) DO NOTHING RETURNING id`,
			a.Title, a.Text, db.d.t(a.Date), a.Source, a.URL, a.ContentHash, string(warnings),
			db.d.t(a.IngestedAt), a.IngestedBy).Scan(&a.ID)
		if errors.Is(err, sql.ErrNoRows) {
			created = false
			return tx.QueryRowContext(ctx, `SELECT id FROM articles WHERE content_hash = $1`, a.ContentHash).Scan(&a.ID)
		} else if err != nil {
			return fmt.Errorf("insert article: %w", err)
		}
		rec, err := articleRecord(a)
		if err != nil {
			return err
		}
		recs := []ledger.Record{rec}
		for _, st := range a.Statements {
			if err := db.putStatement(ctx, tx, a, st); err != nil {
				return err
			}
			rec, err := statementRecord(st, a.IngestedAt)
			if err != nil {
				return err
			}
			recs = append(recs, rec)
		}
		for _, c := range a.Claims {
			if c.Statement >= 0 {
				c.StatementID = a.Statements[c.Statement].ID
			}
			if err := db.putClaim(ctx, tx, a.ID, c); err != nil {
				return err
			}
			rec, err := claimRecord(c, a.IngestedAt)
			if err != nil {
				return err
			}
			recs = append(recs, rec)
		}
		return db.logRecords(ctx, tx, recs...)
	})
	if err != nil {
		a.ID = 0
		return false, err
	}
	return created, nil
}

func (db *DB) putStatement(ctx context.Context, tx *sql.Tx, a *domain.Article, st *domain.Statement) error {
	quotes, err := json.Marshal(nonNil(st.Quotes))
	if err != nil {
		return err
	}
	st.ArticleID, st.Date = a.ID, a.Date
	sp := st.Speaker
	err = tx.QueryRowContext(ctx, `INSERT INTO statements (article_id, start_offset, end_offset, body, quotes, verb,
		speaker_name, speaker_kind, speaker_title, speaker_org, speaker_country, speaker_mention, speaker_via, party_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
		a.ID, st.Start, st.End, st.Text, string(quotes), st.Verb, sp.Name, sp.Kind, sp.Title, sp.Org, sp.Country,
		sp.Mention, sp.Via, nullID(sp.PartyID)).Scan(&st.ID)
	if isForeignKey(db.d.classify(err)) {
		return domain.FieldErrorf("statements.speaker.party_id", "party %d does not exist", sp.PartyID)
	} else if err != nil {
		return fmt.Errorf("insert statement: %w", err)
	}
	return nil
}

func (db *DB) putClaim(ctx context.Context, tx *sql.Tx, articleID int64, c *domain.StoredClaim) error {
	c.ArticleID = articleID
	c.WindowStart, c.WindowEnd = utc(c.WindowStart), utc(c.WindowEnd)
	r := c.Check
	if r == nil {
		r = &domain.ClaimCheckResult{}
	} else {
		r.CheckedAt = utc(r.CheckedAt)
	}
	err := tx.QueryRowContext(ctx, `INSERT INTO claims (article_id, statement_id, start_offset, end_offset, speaker,
		at_least, actor, actor_party_id, metric, window_start, window_end, baseline_s, direction, strength, value, body,
		verdict, reason, sentence, p_value, detail, checked_at, checked_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)
		RETURNING id`,
		articleID, nullID(c.StatementID), c.Start, c.End, c.Speaker, c.AtLeast, c.Actor, nullID(c.ActorPartyID),
		c.Metric, db.d.t(c.WindowStart), db.d.t(c.WindowEnd), int64(c.Baseline/time.Second), c.Direction, c.Strength,
		c.Value, c.Text, r.Verdict, r.Reason, r.Sentence, r.P, string(r.Detail), db.d.t(r.CheckedAt), r.CheckedBy).Scan(&c.ID)
	if isForeignKey(db.d.classify(err)) {
		return domain.FieldErrorf("claims.actor_party_id", "party %d does not exist", c.ActorPartyID)
	} else if err != nil {
		return fmt.Errorf("insert claim: %w", err)
	}
	return nil
}

// Article returns an article with its statements and claims.
func (db *DB) Article(ctx context.Context, id int64) (*domain.Article, error) {
	a, err := scanArticle(db.r.QueryRowContext(ctx, `SELECT `+articleColumns+`, body FROM articles WHERE id = $1`, id), true)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.ENOTFOUND, "article %d not found", id)
	} else if err != nil {
		return nil, db.d.classify(fmt.Errorf("read article: %w", err))
	}
	if a.Statements, err = db.Statements(ctx, domain.StatementFilter{ArticleID: id, Limit: -1}); err != nil {
		return nil, err
	}
	if a.Claims, err = db.StoredClaims(ctx, domain.ClaimFilter{ArticleID: id, Limit: -1}); err != nil {
		return nil, err
	}
	return a, nil
}

// ArticleByHash returns the article whose text has the given hash.
func (db *DB) ArticleByHash(ctx context.Context, hash string) (*domain.Article, error) {
	a, err := scanArticle(db.r.QueryRowContext(ctx, `SELECT `+articleColumns+` FROM articles WHERE content_hash = $1`, hash), false)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.ENOTFOUND, "no article with content hash %s", hash)
	} else if err != nil {
		return nil, db.d.classify(fmt.Errorf("read article: %w", err))
	}
	return a, nil
}

// Articles lists articles, oldest stored first, without their text.
func (db *DB) Articles(ctx context.Context, f domain.ArticleFilter) ([]*domain.Article, error) {
	var w sqlWhere
	w.time("published_on >= ", f.Since, db.d)
	w.time("published_on < ", f.Until, db.d)
	if f.Source != "" {
		w.add("source = ", f.Source)
	}
	if f.AfterID != 0 {
		w.add("id > ", f.AfterID)
	}
	q := `SELECT ` + articleColumns + ` FROM articles` + w.sql() + ` ORDER BY id` + pageClause(f.Limit)
	return queryAll(ctx, db, q, w.args, func(row interface{ Scan(...any) error }) (*domain.Article, error) {
		return scanArticle(row, false)
	})
}

// Statement returns one statement.
func (db *DB) Statement(ctx context.Context, id int64) (*domain.Statement, error) {
	st, err := scanStatement(db.r.QueryRowContext(ctx, `SELECT `+statementColumns+`
		FROM statements s JOIN articles a ON a.id = s.article_id WHERE s.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.ENOTFOUND, "statement %d not found", id)
	} else if err != nil {
		return nil, db.d.classify(fmt.Errorf("read statement: %w", err))
	}
	return st, nil
}

// Statements lists statements in article order, then text order.
func (db *DB) Statements(ctx context.Context, f domain.StatementFilter) ([]*domain.Statement, error) {
	var w sqlWhere
	if f.ArticleID != 0 {
		w.add("s.article_id = ", f.ArticleID)
	}
	if f.PartyID != 0 {
		w.add("s.party_id = ", f.PartyID)
	}
	w.time("a.published_on >= ", f.Since, db.d)
	w.time("a.published_on < ", f.Until, db.d)
	if f.AfterID != 0 {
		w.add("s.id > ", f.AfterID)
	}
	q := `SELECT ` + statementColumns + ` FROM statements s JOIN articles a ON a.id = s.article_id` + w.sql() +
		` ORDER BY s.id` + pageClause(f.Limit)
	return queryAll(ctx, db, q, w.args, scanStatement)
}

// StoredClaim returns one claim with its latest check.
func (db *DB) StoredClaim(ctx context.Context, id int64) (*domain.StoredClaim, error) {
	c, err := scanClaim(db.r.QueryRowContext(ctx, `SELECT `+claimColumns+` FROM claims WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.ENOTFOUND, "claim %d not found", id)
	} else if err != nil {
		return nil, db.d.classify(fmt.Errorf("read claim: %w", err))
	}
	return c, nil
}

// StoredClaims lists claims in the order they were stored.
func (db *DB) StoredClaims(ctx context.Context, f domain.ClaimFilter) ([]*domain.StoredClaim, error) {
	if !f.Verdict.Valid() {
		return nil, domain.FieldErrorf("verdict", "unknown verdict %q", f.Verdict)
	}
	var w sqlWhere
	if f.ArticleID != 0 {
		w.add("article_id = ", f.ArticleID)
	}
	if f.Verdict != domain.VerdictUnchecked {
		w.add("verdict = ", string(f.Verdict))
	} else if f.Unchecked {
		w.add("verdict = ", "")
	}
	if f.ActorPartyID != 0 {
		w.add("actor_party_id = ", f.ActorPartyID)
	}
	if f.Metric != "" {
		w.add("metric = ", string(f.Metric))
	}
	if !f.Covers.IsZero() {
		w.time("window_start <= ", f.Covers, db.d)
		w.time("window_end > ", f.Covers, db.d)
	}
	if f.AfterID != 0 {
		w.add("id > ", f.AfterID)
	}
	q := `SELECT ` + claimColumns + ` FROM claims` + w.sql() + ` ORDER BY id` + pageClause(f.Limit)
	return queryAll(ctx, db, q, w.args, scanClaim)
}

// SetClaimCheck replaces the latest check of a claim.
func (db *DB) SetClaimCheck(ctx context.Context, claimID int64, r *domain.ClaimCheckResult) error {
	if err := r.Validate(); err != nil {
		return err
	}
	r.CheckedAt = utc(r.CheckedAt)
	return db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE claims SET verdict = $1, reason = $2, sentence = $3, p_value = $4,
			detail = $5, checked_at = $6, checked_by = $7 WHERE id = $8`,
			r.Verdict, r.Reason, r.Sentence, r.P, string(r.Detail), db.d.t(r.CheckedAt), r.CheckedBy, claimID)
		if err != nil {
			return fmt.Errorf("update claim check: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return domain.Errorf(domain.ENOTFOUND, "claim %d not found", claimID)
		}
		return nil
	})
}

// sqlWhere builds a WHERE clause with $n placeholders.
type sqlWhere struct {
	conds []string
	args  []any
}

func (w *sqlWhere) add(cond string, arg any) {
	w.args = append(w.args, arg)
	w.conds = append(w.conds, fmt.Sprintf("%s$%d", cond, len(w.args)))
}

func (w *sqlWhere) time(cond string, t time.Time, d dialect) {
	if !t.IsZero() {
		w.add(cond, d.t(t))
	}
}

func (w *sqlWhere) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// pageClause returns a LIMIT clause: the default page is 100, at most 1000;
// negative means no limit (an article's own statements).
func pageClause(n int) string {
	switch {
	case n < 0:
		return ""
	case n == 0:
		n = 100
	}
	return fmt.Sprintf(" LIMIT %d", min(n, 1000))
}
