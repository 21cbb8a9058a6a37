"""smarketing: the Streamlit entry point. Navigation and the shared sidebar; pages live in pages/."""

from pathlib import Path

import streamlit as st

from smarketing.labels import t

st.set_page_config(page_title="smarketing", page_icon=":material/filter_alt:", layout="wide")

HERE = Path(__file__).parent
# (file, title, icon); a page whose file does not exist yet is left out of the navigation.
PAGES = [
    ("pages/home.py", "Overview", ":material/dashboard:"),
    ("pages/funnel.py", "Funnel", ":material/filter_alt:"),
    ("pages/fit_interest.py", "Fit vs interest", ":material/scatter_plot:"),
    ("pages/scoring_tuner.py", "Scoring tuner", ":material/tune:"),
    ("pages/attribution.py", "Attribution", ":material/hub:"),
    ("pages/lead_flow.py", "Lead flow & SLA", ":material/swap_horiz:"),
    ("pages/planner.py", "Goal planner", ":material/flag:"),
    ("pages/data.py", "Data", ":material/upload_file:"),
]

pages = [
    st.Page(str(HERE / path), title=title, icon=icon, default=(path == "pages/home.py"))
    for path, title, icon in PAGES
    if (HERE / path).exists()
]
st.sidebar.markdown(f"### {t('app_title')}")
st.navigation(pages).run()
