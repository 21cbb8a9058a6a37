"""The full-chain channel table: source group → source → campaign, from spend to won revenue.

Lead counts come from `reach.stage_reach` and `reach.reached` (one source of truth for who reached which stage), cost,
impressions and clicks from `spend`. Cohort mode follows the leads created in the window to today;
period mode counts what happened in the window (leads created, stages reached, deals won, MQLs
returned). Spend always counts the days in the window.
"""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd

from smarketing.deals import has_amounts, won_deals
from smarketing.filters import (
    Filters,
    cohort_leads,
    in_window,
    segment_leads,
    segment_spend,
    unsplit_segments,
)
from smarketing.labels import label, t
from smarketing.leadflow.normalize import email_key
from smarketing.reach import reach_column, reached, recorded_stages, stage_reach
from smarketing.stages import StageModel, resolve
from smarketing.store import derived

LEVELS = ("source_group", "source", "campaign")
NONE_LABEL = "(none)"
TOTAL_LABEL = "Total"
COUNTS = ("impressions", "clicks", "cost", "leads", "new_leads", "returning_leads", "mql", "mqls_returned",
          "sql", "opportunities", "customers", "won_revenue")
# rate column: (numerator, denominator)
RATES = {
    "ctr": ("clicks", "impressions"),
    "lead_to_mql": ("mql", "leads"),
    "mql_returned_rate": ("mqls_returned", "mql"),
    "mql_to_sql": ("sql", "mql"),
    "sql_to_opportunity": ("opportunities", "sql"),
    "opportunity_to_customer": ("customers", "opportunities"),
    "cost_per_lead": ("cost", "leads"),
    "cost_per_mql": ("cost", "mql"),
    "cost_per_customer": ("cost", "customers"),
    "romi": ("won_revenue", "cost"),
}
COLUMNS = ("impressions", "clicks", "ctr", "cost", "leads", "new_leads", "returning_leads", "mql", "lead_to_mql",
           "mqls_returned", "mql_returned_rate", "sql", "mql_to_sql", "opportunities", "sql_to_opportunity",
           "customers", "opportunity_to_customer", "won_revenue", "cost_per_lead", "cost_per_mql",
           "cost_per_customer", "romi")


def levels_for(by: str) -> list[str]:
    """The grouping columns down to `by`: campaign rows keep their source group and source."""
    if by not in LEVELS:
        raise ValueError(f"--by must be one of {', '.join(LEVELS)}, got '{by}'")
    return list(LEVELS[: LEVELS.index(by) + 1])


def _keys(table: ibis.Table, keys: list[str]) -> dict:
    return {k: table[k].cast("string").fill_null(NONE_LABEL) for k in keys}


def _returning(leads: ibis.Table) -> ibis.Table:
    """Flag leads whose person (normalised email) already had an earlier lead."""
    key = email_key(leads.email)
    rank = ibis.row_number().over(group_by=key, order_by=[leads.created_at, leads.lead_id])
    return leads.mutate(returning=key.notnull() & (rank > 0))


RETURNING = "returning_leads"  # derived table: the ids of every returning lead (smarketing.store.derived)
RETURNING_KEY = "email, earliest first"


def returning(con, leads: ibis.Table) -> ibis.Table:
    """`leads` with `returning` (see _returning): from the derived table of the last write when it has one."""
    stored = derived.load(con, RETURNING, RETURNING_KEY)
    if stored is None:
        return _returning(leads)
    return leads.mutate(returning=leads.lead_id.isin(stored.lead_id))


def refresh_returning(con) -> None:
    """Store the ids of every returning lead (at the end of a write)."""
    flagged = _returning(con.table("leads"))
    derived.save(con, RETURNING, flagged.filter(flagged.returning).select("lead_id"), RETURNING_KEY)


def _lead_side(con, filters: Filters, keys: list[str], stages: StageModel) -> pd.DataFrame:
    reach = returning(con, stage_reach(con, stages))
    period = filters.mode == "period"
    scope = segment_leads(reach, filters) if period else cohort_leads(reach, filters)

    def hit(role: str):
        return reached(scope, reach_column(stages.require(role, "the channel table")), filters)

    handoffs = con.table("handoffs")
    returned = handoffs.returned_at
    returned = handoffs.group_by(h_lead=handoffs.lead_id).aggregate(
        returned_at=returned.min(where=in_window(returned, filters) if period else None)
    )
    scope = scope.left_join(returned, scope.lead_id == returned.h_lead)
    created = in_window(scope.created_at, filters) if period else scope.created_at.notnull()
    metrics = dict(
        leads=created.sum(),
        new_leads=(created & ~scope.returning).sum(),
        returning_leads=(created & scope.returning).sum(),
        mql=hit("mql").sum(),
        mqls_returned=scope.returned_at.notnull().sum(),
        sql=hit("sql").sum(),
        opportunities=hit("opportunity").sum(),
        customers=hit("won").sum(),
    )
    grouped = scope.group_by(**_keys(scope, keys)).aggregate(**metrics)
    revenue = _revenue(con, filters, keys)
    return grouped.execute().merge(revenue, on=keys, how="outer")


def _revenue(con, filters: Filters, keys: list[str]) -> pd.DataFrame:
    """Won deal amounts per group: of the cohort's leads, or closed in the window (period mode)."""
    deals = won_deals(con)
    leads = con.table("leads")
    if filters.mode == "period":
        deals = deals.filter(in_window(deals.closed_at, filters))
        leads = segment_leads(leads, filters)
    else:
        leads = cohort_leads(leads, filters)
    joined = deals.select("lead_id", "amount").join(leads.select("lead_id", *keys), "lead_id")
    return joined.group_by(**_keys(joined, keys)).aggregate(won_revenue=joined.amount.fill_null(0).sum()).execute()


