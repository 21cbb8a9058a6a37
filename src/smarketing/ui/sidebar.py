"""The shared sidebar: data source, date range, time mode and segment filters, kept in the URL (st.query_params)
so a view can be shared; the one place query parameters are parsed."""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from smarketing import access, timewindow
from smarketing.filters import MODES, Filters
from smarketing.formatting import md_code, md_text
from smarketing.labels import label, language, t
from smarketing.store import engines
from smarketing.ui.data import (
    allowed_source,
    cache_key,
    clamped_values,
    data_bounds,
    db_path,
    segment_values,
)
from smarketing.ui.language import PARAM as LANG_PARAM
from smarketing.ui.language import picker as language_picker
from smarketing.ui.views import saved_views

SEGMENT_COLUMNS = ("source_group", "source", "industry", "country", "region", "owner")


def _param_date(name: str, default: date) -> date:
    try:
        return date.fromisoformat(st.query_params.get(name, ""))
    except ValueError:
        return default


def _forget_stale_range(lo: date, hi: date) -> None:
    """Another data source, or data that no longer overlaps the chosen range (a first import into an empty
    database): start again from the data's own span rather than a range where it has nothing."""
    source, previous = db_path(), st.session_state.get("_flt_db")
    picked, bounds = st.session_state.get("flt_range"), st.session_state.get("_flt_bounds")
    moved = bounds is not None and bounds != (lo, hi)  # the data changed under the chosen range
    outside = moved and isinstance(picked, tuple) and len(picked) == 2 and (picked[1] < lo or picked[0] > hi)
    if (previous is not None and previous != source) or outside:
        st.session_state.pop("flt_range", None)
        for name in ("since", "until"):
            if name in st.query_params:
                del st.query_params[name]
    st.session_state["_flt_db"], st.session_state["_flt_bounds"] = source, (lo, hi)


def sidebar() -> Filters:
    """Draw the shared sidebar and return the filters; state is kept in the URL."""
    language_picker()  # English / 中文, kept in the URL with the filters
    key = cache_key()
    lo, hi = data_bounds(key)
    _forget_stale_range(lo, hi)
    default_since = max(lo, hi - timedelta(days=364))
    st.sidebar.caption(t("database_in_use").format(database=md_code(engines.redact(db_path()))))
    _source_picker()
    _clamped_warning(key)
    saved_views(SEGMENT_COLUMNS)  # a view's link opens it (before the filter widgets); the saved views, saving
    floor, ceiling = timewindow.EARLIEST, timewindow.latest()  # the sane window, as the command line clamps
    since = timewindow.clamp_day(_param_date("since", default_since))
    until = max(timewindow.clamp_day(_param_date("until", hi)), since)
    picked = st.sidebar.date_input(
        t("date_range"), value=(since, until), min_value=floor, max_value=ceiling,
        key="flt_range", help=t("date_range_help"),
    )
    if isinstance(picked, tuple) and len(picked) == 2:
        since, until = picked
    mode = st.query_params.get("mode", "cohort")
    mode = st.sidebar.radio(
        t("time_mode"), MODES, index=MODES.index(mode) if mode in MODES else 0,
        format_func=lambda m: t(f"mode_{m}"), key="flt_mode",
    )
    segments = {}
    with st.sidebar.expander(t("segments"), expanded=any(c in st.query_params for c in SEGMENT_COLUMNS)):
        for column in SEGMENT_COLUMNS:
            options = segment_values(key, column)
            if not options:
                continue
            chosen = [v for v in st.query_params.get_all(column) if v in options]
            picked_values = st.multiselect(t(column), options, default=chosen, key=f"flt_{column}",
                                           format_func=label)  # paid_search reads "Paid search"
            if picked_values:
                segments[column] = tuple(picked_values)
    _write_params(since, until, mode, segments)
    return Filters(since=since, until=until, mode=mode, segments=segments)


def _clamped_warning(key: str) -> None:
    """Say so when the data source holds dates outside the sane window (read clamped to it)."""
    found = clamped_values(key)
    if found:
        where = ", ".join(f"{md_code(f'{c.table}.{c.column}')} {c.count:,}" for c in found)
        st.sidebar.warning(t("clamped_values").format(count=f"{sum(c.count for c in found):,}", where=where,
                                                      window=timewindow.describe(),
                                                      planned=timewindow.latest_planned().isoformat()),
                           icon=":material/event_busy:")


def _source_picker() -> None:
    """Sidebar: point this session at another data source by URL (a DuckDB file, pyspark://, postgres://)."""
    if not access.can(access.CHOOSE_SOURCE):
        return
    with st.sidebar.expander(t("data_source"), expanded=False):
        typed = st.text_input(t("data_source_url"), key="data_source_input", placeholder="postgres://user@host/db",
                              help=t("data_source_help"))
        left, right = st.columns(2)
        if left.button(t("data_source_use"), key="data_source_use", disabled=not typed.strip()):
            try:
                st.session_state["data_source"] = allowed_source(typed)
            except ValueError as exc:
                st.error(md_text(exc), icon=":material/error:")
            else:
                st.rerun()
        if st.session_state.get("data_source") and right.button(t("data_source_reset"), key="data_source_reset"):
            del st.session_state["data_source"]
            st.rerun()


def _write_params(since: date, until: date, mode: str, segments: dict) -> None:
    params = {"since": since.isoformat(), "until": until.isoformat(), "mode": mode, LANG_PARAM: language()}
    params.update({c: list(v) for c, v in segments.items()})
    current = {k: st.query_params.get_all(k) for k in st.query_params}
    wanted = {k: v if isinstance(v, list) else [v] for k, v in params.items()}
    if current != wanted:
        st.query_params.from_dict(params)
