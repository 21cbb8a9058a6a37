"""Point-in-time fit, interest and combined scores for every lead, computed in the database (Ibis).

The work is split in two layers so that the tuner can re-weight in memory:
- `lead_features`: one row per lead with one column per rule condition (fit_i: 0/1, evt_i: decayed event
  count, bonus_i: 0/1) plus the outcomes; this is the only part that reads the events table.
- `score_table`: fit, interest, score, quadrant and is_mql from those features and the points.

Interest counts only events up to a cut-off, so what sales did after the hand-off cannot leak into the
score it is judged by: by default the moment the lead reached SQL (or any later stage), or "now" (the
latest timestamp in the data) if it never did; alternatively N days after the lead was created.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime

import ibis
import ibis.expr.types as ir

from smarketing.deals import is_lost, is_open, is_won
from smarketing.filters import Filters, cohort_leads
from smarketing.frozen import frozen_fact
from smarketing.reach import reach_column, reach_table_name, recorded_stages, stage_reach
from smarketing.schema import CORE_EVENT_TYPES
from smarketing.scoring.rules import FitRule, Rules, RulesError
from smarketing.stages import StageModel, resolve
from smarketing.store import derived

CUTOFF_MODES = ("sql", "days")
OUTCOMES = ("won", "sql", "opportunity")
QUADRANTS = ("hot", "nurture", "low_cost_followup", "drop")
DEAL_STATUS_ORDER = ("won", "open", "lost", "no deal")
DAY_SECONDS = 86_400.0


@dataclass(frozen=True)
class Cutoff:
    """Which events count: those up to the SQL moment (mode "sql") or up to `days` after creation."""

    mode: str = "sql"
    days: int = 30
    as_of: datetime | None = None  # "now"; None = the latest timestamp in the data

    def __post_init__(self) -> None:
        if self.mode not in CUTOFF_MODES:
            raise ValueError(f"cut-off must be one of {', '.join(CUTOFF_MODES)}, got '{self.mode}'")
        if self.mode == "days" and self.days <= 0:
            raise ValueError(f"the cut-off needs a positive number of days, got {self.days}")


DEFAULT_CUTOFF = Cutoff()


def data_now(con) -> datetime:
    """The data's "now": the latest lead creation, event or stage change (once per read-only file version)."""
    return frozen_fact(con, "data now", lambda: _data_now(con))


def _data_now(con) -> datetime:
    parts = [
        con.table("leads").created_at.max(),
        con.table("events").ts.max(),
        con.table("stage_changes").entered_at.max(),
    ]
    values = [v for v in (p.execute() for p in parts) if v is not None and v == v]
    return max(values).to_pydatetime() if values else datetime.now().replace(microsecond=0)


# ------------------------------------------------------------------------------------------ validation


def validate_rules(con, rules: Rules) -> None:
    """Check the rules against the data: lead columns exist (numeric where a range is used), event types known."""
    schema = con.table("leads").schema()
    for i, rule in enumerate(rules.fit, 1):
        where = f"fit rule {i} ('{rule.name}')"
        if rule.column not in schema:
            raise RulesError(
                f"{where}: unknown lead column '{rule.column}' (the leads table has: {', '.join(schema.names)})"
            )
        if (rule.min is not None or rule.max is not None) and not schema[rule.column].is_numeric():
            raise RulesError(f"{where}: min/max needs a numeric column, but '{rule.column}' is text")
    wanted = sorted(set(rules.event_types) - set(CORE_EVENT_TYPES))
    known = set(CORE_EVENT_TYPES)
    if wanted:  # only custom types need a look at the data
        ev = con.table("events")
        known |= set(ev.filter(ev.event_type.isin(wanted)).select("event_type").distinct().execute().event_type)
    for kind, rule_list in (("interest rule", rules.interest), ("bonus", rules.bonus)):
        for i, rule in enumerate(rule_list, 1):
            if rule.event_type not in known:
                raise RulesError(
                    f"{kind} {i} ('{rule.event_type}'): unknown event type '{rule.event_type}' "
                    f"(neither in the data nor one of {', '.join(CORE_EVENT_TYPES)})"
                )


def event_types(con, limit: int = 200) -> list[str]:
    """Event types present in the data, most frequent first."""
    ev = con.table("events")
    counts = ev.group_by("event_type").aggregate(n=ev.count()).order_by(ibis.desc("n")).limit(limit)
    return counts.execute()["event_type"].tolist()


# ------------------------------------------------------------------------------------------ outcomes


def recorded_outcomes(con, stages: StageModel | None = None) -> tuple[str, ...]:
    """The outcomes this data can tell apart: won always; reaching SQL or opportunity only when the data records
    that stage (otherwise it is only implied by a won one, and its rate would be the won rate again)."""
    stages = resolve(stages)
    recorded = set(recorded_stages(con, stages))
    return tuple(o for o in OUTCOMES if o == "won" or stages.role(o) in recorded)


