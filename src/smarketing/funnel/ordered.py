"""The lifecycle funnel's second type: leads that passed every stage in order (HubSpot's "all stages in order"),
beside the first type, leads that reached a stage or any later one (funnel.lifecycle, smarketing.reach).

A lead passed stage S in order when it entered every recorded stage up to S, each one's first entry at or after
the previous stage's first entry, none skipped. Its first entry into the first stage is its creation (or an
earlier recorded entry), as in stage reach. Stages this data never records (reach.recorded_stages) are not
required and have no count. Cohort mode counts leads created in the window; period mode counts the leads whose
in-order entry into the stage happened in the window. Days between stages are between those first entries.
"""

from __future__ import annotations

import ibis
import pandas as pd

from smarketing.filters import ALL_TIME, Filters, cohort_leads, in_window
from smarketing.funnel.lifecycle import (
    breakdown_order,
    lifecycle_funnel,
    long_funnel,
    shown_funnel,
    with_breakdown,
)
from smarketing.reach import days_between, recorded_stages
from smarketing.stages import StageModel, resolve

FUNNEL_TYPES = ("reached", "ordered")


def first_entries(con, names: list[str], filters: Filters = ALL_TIME, created: bool = True) -> ibis.Table:
    """One row per lead of the cohort and segments: its columns and e<k>, the first time it entered stage
    names[k] itself (names[0], when `created` (it is the model's first stage): its creation, or an earlier
    recorded entry)."""
    leads = cohort_leads(con.table("leads"), filters)
    changes = con.table("stage_changes")
    changes = changes.filter(changes.stage.isin(names))
    firsts = changes.group_by(f_lead=changes.lead_id).aggregate(
        **{f"_f{k}": changes.entered_at.min(where=changes.stage == name) for k, name in enumerate(names)})
    joined = leads.left_join(firsts, leads.lead_id == firsts.f_lead)
    entries = {"e0": ibis.least(joined.created_at, joined._f0.fill_null(joined.created_at)) if created else joined._f0}
    entries |= {f"e{k}": joined[f"_f{k}"] for k in range(1, len(names))}
    return joined.select(*leads.columns, **entries)


def ordered_funnel(con, filters: Filters = ALL_TIME, stages: StageModel | None = None,
                   by: str | None = None) -> pd.DataFrame:
    """Leads that passed every recorded stage in order up to each stage; the columns of
    lifecycle.lifecycle_funnel (stage, recorded, from_stage, leads, conversion_from_previous,
    conversion_from_first, median_days_from_previous, p90_days_from_previous)."""
    stages = resolve(stages)
    names = recorded_stages(con, stages)
    table = with_breakdown(first_entries(con, names, filters, created=names[0] == stages.names[0]), by,
                           bands_from=con.table("leads"))
    metrics, in_order = {}, None
    for k, name in enumerate(names):
        entry = table[f"e{k}"]
        in_order = entry.notnull() if k == 0 else in_order & entry.notnull() & (entry >= table[f"e{k - 1}"])
        counted = in_order & in_window(entry, filters) if filters.mode == "period" else in_order
        index = stages.index(name)
        metrics[f"n{index}"] = counted.sum()
        if k:
            gap = days_between(entry, table[f"e{k - 1}"])
            metrics[f"med{index}"] = gap.median(where=counted)
            metrics[f"p90{index}"] = gap.quantile(0.9, where=counted)
    for index, name in enumerate(stages.names):
        if name not in names:
            metrics[f"n{index}"] = ibis.literal(0)
    grouped = table.group_by(by).aggregate(**metrics) if by else table.aggregate(**metrics)
    return long_funnel(grouped.execute(), stages, by, set(names), breakdown_order(con, by))


def funnel_types(con, filters: Filters = ALL_TIME, stages: StageModel | None = None) -> pd.DataFrame:
    """Both funnel types side by side, per recorded stage: reached (the stage or any later one), in_order
    (every recorded stage in order up to it) and in_order_share (in_order / reached)."""
    reached = lifecycle_funnel(con, filters, stages)
    ordered = ordered_funnel(con, filters, stages)
    out = reached.loc[reached.recorded, ["stage", "leads"]].rename(columns={"leads": "reached"})
    out["in_order"] = out["stage"].map(ordered.set_index("stage")["leads"]).astype("int64")
    out["in_order_share"] = out["in_order"] / out["reached"].where(out["reached"] > 0)
    return out.reset_index(drop=True)


def shown_side_by_side(ordered: pd.DataFrame, reached: pd.DataFrame) -> pd.DataFrame:
    """The in-order funnel as its table shows it (lifecycle.shown_funnel), with the reached count of each stage and
    the share of those that passed every stage in order beside its own count."""
    shown = shown_funnel(ordered)
    counts = reached.set_index("stage")["leads"].where(reached.set_index("stage")["recorded"])
    shown.insert(shown.columns.get_loc("leads") + 1, "reached", shown["stage"].map(counts).astype("float64"))
    shown.insert(shown.columns.get_loc("reached") + 1, "in_order_share",
                 shown["leads"] / shown["reached"].where(shown["reached"] > 0))
    return shown
