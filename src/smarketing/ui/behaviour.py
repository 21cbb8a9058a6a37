"""The behaviour funnel's Streamlit parts: the steps and every control (order, occurrence, optional steps, a window
per step, excluded events) read into FunnelParams, and the result drawn. The Funnel page's behaviour tab composes
them."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from smarketing.charts import funnel as charts
from smarketing.formatting import md_text
from smarketing.funnel.behaviour import (
    MAX_STEPS,
    OCCURRENCES,
    ORDERS,
    FunnelParams,
    FunnelParamsError,
    make_params,
)
from smarketing.labels import label, t
from smarketing.ui.tables import chart, table

PREFERRED = ("content_download", "pricing_view", "demo_request")
RATES = ("conversion_from_previous", "conversion_from_first")


def controls(kinds: list[str]) -> FunnelParams | None:
    """The widgets; the params they describe, or None (with a message) when they describe no funnel yet."""
    c1, c2 = st.columns([3, 1])
    preferred = [k for k in PREFERRED if k in kinds]
    steps = c1.multiselect(t("behaviour_steps"), kinds, default=preferred if len(preferred) >= 2 else kinds[:3],
                           max_selections=MAX_STEPS, format_func=label, key="bf_steps", help=t("help_behaviour"))
    window = c2.number_input(t("behaviour_window"), min_value=1, max_value=365, value=30, key="bf_window",
                             help=t("bf_help_window"))
    with st.expander(t("bf_controls"), icon=":material/tune:"):
        o1, o2 = st.columns(2)
        order = o1.radio(t("bf_order"), ORDERS, format_func=lambda o: t(f"bf_order_{o}"), key="bf_order",
                         help=t("bf_help_order"))
        occurrence = o2.radio(t("bf_occurrence"), OCCURRENCES, format_func=lambda o: t(f"bf_occurrence_{o}"),
                              key="bf_occurrence", help=t("bf_help_occurrence"))
        numbered = {k: f"{k}. {label(s)}" for k, s in enumerate(steps, start=1)}
        optional = st.multiselect(t("bf_optional"), list(numbered)[1:-1], format_func=numbered.get,
                                  key="bf_optional", help=t("bf_help_optional"))
        step_windows = _step_windows(numbered) if order != "any" else None
        required = {k: v for k, v in numbered.items() if k not in optional}
        exclusions = _exclusions(kinds, required) if order != "any" else []
    if len(steps) < 2:
        st.info(t("behaviour_pick"), icon=":material/info:")
        return None
    try:
        return make_params(steps, float(window), order, occurrence, step_windows, optional, exclusions)
    except FunnelParamsError as exc:
        st.warning(md_text(exc), icon=":material/warning:")
        return None


def _step_windows(numbered: dict[int, str]) -> dict[int, float | None]:
    st.caption(t("bf_step_windows"))
    later = list(numbered)[1:]
    cols = st.columns(max(len(later), 1))
    return {k: col.number_input(numbered[k], min_value=0.1, max_value=365.0, value=None, step=1.0, key=f"bf_w{k}",
                                placeholder=t("bf_no_step_window"), help=t("bf_help_step_window"))
            for k, col in zip(later, cols, strict=False)}


def _exclusions(kinds: list[str], numbered: dict[int, str]) -> list[tuple[str, int, int]]:
    """Excluded event types between two required steps (`numbered`)."""
    e1, e2, e3 = st.columns([2, 1, 1])
    chosen = e1.multiselect(t("bf_exclude"), kinds, format_func=label, key="bf_exclude", help=t("bf_help_exclude"))
    steps = list(numbered)
    start = e2.selectbox(t("bf_exclude_from"), steps[:-1], format_func=numbered.get, key="bf_exclude_from")
    ends = [k for k in steps if k > (start or 1)]
    end = e3.selectbox(t("bf_exclude_to"), ends, format_func=numbered.get, key="bf_exclude_to")
    return [(kind, start, end) for kind in chosen] if start and end else []


def show(result: pd.DataFrame, params: FunnelParams) -> None:
    """The funnel figure, what the counts mean under these controls, and the table."""
    shown = result.assign(event_type=[label(e) + (f" ({t('bf_optional_step')})" if o else "")
                                      for e, o in zip(result.event_type, result.optional, strict=True)])
    chart(charts.behaviour_chart, shown)
    st.caption(" ".join([t(f"bf_means_{params.order}"), t(f"bf_means_occurrence_{params.occurrence}"),
                         *([t("bf_means_optional")] if params.optional else []),
                         *([t("bf_means_exclusions")] if params.exclusions else [])]))
    table(shown.drop(columns=["optional"]), "behaviour_funnel", percent=RATES, ints=("leads",))  # hours by name
