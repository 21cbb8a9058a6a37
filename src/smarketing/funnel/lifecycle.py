"""The lifecycle funnel: counts, conversion, time between stages, breakdowns, cohorts, the monthly trend.

Built on stage reach (smarketing.reach). Cohort mode counts leads created in the window, followed to
today; period mode counts the stage reaches that happened in the window.
"""

from __future__ import annotations

import ibis
import pandas as pd

from smarketing.filters import ALL_TIME, Filters, cohort_leads, in_window, segment_leads
from smarketing.funnel.breakdowns import band_of, band_order, is_number, numeric_bands
from smarketing.reach import days_between, reach_column, reached, recorded_stages, stage_reach
from smarketing.stages import StageModel, resolve

EMPLOYEE_BANDS = [(1, 50, "1–49"), (50, 200, "50–199"), (200, 1000, "200–999"), (1000, 5000, "1,000–4,999"),
                  (5000, None, "5,000+")]
DERIVED_COLUMNS = ("employees_band",)
TOP_N = 20  # a breakdown shows the categories with most leads, the rest as one OTHER row
OTHER = "(other)"
ID_SHARE = 0.9  # a column where this share of the leads has a value of its own is an id, not a group


class BreakdownError(ValueError):
    """A column that cannot be broken down by (an id: nearly every lead its own value)."""

    def __init__(self, by: str, values: int, rows: int):
        self.by, self.values, self.rows = by, values, rows
        super().__init__(f"cannot break down by '{by}': {values:,} of the {rows:,} leads have a value of their own "
                         f"(an id, not a group of leads); choose a column that groups leads")


def breakdown_values(table: ibis.Table, by: str) -> int:
    """How many categories a breakdown column has among `table`'s leads; BreakdownError when it is an id."""
    if by in DERIVED_COLUMNS or by not in table.columns or is_number(table[by]):
        return 0  # a number is grouped in bands
    stats = table.aggregate(rows=table.count(), values=table[by].nunique()).execute().iloc[0]
    rows, values = int(stats["rows"]), int(stats["values"])
    if values > TOP_N and values >= ID_SHARE * rows:
        raise BreakdownError(by, values, rows)
    return values


def with_breakdown(table: ibis.Table, by: str | None, top: int | None = TOP_N,
                   bands_from: ibis.Table | None = None) -> ibis.Table:
    """Add the breakdown column `by` (a lead column or a derived one such as employees_band): the `top`
    categories with most leads keep their name, the others become OTHER (ranked in the database, so a column
    with a million values costs one more aggregation, not a million groups); a numeric column in quintile bands
    cut on `bands_from` (all the leads, so that periods compare; else `table`)."""
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
    if is_number(table[by]):
        return table.mutate(**{by: band_of(table[by], numeric_bands(table if bands_from is None else bands_from, by))})
    table = table.mutate(**{by: table[by].cast("string").fill_null("(none)")})
    if top is None:
        return table
    counts = table.group_by(by).aggregate(_n=table.count())
    ranked = counts.mutate(_rank=ibis.row_number().over(order_by=[ibis.desc("_n"), counts[by]]))
    kept = ranked.filter(ranked._rank < top).select(_kept=ranked[by])
    joined = table.left_join(kept, table[by] == kept._kept)
    named = ibis.ifelse(joined._kept.notnull(), joined[by], ibis.literal(OTHER))
    return joined.select(*[c for c in table.columns if c != by], **{by: named})


