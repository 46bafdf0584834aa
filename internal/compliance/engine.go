package compliance

import (
	"strings"
	"time"
	"unicode"

	"github.com/paulmach/orb"
	"github.com/trucedesk/truce/internal/control"
	"github.com/trucedesk/truce/internal/domain"
)

// Engine judges incidents under one agreement. Build it with New, then set
// the exported fields if the defaults do not fit; after that it is
// read-only and safe for concurrent use.
type Engine struct {
	// BaseView names whose reading the agreement's own view is, for labels
	// and sentences; the default is "co-chairs".
	BaseView string
	// MaxGeoPrecision is the coarsest location the engine will place in a
	// control area. The default, domain.GeoNear, accepts a town or a spot
	// near it; a point that stands for a whole district or governorate
	// (domain.GeoProvince) says nothing about who held the ground.
	MaxGeoPrecision domain.GeoPrecision

	a          domain.Agreement
	loc        *time.Location
	graceEnd   time.Time
	acts       map[string]bool
	scope      map[string]bool
	slugs      map[string]int64
	tl         *timelines
	areas      control.Locator
	startValue string
	graceValue string
	endValue   string
	actFacts   []Fact
	scopeFacts []Fact
	timeFacts  [4][]Fact // by time precision
	// baseLabel is the base view's label for baseLabelOf (BaseView as New
	// set it), and labels each designator's, so judging builds no label.
	baseLabel, baseLabelOf string
	labels                 map[string]string
}

// New builds an engine for agreement a. Statuses of other agreements are
// ignored; areas may be nil when no map is loaded, and then every question
// that needs the map is undetermined.
func New(a *domain.Agreement, parties []*domain.Party, statuses []*domain.PartyStatus, areas control.Locator) (*Engine, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	if strings.TrimSpace(a.ExclusionAuthority) == "" {
		return nil, domain.FieldErrorf("exclusion_authority", "is required to judge compliance")
	}
	e := &Engine{
		BaseView:        "co-chairs",
		MaxGeoPrecision: domain.GeoNear,
		a:               *a,
		loc:             a.Location(),
		graceEnd:        a.Start.Add(a.Grace),
		acts:            map[string]bool{},
		scope:           map[string]bool{},
		slugs:           map[string]int64{},
		areas:           areas,
	}
	e.a.ExclusionAuthority = strings.TrimSpace(a.ExclusionAuthority)
	for _, act := range a.ProhibitedActs {
		e.acts[act] = true
	}
	for _, s := range a.Scope {
		e.scope[foldName(s)] = true
	}
	for _, p := range parties {
		e.slugs[p.Slug] = p.ID
	}
	e.tl = newTimelines(a.ID, e.a.ExclusionAuthority, parties, statuses)
	e.baseLabelOf = e.BaseView
	e.baseLabel = "the " + possessive(e.BaseView)
	e.labels = make(map[string]string, len(e.tl.designators))
	for _, d := range e.tl.designators {
		e.labels[d] = possessive(d)
	}
	e.startValue = a.Start.In(e.loc).Format(time.RFC3339)
	e.graceValue = a.Grace.String()
	if !a.End.IsZero() {
		e.endValue = a.End.In(e.loc).Format(time.RFC3339)
	}
	// The clauses the first three rules cite are the same for every
	// incident, so their facts are built once and shared (read-only).
	e.actFacts = []Fact{{Kind: FactClause, Clause: "prohibited_acts", Value: strings.Join(a.ProhibitedActs, "; ")}}
	scope := "whole country"
	if len(a.Scope) > 0 {
		scope = strings.Join(a.Scope, "; ")
	}
	e.scopeFacts = []Fact{{Kind: FactClause, Clause: "scope", Value: scope}}
	for _, p := range []domain.TimePrecision{0, domain.TimeDay, domain.TimeWeek, domain.TimeMonth} {
		f := []Fact{{Kind: FactWhen, Value: precisionName(p)}, {Kind: FactClause, Clause: "start", Value: e.startValue}}
		if a.Grace > 0 {
			f = append(f, Fact{Kind: FactClause, Clause: "grace", Value: e.graceValue})
		}
		if !a.End.IsZero() {
			f = append(f, Fact{Kind: FactClause, Clause: "end", Value: e.endValue})
		}
		e.timeFacts[p] = f[:len(f):len(f)]
	}
	return e, nil
}

