"""The behaviour funnel: ordered event steps within a conversion window.

A lead counts at step k when it did steps 1..k in that order, each step after the previous one and
all within `window_days` of the lead's first step 1 (in period mode: its first step 1 in the window).
"""

from __future__ import annotations

import ibis
import pandas as pd

from smarketing.filters import ALL_TIME, Filters, cohort_leads, in_window

MAX_STEPS = 6


def behaviour_funnel(con, steps: list[str], window_days: float, filters: Filters = ALL_TIME) -> pd.DataFrame:
    """Leads at each step; columns step, event_type, leads, conversion_from_previous, conversion_from_first,
    median_hours_from_previous."""
    if not 2 <= len(steps) <= MAX_STEPS:
        raise ValueError(f"a behaviour funnel needs 2 to {MAX_STEPS} steps, got {len(steps)}")
    if window_days <= 0:
        raise ValueError(f"the conversion window must be positive, got {window_days} days")
    events = con.table("events")
    events = events.filter(events.event_type.isin(list(dict.fromkeys(steps))))
    first = events.filter(events.event_type == steps[0])
    if filters.mode == "period":
        first = first.filter(in_window(first.ts, filters))
    reached = first.group_by("lead_id").aggregate(t0=first.ts.min())
    if filters.mode == "cohort" or filters.segments:  # only the starters need the lead filter
        leads = cohort_leads(con.table("leads"), filters)
        reached = reached.semi_join(leads, reached.lead_id == leads.lead_id)
    window = ibis.interval(seconds=int(window_days * 86_400))
    for k, step in enumerate(steps[1:], start=1):
        step_events = events.filter(events.event_type == step)
        step_events = step_events.select(s_lead=step_events.lead_id, s_ts=step_events.ts)
        prev = reached
        joined = prev.join(
            step_events,
            (prev.lead_id == step_events.s_lead)
            & (step_events.s_ts > prev[f"t{k - 1}"])
            & (step_events.s_ts <= prev.t0 + window),
        )
        nxt = joined.group_by(n_lead=joined.lead_id).aggregate(**{f"t{k}": joined.s_ts.min()})
        reached = prev.left_join(nxt, prev.lead_id == nxt.n_lead).select(prev, nxt[f"t{k}"])
    metrics = {f"n{k}": reached[f"t{k}"].count() for k in range(len(steps))}
    for k in range(1, len(steps)):
        hours = (reached[f"t{k}"].epoch_seconds() - reached[f"t{k - 1}"].epoch_seconds()) / 3600
        metrics[f"h{k}"] = hours.median()
    row = reached.aggregate(**metrics).execute().iloc[0]
    return _steps_frame(row, steps)


def _steps_frame(row: pd.Series, steps: list[str]) -> pd.DataFrame:
    first = int(row["n0"] or 0)
    out = []
    for k, step in enumerate(steps):
        n = int(row[f"n{k}"] or 0)
        prev = int(row[f"n{k - 1}"] or 0) if k else n
        out.append({
            "step": k + 1,
            "event_type": step,
            "leads": n,
            "conversion_from_previous": n / prev if prev else float("nan"),
            "conversion_from_first": n / first if first else float("nan"),
            "median_hours_from_previous": float(row[f"h{k}"]) if k and pd.notna(row[f"h{k}"]) else float("nan"),
        })
    return pd.DataFrame(out)
