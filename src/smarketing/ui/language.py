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