// foldName reduces an admin1 name to lower-case letters and digits, so
// "Ar-Raqqa", "ar raqqa" and "AR-RAQQA" match. Spelling variants such as
// "Rif Dimashq" and "Rural Damascus" are the gazetteer's job, not this one.
func foldName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Window returns the interval the incident's time precision allows, in the
// agreement's time zone: the local day for day precision, the local days
// from three before to six after the recorded date for week precision
// (ACLED records either the week's first or its middle day), and the local
// calendar month for month precision.
func (e *Engine) Window(in *domain.Incident) (from, to time.Time) {
	y, m, d := in.OccurredAt.In(e.loc).Date()
	switch in.TimePrecision {
	case domain.TimeWeek:
		return time.Date(y, m, d-3, 0, 0, 0, 0, e.loc), time.Date(y, m, d+7, 0, 0, 0, 0, e.loc)
	case domain.TimeMonth:
		return time.Date(y, m, 1, 0, 0, 0, 0, e.loc), time.Date(y, m+1, 1, 0, 0, 0, 0, e.loc)
	}
	return time.Date(y, m, d, 0, 0, 0, 0, e.loc), time.Date(y, m, d+1, 0, 0, 0, 0, e.loc)
}

// judgement carries what the views of one incident share.
type judgement struct {
	in      *domain.Incident
	at      time.Time // the instant statuses and areas are read at
	areas   []*control.Area
	located bool // the area lookup ran
	// lines holds the parties' lines, resolved once for every view: the
	// perpetrators', the targets' (perps and targets, parallel to the
	// incident's IDs), then the areas' controllers' (ctrls, parallel to
	// areas) once the areas are looked up.
	lines          []*partyLine
	perps, targets []*partyLine
	ctrls          []*partyLine
	// arena holds the facts of every step of every view, so a verdict
	// costs one allocation for its facts instead of one per step.
	arena []Fact
	// steps holds the traces of every view, one after the other.
	steps []Step
}

// facts returns the facts appended since start, capped so that later
// appends cannot overwrite them.
func (j *judgement) facts(start int) []Fact {
	return j.arena[start:len(j.arena):len(j.arena)]
}

// Judge returns the verdict on one incident. It never fails: what it cannot
// decide it reports as undetermined, saying what is missing.
func (e *Engine) Judge(in *domain.Incident) Verdict {
	var v Verdict
	e.JudgeInto(&v, in)
	e.Explain(&v)
	v.scratch = nil // the verdict owns its slices; a later JudgeInto must not reuse them
	return v
}

// scratch holds the buffers JudgeInto reuses from one verdict to the next.
type scratch struct {
	views []View
	steps []Step
	j     judgement
	day   dayCache
}

// dayCache keeps the last window JudgeInto computed. A window depends only
// on the local date and the time precision, and incidents come in runs of
// the same day, so the zone lookups Window makes (several per call) are
// paid once per day: an instant in [lo, hi), a span of one local date
// under one UTC offset, has the same window.
type dayCache struct {
	e        *Engine // whose time zone
	prec     domain.TimePrecision
	lo, hi   int64 // Unix seconds
	from, to time.Time
}

// window is e.Window(in), through the cache.
func (c *dayCache) window(e *Engine, in *domain.Incident) (from, to time.Time) {
	u := in.OccurredAt.Unix()
	if c.e == e && c.prec == in.TimePrecision && u >= c.lo && u < c.hi {
		return c.from, c.to
	}
	from, to = e.Window(in)
	local := in.OccurredAt.In(e.loc)
	_, off := local.Zone()
	zs, ze := local.ZoneBounds()
	// The local day under this offset, cut to the offset's span.
	day := u + int64(off)
	day -= ((day % 86400) + 86400) % 86400
	c.lo, c.hi = day-int64(off), day-int64(off)+86400
	if !zs.IsZero() {
		c.lo = max(c.lo, zs.Unix())
	}
	if !ze.IsZero() {
		c.hi = min(c.hi, ze.Unix())
	}
	c.e, c.prec, c.from, c.to = e, in.TimePrecision, from, to
	return from, to
}

