"""Journeys of the behaviour funnel, one row per journey: lead_id, a (the step-1 event that started it) and
t1..tn, the first moment the journey could be at each step (NULL: never). t1 = a.

A journey reaches step k when there is a path a = e1 < e2 < … of events, one per step up to k (optional steps
may be left out), each of its step's event type, each after the event of the step the lead came from (strict
order: at the lead's next moment), each inside its step window after that event and all inside the overall
window after a. `tk` is the earliest event that ends such a path. Without step windows the earliest path is
the greedy one (each step's first event after the previous step), so the state kept per step collapses to one
time per journey; a step window keeps every event a path can reach (an earlier one may be too far from the
next step, a later one not).
"""

from __future__ import annotations

import ibis

from smarketing.filters import Filters, cohort_leads, in_window
from smarketing.funnel.behaviour.params import FunnelParams

SECONDS_PER_DAY = 86_400


def days(value: float):
    return ibis.interval(seconds=int(round(value * SECONDS_PER_DAY)))


def time_col(k: int) -> str:
    return f"t{k}"


def journeys(con, p: FunnelParams, filters: Filters) -> ibis.Table:
    """The journeys of the leads in scope (exclusions applied): lead_id, a, t1..tn."""
    events = con.table("events")
    if p.order == "strict":  # every event of the starters counts for "nothing between": rank their moments
        events = _ranked(events, _starts(events.filter(events.event_type == p.steps[0]), filters, con, p.occurrence),
                         p)
    step1 = events.filter(events.event_type == p.steps[0])  # each step filters its own type (no IN list: a
    starts = _starts(step1, filters, con, p.occurrence, ranked=p.order == "strict")  # mark join in DuckDB)
    if p.order == "any":
        return _unordered(starts, events, p)
    firsts = _ordered(starts, events, p)
    if p.exclusions:  # before the steps are put side by side: the journeys' table is then built once
        starts = _without_excluded(starts, firsts, con.table("events"), p)
    return _side_by_side(starts, firsts, range(2, len(p.steps) + 1))


def _ranked(events: ibis.Table, starts: ibis.Table, p: FunnelParams) -> ibis.Table:
    """The starters' events from their first step 1 to the end of their last window, with r, the rank of the
    event's moment among the lead's (events at one moment share a rank): strict order needs consecutive ranks.
    Moments outside that span cannot lie between two steps, so they are not ranked."""
    span = starts.group_by(s_lead=starts.lead_id).aggregate(lo=starts.a.min(), hi=starts.a.max())
    mine = events.join(span, (events.lead_id == span.s_lead) & (events.ts >= span.lo)
                       & (events.ts <= span.hi + days(p.window_days))).select(*events.columns)
    return mine.mutate(r=ibis.dense_rank().over(group_by=mine.lead_id, order_by=mine.ts))


def _starts(step1: ibis.Table, filters: Filters, con, occurrence: str = "first", ranked: bool = False) -> ibis.Table:
    """The step-1 events that start journeys: the lead's first (in period mode: first inside the date range), or
    every one; only leads in the cohort and the segments. Columns lead_id, a (and r, the moment's rank)."""
    if filters.mode == "period":
        step1 = step1.filter(in_window(step1.ts, filters))
    if filters.mode == "cohort" or filters.segments:  # only the starters need the lead filter
        leads = cohort_leads(con.table("leads"), filters)
        step1 = step1.semi_join(leads, step1.lead_id == leads.lead_id)
    extra = {"r": step1.r.min()} if ranked else {}
    if occurrence == "first":
        starts = step1.group_by("lead_id").aggregate(a=step1.ts.min(), **extra)
    else:
        starts = step1.group_by("lead_id", a=step1.ts).aggregate(**extra) if ranked else \
            step1.select("lead_id", a=step1.ts).distinct()
    return starts


def _collapsible(p: FunnelParams, k: int) -> bool:
    """Step k's reachable events can be kept as their earliest one per journey: in sequence order, when no
    step reached from step k has a window of its own."""
    followers = [j for j in range(k + 1, len(p.steps) + 1) if k in p.predecessors(j)]
    return p.order == "sequence" and all(p.step_window(j) is None for j in followers)