def lifecycle_funnel(
    con, filters: Filters = ALL_TIME, stages: StageModel | None = None, by: str | None = None
) -> pd.DataFrame:
    """Leads reaching each stage, conversion from the previous and the first stage, days between stages.

    Columns: [by,] stage, recorded, from_stage, leads, conversion_from_previous, conversion_from_first,
    median_days_from_previous, p90_days_from_previous (rates as fractions 0–1). A stage the data does not
    record (reach.recorded_stages) has recorded False and no conversion or days; the stage after it converts
    from, and is timed from, the last recorded stage before it (from_stage).
    """
    stages = resolve(stages)
    recorded = set(recorded_stages(con, stages))
    scoped = cohort_leads(stage_reach(con, stages), filters)
    values = breakdown_values(scoped, by) if by else 0
    reach = with_breakdown(scoped, by, bands_from=con.table("leads"))
    cols = [reach_column(s) for s in stages.names]
    metrics = {}
    previous = None
    for k, col in enumerate(cols):
        hit = reached(reach, col, filters)
        metrics[f"n{k}"] = hit.sum()
        if previous is not None and stages.names[k] in recorded:
            gap = days_between(reach[col], reach[cols[previous]])
            metrics[f"med{k}"] = gap.median(where=hit)
            metrics[f"p90{k}"] = gap.quantile(0.9, where=hit)
        if stages.names[k] in recorded:
            previous = k
    grouped = reach.group_by(by).aggregate(**metrics) if by else reach.aggregate(**metrics)
    wide = grouped.execute()
    order = breakdown_order(con, by)
    frame = long_funnel(wide, stages, by, recorded, order)
    frame.attrs["bands"] = bool(order) and by != "employees_band"  # a number's bands: shown lowest first
    if values > TOP_N:  # the rest were grouped as OTHER: said where the frame is shown
        frame.attrs["note"] = (f"{by} has {values:,} values: the {TOP_N} with most leads are shown, the other "
                               f"{values - TOP_N:,} as {OTHER}")
        frame.attrs["breakdown_values"] = values
    return frame


def breakdown_order(con, by: str | None) -> list[str] | None:
    """The order of a breakdown's groups when it has one (company-size bands, a number's bands), else None."""
    if by == "employees_band":
        return [label for _, _, label in EMPLOYEE_BANDS]
    leads = con.table("leads")
    return band_order(numeric_bands(leads, by)) if by in leads.columns and is_number(leads[by]) else None


def long_funnel(wide: pd.DataFrame, stages: StageModel, by: str | None, recorded: set[str],
                order: list[str] | None = None) -> pd.DataFrame:
    """One row per stage (and segment) from the wide aggregate: n<k> leads, med<k> / p90<k> days from the previous
    recorded stage, for stage index k (shared by the funnel types: reached, and every stage in order). Rates
    from the first are from the first recorded stage (the funnel starts there)."""
    rows = []
    start = next((k for k, name in enumerate(stages.names) if name in recorded), None)
    for _, row in wide.iterrows():
        first = (row[f"n{start}"] or 0) if start is not None else 0
        previous = None
        for k, name in enumerate(stages.names):
            n = int(row[f"n{k}"] or 0)
            counted = name in recorded
            prev = int(row[f"n{previous}"] or 0) if previous is not None else None
            timed = counted and previous is not None
            rows.append({
                **({by: row[by]} if by else {}),
                "stage": name,
                "recorded": counted,
                "from_stage": stages.names[previous] if timed else None,
                "leads": n,
                "conversion_from_previous": float("nan") if not counted else
                (n / prev if prev else float("nan")) if previous is not None else 1.0,
                "conversion_from_first": n / first if first and counted else float("nan"),
                "median_days_from_previous": _num(row.get(f"med{k}")) if timed else float("nan"),
                "p90_days_from_previous": _num(row.get(f"p90{k}")) if timed else float("nan"),
            })
            if counted:
                previous = k
    columns = [*([by] if by else []), "stage", "recorded", "from_stage", "leads", "conversion_from_previous",
               "conversion_from_first", "median_days_from_previous", "p90_days_from_previous"]
    frame = pd.DataFrame(rows, columns=columns)
    if by:
        order = {label: i for i, label in enumerate(order or ([label for _, _, label in EMPLOYEE_BANDS]
                                                              if by == "employees_band" else []))}
        key = (lambda col: col.map(order).fillna(len(order))) if order else (
            lambda col: col.map(lambda v: (v == OTHER, str(v))))  # the rest grouped as OTHER comes last
        frame = frame.sort_values([by], kind="stable", key=key).reset_index(drop=True)
    return frame