def lead_outcomes(con, filters: Filters | None = None, stages: StageModel | None = None) -> ir.Table:
    """One row per lead: lead columns, stage reach (at_*), when it reached the sql, opportunity and won roles'
    stages, deal status, won amount and time to close. A lead is won when it has a won deal or reached the
    won stage (a source without deals, e.g. a lead file with a converted flag)."""
    stages = resolve(stages)
    reach = cohort_leads(stage_reach(con, stages), filters or Filters())
    reach = reach.mutate(sql_at=reach[reach_column(stages.require("sql", "scoring"))],
                         opportunity_at=reach[reach_column(stages.require("opportunity", "scoring"))],
                         won_stage_at=reach[reach_column(stages.require("won", "scoring"))])
    deals = con.table("deals")
    won = is_won(deals)
    per_lead = deals.group_by("lead_id").aggregate(
        d_won=won.any(),
        d_open=is_open(deals).any(),
        d_lost=is_lost(deals).any(),
        won_amount=deals.amount.sum(where=won),
        won_at=deals.closed_at.min(where=won),
    )
    t = reach.left_join(per_lead, reach.lead_id == per_lead.lead_id).drop("lead_id_right")
    status = (
        ibis.cases(
            (t.d_won.fill_null(False), "won"),
            (t.d_open.fill_null(False), "open"),
            (t.d_lost.fill_null(False), "lost"),
            else_="no deal",
        )
    )
    days_to_close = (t.won_at.epoch_seconds() - t.created_at.epoch_seconds()) / DAY_SECONDS
    return t.mutate(
        won=t.d_won.fill_null(False) | t.won_stage_at.notnull(),  # a won deal, or (no deals) the won stage
        sql=t.sql_at.notnull(),
        opportunity=t.opportunity_at.notnull(),
        won_amount=t.won_amount.fill_null(0.0),
        deal_status=status,
        days_to_close=days_to_close,
    ).drop("d_won", "d_open", "d_lost")


# ------------------------------------------------------------------------------------------ features


def fit_condition(col: ir.Column, rule: FitRule) -> ir.BooleanValue:
    text = col.cast("string").lower()
    if rule.equals is not None:
        cond = col.cast("float64") == rule.equals if isinstance(rule.equals, float) else text == rule.equals.lower()
    elif rule.any_of:
        cond = text.isin([v.lower() for v in rule.any_of])
    elif rule.contains:
        cond = ibis.or_(*[text.contains(v.lower()) for v in rule.contains])
    elif rule.matches is not None:
        cond = col.cast("string").re_search("(?i)" + rule.matches)
    elif rule.present is not None:
        filled = col.notnull() & (col.cast("string").strip() != "")
        cond = filled if rule.present else ~filled
    else:
        num = col.cast("float64")
        cond = ibis.literal(True)
        if rule.min is not None:
            cond &= num >= rule.min
        if rule.max is not None:
            cond &= num <= rule.max
    return cond.fill_null(False)


def _cutoff_expr(t: ir.Table, cutoff: Cutoff, now: datetime) -> ir.TimestampValue:
    now_lit = ibis.literal(now, type="timestamp")
    if cutoff.mode == "sql":
        return t.sql_at.fill_null(now_lit)
    return ibis.least(t.created_at + ibis.interval(days=cutoff.days), now_lit)


def _event_features(con, rules: Rules, base: ir.Table) -> ir.Table | None:
    """Per lead: decayed count of each rule's event type and the bonus counts, events up to the cut-off."""
    if not rules.event_types:
        return None
    ev = con.table("events")
    ev = ev.filter(ev.event_type.isin(rules.event_types)).select("lead_id", "ts", "event_type")
    j = ev.join(base, "lead_id").select(ev.lead_id, ev.ts, ev.event_type, base.cutoff_at)
    j = j.filter(j.ts <= j.cutoff_at)
    age = (j.cutoff_at.epoch_seconds() - j.ts.epoch_seconds()) / DAY_SECONDS
    decay = rules.decay
    if decay.mode == "half_life":
        weight = (age * (-math.log(2) / decay.half_life_days)).exp()
    elif decay.mode == "window":
        weight = (age <= decay.window_days).cast("float64")  # DOUBLE, not a DECIMAL 1.0 / 0.0
    else:
        weight = age * 0.0 + 1.0  # a column expression, so it can be summed
    aggs = {f"evt_{i}": weight.sum(where=j.event_type == r.event_type) for i, r in enumerate(rules.interest)}
    aggs |= {
        f"bcount_{i}": j.count(where=(j.event_type == b.event_type) & (age <= b.within_days))
        for i, b in enumerate(rules.bonus)
    }
    return j.group_by("lead_id").aggregate(**aggs)


FEATURES = "lead_features"  # the derived table: every lead's features for the rules in force at the last write


def lead_features(
    con,
    rules: Rules,
    cutoff: Cutoff = DEFAULT_CUTOFF,
    filters: Filters | None = None,
    now: datetime | None = None,
) -> ir.Table:
    """One row per lead (cohort/segment filters applied): condition columns and outcomes. From the derived table
    the last write built (smarketing.store.derived) when it holds these rules' conditions and this cut-off."""
    validate_rules(con, rules)
    now = now or cutoff.as_of or data_now(con)
    stored = derived.load(con, FEATURES, features_key(rules, cutoff, now))
    if stored is None:
        return _lead_features(con, rules, cutoff, filters, now)
    leads = cohort_leads(con.table("leads"), filters or Filters())
    return stored.semi_join(leads, stored.lead_id == leads.lead_id)


