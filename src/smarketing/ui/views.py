"""Saved views in the sidebar: open a view's link (`<page>?view=<name>`), list the saved views, and (analysts)
save the page with its filters and settings as a view or delete one. Storage: smarketing.views.

Called by the sidebar before its filter widgets exist: opening a view sets the URL's filters and forgets the
widgets' own state (so they start from the URL), sets the page's settings, and moves to the view's page."""

from __future__ import annotations

import contextlib
from datetime import date
from pathlib import Path
from urllib.parse import quote, urljoin

import streamlit as st
from streamlit.errors import StreamlitAPIException
from streamlit.runtime.scriptrunner import get_script_run_ctx

from smarketing import access, paths, views
from smarketing.attribution.channels import LEVELS
from smarketing.attribution.models import MODELS
from smarketing.attribution.paths import CONVERSIONS, VALUES
from smarketing.filters import MODES
from smarketing.formatting import md_text
from smarketing.labels import t
from smarketing.ui.data import data_folder, db_path, is_warehouse
from smarketing.ui.pages import BY_KEY

VIEW_PARAM = "view"
OPENED, SAVED = "_view_opened", "_view_saved"  # the view opened (while its filters are unchanged); the one just saved
FILTER_PREFIX = "flt_"  # the sidebar's filter widgets: flt_range, flt_mode, flt_<segment column>
# Page settings a view keeps: {page: {widget key: allowed values, or None for any text}}.
SETTINGS: dict[str, dict[str, tuple[str, ...] | None]] = {
    "funnel": {"breakdown_by": None, "leaks_by": None},
    "fit_interest": {"fi_by": None},
    "attribution": {"attr_romi_model": MODELS, "attr_models": MODELS, "attr_level": LEVELS,
                    "attr_conversion": CONVERSIONS, "attr_value": VALUES},
    "lead_flow": {"lf_dedupe_by": None},
}


def folder() -> Path:
    """Where the database in use lives (the app's data folder for a warehouse): its views are beside it."""
    return data_folder() if is_warehouse() else Path(db_path()).resolve().parent


def current_page() -> str:
    """The key of the page running now ("home" when it cannot be told)."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return "home"
    info = ctx.pages_manager.get_pages().get(ctx.pages_manager.current_page_script_hash) or {}
    stem = Path(str(info.get("script_path") or ctx.main_script_path)).stem
    return stem if stem in BY_KEY else "home"


def saved_views(segment_columns: tuple[str, ...]) -> None:
    """The sidebar's saved views: open the view the URL names, then list the views and the save form."""
    place, page = folder(), current_page()
    if VIEW_PARAM in st.query_params:
        _open(place, st.query_params[VIEW_PARAM], page)
    _panel(place, page, segment_columns)


def _allowed(page: str) -> bool:
    info = BY_KEY.get(page)
    return info is not None and (info.permission is None or access.can(info.permission))


def _open(place: Path, name: str, page: str) -> None:
    try:
        view = views.load_view(place, name)
    except (views.ViewError, paths.UnsafeName) as exc:
        view, problem = None, str(exc)
    else:
        problem = None if view is not None else t("view_missing").format(name=name)
    if view is not None and not _allowed(view.page):
        view, problem = None, t("view_page_denied").format(name=view.name)
    if view is None:
        del st.query_params[VIEW_PARAM]
        st.sidebar.warning(md_text(problem), icon=":material/bookmark_remove:")
        return
    for key in [k for k in st.session_state if str(k).startswith(FILTER_PREFIX)]:
        del st.session_state[key]  # the filter widgets start again from the URL
    for key, value in _settings(view).items():
        st.session_state[key] = value
    st.session_state[OPENED] = view
    if view.page != page:
        with contextlib.suppress(StreamlitAPIException):  # a page run on its own (tests): stay, with its filters
            st.switch_page(BY_KEY[view.page].path, query_params=view.query_params())
    st.query_params.from_dict(view.query_params())


def _settings(view: views.View) -> dict:
    """The view's settings its page knows, with values that page offers."""
    out = {}
    for key, value in view.settings.items():
        allowed = SETTINGS.get(view.page, {}).get(key, ())
        if allowed == ():
            continue
        if isinstance(value, tuple):
            out[key] = [v for v in value if allowed is None or v in allowed]
        elif allowed is None or value in allowed:
            out[key] = value
    return out


def _param_day(name: str) -> date | None:
    try:
        return date.fromisoformat(st.query_params.get(name, ""))
    except ValueError:
        return None