def breakdown_table(split: pd.DataFrame, by: str, stages: StageModel | None = None) -> pd.DataFrame:
    """A breakdown funnel (lifecycle_funnel(..., by=by)) as one row per segment: leads per recorded stage and
    the overall conversion (first stage to the last recorded one), largest first (a number's bands lowest first)."""
    stages = resolve(stages)
    names = split.loc[split.recorded, "stage"].drop_duplicates().tolist()
    first, last = names[0], names[-1]
    wide = split.pivot_table(index=by, columns="stage", values="leads", sort=False).reindex(columns=names)
    overall = split[split.stage == last].set_index(by)["conversion_from_first"]
    wide = wide.reset_index().assign(overall_conversion=lambda w: w[by].map(overall))
    if split.attrs.get("bands"):  # a number's bands, lowest first (as lifecycle_funnel gives them)
        return wide.reset_index(drop=True)
    return wide.sort_values(first, ascending=False, kind="stable").reset_index(drop=True)


def shown_funnel(funnel: pd.DataFrame) -> pd.DataFrame:
    """The funnel as its table shows it: a stage the data does not record has no numbers (not zeros), and the
    days are between the stages named (from_stage → stage)."""
    shown = funnel.astype({"leads": "float64"})
    shown.loc[~shown.recorded, "leads"] = float("nan")
    return shown.drop(columns=["recorded"])


def _num(value) -> float:
    return float("nan") if value is None or pd.isna(value) else float(value)


def cohort_table(con, filters: Filters = ALL_TIME, stages: StageModel | None = None) -> pd.DataFrame:
    """Monthly cohorts (leads created in the window): leads, and the share of each cohort reaching each stage.

    Columns: cohort (first day of the month), leads, then one column per recorded stage with the share 0–1.
    """
    stages = resolve(stages)
    names = recorded_stages(con, stages)
    cohort_filters = Filters(filters.since, filters.until, "cohort", filters.segments)
    reach = cohort_leads(stage_reach(con, stages), cohort_filters)
    reach = reach.mutate(cohort=reach.created_at.truncate("M").cast("date"))
    metrics = {name: reach[reach_column(name)].notnull().sum() for name in names}
    wide = reach.group_by("cohort").aggregate(leads=reach.count(), **metrics).order_by("cohort").execute()
    for name in names:
        wide[name] = wide[name] / wide["leads"]
    wide["cohort"] = pd.to_datetime(wide["cohort"])
    return wide[["cohort", "leads", *names]]


def side_stage_counts(con, filters: Filters = ALL_TIME, stages: StageModel | None = None) -> pd.DataFrame:
    """Leads that entered each side stage (Evangelist, Other …) under the same filters."""
    stages = resolve(stages)
    leads = cohort_leads(segment_leads(con.table("leads"), filters), filters)
    changes = con.table("stage_changes")
    changes = changes.filter(changes.stage.isin([s.name for s in stages.side]))
    if filters.mode == "period":
        changes = changes.filter(in_window(changes.entered_at, filters))
    joined = changes.semi_join(leads, changes.lead_id == leads.lead_id)
    out = joined.group_by("stage").aggregate(leads=joined.lead_id.nunique()).execute()
    return out.sort_values("leads", ascending=False).reset_index(drop=True)


def stage_trend(con, filters: Filters = ALL_TIME, stages: StageModel | None = None) -> pd.DataFrame:
    """Reaches of the recorded stages per calendar month inside the window (period view): columns month,
    stage, leads."""
    stages = resolve(stages)
    reach = segment_leads(stage_reach(con, stages), filters)
    parts = []
    for name in recorded_stages(con, stages):
        col = reach[reach_column(name)]
        sub = reach.filter(col.notnull() & in_window(col, filters))
        parts.append(sub.group_by(month=col.truncate("M").cast("date")).aggregate(leads=sub.count())
                     .mutate(stage=ibis.literal(name)))
    out = ibis.union(*parts).execute()
    out["month"] = pd.to_datetime(out["month"])
    order = {name: i for i, name in enumerate(stages.names)}
    return out.sort_values(["month", "stage"], key=lambda c: c.map(order) if c.name == "stage" else c)[
        ["month", "stage", "leads"]].reset_index(drop=True)