// JudgeInto judges one incident into v, reusing the buffers of the verdict
// v last held, so that judging a stream of incidents allocates nothing in
// the steady state. It computes the outcomes, reasons and traces but not
// the sentences: Explain writes them, for the verdicts someone will read.
// The slices of v are overwritten by the next JudgeInto on it.
func (e *Engine) JudgeInto(v *Verdict, in *domain.Incident) {
	sc := v.scratch
	if sc == nil {
		sc = &scratch{views: make([]View, 0, 2), steps: make([]Step, 0, 12)}
		sc.j.arena = make([]Fact, 0, 8)
		sc.j.lines = make([]*partyLine, 0, 8)
	}
	*v = Verdict{
		IncidentID: in.ID, IncidentVersion: in.Version,
		AgreementID: e.a.ID, AgreementVersion: e.a.Version, scratch: sc,
	}
	v.From, v.To = sc.day.window(e, in)
	sc.steps = sc.steps[:0]
	sc.views = sc.views[:0]
	label := e.baseLabel
	if e.BaseView != e.baseLabelOf {
		label = "the " + possessive(e.BaseView)
	}
	base := View{Label: label, Designator: e.a.ExclusionAuthority}

	stop := func(why text) {
		last := sc.steps[len(sc.steps)-1]
		base.Trace = sc.steps[:len(sc.steps):len(sc.steps)]
		base.Outcome, base.Reason, base.why = last.Outcome, last.Reason, why
		sc.views = append(sc.views, base)
		v.Views = sc.views
	}
	step, done := e.ruleAct(in)
	if sc.steps = append(sc.steps, step); done {
		stop(text{in.SubEventType, " is not a prohibited act"})
		return
	}
	step, why, done := e.ruleTime(v.From, v.To, in.TimePrecision)
	if sc.steps = append(sc.steps, step); done {
		stop(why)
		return
	}
	step, why, done = e.ruleScope(in)
	if sc.steps = append(sc.steps, step); done {
		stop(why)
		return
	}
	common := len(sc.steps)

	j := &sc.j
	*j = judgement{in: in, at: in.OccurredAt, arena: j.arena[:0], areas: j.areas[:0],
		lines: e.lines(e.lines(j.lines[:0], in.Perpetrators), in.Targets)}
	np, nt := len(in.Perpetrators), len(in.Targets)
	j.perps, j.targets = j.lines[:np:np], j.lines[np:np+nt:np+nt]
	j.steps = sc.steps
	e.judgeView(j, 0, &base, common)
	sc.views = append(sc.views, base)
	for i, d := range e.tl.designators {
		if !j.designatedBy(i + 1) {
			continue
		}
		view := View{Label: e.labels[d], Designator: d}
		e.judgeView(j, i+1, &view, common)
		if view.Outcome != base.Outcome || view.Reason != base.Reason {
			sc.views = append(sc.views, view)
		}
	}
	sc.steps = j.steps
	v.Views = sc.views
}

// Explain writes each view's Why and the verdict's Sentence, which
// JudgeInto leaves out.
func (e *Engine) Explain(v *Verdict) {
	for i := range v.Views {
		if v.Views[i].Why == "" {
			v.Views[i].Why = v.Views[i].why.String()
		}
	}
	v.Sentence = sentence(v.Views)
}

// text is a clause kept in parts, so that the hot path stores references to
// strings that already exist instead of concatenating them.
type text [8]string

func (t text) String() string {
	n := 0
	for _, s := range t {
		n += len(s)
	}
	var b strings.Builder
	b.Grow(n)
	for _, s := range t {
		b.WriteString(s)
	}
	return b.String()
}

// ruleAct: an act the terms do not prohibit is not a violation.
func (e *Engine) ruleAct(in *domain.Incident) (Step, bool) {
	f := e.actFacts
	if !e.acts[in.SubEventType] {
		return Step{Rule: RuleAct, Outcome: NotViolation, Reason: ReasonActNotProhibited, Facts: f}, true
	}
	return Step{Rule: RuleAct, Pass: true, Facts: f}, false
}

