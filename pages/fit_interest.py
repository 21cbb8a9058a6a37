"""Fit vs interest: the quadrant of leads under the saved scoring rules, its outcomes and actions."""

from dataclasses import replace

import streamlit as st

from smarketing import ui
from smarketing.charts import scoring as charts
from smarketing.formatting import fmt_int, fmt_pct
from smarketing.funnel.breakdowns import breakdown_columns
from smarketing.labels import label, t
from smarketing.leadflow.lists import quadrant_list
from smarketing.scoring.quadrants import SAMPLE_LIMIT, quadrant_pivot, quadrant_view
from smarketing.scoring.scores import QUADRANTS, Cutoff
from smarketing.ui import tuner

ui.guard("fit_interest")

filters = ui.sidebar()
con = ui.connection()
st.title(t("fi_title"))
found = tuner.rules_now()
if found is None:
    st.stop()
saved, kind = found
st.caption(tuner.rules_caption(saved, kind) + " " + t("fi_caption"))

c1, c2, c3, c4 = st.columns(4)
fit_t = c1.number_input(t("fit_threshold"), value=float(saved.fit_threshold), step=5.0, key="fi_fit",
                        help=t("help_fit_threshold"), format="%g")  # 25, not 25.00
int_t = c2.number_input(t("interest_threshold"), value=float(saved.interest_threshold), step=5.0, key="fi_int",
                        help=t("help_interest_threshold"), format="%g")
cut_mode = c3.selectbox(t("cutoff"), ["sql", "days"], format_func=lambda m: t(f"cutoff_{m}"), key="fi_cut",
                        help=t("help_cutoff"))
by = c4.selectbox(t("fi_breakdown"), ui.cached(breakdown_columns), format_func=label, key="fi_by")
days = c3.number_input(t("cutoff_n_days"), min_value=1, max_value=730, value=30, step=1, key="fi_days",
                        help=t("help_cutoff_days")) if cut_mode == "days" else 30
cutoff = Cutoff(cut_mode, int(days))
rules = replace(saved, fit_threshold=fit_t, interest_threshold=int_t)

with st.spinner(t("computing")):
    view = ui.cached(quadrant_view, rules, cutoff, filters, by)
if view["total"] == 0:
    ui.empty_state()
    st.stop()

summary = view["summary"]
hot = summary.set_index("quadrant").loc["hot"]
st.markdown(t("fi_summary").format(hot=fmt_int(hot.leads), share=fmt_pct(hot.share), won=fmt_pct(hot.won_rate)))

if view["density"] is not None:
    st.info(t("fi_too_many").format(total=fmt_int(view["total"]), sample=fmt_int(SAMPLE_LIMIT)),
            icon=":material/info:")
    show = st.radio(t("fi_view"), ["density", "sample"], format_func=lambda v: t(f"fi_view_{v}"), horizontal=True,
                    key="fi_view")
else:
    show = "sample"
if show == "density":
    ui.chart(charts.quadrant_density, view["density"], fit_t, int_t, key="fi_chart")
else:
    ui.chart(charts.quadrant_scatter, view["points"], fit_t, int_t, key="fi_chart")

tab_q, tab_by, tab_list = ui.tabs([t("fi_quadrants"), t("fi_by_title").format(by=label(by).lower()), t("fi_list")],
                                  key="fi_tab")
with tab_q:
    if ui.shown(tab_q):
        table = summary.assign(quadrant=summary.quadrant.map(lambda q: t(f"q_{q}")))
        ui.dataframe(
            table, hide_index=True, width="stretch",
            column_config={
                "quadrant": st.column_config.TextColumn(t("quadrant"), help=t("help_quadrant")),
                "leads": t("leads"), "share": {"label": t("share"), "help": t("help_share")},
                "sql_rate": {"label": t("sql_rate"), "help": t("help_sql_rate")},
                "won_rate": {"label": t("won_rate"), "help": t("help_won_rate")},
                "median_days_to_close": {"label": t("median_days_to_close"), "help": t("help_days_to_close")},
                "action": None,  # the actions are read in full below, not cut off in a column
            },
        )
        st.markdown("\n".join(f"- **{t(f'q_{q}')}**: {t(f'action_{q}')}" for q in summary.quadrant))
        ui.download(summary, "quadrants")

with tab_by:
    if ui.shown(tab_by):
        ui.chart(charts.quadrant_by_chart, view["by"], by, key="fi_by_chart")
        wide = quadrant_pivot(view["by"], by)
        ui.dataframe(wide.assign(**{by: wide[by].map(label)}), hide_index=True, width="stretch", column_config={
            by: label(by), "total": t("leads"), **{q: t(f"q_{q}") for q in QUADRANTS}})
        ui.download(wide, f"quadrants_by_{by}")

with tab_list:
    if ui.shown(tab_list):  # the lead list is read only when asked for
        pick = st.selectbox(t("quadrant"), QUADRANTS, format_func=lambda q: t(f"q_{q}"), key="fi_pick")
        leads = ui.cached(quadrant_list, rules, cutoff, filters, pick)
        if leads.empty:
            ui.empty_state()
        else:
            st.caption(t("fi_list_caption").format(n=fmt_int(len(leads))))
            ui.dataframe(
                leads, hide_index=True, width="stretch",
                column_config={
                    "lead_id": t("lead_id"), "email": ui.personal_label("email"), "phone": ui.personal_label("phone"), "company": t("company"),
                    "title": t("title"), "source": t("source"),
                    "fit": ui.number_column(t("fit_score"), fmt="%.0f"), "quadrant": None,
                    "interest": t("interest_score"), "score": t("score"), "deal_status": t("deal_status"),
                    "last_activity": st.column_config.DatetimeColumn(t("last_activity"), format="YYYY-MM-DD"),
                },
            )
            ui.download(leads, f"leads_{pick}")
