"""The behaviour funnel: event steps within a conversion window, with PostHog's and Mixpanel's controls.

A lead counts at step k when one of its journeys did steps 1..k (optional steps may be skipped) in the step
order asked (in sequence, strict, or any order after step 1), inside the overall window from the journey's
step-1 event and inside each step's own window, and no exclusion dropped that journey. By default a lead's
journey starts at its first step 1 (in period mode: its first step 1 in the date range); with occurrence
"any" every step-1 event starts a journey. The definitions of every control: behaviour.params; how journeys
are followed: behaviour.journeys; how they are counted: behaviour.counts.
"""

from __future__ import annotations

import ibis
import pandas as pd

from smarketing.filters import ALL_TIME, Filters
from smarketing.funnel.behaviour.counts import step_counts, steps_frame
from smarketing.funnel.behaviour.journeys import journeys
from smarketing.funnel.behaviour.params import (
    MAX_STEPS,
    OCCURRENCES,
    ORDERS,
    Exclusion,
    FunnelParams,
    FunnelParamsError,
    make_params,
    validate,
)

__all__ = ["MAX_STEPS", "OCCURRENCES", "ORDERS", "Exclusion", "FunnelParams", "FunnelParamsError", "behaviour_funnel",
           "funnel_steps", "lead_journeys", "make_params", "validate"]


def behaviour_funnel(con, steps: list[str], window_days: float, filters: Filters = ALL_TIME, *,
                     order: str = "sequence", occurrence: str = "first", step_windows=None, optional=(),
                     exclusions=()) -> pd.DataFrame:
    """Leads at each step; columns step, event_type, optional, leads, conversion_from_previous,
    conversion_from_first, median_hours_from_previous. The controls are those of FunnelParams (see
    behaviour.params for what each means); with the defaults a lead counts at step k when it did steps 1..k in
    that order, each after the previous one, all within `window_days` of its first step 1."""
    params = make_params(steps, window_days, order, occurrence, step_windows, optional, exclusions)
    return funnel_steps(con, params, filters)


def funnel_steps(con, params: FunnelParams, filters: Filters = ALL_TIME) -> pd.DataFrame:
    """The funnel table for validated params (as behaviour_funnel)."""
    validate(params)
    return steps_frame(step_counts(journeys(con, params, filters), params), params)


def lead_journeys(con, params: FunnelParams, filters: Filters = ALL_TIME) -> ibis.Table:
    """Every journey in scope after exclusions, as an expression: lead_id, a (its step-1 event), t1..tn (the
    first moment it could be at each step, NULL when it never was). For analyses of which leads converted."""
    return journeys(con, validate(params), filters)