// ruleTime places the incident's window against the start, the grace
// period and the end. A window wholly on one side decides; one that
// straddles a boundary where the answer changes is undetermined.
func (e *Engine) ruleTime(from, to time.Time, prec domain.TimePrecision) (Step, text, bool) {
	start, grace, end := e.a.Start, e.graceEnd, e.a.End
	f := e.timeFacts[0]
	if prec >= domain.TimeDay && prec <= domain.TimeMonth {
		f = e.timeFacts[prec]
	}
	stop := func(o Outcome, r Reason, why text) (Step, text, bool) {
		return Step{Rule: RuleTime, Outcome: o, Reason: r, Facts: f}, why, true
	}
	switch {
	case !to.After(start):
		return stop(NotViolation, ReasonBeforeStart, text{"before the start at ", e.startValue})
	case !end.IsZero() && !from.Before(end):
		return stop(NotViolation, ReasonAfterEnd, text{"after the end at ", e.endValue})
	case !to.After(grace):
		// Wholly before the grace period ends: not a violation either way.
		return stop(NotViolation, ReasonInGrace, text{"within the grace period of ", e.graceValue, " after the start"})
	case from.Before(grace):
		return stop(Undetermined, ReasonTimeTooImprecise, text{"the date, known to the ", precisionName(prec), ", straddles the start"})
	case !end.IsZero() && to.After(end):
		return stop(Undetermined, ReasonTimeTooImprecise, text{"the date, known to the ", precisionName(prec), ", straddles the end"})
	}
	return Step{Rule: RuleTime, Pass: true, Facts: f}, text{}, false
}

func precisionName(p domain.TimePrecision) string {
	switch p {
	case domain.TimeWeek:
		return "week"
	case domain.TimeMonth:
		return "month"
	}
	return "day"
}

// ruleScope: outside the governorates the terms cover is not a violation;
// with a limited scope and no governorate recorded, it is undetermined.
func (e *Engine) ruleScope(in *domain.Incident) (Step, text, bool) {
	f := e.scopeFacts
	if len(e.scope) == 0 {
		return Step{Rule: RuleScope, Pass: true, Facts: f}, text{}, false
	}
	if strings.TrimSpace(in.Admin1) == "" {
		return Step{Rule: RuleScope, Outcome: Undetermined, Reason: ReasonLocationTooImprecise, Facts: f},
			text{"no governorate recorded to check against the scope"}, true
	}
	if !e.scope[foldName(in.Admin1)] {
		return Step{Rule: RuleScope, Outcome: NotViolation, Reason: ReasonOutsideScope, Facts: f},
			text{in.Admin1, " is outside the agreement's scope"}, true
	}
	return Step{Rule: RuleScope, Pass: true, Facts: f}, text{}, false
}

// lines appends to dst the line of each party ID, nil for 0 or an unknown ID.
func (e *Engine) lines(dst []*partyLine, ids []int64) []*partyLine {
	for _, id := range ids {
		dst = append(dst, e.tl.line(id))
	}
	return dst
}

// designatedBy reports whether designator n has a designation in force at
// the incident's instant for a perpetrator, a target or a controller of
// the area, or an ancestor of one; if not, its view cannot differ.
func (j *judgement) designatedBy(n int) bool {
	for _, ls := range [...][]*partyLine{j.perps, j.targets, j.ctrls} {
		for _, l := range ls {
			if r, ok := l.designation(n, j.at); ok && r != nil {
				return true
			}
		}
	}
	return false
}

// excluded reports whether the party is outside the agreement in the view
// of designator n: designated by the exclusion authority, or by n (0 for
// the authority's own view).
func (e *Engine) excluded(l *partyLine, n int, at time.Time) (*domain.PartyStatus, string, bool) {
	if r, ok := l.designation(0, at); ok {
		return r, e.a.ExclusionAuthority, true
	}
	if n != 0 {
		if r, ok := l.designation(n, at); ok {
			return r, e.tl.designators[n-1], true
		}
	}
	return nil, "", false
}

func statusFact(r *domain.PartyStatus) Fact {
	return Fact{Kind: FactStatus, ID: r.ID, PartyID: r.PartyID, Clause: string(r.Kind), Value: r.Designator}
}

func name(l *partyLine) string {
	if l != nil && l.party != nil {
		return l.party.Name
	}
	return "unknown party"
}

// kindIs reports whether the line's party is of kind k.
func kindIs(l *partyLine, k domain.PartyKind) bool {
	return l != nil && l.party != nil && l.party.Kind == k
}

