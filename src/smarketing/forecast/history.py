"""What the forecast reads from the database, aggregated there into small monthly tables.

The pipeline chain is the stages with a role (mql → sql → opportunity → won, StageModel.role) that this data
records (reach.recorded_stages). A lead's time at a chain stage is its stage reach (the stage or a later one),
and for won also its first won deal (smarketing.deals: a won deal or the won stage); each time is then the
earliest of its own and the later stages' (a lead that won skipped nothing on the way). Times are kept as
calendar-month indexes (year × 12 + month − 1): one row per (channel, month created, month at each chain stage)
with its number of leads, so every cut-off, run rate and backtest works on that small table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import ibis
import pandas as pd

from smarketing.deals import won_deals
from smarketing.filters import Filters, segment_leads, segment_spend, unsplit_segments
from smarketing.reach import reach_column, recorded_stages, stage_reach
from smarketing.stages import ROLES, StageModel

NONE = "(none)"


def month_index(value) -> ibis.IntegerValue:
    return value.year() * 12 + value.month() - 1


def index_of(day: date) -> int:
    return day.year * 12 + day.month - 1


def month_start(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class History:
    """chain: (role, stage) pairs in funnel order; journeys: channel, m0 (month created), m1..mK (month at each
    chain stage, NaN: never), leads; revenue: month, won_deals, priced, amount (won deals by month closed);
    spend: channel, month, cost; last_month: the index of the last month with a new lead (None: no leads)."""

    chain: tuple[tuple[str, str], ...]
    journeys: pd.DataFrame
    revenue: pd.DataFrame
    spend: pd.DataFrame
    last_month: int | None
    last_day: date | None


def chain_of(con, stages: StageModel) -> tuple[tuple[str, str], ...]:
    """The role stages this data records, in funnel order."""
    recorded = set(recorded_stages(con, stages))
    return tuple((role, stages.role(role)) for role in ROLES if stages.role(role) in recorded)


def read_history(con, stages: StageModel, filters: Filters, channel: str) -> History:
    chain = chain_of(con, stages)
    reach = segment_leads(stage_reach(con, stages), filters)
    if channel not in reach.columns:
        raise ValueError(f"unknown channel column '{channel}' (expected a lead column such as source_group)")
    won = won_deals(con)
    won = won.group_by(w_lead=won.lead_id).aggregate(w_at=ibis.coalesce(won.closed_at, won.created_at).min())
    table = reach.left_join(won, reach.lead_id == won.w_lead)
    times = [table[reach_column(stage)] for _, stage in chain]
    if chain and chain[-1][0] == "won":
        times[-1] = ibis.least(times[-1], table.w_at)  # DuckDB's least skips a NULL
    for k in range(len(times) - 2, -1, -1):
        times[k] = ibis.least(times[k], times[k + 1])
    months = {"m0": month_index(table.created_at)}
    months |= {f"m{k}": month_index(t) for k, t in enumerate(times, start=1)}
    key = table[channel].cast("string").fill_null(NONE).name("channel")
    journeys = table.group_by(key, **months).aggregate(leads=table.count()).execute()
    span = reach.aggregate(last=reach.created_at.max()).execute()["last"].iloc[0]
    last_day = None if span is None or pd.isna(span) else pd.Timestamp(span).date()
    return History(chain, journeys.astype({"leads": "int64"}), _revenue(con, filters),
                   _spend(con, filters, channel), None if last_day is None else index_of(last_day), last_day)


def _revenue(con, filters: Filters) -> pd.DataFrame:
    deals = won_deals(con)
    leads = segment_leads(con.table("leads"), filters)
    deals = deals.semi_join(leads, deals.lead_id == leads.lead_id)
    closed = ibis.coalesce(deals.closed_at, deals.created_at)
    amount = deals.amount.cast("float64")  # a DECIMAL amount would come back as Python decimals
    out = deals.group_by(month=month_index(closed)).aggregate(
        won_deals=deals.count(), priced=(amount > 0).sum(), amount=amount.sum(where=amount > 0))
    return out.execute().fillna({"amount": 0.0, "priced": 0}).astype({"amount": "float64", "priced": "int64"})


def _spend(con, filters: Filters, channel: str) -> pd.DataFrame:
    spend = con.table("spend")
    if channel not in spend.columns or unsplit_segments(filters, spend.columns):  # no cost by that segment
        return pd.DataFrame({"channel": pd.Series(dtype=str), "month": pd.Series(dtype="int64"),
                             "cost": pd.Series(dtype=float)})
    spend = segment_spend(spend, filters)
    key = spend[channel].cast("string").fill_null(NONE).name("channel")
    out = spend.group_by(key, month=month_index(spend.date.cast("timestamp"))).aggregate(
        cost=spend.cost.cast("float64").sum())
    return out.execute().astype({"cost": "float64"})


def default_cutoff(history: History) -> int | None:
    """The month the forecast starts: the one after the last full month of data (a last lead on a month's last
    day makes that month full)."""
    if history.last_day is None:
        return None
    day = history.last_day
    full = (pd.Timestamp(day) + pd.Timedelta(days=1)).day == 1
    return history.last_month + 1 if full else history.last_month
