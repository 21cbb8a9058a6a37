"""Funnel: the lifecycle funnel, conversion table, time in stage, breakdown, cohorts, leaks, behaviour."""

import streamlit as st

from smarketing import ui
from smarketing.charts import funnel as charts
from smarketing.charts.audit import trust_line
from smarketing.formatting import fmt_date, fmt_int, fmt_pct, md_text
from smarketing.funnel import behaviour, breakdowns, leaks, lifecycle, ordered
from smarketing.funnel.audit import HISTORY_KEYS, audit_report
from smarketing.labels import label, t
from smarketing.schema import CORE_EVENT_TYPES
from smarketing.scoring.scores import event_types
from smarketing.stages import active_stages
from smarketing.ui import behaviour as behaviour_ui

ui.guard("funnel")
STAGES = active_stages()
filters = ui.sidebar()
st.title(t("funnel_title"))
st.caption(t(f"mode_{filters.mode}") + " · " + t("help_reach"))

with st.spinner(t("computing")):
    overall = ui.cached(lifecycle.lifecycle_funnel, filters)
if overall.leads.iloc[0] == 0:
    ui.empty_state()
    st.stop()
if overall.leads.iloc[1:].sum() == 0:
    st.info(t("one_stage_only").format(first=md_text(label(STAGES.names[0]))), icon=":material/info:")

RATES = ("conversion_from_previous", "conversion_from_first")
DAYS = ("median_days_from_previous", "p90_days_from_previous")
HELP = {"leads": t("help_kpi_stage"), "conversion_from_previous": t("help_conversion_from_previous"),
        "conversion_from_first": t("help_conversion_from_first"), "median_days_from_previous": t("help_days"),
        "p90_days_from_previous": t("help_days")}

kind = st.segmented_control(t("funnel_type"), ordered.FUNNEL_TYPES, default="reached", key="funnel_type",
                            format_func=lambda k: t(f"funnel_type_{k}"), help=t("help_funnel_type")) or "reached"
shown = overall if kind == "reached" else ui.cached(ordered.ordered_funnel, filters)
left, right = st.columns([2, 3])
with left:
    ui.chart(charts.funnel_chart, shown, key="funnel_chart")
with right:
    first, last = shown[shown.recorded].iloc[0], shown[shown.recorded].iloc[-1]  # the funnel starts where recorded
    summary = t("funnel_summary" if kind == "reached" else "funnel_summary_ordered")
    st.markdown(summary.format(first=md_text(label(first.stage)), last=md_text(label(last.stage)),
                               rate=fmt_pct(last.conversion_from_first), n=fmt_int(last.leads)))
    if missing := overall.stage[~overall.recorded].tolist():
        st.caption(t("stages_not_recorded").format(stages=", ".join(md_text(m) for m in missing)))
    side = ui.cached(lifecycle.side_stage_counts, filters)
    if not side.empty:
        st.caption(t("side_stages_list").format(stages=", ".join(f"{md_text(label(r.stage))} {r.leads:,}"
                                                                  for r in side.itertuples())))
    if trust := trust_line(ui.cached(audit_report, filters, only=HISTORY_KEYS).by_stage):
        st.caption(trust)  # the funnel integrity audit beside the funnel (trust needs the history checks only)
ui.table(lifecycle.shown_funnel(shown) if kind == "reached" else ordered.shown_side_by_side(shown, overall),
         "funnel" if kind == "reached" else "funnel_in_order", percent=(*RATES, "in_order_share"), days=DAYS,
         ints=("leads", "reached"), help={**HELP, "reached": t("help_reached_col"),
                                          "in_order_share": t("help_in_order_share")})  # full width: every column

tabs = ui.tabs(key="funnel_tab", labels=[t("tab_breakdown"), t("tab_time"), t("tab_cohorts"), t("tab_leaks"), t("tab_behaviour")])

