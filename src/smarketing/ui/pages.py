"""The pages of the app: one table of their files, titles and icons, the navigation, and the guard every page
calls first.

Streamlit runs a file under `pages/` on its own when a deep link reaches a fresh server before `app.py`
has run `st.navigation`; `guard` then still shows the login screen and refuses a page the role may not see.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from smarketing import access
from smarketing.labels import t
from smarketing.ui import language


@dataclass(frozen=True)
class PageInfo:
    key: str
    title: str  # label key
    icon: str
    permission: str | None = None  # an access action the role must have to see the page

    @property
    def path(self) -> str:
        """The page file, relative to the app's folder (what st.Page and st.page_link take)."""
        return f"pages/{self.key}.py"


PAGES = (
    PageInfo("home", "page_home", ":material/dashboard:"),
    PageInfo("funnel", "page_funnel", ":material/filter_alt:"),
    PageInfo("drivers", "page_drivers", ":material/insights:"),
    PageInfo("audit", "page_audit", ":material/fact_check:"),
    PageInfo("fit_interest", "page_fit_interest", ":material/scatter_plot:"),
    PageInfo("scoring_tuner", "page_scoring_tuner", ":material/tune:"),
    PageInfo("attribution", "page_attribution", ":material/hub:"),
    PageInfo("lead_flow", "page_lead_flow", ":material/swap_horiz:"),
    PageInfo("planner", "page_planner", ":material/flag:"),
    PageInfo("forecast", "page_forecast", ":material/trending_up:"),
    PageInfo("data", "page_data", ":material/upload_file:", access.IMPORT),
)
BY_KEY = {p.key: p for p in PAGES}

_run = threading.local()  # set by `navigate` for the page run it starts


DEEP_LINK = "_smarketing_deep_link"


def navigate(app_dir: Path) -> None:
    """In app.py: the login gate, then the navigation of the pages this role may see, and the chosen page
    (or the page a deep link asked for before the navigation existed, with its query parameters)."""
    language.apply()  # the run's language, before any word is drawn
    st.sidebar.markdown(f"### {t('app_title')}")
    access.gate()
    pages = {
        p.key: st.Page(str(app_dir / p.path), title=t(p.title), icon=p.icon, default=p.key == "home", url_path=p.key)
        for p in PAGES
        if (app_dir / p.path).exists() and (p.permission is None or access.can(p.permission))
    }
    chosen = st.navigation(list(pages.values()))
    if (pending := st.session_state.pop(DEEP_LINK, None)) and pending[0] in pages:
        st.switch_page(pages[pending[0]], query_params=pending[1])
    _run.navigated = True
    try:
        chosen.run()
    finally:
        _run.navigated = False


def guard(key: str) -> None:
    """The first call of every page: the login gate when the page runs without the navigation, and a refusal
    when the role may not use the page.

    A deep link that reaches a fresh server runs the page file on its own (Streamlit's pages/ folder, before
    app.py has run st.navigation): after the gate, the page hands over to app.py, which opens it again inside
    the navigation with the same query parameters. A page file that is itself the main script (AppTest) is
    drawn on its own."""
    if not getattr(_run, "navigated", False):
        language.apply()
        access.gate()
        main = _main_script()
        if main is not None and main.name == "app.py":
            st.session_state[DEEP_LINK] = (key, st.query_params.to_dict())
            st.switch_page(main)
    page = BY_KEY[key]
    if page.permission is not None:
        access.guard_page(page.permission)


def _main_script() -> Path | None:
    ctx = get_script_run_ctx()
    return Path(ctx.main_script_path).resolve() if ctx is not None and ctx.main_script_path else None


def page_link(key: str, label: str) -> None:
    """A link to another page; silently absent when the page is run on its own (tests)."""
    with contextlib.suppress(st.errors.StreamlitAPIException, KeyError):
        st.page_link(BY_KEY[key].path, label=label, icon=":material/arrow_forward:")
