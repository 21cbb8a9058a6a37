"""Funnel: the lifecycle funnel, conversion table, time in stage, breakdown, cohorts, leaks, behaviour."""

import streamlit as st

from smarketing import behaviour, funnel, leaks, ui
from smarketing.charts import funnel as charts
from smarketing.formatting import fmt_int, fmt_pct
from smarketing.labels import column_labels, t
from smarketing.schema import CORE_EVENT_TYPES
from smarketing.stages import DEFAULT_STAGES

BREAKDOWNS = ["source_group", "source", "campaign", "industry", "country", "region", "employees_band", "owner",
              "title"]
STAGES = DEFAULT_STAGES

filters = ui.sidebar()
st.title(t("funnel_title"))
st.caption(t(f"mode_{filters.mode}") + " · " + t("help_reach"))

with st.spinner(t("computing")):
    overall = ui.cached(funnel.lifecycle_funnel, filters)
if overall.leads.iloc[0] == 0:
    ui.empty_state()
    st.stop()

FUNNEL_COLUMNS = {
    "stage": st.column_config.TextColumn(t("stage")),
    "leads": ui.int_column(t("leads"), t("help_kpi_stage")),
    "conversion_from_previous": ui.percent_column(t("conversion_from_previous"), t("help_conversion_from_previous")),
    "conversion_from_first": ui.percent_column(t("conversion_from_first"), t("help_conversion_from_first")),
    "median_days_from_previous": ui.number_column(t("median_days_from_previous"), t("help_days")),
    "p90_days_from_previous": ui.number_column(t("p90_days_from_previous"), t("help_days")),
}

left, right = st.columns([2, 3])
with left:
    st.plotly_chart(charts.funnel_chart(overall), width="stretch", key="funnel_chart")
with right:
    last = overall.iloc[-1]
    st.markdown(t("funnel_summary").format(first=STAGES.names[0], last=STAGES.names[-1],
                                           rate=fmt_pct(last.conversion_from_first, 2), n=fmt_int(last.leads)))
    st.dataframe(overall, column_config=FUNNEL_COLUMNS, hide_index=True, width="stretch")
    ui.download(overall, "funnel")
    side = ui.cached(funnel.side_stage_counts, filters)
    if not side.empty:
        st.caption(t("side_stages") + ": " + ", ".join(f"{r.stage} {r.leads:,}" for r in side.itertuples()))

tabs = st.tabs([t("tab_breakdown"), t("tab_time"), t("tab_cohorts"), t("tab_leaks"), t("tab_behaviour")])

with tabs[0]:
    by = st.selectbox(t("breakdown_by"), BREAKDOWNS, format_func=t, key="breakdown_by")
    split = ui.cached(funnel.lifecycle_funnel, filters, by=by)
    if split.empty:
        ui.empty_state()
    else:
        st.plotly_chart(charts.breakdown_chart(split, by), width="stretch")
        wide = split.pivot_table(index=by, columns="stage", values="leads", sort=False).reindex(
            columns=STAGES.names).reset_index()
        wide[t("lead_to_last").format(last=STAGES.names[-1])] = wide[STAGES.names[-1]] / wide[STAGES.names[0]]
        wide = wide.sort_values(STAGES.names[0], ascending=False)
        st.dataframe(wide.rename(columns={by: t(by)}), hide_index=True, width="stretch", column_config={
            t("lead_to_last").format(last=STAGES.names[-1]): ui.percent_column(
                t("lead_to_last").format(last=STAGES.names[-1]), t("help_conversion_from_first"))})
        ui.download(split, f"funnel_by_{by}")

with tabs[1]:
    st.plotly_chart(charts.time_in_stage_chart(overall), width="stretch")
    st.caption(t("help_days"))

with tabs[2]:
    cohorts = ui.cached(funnel.cohort_table, filters)
    if cohorts.empty:
        ui.empty_state()
    else:
        st.plotly_chart(charts.cohort_heatmap(cohorts, STAGES.names), width="stretch")
        st.caption(t("cohort_caption"))
        ui.download(cohorts, "cohorts")

with tabs[3]:
    leak_by = st.selectbox(t("leaks_by"), [None, *BREAKDOWNS], format_func=lambda c: t("overall") if c is None
                           else t(c), key="leaks_by")
    prev = filters.previous()
    st.caption(t("leaks_caption").format(since=prev.since, until=prev.until))
    if filters.mode == "cohort":
        st.warning(t("leaks_cohort_warning"), icon=":material/warning:")
    found = ui.cached(leaks.leaks, filters, by=leak_by)
    if found.empty:
        ui.empty_state()
    else:
        st.plotly_chart(charts.leaks_chart(found, leak_by), width="stretch")
        shown = found.rename(columns=column_labels(found.columns))
        st.dataframe(shown, hide_index=True, width="stretch", column_config={
            t("rate_now"): ui.percent_column(t("rate_now")), t("rate_before"): ui.percent_column(t("rate_before")),
            t("change"): ui.percent_column(t("change"), t("help_change")),
            t("p_value"): ui.number_column(t("p_value"), t("help_p_value"), "%.3f"),
            t("q_value"): ui.number_column(t("q_value"), t("help_q_value"), "%.3f"),
        })
        ui.download(found, "leaks")

with tabs[4]:
    c1, c2 = st.columns([3, 1])
    steps = c1.multiselect(t("behaviour_steps"), CORE_EVENT_TYPES, default=["content_download", "pricing_view",
                           "demo_request"], max_selections=behaviour.MAX_STEPS, format_func=t, key="bf_steps",
                           help=t("help_behaviour"))
    window = c2.number_input(t("behaviour_window"), min_value=1, max_value=365, value=30, key="bf_window")
    if len(steps) < 2:
        st.info(t("behaviour_pick"), icon=":material/info:")
    else:
        result = ui.cached(behaviour.behaviour_funnel, steps, float(window), filters)
        if result.leads.iloc[0] == 0:
            ui.empty_state()
        else:
            st.plotly_chart(charts.behaviour_chart(result), width="stretch")
            st.dataframe(result.rename(columns=column_labels(result.columns)), hide_index=True, width="stretch",
                         column_config={t("conversion_from_previous"): ui.percent_column(t("conversion_from_previous")),
                                        t("conversion_from_first"): ui.percent_column(t("conversion_from_first"))})
            ui.download(result, "behaviour_funnel")
