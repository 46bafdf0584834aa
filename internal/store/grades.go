package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/trucedesk/truce/internal/domain"
	"github.com/trucedesk/truce/internal/ledger"
)

// GradeIncident changes an incident's verification grade if the version the
// monitor read is current, and records the change beside it. The ledger logs
// the incident's new version and the change, with its note and author.
func (db *DB) GradeIncident(ctx context.Context, g domain.GradeChange) (*domain.Incident, error) {
	if err := g.Validate(); err != nil {
		return nil, err
	}
	var out *domain.Incident
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		in, err := db.incident(ctx, tx, g.IncidentID)
		if err != nil {
			return err
		}
		if in.Version != g.Version {
			return domain.Errorf(domain.ECONFLICT, "incident %d changed since you read it (version %d, you had %d)", in.ID, in.Version, g.Version)
		}
		if in.Grade == g.To {
			return domain.FieldErrorf("grade", "incident %d is already graded %q", in.ID, gradeName(g.To))
		}
		now := db.now()
		res, err := tx.ExecContext(ctx, `UPDATE incidents SET grade = $1, updated_at = $2, version = version + 1
			WHERE id = $3 AND version = $4`, g.To, db.d.t(now), in.ID, g.Version)
		if err != nil {
			return fmt.Errorf("grade incident: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return domain.Errorf(domain.ECONFLICT, "incident %d changed since you read it", in.ID)
		}
		gc := domain.GradeChange{IncidentID: in.ID, From: in.Grade, To: g.To, Note: strings.TrimSpace(g.Note),
			Actor: g.Actor, At: now, Version: g.Version}
		if err := tx.QueryRowContext(ctx, `INSERT INTO grade_changes (incident_id, from_grade, to_grade, note, actor, at, version)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, gc.IncidentID, gc.From, gc.To, gc.Note, gc.Actor,
			db.d.t(now), gc.Version).Scan(&gc.ID); err != nil {
			return fmt.Errorf("record grade change: %w", err)
		}
		in.Grade, in.UpdatedAt, in.Version = g.To, now, in.Version+1
		sources := in.Sources
		rec, err := incidentRecord(in, now)
		if err != nil {
			return err
		}
		in.Sources = sources
		grec, err := gradeChangeRecord(&gc)
		if err != nil {
			return err
		}
		out = in
		return db.logRecords(ctx, tx, rec, grec)
	})
	return out, err
}

func gradeName(g domain.Grade) string {
	if g == domain.GradeUngraded {
		return "ungraded"
	}
	return string(g)
}

// GradeHistory lists an incident's grade changes, oldest first.
func (db *DB) GradeHistory(ctx context.Context, incidentID int64) ([]*domain.GradeChange, error) {
	if _, err := db.Incident(ctx, incidentID); err != nil {
		return nil, err
	}
	return queryAll(ctx, db, `SELECT id, incident_id, from_grade, to_grade, note, actor, at, version
		FROM grade_changes WHERE incident_id = $1 ORDER BY id`, []any{incidentID},
		func(row interface{ Scan(...any) error }) (*domain.GradeChange, error) {
			var g domain.GradeChange
			return &g, row.Scan(&g.ID, &g.IncidentID, &g.From, &g.To, &g.Note, &g.Actor, ts{&g.At}, &g.Version)
		})
}

// PutUnmappedActors records the names one input could not resolve,
// replacing what an earlier import of the same input recorded.
func (db *DB) PutUnmappedActors(ctx context.Context, input string, actors []domain.UnmappedActor) error {
	if input == "" {
		return domain.FieldErrorf("input", "is required")
	}
	now := db.now()
	return db.inTx(ctx, func(tx *sql.Tx) error {
		for _, a := range actors {
			if a.Origin == "" || strings.TrimSpace(a.Name) == "" || a.Count <= 0 {
				return domain.FieldErrorf("unmapped", "an unmapped actor needs an origin, a name and a count")
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO unmapped_actors (origin, name, input, count, first_line, seen_at)
				VALUES ($1, $2, $3, $4, $5, $6)
				ON CONFLICT (origin, name, input) DO UPDATE SET count = excluded.count,
					first_line = excluded.first_line, seen_at = excluded.seen_at`,
				a.Origin, a.Name, input, a.Count, a.FirstLine, db.d.t(now)); err != nil {
				return fmt.Errorf("record unmapped actor: %w", err)
			}
		}
		return nil
	})
}