def features_key(rules: Rules, cutoff: Cutoff, now: datetime, stages: StageModel | None = None) -> str:
    """What a lead's features depend on: the rules' conditions (not their points or thresholds), the decay, the
    cut-off, the data's "now" and the stage model."""
    parts = ([r.key for r in rules.fit], [r.event_type for r in rules.interest], rules.decay,
             [(b.event_type, b.min_count, b.within_days) for b in rules.bonus], cutoff, now.isoformat(),
             reach_table_name(resolve(stages)))
    return hashlib.sha1(repr(parts).encode()).hexdigest()


def refresh_features(con, rules: Rules, cutoff: Cutoff = DEFAULT_CUTOFF) -> None:
    """Store every lead's features for `rules` (at the end of a write, for the rules in force)."""
    validate_rules(con, rules)
    now = cutoff.as_of or data_now(con)
    derived.save(con, FEATURES, _lead_features(con, rules, cutoff, None, now), features_key(rules, cutoff, now))


def _lead_features(con, rules: Rules, cutoff: Cutoff, filters: Filters | None, now: datetime) -> ir.Table:
    t = lead_outcomes(con, filters)
    t = t.mutate(cutoff_at=_cutoff_expr(t, cutoff, now))
    cols = {f"fit_{i}": fit_condition(t[r.column], r).cast("int8") for i, r in enumerate(rules.fit)}
    base = t.select(
        "lead_id", "created_at", "cutoff_at", "won", "sql", "opportunity", "won_amount", "deal_status",
        "days_to_close", **cols,
    )
    events = _event_features(con, rules, base)
    if events is None:
        return base
    out = base.left_join(events, base.lead_id == events.lead_id).drop("lead_id_right")
    fills = {f"evt_{i}": out[f"evt_{i}"].fill_null(0.0) for i in range(len(rules.interest))}
    fills |= {
        f"bonus_{i}": (out[f"bcount_{i}"].fill_null(0) >= b.min_count).cast("int8") for i, b in enumerate(rules.bonus)
    }
    return out.mutate(**fills).drop(*[f"bcount_{i}" for i in range(len(rules.bonus))])


# ------------------------------------------------------------------------------------------ scores


def _capped(value: ir.NumericValue, cap: float | None) -> ir.NumericValue:
    if cap is None:
        return value
    return ibis.greatest(ibis.least(value, cap), -cap)


def score_table(features: ir.Table, rules: Rules) -> ir.Table:
    """Add fit, interest, score (= fit + interest), quadrant and is_mql to a `lead_features` table."""
    # Flags are cast to DOUBLE first: a bare 15.0 in the SQL is a DECIMAL to DuckDB, and int × DECIMAL sums
    # would stay DECIMAL in the database (Ibis would still call them float64).
    zero = features.lead_id.isnull().cast("int32").cast("float64")  # a DOUBLE 0 (a literal 0.0 would be DECIMAL in DuckDB)
    fit = sum((features[f"fit_{i}"].cast("float64") * r.points for i, r in enumerate(rules.fit)), zero)
    interest = sum(
        (_capped(features[f"evt_{i}"] * r.points, r.cap) for i, r in enumerate(rules.interest)), zero
    )
    interest += sum((features[f"bonus_{i}"].cast("float64") * b.points for i, b in enumerate(rules.bonus)), zero)
    t = features.mutate(fit=fit.cast("float64"), interest=interest.cast("float64"))
    good_fit = t.fit >= rules.fit_threshold
    high_interest = t.interest >= rules.interest_threshold
    is_mql = good_fit & high_interest
    if rules.combined_threshold is not None:
        is_mql |= (t.fit + t.interest) >= rules.combined_threshold
    quadrant = ibis.cases(
        (good_fit & high_interest, "hot"),
        (good_fit, "nurture"),
        (high_interest, "low_cost_followup"),
        else_="drop",
    )
    return t.mutate(score=t.fit + t.interest, quadrant=quadrant, is_mql=is_mql)


def score_leads(
    con,
    rules: Rules,
    cutoff: Cutoff = DEFAULT_CUTOFF,
    filters: Filters | None = None,
    now: datetime | None = None,
) -> ir.Table:
    """Scores of every lead as an Ibis table (lead_id, fit, interest, score, quadrant, is_mql, outcomes…)."""
    return score_table(lead_features(con, rules, cutoff, filters, now), rules)


def scores_frame(con, rules: Rules, cutoff: Cutoff = DEFAULT_CUTOFF, filters: Filters | None = None):
    """The CLI export: lead_id, fit, interest, score, quadrant, is_mql (ordered by lead_id)."""
    t = score_leads(con, rules, cutoff, filters)
    return (
        t.select("lead_id", "fit", "interest", "score", "quadrant", "is_mql").order_by("lead_id").execute()
    )
