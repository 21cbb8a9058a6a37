"""The interface language of a session: chosen in the sidebar, kept in the URL (`?lang=zh`, like the filters) and
in the session (the URL's parameters are cleared when another page opens), by default the browser's language
(st.context.locale, else the Accept-Language header), else the language setting (SMARKETING_LANG), else English.

`apply()` runs first in every script run (the navigation and every page's guard call it) and sets the language
of the run for smarketing.labels before anything is drawn; `picker()` is the sidebar's switch."""

from __future__ import annotations

import contextlib

import streamlit as st

from smarketing import labels

PARAM = "lang"
STATE = "_smarketing_lang"  # the session's language (survives a page change, when the URL's is cleared)
WIDGET = "ui_lang"  # the sidebar's switch


def _browser() -> str | None:
    """The browser's language, where Streamlit exposes it."""
    with contextlib.suppress(Exception):  # outside a session, or a Streamlit without st.context
        found = labels.language_of(st.context.locale)
        if found is None:
            accepted = st.context.headers.get("Accept-Language") or ""
            found = next((lang for part in accepted.split(",") if (lang := labels.language_of(part.split(";")[0]))),
                         None)
        return found
    return None


def current() -> str:
    """The session's language: the URL's (a shared link, or the switch just moved), else the session's, else the
    browser's, else the setting's."""
    chosen = labels.language_of(st.query_params.get(PARAM)) or st.session_state.get(STATE) or _browser()
    return chosen or labels.language()


def apply() -> str:
    """Set this run's language (before anything is drawn) and remember it for the session."""
    labels.set_language(None)  # a run starts from the setting, not from the thread's last run
    lang = current()
    st.session_state[STATE] = lang
    labels.set_language(lang)
    return lang


def _switched() -> None:
    lang = labels.language_of(st.session_state.get(WIDGET))
    if lang:  # a segmented control can be cleared: keep the language then
        st.session_state[STATE] = lang
        st.query_params[PARAM] = lang


def picker() -> None:
    """The sidebar's language switch (English / 中文)."""
    lang = labels.language()
    if st.session_state.get(WIDGET) != lang:
        st.session_state[WIDGET] = lang  # the switch shows the language in use (a link may have set it)
    st.sidebar.segmented_control(labels.t("language"), list(labels.LANGUAGES), format_func=labels.LANGUAGES.get,
                                 key=WIDGET, on_change=_switched, label_visibility="collapsed")


# Table columns whose values are our words (stage names, stage changes, metric names, statuses), shown in the
# interface language; other columns hold the user's data and stay as they are, except the markers our analyses put
# among them ("(none)", "(other)", "Total" …). {column: key prefix} for values that are keys without their prefix.
WORD_COLUMNS = {"stage": "", "from_stage": "", "to_stage": "", "transition": "", "metric": "", "item": "",
                "outcome": "", "bucket": "", "status": "", "stages": "", "quadrant": "q_", "deal_status": "status_"}
MARKER_KEYS = ("none_value", "other_group", "total", "all_rows", "no_reason_given", "unassigned", "no_response")


def shown_words(frame):
    """The frame with our words in its cells in the interface language (a copy; the frame itself when English)."""
    if labels.language() == labels.DEFAULT_LANGUAGE:
        return frame
    english = labels.table(labels.DEFAULT_LANGUAGE)
    markers = {english[k] for k in MARKER_KEYS if k in english}
    out = frame
    for column in frame.columns:
        series = frame[column]
        if series.dtype != object and str(series.dtype) not in ("string", "str", "category"):
            continue
        prefix = WORD_COLUMNS.get(str(column))
        if prefix is None and not series.isin(markers).any():
            continue
        out = out.copy() if out is frame else out
        out[column] = series.map(lambda v, p=prefix: _word(v, p, markers))
    return out


def _word(value, prefix: str | None, markers: set):
    if not isinstance(value, str):
        return value
    if prefix is None:
        return labels.label(value) if value in markers else value
    key = f"{prefix}{value.replace(' ', '_')}"
    if prefix and key in labels.table(labels.DEFAULT_LANGUAGE):
        return labels.t(key)
    if ", " in value and prefix == "":  # a list of stages ("MQL, SQL")
        return ", ".join(labels.label(v) for v in value.split(", "))
    return labels.label(value)