// UnmappedActors sums the unresolved names over inputs, most frequent first;
// an empty origin lists every origin.
func (db *DB) UnmappedActors(ctx context.Context, origin string) ([]domain.UnmappedActor, error) {
	q := `SELECT origin, name, SUM(count), COUNT(*), MAX(seen_at) FROM unmapped_actors`
	var args []any
	if origin != "" {
		q += ` WHERE origin = $1`
		args = append(args, origin)
	}
	q += ` GROUP BY origin, name ORDER BY SUM(count) DESC, origin, name`
	return queryAll(ctx, db, q, args, func(row interface{ Scan(...any) error }) (domain.UnmappedActor, error) {
		var a domain.UnmappedActor
		var last any
		if err := row.Scan(&a.Origin, &a.Name, &a.Count, &a.Inputs, &last); err != nil {
			return a, err
		}
		return a, ts{&a.LastSeen}.Scan(last)
	})
}

// SaveClusterProposals stores new proposals. A proposal is skipped when the
// same members were proposed before (whatever was decided), or when one of
// its incidents has been merged away or belongs to an open or accepted
// proposal: a monitor decides each grouping once. The proposals are logged
// in the ledger, so that a decision's leaf follows the proposal it decided.
func (db *DB) SaveClusterProposals(ctx context.Context, ps []*domain.ClusterProposal) ([]*domain.ClusterProposal, error) {
	now := db.now()
	var saved []*domain.ClusterProposal
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		saved = saved[:0]
		var recs []ledger.Record
		for _, p := range ps {
			if len(p.Members) < 2 {
				return domain.FieldErrorf("members", "a cluster needs at least two members")
			}
			if len(p.Incidents()) == 0 {
				return domain.FieldErrorf("members", "a cluster needs at least one incident")
			}
			busy, err := db.membersBusy(ctx, tx, p)
			if err != nil {
				return err
			}
			if busy {
				continue
			}
			reasons, _ := json.Marshal(nonNil(p.Reasons))
			var id int64
			err = tx.QueryRowContext(ctx, `INSERT INTO clusters (member_key, state, score, reasons, created_at, version)
				VALUES ($1, 'proposed', $2, $3, $4, 1) ON CONFLICT (member_key) DO NOTHING RETURNING id`,
				p.Key(), p.Score, string(reasons), db.d.t(now)).Scan(&id)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			} else if err != nil {
				return fmt.Errorf("save cluster: %w", err)
			}
			for i, m := range p.Members {
				if _, err := tx.ExecContext(ctx, `INSERT INTO cluster_members (cluster_id, position, kind, ref_id, place, distance_km, gap_hours)
					VALUES ($1, $2, $3, $4, $5, $6, $7)`, id, i, m.Kind, m.ID, m.Place, m.DistanceKm, m.GapHours); err != nil {
					return fmt.Errorf("save cluster member: %w", err)
				}
			}
			c := *p
			c.ID, c.State, c.CreatedAt, c.Version = id, domain.ClusterProposed, now, 1
			// What the row holds, whatever the caller set.
			c.SurvivorID, c.DecidedAt, c.DecidedBy, c.Note = 0, time.Time{}, "", ""
			rec, err := clusterRecord(&c, nil, now)
			if err != nil {
				return err
			}
			recs = append(recs, rec)
			saved = append(saved, &c)
		}
		return db.logRecords(ctx, tx, recs...)
	})
	return saved, err
}

// membersBusy reports whether a member is merged away or already in an open
// or accepted cluster.
func (db *DB) membersBusy(ctx context.Context, q queryer, p *domain.ClusterProposal) (bool, error) {
	for _, m := range p.Members {
		var n int
		err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM cluster_members cm JOIN clusters c ON c.id = cm.cluster_id
			WHERE cm.kind = $1 AND cm.ref_id = $2 AND c.state IN ('proposed', 'accepted')`, m.Kind, m.ID).Scan(&n)
		if err != nil {
			return false, fmt.Errorf("check cluster members: %w", err)
		}
		if n > 0 {
			return true, nil
		}
		if m.Kind == domain.MemberIncident {
			if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM incident_merges WHERE incident_id = $1`, m.ID).Scan(&n); err != nil {
				return false, fmt.Errorf("check merges: %w", err)
			}
			if n > 0 {
				return true, nil
			}
		}
	}
	return false, nil
}

