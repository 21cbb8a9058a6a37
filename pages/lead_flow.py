"""Lead flow & SLA: the hand-off as a flow, SLA gauges and trend, owners, returns, response time, de-duplication."""

import streamlit as st

from smarketing import ui
from smarketing.charts import leadflow as charts
from smarketing.formatting import fmt_date, fmt_int, fmt_pct
from smarketing.labels import column_labels, t
from smarketing.leadflow import flow as leadflow
from smarketing.leadflow import lists as leadlists
from smarketing.scoring.quadrants import LIST_LIMIT

ui.guard("lead_flow")

PHONE_COUNTRIES = ["US", "GB", "DE", "FR", "NL", "ES", "IT", "CN", "HK", "TW", "JP", "SG", "IN", "AU", "CA", "BR"]
DEDUPE_BY = ["source", "source_group", "campaign", "owner", "country"]

filters = ui.sidebar()
st.title(t("lf_title"))
st.caption(t("lf_caption"))

c1, c2, _ = st.columns([1, 1, 2])
hours = c1.number_input(t("lf_sla_hours"), min_value=1.0, max_value=168.0, value=leadflow.DEFAULT_HOURS, step=1.0, format="%.1f",
                        key="lf_hours", help=t("lf_help_sla_hours"))
country = c2.selectbox(t("lf_default_country"), PHONE_COUNTRIES, key="lf_country", help=t("lf_help_country"))

with st.spinner(t("computing")):
    report = ui.cached(leadflow.sla_report, filters, hours=float(hours))
s = report.summary.iloc[0]
r = report.reassignment.iloc[0]
has_handoffs = int(s["dispatched"]) > 0


OWNER_COLUMNS = {
    "owner": st.column_config.TextColumn(t("owner")),
    "dispatched": ui.int_column(t("dispatched"), t("lf_help_dispatched")),
    "accepted": ui.int_column(t("accepted"), t("lf_help_accepted")),
    "returned": ui.int_column(t("returned"), t("lf_help_returned")),
    "pending": ui.int_column(t("pending"), t("lf_help_pending")),
    "sla_met_share": ui.percent_column(t("sla_met_share"), t("lf_help_sla_met")),
    "answered_in_time_share": ui.percent_column(t("answered_in_time_share"), t("lf_help_answered")),
    "median_hours_to_accept": ui.number_column(t("median_hours_to_accept"), t("lf_help_hours_accept")),
    "p90_hours_to_accept": ui.number_column(t("p90_hours_to_accept"), t("lf_help_p90")),
    "never_accepted": ui.int_column(t("never_accepted"), t("lf_help_never")),
    "reassigned": ui.int_column(t("reassigned"), t("lf_help_reassigned")),
    "opportunities": ui.int_column(t("opportunities")),
    "opportunity_rate": ui.percent_column(t("opportunity_rate"), t("lf_help_opp_rate")),
    "won": ui.int_column(t("won")),
    "won_rate": ui.percent_column(t("won_rate"), t("lf_help_won_rate")),
}

if has_handoffs:
    k = st.columns(3) + st.columns(3)
    k[0].metric(t("dispatched"), fmt_int(s["dispatched"]), help=t("lf_help_dispatched"), border=True)
    k[1].metric(t("sla_met_share"), fmt_pct(s["sla_met_share"]), help=t("lf_help_sla_met"), border=True)
    k[2].metric(t("median_hours_to_accept"), f"{s['median_hours_to_accept']:.1f} h", help=t("lf_help_hours_accept"),
                border=True)
    k[3].metric(t("never_accepted"), fmt_int(s["never_accepted"]), help=t("lf_help_never"), border=True)
    k[4].metric(t("returned"), fmt_int(s["returned"]), help=t("lf_help_returned"), border=True)
    k[5].metric(t("reassigned"), fmt_int(r["reassigned"]), help=t("lf_help_reassigned"), border=True)
    g = st.columns(3)
    g[0].plotly_chart(charts.share_gauge(s["sla_met_share"], t("sla_met_share")), width="stretch", key="g_sla")
    g[1].plotly_chart(charts.share_gauge(s["answered_in_time_share"], t("answered_in_time_share")),
                      width="stretch", key="g_answered")
    g[2].plotly_chart(charts.hours_gauge(s["median_hours_to_accept"], float(hours), t("median_hours_to_accept")),
                      width="stretch", key="g_hours")
    st.caption(t("lf_as_of").format(as_of=fmt_date(report.as_of, time=True), hours=f"{hours:g}"))
else:
    ui.empty_state(t("lf_no_handoffs"), needs=("handoffs",))

tabs = ui.tabs(key="lf_tab", labels=[t("lf_tab_flow"), t("lf_tab_trend"), t("lf_tab_owners"), t("lf_tab_returns"),
                t("lf_tab_response"), t("lf_tab_lists"), t("lf_tab_dedupe")])

with tabs[0]:
    if ui.shown(tabs[0]):
        links = ui.cached(leadflow.flow, filters)
        if links.empty:  # no lead can reach the hand-off stage in this data: say that, not "widen the range"
            ui.empty_state(None if ui.cached(leadflow.handoff_recorded) else t("lf_no_mql"))
        else:
            ui.chart(charts.flow_sankey, links, key="sankey")
            st.caption(t("lf_flow_caption"))
            ui.download(links.assign(source=links.source.map(lambda n: t(f"flow_{n}")),
                                     target=links.target.map(lambda n: t(f"flow_{n}"))), "lead_flow")