with tabs[0]:
    if ui.shown(tabs[0]):
        pick_by, pick_to = st.columns([2, 1])
        by = pick_by.selectbox(t("breakdown_by"), ui.cached(breakdowns.breakdown_columns), format_func=label,
                               key="breakdown_by")  # every lead column that groups leads, the data's own too
        later = overall[overall.recorded].stage.tolist()[1:]
        to = pick_to.selectbox(t("breakdown_to"), later, index=len(later) - 1, format_func=label,
                               key="breakdown_to") if later else None
        try:
            split = ui.cached(lifecycle.lifecycle_funnel, filters, by=by)
        except lifecycle.BreakdownError as exc:  # an id column: nearly every lead its own value
            split = None
            st.warning(t("breakdown_id").format(column=label(by), values=fmt_int(exc.values), leads=fmt_int(exc.rows)))
        if split is None:
            pass
        elif split.empty or by is None:  # no lead column groups these leads
            ui.empty_state()
        else:
            ui.chart(charts.breakdown_chart, split, by, to)  # bars, best first; pale: under 30 leads
            st.caption(t("breakdown_chart_caption").format(n=charts.SMALL_SEGMENT))
            if split.attrs.get("breakdown_values"):
                st.caption(t("breakdown_other").format(column=label(by), values=fmt_int(split.attrs["breakdown_values"]),
                                                       top=lifecycle.TOP_N, other=lifecycle.OTHER))
            wide = lifecycle.breakdown_table(split, by, STAGES)
            wide = wide if by in breakdowns.STANDARD else wide.rename(columns={by: label(by)})  # a column of theirs
            ui.table(wide, f"funnel_by_{by}", percent=("overall_conversion",), ints=wide.columns[1:-1],
                     help={"overall_conversion": t("help_conversion_from_first")})

with tabs[1]:
    if ui.shown(tabs[1]):
        ui.chart(charts.time_in_stage_chart, overall)
        st.caption(t("help_days"))

with tabs[2]:
    if ui.shown(tabs[2]):
        cohorts = ui.cached(lifecycle.cohort_table, filters)
        if cohorts.empty:
            ui.empty_state()
        else:
            ui.chart(charts.cohort_heatmap, cohorts, list(cohorts.columns[2:]))
            st.caption(t("cohort_caption"))
            ui.table(cohorts.assign(cohort=cohorts.cohort.dt.strftime("%Y-%m")), "cohorts", percent=cohorts.columns[2:],
                     ints=("leads",))

with tabs[3]:
    if ui.shown(tabs[3]):
        leak_by = st.selectbox(t("leaks_by"), [None, *ui.cached(breakdowns.breakdown_columns)],
                               format_func=lambda c: t("overall") if c is None else label(c), key="leaks_by")
        prev = filters.previous()
        st.caption(t("leaks_caption").format(since=fmt_date(prev.since), until=fmt_date(prev.until)))
        if filters.mode == "cohort":
            st.warning(t("leaks_cohort_warning"), icon=":material/warning:")
        found = ui.cached(leaks.leaks, filters, by=leak_by)
        if ui.no_previous_period(filters):
            pass
        elif found.empty:
            ui.empty_state()
        else:
            ui.chart(charts.leaks_chart, found, leak_by)
            ui.table(found.drop(columns=["from_stage", "to_stage"]), "leaks", percent=("rate_now", "rate_before"),
                     ints=("entered_now", "entered_before"),  # change in points, p-values "< 0.001" (by name)
                     help={"change": t("help_change"), "p_value": t("help_p_value"), "q_value": t("help_q_value")})

with tabs[4]:
    if ui.shown(tabs[4]):
        params = behaviour_ui.controls(ui.cached(event_types) or list(CORE_EVENT_TYPES))  # most frequent first
        if not ui.profile().has("events"):
            ui.empty_state(needs=("events",))
        elif params is not None:
            result = ui.cached(behaviour.funnel_steps, params, filters)
            if result.leads.iloc[0] == 0:
                ui.empty_state()
            else:
                behaviour_ui.show(result, params)
