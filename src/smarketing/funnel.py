"""The lifecycle funnel: stage reach, counts, conversion, time between stages, breakdowns, cohorts.

A lead *reaches* a stage when it enters that stage or any later one (skipped stages are implied, a
return to nurture does not undo a stage). Every lead has reached the first stage when it was created.
Cohort mode counts leads created in the window, followed to today; period mode counts the stage
reaches that happened in the window.
"""

from __future__ import annotations

import hashlib
import re

import ibis
import pandas as pd

from smarketing.filters import ALL_TIME, Filters, cohort_leads, in_window, segment_leads
from smarketing.stages import DEFAULT_STAGES, StageModel

SECONDS_PER_DAY = 86_400
EMPLOYEE_BANDS = [(1, 50, "1–49"), (50, 200, "50–199"), (200, 1000, "200–999"), (1000, 5000, "1,000–4,999"),
                  (5000, None, "5,000+")]
DERIVED_COLUMNS = ("employees_band",)
REACH_PREFIX = "_reach_"
REACH_META = "_reach_meta"


def slug(stage: str) -> str:
    """Column-safe name of a stage: 'Opportunity' -> 'opportunity'."""
    return re.sub(r"\W+", "_", stage.strip().lower()).strip("_")


def reach_column(stage: str) -> str:
    return f"at_{slug(stage)}"


def stage_reach(con, stages: StageModel = DEFAULT_STAGES) -> ibis.Table:
    """One row per lead: the lead's columns plus at_<stage>, when it first reached each main stage.

    Reads the materialized table that `refresh_reach` keeps after every import, when it is current;
    otherwise computes the same expression on the fly.
    """
    name = reach_table_name(stages)
    if _reach_is_current(con, name):
        return con.table(name)
    return _reach_expr(con, stages)


def reach_table_name(stages: StageModel) -> str:
    digest = hashlib.sha1("\x1f".join(stages.names).encode()).hexdigest()[:10]
    return f"{REACH_PREFIX}{digest}"


def _source_counts(con) -> tuple[int, int]:
    return int(con.table("leads").count().execute()), int(con.table("stage_changes").count().execute())


def _reach_is_current(con, name: str) -> bool:
    """The materialized reach exists and was built from tables of the present size."""
    tables = set(con.list_tables())
    if name not in tables or REACH_META not in tables:
        return False
    meta = con.table(REACH_META)
    row = meta.filter(meta.name == name).execute()
    return len(row) == 1 and (int(row.leads.iloc[0]), int(row.changes.iloc[0])) == _source_counts(con)


def refresh_reach(con, stages: StageModel = DEFAULT_STAGES) -> None:
    """Materialize stage_reach for a stage model (called after imports; needs a writable connection).

    Queries then scan one row per lead instead of re-aggregating the stage changes every time.
    """
    name = reach_table_name(stages)
    # ibis 12's create_table emits a statement DuckDB 1.5 rejects here, so the compiled query is wrapped
    # in CREATE TABLE directly (the SQL is ibis's own compilation; no user value is formatted into it).
    db = con.con
    db.execute(f'CREATE OR REPLACE TABLE "{name}" AS {ibis.to_sql(_reach_expr(con, stages), dialect="duckdb")}')
    leads, changes = _source_counts(con)
    db.execute(f'CREATE TABLE IF NOT EXISTS "{REACH_META}" (name VARCHAR, leads BIGINT, changes BIGINT)')
    db.execute(f'DELETE FROM "{REACH_META}" WHERE name = ?', [name])
    db.execute(f'INSERT INTO "{REACH_META}" VALUES (?, ?, ?)', [name, leads, changes])


def _reach_expr(con, stages: StageModel) -> ibis.Table:
    leads = con.table("leads")
    changes = con.table("stage_changes")
    index = changes.stage.cases(*[(name, i) for i, name in enumerate(stages.names)], else_=-1)
    firsts = changes.group_by(changes.lead_id).aggregate(
        **{f"_r{k}": changes.entered_at.min(where=index >= k) for k in range(len(stages.names))}
    )
    joined = leads.left_join(firsts, leads.lead_id == firsts.lead_id)
    first = reach_column(stages.names[0])
    reach = {first: ibis.least(joined.created_at, joined._r0.fill_null(joined.created_at))}
    for k, name in enumerate(stages.names[1:], start=1):
        reach[reach_column(name)] = joined[f"_r{k}"]
    return joined.select(*leads.columns, **reach)


def with_breakdown(table: ibis.Table, by: str | None) -> ibis.Table:
    """Add the breakdown column `by` (a lead column or a derived one such as employees_band)."""
    if by is None:
        return table
    if by == "employees_band":
        band = ibis.cases(
            *[((table.employees >= lo) & (table.employees < hi) if hi else table.employees >= lo, label)
              for lo, hi, label in EMPLOYEE_BANDS],
            else_="unknown",
        )
        return table.mutate(employees_band=band)
    if by not in table.columns:
        raise ValueError(f"cannot break down by '{by}': no such lead column")
    return table.mutate(**{by: table[by].cast("string").fill_null("(none)")})


def _reached(table: ibis.Table, column: str, filters: Filters) -> ibis.BooleanValue:
    col = table[column]
    if filters.mode == "period":
        return col.notnull() & in_window(col, filters)
    return col.notnull()


