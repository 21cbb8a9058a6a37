"""From journeys to the funnel table: leads per step, conversion, median hours between steps.

A lead counts at a step when one of its journeys reaches it (with first occurrence a lead has one journey).
Hours from the previous step are taken on the lead's earliest-starting journey that reached the step, from
the last required step before it (an optional step's lead may have skipped the step just above it).
"""

from __future__ import annotations

import ibis
import pandas as pd

from smarketing.funnel.behaviour.journeys import time_col
from smarketing.funnel.behaviour.params import FunnelParams


def step_counts(table: ibis.Table, p: FunnelParams) -> pd.Series:
    """One row of n1..nn (leads at each step) and h2..hn (median hours from the previous required step)."""
    n = len(p.steps)
    hours = {k: (table[time_col(k)].epoch_seconds() - table[time_col(p.previous_required(k))].epoch_seconds()) / 3600
             for k in range(2, n + 1)}
    if p.occurrence == "any":  # several journeys per lead: one value per lead first
        per_lead = table.group_by("lead_id").aggregate(
            **{f"at{k}": table[time_col(k)].notnull().any() for k in range(1, n + 1)},
            **{f"g{k}": hours[k].argmin(table.a, where=table[time_col(k)].notnull()) for k in range(2, n + 1)},
        )
        metrics = {f"n{k}": per_lead[f"at{k}"].sum() for k in range(1, n + 1)}
        metrics |= {f"h{k}": per_lead[f"g{k}"].median() for k in range(2, n + 1)}
        return per_lead.aggregate(**metrics).execute().iloc[0]
    metrics = {f"n{k}": table[time_col(k)].count() for k in range(1, n + 1)}
    metrics |= {f"h{k}": hours[k].median() for k in range(2, n + 1)}
    return table.aggregate(**metrics).execute().iloc[0]


def steps_frame(row: pd.Series, p: FunnelParams) -> pd.DataFrame:
    """Columns step, event_type, optional, leads, conversion_from_previous (from the last required step
    before it), conversion_from_first, median_hours_from_previous."""
    first = _int(row["n1"])
    out = []
    for k, step in enumerate(p.steps, start=1):
        n = _int(row[f"n{k}"])
        prev = _int(row[f"n{p.previous_required(k)}"]) if k > 1 else n
        hours = row.get(f"h{k}") if k > 1 else None
        out.append({
            "step": k,
            "event_type": step,
            "optional": not p.required(k),
            "leads": n,
            "conversion_from_previous": n / prev if prev else float("nan"),
            "conversion_from_first": n / first if first else float("nan"),
            "median_hours_from_previous": float(hours) if hours is not None and pd.notna(hours) else float("nan"),
        })
    return pd.DataFrame(out)


def _int(value) -> int:
    return 0 if value is None or pd.isna(value) else int(value)
