"""smarketing: the Streamlit entry point (`streamlit run app.py`): the navigation over pages/ and the login gate.
Every page starts with `ui.guard(...)`, so a page file run on its own is behind the same login and roles."""

from pathlib import Path

import streamlit as st

from smarketing import ui

st.set_page_config(page_title="smarketing", page_icon=":material/filter_alt:", layout="wide")
ui.navigate(Path(__file__).parent)