def _days(later, earlier):
    return (later.epoch_seconds() - earlier.epoch_seconds()) / SECONDS_PER_DAY


def lifecycle_funnel(
    con, filters: Filters = ALL_TIME, stages: StageModel = DEFAULT_STAGES, by: str | None = None
) -> pd.DataFrame:
    """Leads reaching each stage, conversion from the previous and the first stage, days between stages.

    Columns: [by,] stage, leads, conversion_from_previous, conversion_from_first,
    median_days_from_previous, p90_days_from_previous (rates as fractions 0–1).
    """
    reach = with_breakdown(cohort_leads(stage_reach(con, stages), filters), by)
    cols = [reach_column(s) for s in stages.names]
    metrics = {}
    for k, col in enumerate(cols):
        hit = _reached(reach, col, filters)
        metrics[f"n{k}"] = hit.sum()
        if k:
            gap = _days(reach[col], reach[cols[k - 1]])
            metrics[f"med{k}"] = gap.median(where=hit)
            metrics[f"p90{k}"] = gap.quantile(0.9, where=hit)
    grouped = reach.group_by(by).aggregate(**metrics) if by else reach.aggregate(**metrics)
    wide = grouped.execute()
    return _long_funnel(wide, stages, by)


def _long_funnel(wide: pd.DataFrame, stages: StageModel, by: str | None) -> pd.DataFrame:
    rows = []
    for _, row in wide.iterrows():
        first = row["n0"] or 0
        for k, name in enumerate(stages.names):
            n = int(row[f"n{k}"] or 0)
            prev = int(row[f"n{k - 1}"] or 0) if k else None
            rows.append({
                **({by: row[by]} if by else {}),
                "stage": name,
                "leads": n,
                "conversion_from_previous": (n / prev if prev else float("nan")) if k else 1.0,
                "conversion_from_first": n / first if first else float("nan"),
                "median_days_from_previous": _num(row.get(f"med{k}")) if k else float("nan"),
                "p90_days_from_previous": _num(row.get(f"p90{k}")) if k else float("nan"),
            })
    columns = [*([by] if by else []), "stage", "leads", "conversion_from_previous", "conversion_from_first",
               "median_days_from_previous", "p90_days_from_previous"]
    frame = pd.DataFrame(rows, columns=columns)
    if by:
        order = {label: i for i, (_, _, label) in enumerate(EMPLOYEE_BANDS)} if by == "employees_band" else None
        key = (lambda col: col.map(order).fillna(len(order))) if order else None
        frame = frame.sort_values([by], kind="stable", key=key).reset_index(drop=True)
    return frame


def _num(value) -> float:
    return float("nan") if value is None or pd.isna(value) else float(value)


def cohort_table(con, filters: Filters = ALL_TIME, stages: StageModel = DEFAULT_STAGES) -> pd.DataFrame:
    """Monthly cohorts (leads created in the window): leads, and the share of each cohort reaching each stage.

    Columns: cohort (first day of the month), leads, then one column per stage with the share 0–1.
    """
    cohort_filters = Filters(filters.since, filters.until, "cohort", filters.segments)
    reach = cohort_leads(stage_reach(con, stages), cohort_filters)
    reach = reach.mutate(cohort=reach.created_at.truncate("M").cast("date"))
    metrics = {name: reach[reach_column(name)].notnull().sum() for name in stages.names}
    wide = reach.group_by("cohort").aggregate(leads=reach.count(), **metrics).order_by("cohort").execute()
    for name in stages.names:
        wide[name] = wide[name] / wide["leads"]
    wide["cohort"] = pd.to_datetime(wide["cohort"])
    return wide[["cohort", "leads", *stages.names]]


def side_stage_counts(con, filters: Filters = ALL_TIME, stages: StageModel = DEFAULT_STAGES) -> pd.DataFrame:
    """Leads that entered each side stage (Evangelist, Other …) under the same filters."""
    leads = cohort_leads(segment_leads(con.table("leads"), filters), filters)
    changes = con.table("stage_changes")
    changes = changes.filter(changes.stage.isin([s.name for s in stages.side]))
    if filters.mode == "period":
        changes = changes.filter(in_window(changes.entered_at, filters))
    joined = changes.semi_join(leads, changes.lead_id == leads.lead_id)
    out = joined.group_by("stage").aggregate(leads=joined.lead_id.nunique()).execute()
    return out.sort_values("leads", ascending=False).reset_index(drop=True)


def stage_trend(con, filters: Filters = ALL_TIME, stages: StageModel = DEFAULT_STAGES) -> pd.DataFrame:
    """Stage reaches per calendar month inside the window (period view): columns month, stage, leads."""
    reach = segment_leads(stage_reach(con, stages), filters)
    parts = []
    for name in stages.names:
        col = reach[reach_column(name)]
        sub = reach.filter(col.notnull() & in_window(col, filters))
        parts.append(sub.group_by(month=col.truncate("M").cast("date")).aggregate(leads=sub.count())
                     .mutate(stage=ibis.literal(name)))
    out = ibis.union(*parts).execute()
    out["month"] = pd.to_datetime(out["month"])
    order = {name: i for i, name in enumerate(stages.names)}
    return out.sort_values(["month", "stage"], key=lambda c: c.map(order) if c.name == "stage" else c)[
        ["month", "stage", "leads"]].reset_index(drop=True)