const clusterColumns = `id, state, score, reasons, COALESCE(survivor_id, 0), created_at, decided_at, decided_by, note, version`

func scanCluster(row interface{ Scan(...any) error }) (*domain.ClusterProposal, error) {
	var p domain.ClusterProposal
	var reasons string
	if err := row.Scan(&p.ID, &p.State, &p.Score, &reasons, &p.SurvivorID, ts{&p.CreatedAt}, ts{&p.DecidedAt},
		&p.DecidedBy, &p.Note, &p.Version); err != nil {
		return nil, err
	}
	return &p, json.Unmarshal([]byte(reasons), &p.Reasons)
}

// ClusterProposal returns one proposal with its members.
func (db *DB) ClusterProposal(ctx context.Context, id int64) (*domain.ClusterProposal, error) {
	return db.cluster(ctx, db.r, id)
}

func (db *DB) cluster(ctx context.Context, q queryer, id int64) (*domain.ClusterProposal, error) {
	p, err := scanCluster(q.QueryRowContext(ctx, `SELECT `+clusterColumns+` FROM clusters WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.ENOTFOUND, "cluster %d not found", id)
	} else if err != nil {
		return nil, db.d.classify(fmt.Errorf("read cluster: %w", err))
	}
	return p, db.loadMembers(ctx, q, []*domain.ClusterProposal{p})
}

func (db *DB) loadMembers(ctx context.Context, q queryer, ps []*domain.ClusterProposal) error {
	if len(ps) == 0 {
		return nil
	}
	byID := make(map[int64]*domain.ClusterProposal, len(ps))
	ph := make([]string, len(ps))
	args := make([]any, len(ps))
	for i, p := range ps {
		byID[p.ID] = p
		ph[i] = fmt.Sprintf("$%d", i+1)
		args[i] = p.ID
	}
	rows, err := q.QueryContext(ctx, `SELECT cluster_id, kind, ref_id, place, distance_km, gap_hours FROM cluster_members
		WHERE cluster_id IN (`+strings.Join(ph, ",")+`) ORDER BY cluster_id, position`, args...)
	if err != nil {
		return db.d.classify(fmt.Errorf("read cluster members: %w", err))
	}
	defer rows.Close()
	for rows.Next() {
		var cid int64
		var m domain.ClusterMember
		if err := rows.Scan(&cid, &m.Kind, &m.ID, &m.Place, &m.DistanceKm, &m.GapHours); err != nil {
			return err
		}
		byID[cid].Members = append(byID[cid].Members, m)
	}
	return db.d.classify(rows.Err())
}

// ClusterProposals lists proposals in a state (all states if empty), best
// scored first within a page of IDs after afterID.
func (db *DB) ClusterProposals(ctx context.Context, state domain.ClusterState, afterID int64, n int) ([]*domain.ClusterProposal, error) {
	if state != "" && !state.Valid() {
		return nil, domain.FieldErrorf("state", "unknown state %q (proposed, accepted, split)", state)
	}
	q := `SELECT ` + clusterColumns + ` FROM clusters WHERE id > $1`
	args := []any{afterID}
	if state != "" {
		q += ` AND state = $2`
		args = append(args, state)
	}
	q += fmt.Sprintf(` ORDER BY id LIMIT %d`, limit(n))
	ps, err := queryAll(ctx, db, q, args, scanCluster)
	if err != nil {
		return nil, err
	}
	return ps, db.loadMembers(ctx, db.r, ps)
}

// DecideCluster accepts or splits a proposal if the version is current.
func (db *DB) DecideCluster(ctx context.Context, d domain.ClusterDecision) (*domain.ClusterProposal, error) {
	if d.To != domain.ClusterAccepted && d.To != domain.ClusterSplit {
		return nil, domain.FieldErrorf("to", "a cluster is accepted or split, not %q", d.To)
	}
	if d.Version <= 0 {
		return nil, domain.FieldErrorf("version", "is required: the cluster version you read")
	}
	if d.Actor == "" {
		return nil, domain.FieldErrorf("actor", "is required")
	}
	var out *domain.ClusterProposal
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		p, err := db.cluster(ctx, tx, d.ID)
		if err != nil {
			return err
		}
		if p.Version != d.Version {
			return domain.Errorf(domain.ECONFLICT, "cluster %d changed since you read it (version %d, you had %d)", p.ID, p.Version, d.Version)
		}
		if p.State == d.To {
			return domain.Errorf(domain.ECONFLICT, "cluster %d is already %s", p.ID, p.State)
		}
		now := db.now()
		incidents := p.Incidents()
		var recs []ledger.Record
		switch d.To {
		case domain.ClusterAccepted:
			if p.State != domain.ClusterProposed {
				return domain.Errorf(domain.ECONFLICT, "cluster %d was split; propose it again to merge", p.ID)
			}
			survivor := d.SurvivorID
			if survivor == 0 {
				survivor = slices.Min(incidents)
			} else if !slices.Contains(incidents, survivor) {
				return domain.FieldErrorf("survivor_id", "incident %d is not in cluster %d", survivor, p.ID)
			}
			var followed []int64 // other clusters whose merges now point elsewhere
			for _, id := range incidents {
				if id == survivor {
					continue
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO incident_merges (incident_id, into_id, cluster_id, at, actor)
					VALUES ($1, $2, $3, $4, $5)`, id, survivor, p.ID, db.d.t(now), d.Actor); err != nil {
					if isUnique(db.d.classify(err)) {
						return domain.Errorf(domain.ECONFLICT, "incident %d is already merged into another", id)
					}
					return fmt.Errorf("merge incident %d: %w", id, err)
				}
				// Incidents merged into this one follow it.
				ids, err := followMerges(ctx, tx, id, survivor)
				if err != nil {
					return fmt.Errorf("merge incident %d: %w", id, err)
				}
				followed = append(followed, ids...)
			}
			// A cluster's merges are part of its logged record, so each
			// cluster whose merges followed gets a new version.
			slices.Sort(followed)
			for _, cid := range slices.Compact(followed) {
				if cid == p.ID {
					continue
				}
				if _, err := tx.ExecContext(ctx, `UPDATE clusters SET version = version + 1 WHERE id = $1`, cid); err != nil {
					return fmt.Errorf("merge into cluster %d: %w", cid, err)
				}
				rec, err := db.clusterRecordTx(ctx, tx, cid, now)
				if err != nil {
					return err
				}
				recs = append(recs, rec)
			}
			p.SurvivorID = survivor
		case domain.ClusterSplit:
			if p.State == domain.ClusterAccepted {
				if _, err := tx.ExecContext(ctx, `DELETE FROM incident_merges WHERE cluster_id = $1`, p.ID); err != nil {
					return fmt.Errorf("split cluster: %w", err)
				}
			}
			p.SurvivorID = 0
		}
		if _, err := tx.ExecContext(ctx, `UPDATE clusters SET state = $1, survivor_id = $2, decided_at = $3,
			decided_by = $4, note = $5, version = version + 1 WHERE id = $6`,
			d.To, nullID(p.SurvivorID), db.d.t(now), d.Actor, strings.TrimSpace(d.Note), p.ID); err != nil {
			return fmt.Errorf("decide cluster: %w", err)
		}
		p.State, p.DecidedAt, p.DecidedBy, p.Note, p.Version = d.To, now, d.Actor, strings.TrimSpace(d.Note), p.Version+1
		out = p
		// The decision is logged as read back, with the merges it made (none
		// for a split), the same way verify rebuilds it.
		rec, err := db.clusterRecordTx(ctx, tx, p.ID, now)
		if err != nil {
			return err
		}
		return db.logRecords(ctx, tx, append(recs, rec)...)
	})
	return out, err
}