def spend_by(con, filters: Filters, keys: list[str]) -> pd.DataFrame:
    """Impressions, clicks and cost per group for the spend days in the window."""
    spend = con.table("spend")
    day = spend.date.cast("timestamp")
    spend = segment_spend(spend.filter(in_window(day, filters)), filters)  # a segment of channels narrows it
    return spend.group_by(**_keys(spend, keys)).aggregate(
        impressions=spend.impressions.sum(), clicks=spend.clicks.sum(), cost=spend.cost.sum()
    ).execute()


def with_rates(frame: pd.DataFrame) -> pd.DataFrame:
    """Add the rate columns (NaN where the denominator is zero)."""
    out = frame.copy()
    for column, (num, den) in RATES.items():
        denominator = out[den].astype(float)
        out[column] = out[num].astype(float) / denominator.where(denominator > 0)
    return out


def channel_table(
    con, filters: Filters | None = None, by: str = "campaign", stages: StageModel | None = None,
    totals: bool = True,
) -> pd.DataFrame:
    """One row per group down to `by` (plus a Total row): spend, the lead chain, revenue and their ratios.

    Columns: the grouping columns, then COLUMNS (rates as fractions, costs in currency, romi as
    won revenue per unit of cost).
    """
    stages = resolve(stages)
    filters = filters or Filters()
    keys = levels_for(by)
    leads = _lead_side(con, filters, keys, stages)
    spend = spend_by(con, filters, keys)
    table = leads.merge(spend, on=keys, how="outer")
    unspent = table["cost"].isna().to_numpy() if "cost" in table else np.ones(len(table), bool)  # no spend row
    for column in COUNTS:
        table[column] = pd.to_numeric(table.get(column), errors="coerce").fillna(0)
    order = table.sort_values(keys).index
    table, unspent = table.loc[order].reset_index(drop=True), unspent[order]
    if totals and len(table):
        total = table[list(COUNTS)].sum().to_frame().T
        for i, key in enumerate(keys):
            total[key] = TOTAL_LABEL if i == 0 else ""
        table = pd.concat([table, total], ignore_index=True)
    table = with_rates(table)
    ints = [c for c in COUNTS if c not in ("cost", "won_revenue")]
    table[ints] = table[ints].round().astype(np.int64)
    table = _unspent(table[[*keys, *COLUMNS]], np.concatenate([unspent, np.zeros(len(table) - len(unspent), bool)]))
    return _unsplit(_unmeasured(_unrecorded(table, con, stages), con), filters)


def _unsplit(table: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Spend is recorded per channel, not per industry, country or owner: under a segment filter on such a lead
    column its costs, cost ratios and ROMI are unknown (all spend against a segment's revenue would mislead),
    and the table says so (attrs["note"])."""
    other = unsplit_segments(filters, LEVELS)
    if not other:
        return table
    table = table.astype({c: "float64" for c in SPEND_COLUMNS}).assign(**dict.fromkeys(SPEND_COLUMNS, float("nan")))
    table.attrs["note"] = t("spend_not_segmented").format(columns=", ".join(label(c) for c in other))
    return table


ROLE_COLUMNS = {"mql": ("mql", "lead_to_mql", "mqls_returned", "mql_returned_rate", "mql_to_sql", "cost_per_mql"),
                "sql": ("sql", "mql_to_sql", "sql_to_opportunity"),
                "opportunity": ("opportunities", "sql_to_opportunity", "opportunity_to_customer")}


SPEND_COLUMNS = ("impressions", "clicks", "ctr", "cost", "cost_per_lead", "cost_per_mql", "cost_per_customer", "romi")
REVENUE_COLUMNS = ("won_revenue", "romi")


def _unspent(table: pd.DataFrame, unspent: np.ndarray) -> pd.DataFrame:
    """A group the spend table has no row for (organic search, direct, referrals) has unknown costs, impressions
    and clicks, not $0: its cost per lead and ROMI are unknown too (the Total row sums the costs recorded)."""
    if not unspent.any():
        return table
    table = table.astype({c: "float64" for c in SPEND_COLUMNS})
    table.loc[unspent, list(SPEND_COLUMNS)] = float("nan")
    return table


def _unmeasured(table: pd.DataFrame, con) -> pd.DataFrame:
    """Costs without a spend table, and revenue without any won deal's amount, are unknown (NaN), not zero."""
    gone = set() if int(con.table("spend").count().execute()) else set(SPEND_COLUMNS)
    gone |= set() if has_amounts(con) else set(REVENUE_COLUMNS)
    return table.astype({c: "float64" for c in gone}).assign(**dict.fromkeys(gone, float("nan"))) if gone else table


def _unrecorded(table: pd.DataFrame, con, stages: StageModel) -> pd.DataFrame:
    """Columns of a stage the data does not record are empty, not a 100% pass-through (reach.recorded_stages)."""
    recorded = set(recorded_stages(con, stages))
    gone = {c for role, columns in ROLE_COLUMNS.items() if stages.role(role) not in recorded for c in columns}
    return table.astype({c: "float64" for c in gone}).assign(**dict.fromkeys(gone, float("nan"))) if gone else table
