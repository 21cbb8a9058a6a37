"""The Attribution page's full-chain channel table as people read it: one of three views of its columns at a time
(conversion down the funnel, spend and return, reach, lead quality), so that nothing is off-screen to the right; the
row names pinned; every number in its format; colour that means what it says (green: higher conversion or ROMI,
red: more MQLs returned, orange: dearer customers), a line saying so, and no colour on unknown cells."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from smarketing.attribution import channels
from smarketing.labels import label, t
from smarketing.ui.columns import styled
from smarketing.ui.tables import dataframe

VIEWS = {
    "conversion": ("leads", "mql", "lead_to_mql", "sql", "mql_to_sql", "opportunities", "sql_to_opportunity",
                   "customers", "opportunity_to_customer"),
    "spend": ("cost", "leads", "cost_per_lead", "cost_per_mql", "customers", "cost_per_customer", "won_revenue",
              "romi"),
    "reach": ("impressions", "clicks", "ctr", "leads", "new_leads", "returning_leads"),
    "quality": ("leads", "mql", "mqls_returned", "mql_returned_rate"),
}
GREENS = ("lead_to_mql", "mql_to_sql", "sql_to_opportunity", "opportunity_to_customer", "romi")  # higher is better
REDS = ("mql_returned_rate",)  # more returns is worse
ORANGES = ("cost_per_customer",)  # dearer is worse
HELP = {"ctr": "help_ctr", "new_leads": "help_new_leads", "returning_leads": "help_returning_leads",
        "mqls_returned": "help_mqls_returned", "romi": "help_romi", "cost": "help_cost", "leads": "help_leads_channel"}


def view_picker(key: str) -> str:
    return st.segmented_control(t("channel_view"), tuple(VIEWS), default="conversion", key=key,
                                format_func=lambda v: t(f"channel_view_{v}"), help=t("channel_view_help")) or "conversion"


def styled_view(table: pd.DataFrame, view: str):
    """The columns of `view` beside the row names (data values read as labels), formatted, coloured by column (the
    Total row plain and bold)."""
    keys = [c for c in channels.LEVELS if c in table.columns]
    shown = table[keys + [c for c in VIEWS[view] if c in table.columns]]
    body = shown[keys[0]] != channels.TOTAL_LABEL
    shown = shown.assign(**{k: shown[k].where(~body, shown[k].map(label)) for k in keys})  # paid_search: Paid search
    styler = styled(shown)
    for colours, columns in (("Greens", GREENS), ("Reds", REDS), ("Oranges", ORANGES)):
        for column in (c for c in columns if c in shown.columns):
            known = shown.index[body & shown[column].notna()]  # an unknown cell stays white, not black
            if len(known) > 1:
                styler = styler.background_gradient(colours, subset=(known, [column]), axis=0, high=1.0)  # the darkest cell mid-tone
    return styler.apply(lambda row: ["font-weight: 600" if row.iloc[0] == channels.TOTAL_LABEL else ""] * len(row),
                        axis=1)


def channel_table(table: pd.DataFrame, view: str, key: str) -> None:
    """The table of one view, its row names pinned, and a line saying what the colours mean."""
    styler = styled_view(table, view)
    keys = [c for c in channels.LEVELS if c in table.columns]
    config = {c: st.column_config.Column(t(c), pinned=True) for c in keys}
    config |= {c: st.column_config.Column(t(c), help=t(HELP[c]) if c in HELP else None)
               for c in styler.data.columns if c not in keys}
    dataframe(styler, column_config=config, hide_index=True, width="stretch", key=key)
    coloured = [c for c in (*GREENS, *REDS, *ORANGES) if c in styler.data.columns]
    if coloured:
        st.caption(t(f"channel_colours_{view}"))