with tabs[1]:
    if ui.shown(tabs[1]):
        if has_handoffs:
            ui.chart(charts.weekly_trend, report.weekly, key="weekly")
            ui.dataframe(report.timings.assign(step=report.timings.step.map(lambda x: t(f"step_{x}"))),
                         hide_index=True, width="stretch", column_config={
                             "step": t("step"), "handoffs": ui.int_column(t("dispatched")),
                             "median_hours": ui.number_column(t("median_hours")),
                             "p90_hours": ui.number_column(t("p90_hours"), t("lf_help_p90"))})
            ui.download(report.weekly, "sla_weekly")
        else:
            ui.empty_state(t("lf_no_handoffs"), needs=("handoffs",))

with tabs[2]:
    if ui.shown(tabs[2]):
        if has_handoffs:
            ui.chart(charts.owner_chart, report.by_owner, key="owners")
            ui.dataframe(report.by_owner[list(OWNER_COLUMNS)], column_config=OWNER_COLUMNS, hide_index=True,
                         width="stretch")
            ui.download(report.by_owner, "sla_by_owner")
        else:
            ui.empty_state(t("lf_no_handoffs"), needs=("handoffs",))

with tabs[3]:
    if ui.shown(tabs[3]):
        if report.reasons.empty:
            ui.empty_state(t("lf_no_returns"), needs=("handoffs",))
        else:
            ui.chart(charts.reasons_chart, report.reasons, key="reasons")
            if missing := report.returns_without_reason:
                st.warning(t("lf_missing_reasons").format(n=fmt_int(missing)), icon=":material/warning:")
            ui.dataframe(report.reasons, hide_index=True, width="stretch", column_config={
                "return_reason": t("return_reason"), "returns": ui.int_column(t("returns")),
                "share": ui.percent_column(t("share")),
                "median_hours_to_return": ui.number_column(t("median_hours_to_return"))})
            ui.download(report.reasons, "return_reasons")

with tabs[4]:
    if ui.shown(tabs[4]):
        if has_handoffs:
            ui.chart(charts.response_chart, report.response, key="response")
            st.caption(t("lf_response_caption"))
            st.markdown(t("lf_reassign_text").format(
                n=fmt_int(r["reassigned"]), share=fmt_pct(r["reassigned_share"]), hours=f"{hours:g}",
                late=fmt_int(r["accepted_late"]), never=fmt_int(r["never_answered"]),
                opps=f"{r['expected_extra_opportunities']:,.1f}", won=f"{r['expected_extra_won']:,.1f}"))
            ui.dataframe(report.response.rename(columns=column_labels(report.response.columns)), hide_index=True,
                         width="stretch", column_config={t(c): ui.percent_column(t(c)) for c in
                                                         ("sql_rate", "opportunity_rate", "won_rate")})
            ui.download(report.response, "response_time_effect")
        else:
            ui.empty_state(t("lf_no_handoffs"), needs=("handoffs",))

with tabs[5]:
    if ui.shown(tabs[5]):
        kind = st.radio(t("lf_list"), ["waiting", "sla_misses"], format_func=lambda k: t(f"lf_list_{k}"),
                        horizontal=True, key="lf_list", help=t("lf_list_help"))
        with st.spinner(t("computing")):
            people = ui.cached(leadlists.handoff_list, kind, filters, hours=float(hours))
        if people.empty:
            ui.empty_state(t(f"lf_list_{kind}_empty"), needs=("handoffs",))
        else:
            st.caption(t("lf_list_caption").format(n=fmt_int(len(people)), limit=fmt_int(LIST_LIMIT)))
            ui.table(people, f"leads_{kind}", days=("hours_to_accept", "hours_waiting", "hours_past_deadline"),
                     help={"hours_waiting": t("lf_help_hours_waiting"), "overdue": t("lf_help_overdue"),
                           "hours_past_deadline": t("lf_help_past_deadline")}, key=f"lf_list_{kind}")

with tabs[6]:
    if ui.shown(tabs[6]):
        by = st.selectbox(t("lf_dedupe_by"), DEDUPE_BY, format_func=t, key="lf_dedupe_by")
        with st.spinner(t("lf_dedupe_running")):
            dd = ui.cached(leadflow.dedupe_report, filters, default_country=country, by=by)
        total = dd.by_group.iloc[-1]
        if int(total["leads"]) == 0:
            ui.empty_state()
        else:
            st.markdown(t("lf_dedupe_text").format(
                share=fmt_pct(total["not_new_share"]), n=fmt_int(total["not_new"]), leads=fmt_int(total["leads"]),
                dup=fmt_int(total["duplicate"]), cust=fmt_int(total["existing_customer"]),
                deal=fmt_int(total["open_deal"])))
            ui.chart(charts.dedupe_chart, dd.by_group, by, key="dedupe")
            shown = dd.by_group.rename(columns={by: t(by), **{x: t(f"dd_{x}") for x in leadflow.STATUSES}})
            ui.dataframe(shown.rename(columns=column_labels([c for c in shown.columns if c in dd.by_group.columns])),
                         hide_index=True, width="stretch",
                         column_config={t("not_new_share"): ui.percent_column(t("not_new_share"), t("lf_help_not_new"))})
            ui.download(dd.by_group, f"dedupe_by_{by}")
            st.subheader(t("lf_matches"))
            st.caption(t("lf_matches_caption"))
            matches = dd.matches.assign(status=dd.matches.status.map(lambda x: t(f"dd_{x}")),
                                        match_key=dd.matches.match_key.map(lambda x: t(f"key_{x}")))
            ui.dataframe(matches.rename(columns=column_labels(matches.columns)), hide_index=True, width="stretch")
            ui.download(dd.matches, "dedupe_matches")