// followMerges points the merges into from at to and returns their clusters.
func followMerges(ctx context.Context, tx *sql.Tx, from, to int64) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, `UPDATE incident_merges SET into_id = $1 WHERE into_id = $2 RETURNING cluster_id`, to, from)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var cid int64
		if err := rows.Scan(&cid); err != nil {
			return nil, err
		}
		ids = append(ids, cid)
	}
	return ids, rows.Err()
}

// clusterRecordTx reads a cluster and its merges inside tx and builds the
// record the ledger logs for its current version.
func (db *DB) clusterRecordTx(ctx context.Context, tx *sql.Tx, id int64, at time.Time) (ledger.Record, error) {
	p, err := db.cluster(ctx, tx, id)
	if err != nil {
		return ledger.Record{}, err
	}
	merges, err := db.clusterMerges(ctx, tx, []int64{id})
	if err != nil {
		return ledger.Record{}, err
	}
	return clusterRecord(p, merges[id], at)
}

// MergedInto returns the survivor of each merged incident among ids.
func (db *DB) MergedInto(ctx context.Context, ids []int64) (map[int64]int64, error) {
	out := make(map[int64]int64)
	for chunk := range slices.Chunk(ids, 500) {
		ph := make([]string, len(chunk))
		args := make([]any, len(chunk))
		for i, id := range chunk {
			ph[i] = fmt.Sprintf("$%d", i+1)
			args[i] = id
		}
		pairs, err := queryAll(ctx, db, `SELECT incident_id, into_id FROM incident_merges WHERE incident_id IN (`+
			strings.Join(ph, ",")+`)`, args, func(row interface{ Scan(...any) error }) ([2]int64, error) {
			var p [2]int64
			return p, row.Scan(&p[0], &p[1])
		})
		if err != nil {
			return nil, err
		}
		for _, p := range pairs {
			out[p[0]] = p[1]
		}
	}
	return out, nil
}