def _current_filters(segment_columns: tuple[str, ...]) -> tuple:
    """(since, until, mode, segments) as the user sees them now: the filter widgets' values, the URL's before the
    widgets exist."""
    state = st.session_state
    picked = state.get(f"{FILTER_PREFIX}range")
    since, until = picked if isinstance(picked, tuple) and len(picked) == 2 else (_param_day("since"),
                                                                                  _param_day("until"))
    mode = state.get(f"{FILTER_PREFIX}mode") or st.query_params.get("mode", "cohort")
    segments = {}
    for column in segment_columns:
        key = f"{FILTER_PREFIX}{column}"
        values = state[key] if key in state else st.query_params.get_all(column)
        if values:
            segments[column] = tuple(str(v) for v in values)
    return since, until, mode if mode in MODES else "cohort", segments


def current_view(name: str, page: str, segment_columns: tuple[str, ...]) -> views.View:
    """The page as the user sees it now, named: its filters and the page's settings."""
    since, until, mode, segments = _current_filters(segment_columns)
    settings = {}
    for key in SETTINGS.get(page, {}):
        value = st.session_state.get(key)
        if isinstance(value, str):
            settings[key] = value
        elif isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
            settings[key] = tuple(value)
    return views.View(name=name.strip(), page=page, since=since, until=until, mode=mode, segments=segments,
                      settings=settings)


def _panel(place: Path, page: str, segment_columns: tuple[str, ...]) -> None:
    saved = views.list_views(place)
    opened = st.session_state.get(OPENED)
    if opened and (opened.since, opened.until, opened.mode, opened.segments) != _current_filters(segment_columns):
        del st.session_state[OPENED]  # the filters have moved on from the view
        opened = None
    just_saved = next((v for v in saved if v.slug == st.session_state.pop(SAVED, None)), None)
    title = t("views_title") + (f" ({len(saved)})" if saved else "")
    with st.sidebar.expander(title, expanded=bool(opened or just_saved), icon=":material/bookmarks:"):
        if opened:
            st.caption(t("view_opened").format(name=md_text(opened.name)))
        for view in saved:
            _link(view)
        if not saved:
            st.caption(t("views_none"))
        if just_saved:
            st.success(t("view_saved").format(name=md_text(just_saved.name)), icon=":material/bookmark_added:")
            st.code(link(just_saved), language=None, wrap_lines=True)
        if access.can(access.SAVE_VIEWS):
            _save_form(place, page, saved, segment_columns)
        else:
            st.caption(t("views_viewer_note"))


def link(view: views.View) -> str:
    """The view's shareable address: its page with ?view=<link name> (absolute when the browser's is known)."""
    relative = f"{'' if view.page == 'home' else view.page}?{VIEW_PARAM}={quote(view.slug)}"
    here = st.context.url
    return urljoin(here, relative) if here else relative


def _link(view: views.View) -> None:
    """A link that opens the view (on its page, in this session); its address is the view's shareable link."""
    label = f"{view.name} · {t(BY_KEY[view.page].title)}" if view.page in BY_KEY else view.name
    try:
        st.page_link(BY_KEY[view.page].path, label=md_text(label), icon=":material/bookmark:",
                     query_params={VIEW_PARAM: view.slug})
    except (StreamlitAPIException, KeyError):  # a page run on its own (tests), or a page this app lacks
        st.markdown(f":material/bookmark: {md_text(label)}")


def _save_form(place: Path, page: str, saved: list[views.View], segment_columns: tuple[str, ...]) -> None:
    name = st.text_input(t("view_name"), key="view_name", max_chars=views.MAX_NAME, placeholder=t("view_name_hint"),
                         help=t("view_name_help"))
    if st.button(t("view_save"), key="view_save", icon=":material/bookmark_add:", disabled=not name.strip()):
        try:
            access.require(access.SAVE_VIEWS)  # the server-side check behind the button
            view = current_view(name, page, segment_columns)
            views.save_view(place, view)
        except (views.ViewError, paths.UnsafeName, access.AccessDenied, OSError) as exc:
            st.error(md_text(exc), icon=":material/error:")
        else:
            st.session_state[SAVED] = view.slug
            st.rerun()  # the list shows the new view
    if saved:
        doomed = st.selectbox(t("view_delete_pick"), [v.slug for v in saved], index=None, key="view_delete_pick",
                              format_func=lambda s: next(v.name for v in saved if v.slug == s))
        if doomed and st.button(t("view_delete"), key="view_delete", icon=":material/delete:"):
            access.require(access.SAVE_VIEWS)
            views.delete_view(place, doomed)
            st.rerun()