func verb(r *domain.PartyStatus, authority string) string {
	if r.Kind == domain.StatusExcluded && (r.Designator == "" || r.Designator == authority) {
		return " excluded by "
	}
	return " designated by "
}

// judgeView applies the perpetrator, target and area rules for one view.
func (e *Engine) judgeView(j *judgement, d int, view *View, common int) {
	// The view's trace is the common steps, then its own, laid out
	// contiguously in the steps arena.
	first := 0
	if len(j.steps) != common {
		first = len(j.steps)
		j.steps = append(j.steps, j.steps[:common]...)
	}
	decide := func(step Step, why text) {
		j.steps = append(j.steps, step)
		view.Trace = j.steps[first:len(j.steps):len(j.steps)]
		view.Outcome, view.Reason, view.why = step.Outcome, step.Reason, why
	}
	in, at := j.in, j.at

	// Perpetrator: someone bound by the agreement must have done it.
	var (
		known             int
		bound, noStatus   int64
		boundL, noStatusL *partyLine
		notPartyWhy       text
		start             = len(j.arena)
	)
	for k, id := range in.Perpetrators {
		if id == 0 {
			continue
		}
		known++
		l := j.perps[k]
		if r, by, ok := e.excluded(l, d, at); ok {
			j.arena = append(j.arena, statusFact(r))
			if notPartyWhy[0] == "" {
				notPartyWhy = text{"perpetrator ", name(l), verb(r, e.a.ExclusionAuthority), by}
			}
			continue
		}
		if r := l.commitment(at); r != nil {
			j.arena = append(j.arena, statusFact(r))
			if r.Kind == domain.StatusCommitted {
				if bound == 0 {
					bound, boundL = id, l
				}
			} else if notPartyWhy[0] == "" {
				notPartyWhy = text{"perpetrator ", name(l), " had withdrawn"}
			}
			continue
		}
		if kindIs(l, domain.KindState) {
			j.arena = append(j.arena, Fact{Kind: FactParty, PartyID: id, Value: string(domain.KindState)})
			if bound == 0 {
				bound, boundL = id, l
			}
			continue
		}
		j.arena = append(j.arena, Fact{Kind: FactParty, PartyID: id, Value: "no status"})
		if noStatus == 0 {
			noStatus, noStatusL = id, l
		}
	}
	switch {
	case known == 0:
		decide(Step{Rule: RulePerpetrator, Outcome: Undetermined, Reason: ReasonPerpetratorUnknown}, text{"perpetrator unknown"})
		return
	case bound == 0 && noStatus != 0:
		decide(Step{Rule: RulePerpetrator, Outcome: Undetermined, Reason: ReasonNoStatus, Facts: j.facts(start)},
			text{"no status recorded for ", name(noStatusL)})
		return
	case bound == 0:
		decide(Step{Rule: RulePerpetrator, Outcome: NotViolation, Reason: ReasonPerpetratorNotParty, Facts: j.facts(start)}, notPartyWhy)
		return
	}
	j.steps = append(j.steps, Step{Rule: RulePerpetrator, Pass: true, Facts: j.facts(start)})
	act, by := in.SubEventType, name(boundL)

	// Target: a named party that is not excluded is protected; civilians
	// are protected unless the ground they were on was held by an excluded
	// party; targets that are all excluded make it not a violation.
	var (
		protected, civilians int64
		protectedL           *partyLine
		excludedWhy          text
	)
	start = len(j.arena)
	for k, id := range in.Targets {
		if id == 0 {
			continue
		}
		l := j.targets[k]
		if r, by, ok := e.excluded(l, d, at); ok {
			j.arena = append(j.arena, statusFact(r))
			if excludedWhy[0] == "" {
				excludedWhy = text{"target ", name(l), verb(r, e.a.ExclusionAuthority), by}
			}
			continue
		}
		if kindIs(l, domain.KindCivilians) {
			j.arena = append(j.arena, Fact{Kind: FactParty, PartyID: id, Value: string(domain.KindCivilians)})
			if civilians == 0 {
				civilians = id
			}
			continue
		}
		if r := l.commitment(at); r != nil {
			j.arena = append(j.arena, statusFact(r))
		} else {
			j.arena = append(j.arena, Fact{Kind: FactParty, PartyID: id, Value: "not excluded"})
		}
		if protected == 0 {
			protected, protectedL = id, l
		}
	}
	switch {
	case protected != 0:
		decide(Step{Rule: RuleTarget, Outcome: Violation, Facts: j.facts(start)}, text{act, " by ", by, " on ", name(protectedL), ", not excluded"})
		return
	case excludedWhy[0] != "" && civilians == 0:
		decide(Step{Rule: RuleTarget, Outcome: NotViolation, Reason: ReasonTargetExcluded, Facts: j.facts(start)}, excludedWhy)
		return
	}
	j.steps = append(j.steps, Step{Rule: RuleTarget, Pass: true, Facts: j.facts(start)})

	// Area: who held the ground decides for civilians and unnamed targets.
	if in.Point == nil || in.GeoPrecision > e.MaxGeoPrecision || e.areas == nil {
		decide(Step{Rule: RuleArea, Outcome: Undetermined, Reason: ReasonLocationTooImprecise},
			text{"location too imprecise to place in an area of control"})
		return
	}
	if !j.located {
		j.areas = e.areas.AppendAt(j.areas[:0], orb.Point{in.Point.Lon, in.Point.Lat}, at)
		j.located = true
		n := len(j.lines)
		for _, a := range j.areas {
			j.lines = append(j.lines, e.tl.line(e.controller(a)))
		}
		j.ctrls = j.lines[n:]
	}
	if len(j.areas) == 0 {
		if civilians != 0 {
			decide(Step{Rule: RuleArea, Outcome: Violation}, text{act, " by ", by, " on civilians, in no area held by an excluded party"})
		} else {
			decide(Step{Rule: RuleArea, Outcome: Undetermined, Reason: ReasonTargetUnknown},
				text{"no target named and no area of control recorded at the point"})
		}
		return
	}
	start = len(j.arena)
	var nExcluded int
	var heldBy, exName, exVerb, exBy string
	for i, a := range j.areas {
		j.arena = append(j.arena, Fact{Kind: FactArea, ID: a.ID, Version: a.Version, PartyID: e.controller(a)})
		if r, by, ok := e.excluded(j.ctrls[i], d, at); ok {
			j.arena = append(j.arena, statusFact(r))
			nExcluded++
			if exName == "" {
				exName, exVerb, exBy = name(j.ctrls[i]), verb(r, e.a.ExclusionAuthority), by
			}
		} else if heldBy == "" {
			heldBy = name(j.ctrls[i])
		}
	}
	switch nExcluded {
	case len(j.areas):
		decide(Step{Rule: RuleArea, Outcome: NotViolation, Reason: ReasonTargetExcluded, Facts: j.facts(start)}, text{"area held by ", exName, ",", exVerb, exBy})
	case 0:
		decide(Step{Rule: RuleArea, Outcome: Violation, Facts: j.facts(start)}, text{act, " by ", by, " in an area held by ", heldBy, ", not excluded"})
	default:
		decide(Step{Rule: RuleArea, Outcome: Undetermined, Reason: ReasonControlDisputed, Facts: j.facts(start)},
			text{"the point lies both in an area held by ", exName, ",", exVerb, exBy, ", and in an area held by ", heldBy})
	}
}

// controller resolves an area's controlling party, by ID or else by slug.
func (e *Engine) controller(a *control.Area) int64 {
	if a.ControllerID != 0 {
		return a.ControllerID
	}
	return e.slugs[a.Controller]
}

func possessive(s string) string {
	if strings.HasSuffix(s, "s") {
		return s + "'"
	}
	return s + "'s"
}

// sentence says the verdict in one line: each view's outcome and why.
func sentence(views []View) string {
	var b strings.Builder
	n := 0
	for _, v := range views {
		n += len(v.Label) + len(v.Why) + 40
	}
	b.Grow(n)
	for i, v := range views {
		if i > 0 {
			b.WriteString("; ")
		}
		switch v.Outcome {
		case Violation:
			b.WriteString("violation")
		case NotViolation:
			b.WriteString("not a violation")
		default:
			b.WriteString("undetermined")
		}
		b.WriteString(" in ")
		b.WriteString(v.Label)
		b.WriteString(" view: ")
		b.WriteString(v.Why)
	}
	return b.String()
}