// MergedSources lists an incident's sources and those of the incidents
// merged into it, and the messages of its accepted clusters, so that no
// report is lost by a merge.
func (db *DB) MergedSources(ctx context.Context, incidentID int64) ([]domain.MergedSource, error) {
	if _, err := db.Incident(ctx, incidentID); err != nil {
		return nil, err
	}
	out, err := queryAll(ctx, db, `SELECT incident_id, id, kind, COALESCE(message_id, 0), url, publisher, note, added_at, added_by
		FROM sources WHERE incident_id = $1 OR incident_id IN (SELECT incident_id FROM incident_merges WHERE into_id = $1)
		ORDER BY id`, []any{incidentID}, func(row interface{ Scan(...any) error }) (domain.MergedSource, error) {
		var s domain.MergedSource
		return s, row.Scan(&s.IncidentID, &s.ID, &s.Kind, &s.MessageID, &s.URL, &s.Publisher, &s.Note, ts{&s.AddedAt}, &s.AddedBy)
	})
	if err != nil {
		return nil, err
	}
	msgs, err := queryAll(ctx, db, `SELECT cm.ref_id, c.decided_at, c.decided_by, c.id FROM cluster_members cm
		JOIN clusters c ON c.id = cm.cluster_id
		WHERE cm.kind = 'message' AND c.state = 'accepted'
		AND (c.survivor_id = $1 OR c.survivor_id IN (SELECT incident_id FROM incident_merges WHERE into_id = $1))
		ORDER BY c.id, cm.position`, []any{incidentID},
		func(row interface{ Scan(...any) error }) (domain.MergedSource, error) {
			var s domain.MergedSource
			var cid int64
			err := row.Scan(&s.MessageID, ts{&s.AddedAt}, &s.AddedBy, &cid)
			s.Kind, s.IncidentID, s.Note = domain.SourceMessage, incidentID, fmt.Sprintf("cluster %d", cid)
			return s, err
		})
	if err != nil {
		return nil, err
	}
	return append(out, msgs...), nil
}

// SourcesOf returns the sources of the given incidents, by incident.
func (db *DB) SourcesOf(ctx context.Context, ids []int64) (map[int64][]domain.Source, error) {
	out := make(map[int64][]domain.Source)
	for chunk := range slices.Chunk(ids, 500) {
		ph := make([]string, len(chunk))
		args := make([]any, len(chunk))
		for i, id := range chunk {
			ph[i] = fmt.Sprintf("$%d", i+1)
			args[i] = id
		}
		rows, err := queryAll(ctx, db, `SELECT incident_id, id, kind, COALESCE(message_id, 0), url, publisher, note, added_at, added_by
			FROM sources WHERE incident_id IN (`+strings.Join(ph, ",")+`) ORDER BY id`, args,
			func(row interface{ Scan(...any) error }) (domain.MergedSource, error) {
				var s domain.MergedSource
				return s, row.Scan(&s.IncidentID, &s.ID, &s.Kind, &s.MessageID, &s.URL, &s.Publisher, &s.Note, ts{&s.AddedAt}, &s.AddedBy)
			})
		if err != nil {
			return nil, err
		}
		for _, s := range rows {
			out[s.IncidentID] = append(out[s.IncidentID], s.Source)
		}
	}
	return out, nil
}
