"""The hand-off SLA: how fast sales accepts, returns and contacts MQLs, and what slow follow-up costs.

Each row of `handoffs` is one dispatch of a lead to an owner. The SLA clock starts at dispatch:
a hand-off meets the SLA when it is *accepted* within the agreed hours. A return (with a reason) is an
answer, but not an acceptance; a hand-off never accepted misses the SLA once its deadline has passed.
Hand-offs whose deadline is still ahead of the data's last moment (`as_of`) are not counted yet.
Simulated automatic re-assignment: every due hand-off neither accepted nor returned by its deadline.
All aggregation runs in the database; only small tables come back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import ibis
import pandas as pd

from smarketing.deals import is_lost
from smarketing.filters import Filters, in_window, segment_leads
from smarketing.reach import reach_column, stage_reach
from smarketing.stages import ROLES, StageModel, resolve
from smarketing.store.scratch import Scratch

DEFAULT_HOURS = 24.0
NO_REASON = "(no reason given)"
UNASSIGNED = "(unassigned)"
NO_RESPONSE = "no response"
# (lower bound, upper bound, label) in hours; a bound of None is open.
RESPONSE_BUCKETS = ((None, 1, "< 1 h"), (1, 4, "1–4 h"), (4, 24, "4–24 h"), (24, None, "> 24 h"))
BUCKET_ORDER = [label for *_, label in RESPONSE_BUCKETS] + [NO_RESPONSE]


def _hours(later, earlier):
    return (later.epoch_seconds() - earlier.epoch_seconds()) / 3600.0


def data_as_of(con) -> datetime | None:
    """The last moment the hand-off data knows about (latest dispatch, answer or contact)."""
    h = con.table("handoffs")
    row = h.aggregate(
        a=h.dispatched_at.max(), b=h.accepted_at.max(), c=h.returned_at.max(), d=h.first_contact_at.max()
    ).execute().iloc[0]
    stamps = [v for v in row.tolist() if not pd.isna(v)]
    return max(stamps).to_pydatetime() if stamps else None


def _check_hours(hours: float) -> float:
    hours = float(hours)
    if not hours > 0:
        raise ValueError(f"the SLA must be a positive number of hours, got {hours:g}")
    return hours


def handoff_stages(stages: StageModel) -> list[str]:
    """Reach columns of the stages with roles mql, sql, opportunity and won (MQL, SQL, Opportunity, Customer
    in the default model; MQL, SQL, OPP, CUS in MIL → … → CUS)."""
    return [reach_column(stages.require(role, "the lead-flow analysis")) for role in ROLES]


def handoff_facts(
    con, filters: Filters | None = None, hours: float = DEFAULT_HOURS, as_of: datetime | None = None,
    stages: StageModel | None = None,
) -> ibis.Table:
    """One row per hand-off in scope with its timings (hours), outcome, SLA flags and the lead's later stages.

    Scope: cohort mode = hand-offs of leads created in the window; period mode = hand-offs dispatched
    in it; segment filters apply to the lead either way.
    """
    stages = resolve(stages)
    filters = filters or Filters()
    hours = _check_hours(hours)
    as_of = as_of or data_as_of(con) or datetime(1970, 1, 1)
    reach = segment_leads(stage_reach(con, stages), filters)
    if filters.mode == "cohort":
        reach = reach.filter(in_window(reach.created_at, filters))
    mql, sql, opp, won = handoff_stages(stages)
    reach = reach.select("lead_id", at_mql=reach[mql], at_sql=reach[sql], at_opp=reach[opp], at_won=reach[won])
    h = con.table("handoffs")
    if filters.mode == "period":
        h = h.filter(in_window(h.dispatched_at, filters))
    deals = con.table("deals")
    lost = deals.group_by(deal_lead=deals.lead_id).aggregate(any_lost=is_lost(deals).any())
    t = h.join(reach, "lead_id").left_join(lost, ibis._.lead_id == lost.deal_lead)
    return _facts(t, hours, as_of)


def _facts(t: ibis.Table, hours: float, as_of: datetime) -> ibis.Table:
    to_accept = _hours(t.accepted_at, t.dispatched_at)
    to_return = _hours(t.returned_at, t.dispatched_at)
    to_contact = _hours(t.first_contact_at, t.dispatched_at)
    due = t.dispatched_at + ibis.interval(seconds=round(hours * 3600)) <= ibis.literal(as_of)
    answered = t.accepted_at.notnull() | t.returned_at.notnull()
    sla_met = t.accepted_at.notnull() & (to_accept <= hours)
    answered_in_time = sla_met | (t.returned_at.notnull() & (to_return <= hours))
    outcome = ibis.cases(
        (t.returned_at.notnull(), "returned"), (t.accepted_at.notnull(), "accepted"), else_="pending"
    )
    return t.select(
        "lead_id", "dispatched_at", "accepted_at", "returned_at", "first_contact_at", "at_mql",
        owner=t.owner.fill_null(UNASSIGNED),
        return_reason=t.returned_at.notnull().ifelse(t.return_reason.fill_null(NO_REASON), ibis.null("string")),
        outcome=outcome,
        hours_mql_to_dispatch=_hours(t.dispatched_at, t.at_mql),
        hours_to_accept=to_accept, hours_to_return=to_return, hours_to_first_contact=to_contact,
        hours_mql_to_first_contact=_hours(t.first_contact_at, t.at_mql),
        response_hours=ibis.coalesce(to_contact, to_accept),
        counted=due | answered, sla_met=sla_met, answered_in_time=answered_in_time,
        reassigned=due & ~answered_in_time,
        hours_past_deadline=(to_accept - hours).clip(lower=0),
        reached_sql=t.at_sql.notnull(), reached_opportunity=t.at_opp.notnull(), reached_won=t.at_won.notnull(),
        deal_lost=t.at_opp.notnull() & t.at_won.isnull() & t.any_lost.fill_null(False),
    )


# ---------------------------------------------------------------------------------------- tables


def _share(num, den):
    return (den > 0).ifelse(num.cast("float64") / den.cast("float64"), ibis.null("float64"))


def _metrics(t: ibis.Table) -> dict:
    """The per-group SLA metrics (one aggregation, shared by the owner, week and overall tables)."""
    counted = t.counted.sum()
    return dict(
        dispatched=t.count(),
        leads=t.lead_id.nunique(),
        accepted=(t.outcome == "accepted").sum(),
        returned=(t.outcome == "returned").sum(),
        pending=(t.outcome == "pending").sum(),
        due=counted,
        sla_met=(t.sla_met & t.counted).sum(),
        sla_met_share=_share((t.sla_met & t.counted).sum(), counted),
        answered_in_time_share=_share((t.answered_in_time & t.counted).sum(), counted),
        never_accepted=(t.counted & t.accepted_at.isnull()).sum(),
        reassigned=t.reassigned.sum(),
        median_hours_to_accept=t.hours_to_accept.median(),
        p90_hours_to_accept=t.hours_to_accept.quantile(0.9),
        median_hours_to_first_contact=t.hours_to_first_contact.median(),
        opportunities=t.reached_opportunity.sum(),
        opportunity_rate=_share(t.reached_opportunity.sum(), t.count()),
        won=t.reached_won.sum(),
        won_rate=_share(t.reached_won.sum(), t.count()),
    )


def _ints(frame: pd.DataFrame) -> pd.DataFrame:
    counts = ["dispatched", "leads", "accepted", "returned", "pending", "due", "sla_met", "never_accepted",
              "reassigned", "opportunities", "won"]
    present = [c for c in counts if c in frame.columns]
    return frame.fillna({c: 0 for c in present}).astype({c: "int64" for c in present})  # empty sums are NULL


def summary(facts: ibis.Table) -> pd.DataFrame:
    """One row: the overall SLA figures."""
    return _ints(facts.aggregate(**_metrics(facts)).execute())


def by_owner(facts: ibis.Table) -> pd.DataFrame:
    """Per owner: workload, answers, acceptance time median / p90, SLA met, conversion; worst SLA first."""
    out = facts.group_by("owner").aggregate(**_metrics(facts)).execute()
    out = out.sort_values(["sla_met_share", "owner"], na_position="last", ignore_index=True)
    return _ints(out)


def weekly(facts: ibis.Table) -> pd.DataFrame:
    """Per week of dispatch (weeks start Monday): volume, SLA met share, acceptance times."""
    week = facts.dispatched_at.truncate("W").cast("date").name("week")
    out = facts.group_by(week).aggregate(**_metrics(facts)).order_by("week").execute()
    out["week"] = pd.to_datetime(out["week"])
    return _ints(out)


def return_reasons(facts: ibis.Table) -> pd.DataFrame:
    """Returned hand-offs per reason, with the share of all returns and how fast they came back."""
    r = facts.filter(facts.outcome == "returned")
    out = r.group_by("return_reason").aggregate(
        returns=r.count(), median_hours_to_return=r.hours_to_return.median()
    ).execute()
    out["share"] = out["returns"] / out["returns"].sum() if len(out) else []
    out = out.sort_values(["returns", "return_reason"], ascending=[False, True], ignore_index=True)
    return out.astype({"returns": "int64"})[["return_reason", "returns", "share", "median_hours_to_return"]]


def timings(facts: ibis.Table) -> pd.DataFrame:
    """Median and p90 hours for each step of the hand-off."""
    steps = {
        "mql_to_dispatch": facts.hours_mql_to_dispatch,
        "dispatch_to_accept": facts.hours_to_accept,
        "dispatch_to_return": facts.hours_to_return,
        "dispatch_to_first_contact": facts.hours_to_first_contact,
        "mql_to_first_contact": facts.hours_mql_to_first_contact,
    }
    aggs = {}
    for name, col in steps.items():
        aggs[f"{name}__n"] = col.count()
        aggs[f"{name}__median"] = col.median()
        aggs[f"{name}__p90"] = col.quantile(0.9)
    row = facts.aggregate(**aggs).execute().iloc[0]
    rows = [{"step": s, "handoffs": int(row[f"{s}__n"]), "median_hours": row[f"{s}__median"],
             "p90_hours": row[f"{s}__p90"]} for s in steps]
    return pd.DataFrame(rows)


def _first_handoffs(facts: ibis.Table) -> ibis.Table:
    rank = ibis.row_number().over(group_by=facts.lead_id, order_by=[facts.dispatched_at, facts.owner])
    first = facts.mutate(_rank=rank)
    return first.filter(first._rank == 0).drop("_rank")


def _bucket(hours: ibis.NumericValue) -> ibis.StringValue:
    branches = []
    for lo, hi, label in RESPONSE_BUCKETS:
        cond = hours.notnull()
        if lo is not None:
            cond &= hours >= lo
        if hi is not None:
            cond &= hours < hi
        branches.append((cond, label))
    return ibis.cases(*branches, else_=NO_RESPONSE)


def response_effect(facts: ibis.Table) -> pd.DataFrame:
    """Leads by response time of their first hand-off (first contact, else acceptance) and how they converted."""
    first = _first_handoffs(facts)
    first = first.mutate(bucket=_bucket(first.response_hours))
    out = first.group_by("bucket").aggregate(
        leads=first.count(), sqls=first.reached_sql.sum(), opportunities=first.reached_opportunity.sum(),
        won=first.reached_won.sum(),
    ).execute()
    out = out.set_index("bucket").reindex(BUCKET_ORDER).fillna(0).reset_index()
    for col, rate in (("sqls", "sql_rate"), ("opportunities", "opportunity_rate"), ("won", "won_rate")):
        out[rate] = out[col] / out["leads"].where(out["leads"] > 0)
    return out.astype({c: "int64" for c in ("leads", "sqls", "opportunities", "won")})


def reassignment(facts: ibis.Table) -> pd.DataFrame:
    """Simulated automatic re-assignment at the deadline: how many, what happened to them, what it cost.

    expected_extra_opportunities / _won: had the re-assigned leads converted like hand-offs that met the
    SLA (an observational estimate, not a controlled experiment).
    """
    f = facts
    met = f.sla_met & f.counted
    row = f.aggregate(
        due=f.counted.sum(),
        reassigned=f.reassigned.sum(),
        accepted_late=(f.reassigned & f.accepted_at.notnull()).sum(),
        returned_late=(f.reassigned & f.returned_at.notnull() & f.accepted_at.isnull()).sum(),
        never_answered=(f.reassigned & f.accepted_at.isnull() & f.returned_at.isnull()).sum(),
        median_hours_past_deadline=f.hours_past_deadline.median(where=f.reassigned & f.accepted_at.notnull()),
        met_opportunity_rate=_share(f.reached_opportunity.sum(where=met), met.sum()),
        met_won_rate=_share(f.reached_won.sum(where=met), met.sum()),
        reassigned_opportunity_rate=_share(f.reached_opportunity.sum(where=f.reassigned), f.reassigned.sum()),
        reassigned_won_rate=_share(f.reached_won.sum(where=f.reassigned), f.reassigned.sum()),
    ).execute()
    row["reassigned_share"] = row["reassigned"] / row["due"].where(row["due"] > 0)
    for what in ("opportunity", "won"):
        gap = row[f"met_{what}_rate"] - row[f"reassigned_{what}_rate"]
        name = "opportunities" if what == "opportunity" else "won"
        row[f"expected_extra_{name}"] = row["reassigned"] * gap
    counts = ["due", "reassigned", "accepted_late", "returned_late", "never_answered"]
    return row.fillna({c: 0 for c in counts}).astype({c: "int64" for c in counts})


@dataclass
class SlaReport:
    """Everything the Lead flow page and `smarketing sla` show, from one scope and one SLA."""

    hours: float
    as_of: datetime | None
    summary: pd.DataFrame
    timings: pd.DataFrame
    by_owner: pd.DataFrame
    weekly: pd.DataFrame
    reasons: pd.DataFrame
    response: pd.DataFrame
    reassignment: pd.DataFrame

    @property
    def returns_without_reason(self) -> int:
        """Returned hand-offs that give no reason (a return needs one: the Lead flow page says how many lack it)."""
        return int(self.reasons.loc[self.reasons.return_reason == NO_REASON, "returns"].sum())


def sla_report(
    con, filters: Filters | None = None, hours: float = DEFAULT_HOURS, as_of: datetime | None = None,
    stages: StageModel | None = None,
) -> SlaReport:
    """The full SLA analysis for hand-offs in scope (see `handoff_facts`)."""
    stages = resolve(stages)
    as_of = as_of or data_as_of(con)
    with Scratch(con, "_sla") as scratch:  # eight queries read the facts: compute them once
        facts = scratch.keep(handoff_facts(con, filters, hours, as_of, stages))
        return SlaReport(
            hours=float(hours), as_of=as_of, summary=summary(facts), timings=timings(facts),
            by_owner=by_owner(facts), weekly=weekly(facts), reasons=return_reasons(facts),
            response=response_effect(facts), reassignment=reassignment(facts),
        )
