"""The goal planner: from a revenue target back to the customers, opportunities, SQLs, MQLs and leads
it needs, when they are needed, from which channels and at what budget.

Rates and durations come from history (`funnel.lifecycle.lifecycle_funnel`, one source of truth) and each can be
overridden. If 5% of leads become customers, every customer needs 20 leads; the chain runs through each
stage's conversion rate. Stage durations move each need earlier than the revenue it produces.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import pandas as pd

from smarketing.deals import is_won
from smarketing.filters import ALL_TIME, Filters, in_window, segment_leads, segment_spend, unsplit_segments
from smarketing.funnel.lifecycle import lifecycle_funnel
from smarketing.stages import StageModel, resolve

DAYS_PER_MONTH = 365.25 / 12
EPSILON = 1e-9  # 1 / 0.05 is 20.000000000000004: do not round that up to 21
DEFAULT_CHANNEL = "source_group"


@dataclass(frozen=True)
class Assumptions:
    """What the plan rests on: per main stage (after the first), the conversion from the previous stage
    and the days from the previous stage; the average won deal; where each number came from."""

    stages: tuple[str, ...]
    rates: dict[str, float]
    days: dict[str, float]
    deal_size: float
    overridden: frozenset[str] = field(default_factory=frozenset)

    def table(self) -> pd.DataFrame:
        """stage, conversion_from_previous, days_from_previous, source (historical / edited)."""
        rows = [(s, self.rates.get(s, math.nan), self.days.get(s, math.nan),
                 "edited" if s in self.overridden else "historical") for s in self.stages]
        return pd.DataFrame(rows, columns=["stage", "conversion_from_previous", "days_from_previous", "source"])


def average_deal_size(con, filters: Filters = ALL_TIME) -> float:
    """Mean amount of won deals closed in the window (leads in the segment) that have one (0 is an amount nobody
    filled in: Olist's declared revenue, say); NaN without any."""
    deals = con.table("deals")
    leads = segment_leads(con.table("leads"), filters)
    won = deals.filter(is_won(deals) & (deals.amount > 0))
    won = won.filter(in_window(won.closed_at.fill_null(won.created_at), filters))
    won = won.semi_join(leads, won.lead_id == leads.lead_id)
    value = won.amount.mean().execute()
    return math.nan if value is None or pd.isna(value) else float(value)


def historical(con, filters: Filters = ALL_TIME, stages: StageModel | None = None) -> Assumptions:
    """Rates and durations from `lifecycle_funnel` under the filters (the stages the data records); deal size
    from won deals."""
    stages = resolve(stages)
    funnel = lifecycle_funnel(con, filters, stages)
    funnel = funnel[funnel.recorded]  # the chain runs through the stages the data records
    rows = funnel.set_index("stage")
    later = funnel.stage.tolist()[1:]
    return Assumptions(
        stages=tuple(funnel.stage),
        rates={s: float(rows.at[s, "conversion_from_previous"]) for s in later},
        days={s: _zero_if_nan(rows.at[s, "median_days_from_previous"]) for s in later},
        deal_size=average_deal_size(con, filters),
    )


def _zero_if_nan(value) -> float:
    return 0.0 if value is None or pd.isna(value) else float(value)


def edited(
    base: Assumptions, rates: dict[str, float] | None = None, days: dict[str, float] | None = None,
    deal_size: float | None = None, stages: StageModel | None = None,
) -> Assumptions:
    """Assumptions with some rates (into a stage, from the previous one), durations or the deal size replaced."""
    stages = resolve(stages)
    new_rates, new_days, touched = dict(base.rates), dict(base.days), set(base.overridden)
    for given, target in ((rates or {}, new_rates), (days or {}, new_days)):
        for name, value in given.items():
            stage = _stage(name, base, stages)
            target[stage] = float(value)
            touched.add(stage)
    out = replace(base, rates=new_rates, days=new_days, overridden=frozenset(touched))
    return replace(out, deal_size=float(deal_size)) if deal_size is not None else out


def _stage(name: str, base: Assumptions, stages: StageModel) -> str:
    stage = stages.canonical(name) or name
    if stage not in base.stages[1:]:
        raise ValueError(
            f"cannot set a rate into '{name}': expected one of {', '.join(base.stages[1:])} "
            f"(the rate into a stage from the previous one)"
        )
    return stage


def validate(a: Assumptions) -> None:
    """Named checks before any arithmetic: a usable deal size, every rate in (0, 1], durations ≥ 0."""
    if not (a.deal_size > 0):
        raise ValueError("no average deal size: there are no won deals with an amount; give a deal size")
    for stage in a.stages[1:]:
        rate = a.rates.get(stage, math.nan)
        if not (0 < rate <= 1):
            prev = a.stages[a.stages.index(stage) - 1]
            raise ValueError(
                f"the conversion {prev} → {stage} must be a fraction in (0, 1], got {rate:g}; "
                f"set it (e.g. --rate {stage}=0.3)"
            )
        if a.days.get(stage, 0) < 0:
            raise ValueError(f"the days from the previous stage to {stage} cannot be negative")


# ------------------------------------------------------------------------------------ arithmetic


def ceil(value: float) -> int:
    """Round up, ignoring floating-point noise (20.000000000000004 -> 20)."""
    return math.ceil(value - EPSILON * max(1.0, abs(value)))


def exact_needs(customers: float, a: Assumptions) -> dict[str, float]:
    """Fractional count needed at each stage for `customers` at the last stage."""
    need = {a.stages[-1]: float(customers)}
    for k in range(len(a.stages) - 1, 0, -1):
        need[a.stages[k - 1]] = need[a.stages[k]] / a.rates[a.stages[k]]
    return {s: need[s] for s in a.stages}


def needed(revenue: float, a: Assumptions) -> pd.DataFrame:
    """stage, conversion_from_previous, needed, per_customer.

    The chain runs on unrounded figures (revenue / deal size customers, divided by each stage's rate) and
    each stage's own need is rounded up once at the end, as published reverse-funnel examples do: 26.7 deals
    at 20% need 133.3 → 134 opportunities, not 27 → 135 (rounding at every step compounds)."""
    validate(a)
    exact = exact_needs(revenue / a.deal_size, a)
    per_customer = exact_needs(1, a)
    rows = [(s, a.rates.get(s, math.nan), ceil(exact[s]), per_customer[s]) for s in a.stages]
    return pd.DataFrame(rows, columns=["stage", "conversion_from_previous", "needed", "per_customer"])


def lead_times(a: Assumptions) -> dict[str, float]:
    """Days before the revenue each stage must be reached: the sum of the durations after it."""
    out, total = {}, 0.0
    for k in range(len(a.stages) - 1, -1, -1):
        out[a.stages[k]] = total
        total += a.days.get(a.stages[k], 0.0) if k else 0.0
    return {s: out[s] for s in a.stages}


def _add_months(first: date, n: int) -> date:
    y, m = divmod(first.month - 1 + n, 12)
    return date(first.year + y, m + 1, 1)


def monthly(revenue: float, months: int, start: date, a: Assumptions) -> pd.DataFrame:
    """month, stage, needed: the customers needed spread evenly over the plan months, each stage's need moved
    earlier by its lead time (a fractional month shift splits a month's need over two months)."""
    validate(a)
    if months < 1:
        raise ValueError("the plan needs at least one month")
    per_month = exact_needs(revenue / a.deal_size / months, a)  # the unrounded chain of `needed`
    shift = lead_times(a)
    rows: dict[tuple[date, str], float] = {}
    for m in range(months):
        for stage in a.stages:
            back = shift[stage] / DAYS_PER_MONTH
            whole, part = int(math.floor(back)), back - math.floor(back)
            for offset, weight in ((whole, 1 - part), (whole + 1, part)):
                if weight > EPSILON:
                    key = (_add_months(start, m - offset), stage)
                    rows[key] = rows.get(key, 0.0) + per_month[stage] * weight
    frame = pd.DataFrame([(mo, st, v) for (mo, st), v in rows.items()], columns=["month", "stage", "needed"])
    frame["in_plan"] = frame["month"] >= start
    order = {s: i for i, s in enumerate(a.stages)}
    return frame.sort_values(["month", "stage"], key=lambda c: c.map(order) if c.name == "stage" else c,
                             ignore_index=True)


# ------------------------------------------------------------------------------ channels, run rate


def channel_mix(con, filters: Filters = ALL_TIME, channel: str = DEFAULT_CHANNEL) -> pd.DataFrame:
    """Per channel in the window: leads created, share of leads, marketing cost and cost per lead (NaN: no spend)."""
    leads = segment_leads(con.table("leads"), filters)
    if channel not in leads.columns:
        raise ValueError(f"unknown channel column '{channel}' (expected a lead column such as source_group)")
    leads = leads.filter(in_window(leads.created_at, filters))
    name = leads[channel].cast("string").fill_null("(none)").name("channel")
    counts = leads.group_by(name).aggregate(leads=leads.count()).execute()
    spend = con.table("spend")
    cost = pd.DataFrame(columns=["channel", "cost"])
    if channel in spend.columns:
        spend = segment_spend(spend.filter(in_window(spend.date.cast("timestamp"), filters)), filters)
        key = spend[channel].cast("string").fill_null("(none)").name("channel")
        cost = spend.group_by(key).aggregate(cost=spend.cost.sum()).execute()
    mix = counts.merge(cost, on="channel", how="left")  # a channel without spend rows: its cost is unknown
    if not int(con.table("spend").count().execute()) or unsplit_segments(filters, spend.columns):
        mix["cost"] = float("nan")  # no spend imported, or none by this segment: the cost is unknown, not zero
    mix["share"] = mix["leads"] / mix["leads"].sum() if len(mix) else []
    mix["cost_per_lead"] = mix["cost"] / mix["leads"]
    mix = mix.sort_values(["leads", "channel"], ascending=[False, True], ignore_index=True)
    return mix.astype({"leads": "int64"})[["channel", "leads", "share", "cost", "cost_per_lead"]]


def data_end(con) -> date | None:
    """The day of the latest lead."""
    value = con.table("leads").created_at.max().execute()
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


@dataclass(frozen=True)
class RunRate:
    """Recent monthly pace: stage reaches per month and won revenue per month over `months` months."""

    months: int
    per_month: dict[str, float]
    revenue_per_month: float


def run_rate(con, months: int = 3, filters: Filters = ALL_TIME, stages: StageModel | None = None) -> RunRate:
    """Stage reaches (period mode, via lifecycle_funnel) and won revenue in the last `months` months of data."""
    stages = resolve(stages)
    end = data_end(con)
    if end is None:
        return RunRate(months, {s: 0.0 for s in stages.names}, 0.0)
    since = end - timedelta(days=round(months * DAYS_PER_MONTH) - 1)
    window = Filters(since=since, until=end, mode="period", segments=filters.segments)
    funnel = lifecycle_funnel(con, window, stages)
    deals = con.table("deals")
    won = deals.filter(is_won(deals) & in_window(deals.closed_at, window))
    won = won.semi_join(segment_leads(con.table("leads"), window), "lead_id")
    revenue = won.amount.sum().execute()
    revenue = 0.0 if revenue is None or pd.isna(revenue) else float(revenue)
    return RunRate(months, dict(zip(funnel.stage, funnel.leads / months, strict=True)), revenue / months)


# -------------------------------------------------------------------------------------- the plan


@dataclass
class Plan:
    """A plan for `revenue` over `months` months from `start`.

    needed: stage, conversion_from_previous, needed, per_customer; monthly: month, stage, needed, in_plan;
    channels: channel, share, leads_needed, cost_per_lead, budget; budget_by_month: month, channel,
    leads_needed, budget (when the leads must come in; months add up to the exact need, while `needed` and
    `budget` round the leads up); gap: stage, needed_per_month, run_rate_per_month, gap, coverage.
    """

    revenue: float
    months: int
    start: date
    assumptions: Assumptions
    needed: pd.DataFrame
    monthly: pd.DataFrame
    channels: pd.DataFrame
    budget_by_month: pd.DataFrame
    gap: pd.DataFrame
    budget: float
    revenue_per_month: float
    run_rate_revenue_per_month: float

    def needed_map(self) -> dict[str, int]:
        return {row.stage: int(row.needed) for row in self.needed.itertuples()}


def channel_budget(leads_needed: int, mix: pd.DataFrame) -> pd.DataFrame:
    """Split the leads needed by each channel's historical share; budget = leads × cost per lead."""
    out = mix[["channel", "share", "cost_per_lead"]].copy()
    out["leads_needed"] = leads_needed * out["share"]
    out["budget"] = out["leads_needed"] * _cost_per_lead(out)
    return out[["channel", "share", "leads_needed", "cost_per_lead", "budget"]]


def _cost_per_lead(mix: pd.DataFrame) -> pd.Series:  # no spend in the data at all: the budget is unknown
    return mix["cost_per_lead"] if mix["cost_per_lead"].isna().all() else mix["cost_per_lead"].fillna(0.0)


def monthly_budget(months: pd.DataFrame, first_stage: str, mix: pd.DataFrame) -> pd.DataFrame:
    """Leads of the first stage needed per month, split by channel share, times each channel's cost per lead."""
    leads = months.loc[months.stage == first_stage, ["month", "needed"]]
    out = leads.merge(mix[["channel", "share", "cost_per_lead"]], how="cross")
    out["leads_needed"] = out["needed"] * out["share"]
    out["budget"] = out["leads_needed"] * _cost_per_lead(out)
    return out.sort_values(["month", "budget"], ascending=[True, False], ignore_index=True)[
        ["month", "channel", "leads_needed", "budget"]]


def gap_table(needs: pd.DataFrame, months: int, pace: RunRate) -> pd.DataFrame:
    """Needed per month (plan average) against the recent run rate, per stage."""
    out = needs[["stage"]].copy()
    out["needed_per_month"] = needs["needed"] / months
    out["run_rate_per_month"] = out["stage"].map(pace.per_month).fillna(0.0)
    out["gap"] = out["needed_per_month"] - out["run_rate_per_month"]
    out["coverage"] = out["run_rate_per_month"] / out["needed_per_month"].where(out["needed_per_month"] > 0)
    return out


def build_plan(
    revenue: float, months: int, start: date, a: Assumptions, mix: pd.DataFrame, pace: RunRate
) -> Plan:
    """All plan tables from the inputs (pure arithmetic, no database)."""
    if not revenue > 0:
        raise ValueError(f"the revenue target must be positive, got {revenue:g}")
    needs = needed(revenue, a)
    channels = channel_budget(int(needs["needed"].iloc[0]), mix)
    by_month = monthly(revenue, months, start, a)
    return Plan(
        revenue=float(revenue), months=int(months), start=start, assumptions=a, needed=needs,
        monthly=by_month, channels=channels, budget_by_month=monthly_budget(by_month, a.stages[0], mix),
        gap=gap_table(needs, months, pace),
        budget=float(channels["budget"].sum(min_count=1)), revenue_per_month=float(revenue) / months,
        run_rate_revenue_per_month=pace.revenue_per_month,
    )


def next_month(day: date | None) -> date:
    day = day or date.today()
    return _add_months(day.replace(day=1), 1)


def plan(
    con, revenue: float, months: int = 3, start: date | None = None, deal_size: float | None = None,
    rates: dict[str, float] | None = None, days: dict[str, float] | None = None,
    history: Filters = ALL_TIME, run_rate_months: int = 3, channel: str = DEFAULT_CHANNEL,
    stages: StageModel | None = None,
) -> Plan:
    """Plan from history (rates, durations, deal size, channel mix) with the given overrides."""
    stages = resolve(stages)
    a = edited(historical(con, history, stages), rates, days, deal_size, stages)
    start = start or next_month(data_end(con))
    return build_plan(revenue, months, start, a, channel_mix(con, history, channel),
                      run_rate(con, run_rate_months, history, stages))


def monthly_table(plan: Plan) -> pd.DataFrame:
    """The monthly needs as one row per month: month, then each stage's need (whole numbers, rounded)."""
    wide = plan.monthly.pivot_table(index="month", columns="stage", values="needed", aggfunc="sum")
    wide = wide[[s for s in plan.assumptions.stages if s in wide.columns]]
    return wide.fillna(0).round(0).reset_index().rename_axis(columns=None)


def budget_table(plan: Plan, total: str = "total") -> pd.DataFrame:
    """The budget by month as one row per month: month, each channel's budget and the `total` column."""
    money = plan.budget_by_month.pivot_table(index="month", columns="channel", values="budget", dropna=False,
                                             aggfunc=lambda v: v.sum(min_count=1))  # no spend: NaN, not $0
    money = money.reindex(columns=list(plan.channels.channel))
    return money.assign(**{total: money.sum(axis=1, min_count=1)}).reset_index().rename_axis(columns=None)


def compare(a: Plan, b: Plan) -> pd.DataFrame:
    """Two plans side by side: needed per stage and the budget, with the difference B − A."""
    rows = [(s, float(x), float(y)) for s, x, y in zip(a.needed.stage, a.needed.needed, b.needed.needed,
                                                        strict=True)]
    rows.append(("budget", a.budget, b.budget))
    out = pd.DataFrame(rows, columns=["item", "scenario_a", "scenario_b"])
    out["difference"] = out["scenario_b"] - out["scenario_a"]
    out["change"] = out["difference"] / out["scenario_a"].where(out["scenario_a"] != 0)
    return out


# ------------------------------------------------------------------------------- progress against a plan


def default_target(pace: RunRate, months: int = 3) -> float:
    """The revenue target a plan starts from: the recent monthly won revenue over `months` months plus 20%,
    rounded to 10,000, at least 100,000."""
    return float(max(100_000, round(pace.revenue_per_month * months * 1.2, -4)))


def _share_of_month(first: date, since: date, until: date) -> float:
    """The part of the month starting `first` that the days [since, until] cover (0–1)."""
    after = _add_months(first, 1)
    overlap = (min(until + timedelta(days=1), after) - max(since, first)).days
    return max(overlap, 0) / (after - first).days


def progress(plan: Plan, reached: dict[str, float], won_revenue: float, since: date, until: date) -> pd.DataFrame:
    """What the plan needs in the days [since, until] against what happened then: item (each stage of the plan,
    then won_revenue), needed, reached, coverage (reached / needed). A month's need is spread evenly over its
    days; the revenue target evenly over the plan's months."""
    needs: dict[str, float] = {}
    for row in plan.monthly.itertuples():
        needs[row.stage] = needs.get(row.stage, 0.0) + row.needed * _share_of_month(row.month, since, until)
    revenue = sum(plan.revenue_per_month * _share_of_month(_add_months(plan.start, m), since, until)
                  for m in range(plan.months))
    rows = [(s, needs.get(s, 0.0), float(reached.get(s, math.nan))) for s in plan.assumptions.stages]
    out = pd.DataFrame([*rows, ("won_revenue", revenue, float(won_revenue))], columns=["item", "needed", "reached"])
    out["coverage"] = out["reached"] / out["needed"].where(out["needed"] > 0)
    return out
