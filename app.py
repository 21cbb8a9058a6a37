"""smarketing: the Streamlit entry point. Navigation and the shared sidebar; pages live in views/ (not pages/: Streamlit would open a pages/ file directly on a deep link, bypassing st.navigation)."""

from pathlib import Path

import streamlit as st

from smarketing import access
from smarketing.labels import t

st.set_page_config(page_title="smarketing", page_icon=":material/filter_alt:", layout="wide")

HERE = Path(__file__).parent
# (file, title, icon); a page whose file does not exist yet is left out of the navigation.
PAGES = [
    ("views/home.py", "Overview", ":material/dashboard:"),
    ("views/funnel.py", "Funnel", ":material/filter_alt:"),
    ("views/fit_interest.py", "Fit vs interest", ":material/scatter_plot:"),
    ("views/scoring_tuner.py", "Scoring tuner", ":material/tune:"),
    ("views/attribution.py", "Attribution", ":material/hub:"),
    ("views/lead_flow.py", "Lead flow & SLA", ":material/swap_horiz:"),
    ("views/planner.py", "Goal planner", ":material/flag:"),
    ("views/data.py", "Data", ":material/upload_file:"),
]

ANALYST_PAGES = {"views/data.py": access.IMPORT}  # left out of a viewer's navigation (and guarded)

st.sidebar.markdown(f"### {t('app_title')}")
access.gate()
pages = [
    st.Page(str(HERE / path), title=title, icon=icon, default=(path == "views/home.py"))
    for path, title, icon in PAGES
    if (HERE / path).exists() and (path not in ANALYST_PAGES or access.can(ANALYST_PAGES[path]))
]
st.navigation(pages).run()