def _ordered(starts: ibis.Table, events: ibis.Table, p: FunnelParams) -> dict[int, ibis.Table]:
    """Per step k >= 2: k_lead, k_a (the journey) and t<k>, the first moment the journey could be at step k."""
    strict = p.order == "strict"
    rank = {"r": starts.r} if strict else {}
    reach = {1: starts.select("lead_id", "a", t=starts.a, **rank)}
    firsts = {}
    window = days(p.window_days)
    for k in range(2, len(p.steps) + 1):
        sources = [reach[j] for j in p.predecessors(k)]
        prev = sources[0] if len(sources) == 1 else ibis.union(*sources, distinct=False)
        step = events.filter(events.event_type == p.steps[k - 1])
        step = step.select(e_lead=step.lead_id, e_ts=step.ts, **({"e_r": step.r} if strict else {}))
        cond = (prev.lead_id == step.e_lead) & (step.e_ts <= prev.a + window)
        cond &= (step.e_r == prev.r + 1) if strict else (step.e_ts > prev.t)
        if (limit := p.step_window(k)) is not None:
            cond &= step.e_ts <= prev.t + days(limit)
        joined = prev.join(step, cond)
        if _collapsible(p, k):
            reach[k] = joined.group_by("lead_id", "a").aggregate(t=joined.e_ts.min())
            firsts[k] = reach[k].select(k_lead="lead_id", k_a="a", **{time_col(k): "t"})
        else:
            reach[k] = joined.select("lead_id", "a", t=joined.e_ts, **({"r": joined.e_r} if strict else {})).distinct()
            firsts[k] = reach[k].group_by(k_lead="lead_id", k_a="a").aggregate(**{time_col(k): reach[k].t.min()})
    return firsts


def _side_by_side(starts: ibis.Table, firsts: dict[int, ibis.Table], steps) -> ibis.Table:
    """lead_id, a, t1 (= a) and t<k> for the steps asked (NULL where the journey never got there)."""
    table = starts.select("lead_id", "a", **{time_col(1): starts.a})
    for k in steps:
        first = firsts[k]
        table = table.left_join(first, (table.lead_id == first.k_lead) & (table.a == first.k_a)).drop("k_lead", "k_a")
    return table


def _unordered(starts: ibis.Table, events: ibis.Table, p: FunnelParams) -> ibis.Table:
    """Any order: step k's time is when the journey had done every required step up to k (and k itself), each
    step's event being the journey's first of its type after a (the second for a type two required steps ask
    for, …)."""
    later = events.filter(events.event_type.isin(list(dict.fromkeys(p.steps[1:]))))
    later = later.select(e_lead=later.lead_id, e_ts=later.ts, e_type=later.event_type)
    window = days(p.window_days)
    joined = starts.join(later, (starts.lead_id == later.e_lead) & (later.e_ts > starts.a)
                         & (later.e_ts <= starts.a + window))
    repeated = len(set(p.steps[1:])) < len(p.steps) - 1
    if repeated:
        joined = joined.mutate(nth=ibis.row_number().over(group_by=[joined.lead_id, joined.a, joined.e_type],
                                                          order_by=joined.e_ts))
    firsts = {}
    for k in range(2, len(p.steps) + 1):
        kind = p.steps[k - 1]
        cond = joined.e_type == kind
        if repeated:
            cond &= joined.nth == _occurrence(p, k) - 1
        firsts[f"f{k}"] = joined.e_ts.min(where=cond)
    done = joined.group_by("lead_id", "a").aggregate(**firsts)
    table = starts.select("lead_id", "a").left_join(done, ["lead_id", "a"]).select("lead_id", "a", *firsts)
    times = {time_col(1): table.a}
    for k in range(2, len(p.steps) + 1):
        before = times[time_col(p.previous_required(k))]
        mine = table[f"f{k}"]
        times[time_col(k)] = ibis.ifelse(before.notnull() & mine.notnull(), ibis.greatest(before, mine),
                                         ibis.null("timestamp"))
    return table.select("lead_id", "a", **times)


def _occurrence(p: FunnelParams, k: int) -> int:
    """Which event of its type after step 1 step k needs in any order: one more than the required steps between
    asking for that type (an optional step skipped takes none; step k and an optional step may share one)."""
    kind = p.steps[k - 1]
    return 1 + sum(1 for j in range(2, k) if p.steps[j - 1] == kind and p.required(j))


def _without_excluded(starts: ibis.Table, firsts: dict[int, ibis.Table], events: ibis.Table,
                      p: FunnelParams) -> ibis.Table:
    """The starts of the journeys that did no excluded event after their from-step and before their to-step (or
    before their window closed, when they never reached the to-step)."""
    window = days(p.window_days)
    hits = []
    for x in p.exclusions:
        table = _side_by_side(starts, firsts, sorted({x.from_step, x.to_step} - {1}))
        bad = events.filter(events.event_type == x.event_type)
        bad = bad.select(x_lead=bad.lead_id, x_ts=bad.ts)
        start, end = table[time_col(x.from_step)], table[time_col(x.to_step)]
        inside = ibis.ifelse(end.isnull(), bad.x_ts <= table.a + window, bad.x_ts < end)
        hit = table.join(bad, (table.lead_id == bad.x_lead) & start.notnull() & (bad.x_ts > start) & inside)
        hits.append(hit.select(h_lead=hit.lead_id, h_a=hit.a))
    dropped = hits[0] if len(hits) == 1 else ibis.union(*hits, distinct=False)
    return starts.anti_join(dropped, (starts.lead_id == dropped.h_lead) & (starts.a == dropped.h_a))
