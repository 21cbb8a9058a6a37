"""Lead flow & SLA: the hand-off as a flow, SLA cards and trend, owners, returns, response time, de-duplication."""

import streamlit as st

from smarketing import ui
from smarketing.charts import leadflow as charts
from smarketing.formatting import fmt_date, fmt_hours, fmt_int, fmt_pct
from smarketing.labels import label, t
from smarketing.leadflow import flow as leadflow
from smarketing.leadflow import lists as leadlists
from smarketing.scoring.quadrants import LIST_LIMIT
from smarketing.ui.cards import small_samples

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


OWNER_COLUMNS = {  # eight columns fit the page; the CSV has them all (accepted, returned, pending, 90th pct., counts)
    "owner": t("owner"), "dispatched": {"label": t("dispatched"), "help": t("lf_help_dispatched")},
    "sla_met_share": {"label": t("sla_met_share"), "help": t("lf_help_sla_met")},
    "answered_in_time_share": {"label": t("answered_in_time_share"), "help": t("lf_help_answered")},
    "median_hours_to_accept": {"label": t("median_hours_to_accept"), "help": t("lf_help_hours_accept")},
    "reassigned": {"label": t("reassigned"), "help": t("lf_help_reassigned")},
    "opportunity_rate": {"label": t("opportunity_rate"), "help": t("lf_help_opp_rate")},
    "won_rate": {"label": t("won_rate"), "help": t("lf_help_won_rate")},
}

if has_handoffs:  # the cards say each number once (the gauges repeated them)
    k = st.columns(4) + st.columns(4)
    k[0].metric(t("dispatched"), fmt_int(s["dispatched"]), help=t("lf_help_dispatched"), border=True)
    k[1].metric(t("sla_met_share"), fmt_pct(s["sla_met_share"]), help=t("lf_help_sla_met"), border=True)
    k[2].metric(t("answered_in_time_share"), fmt_pct(s["answered_in_time_share"]), help=t("lf_help_answered"),
                border=True)
    k[3].metric(t("median_hours_to_accept"), fmt_hours(s["median_hours_to_accept"]), help=t("lf_help_hours_accept"),
                border=True)
    k[4].metric(t("never_accepted"), fmt_int(s["never_accepted"]), help=t("lf_help_never"), border=True)
    k[5].metric(t("returned"), fmt_int(s["returned"]), help=t("lf_help_returned"), border=True)
    k[6].metric(t("reassigned"), fmt_int(r["reassigned"]), help=t("lf_help_reassigned"), border=True)
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
                             "step": t("step"), "handoffs": t("dispatched"), "median_hours": t("median_hours"),
                             "p90_hours": {"label": t("p90_hours"), "help": t("lf_help_p90")}})
            ui.download(report.weekly, "sla_weekly")
        else:
            ui.empty_state(t("lf_no_handoffs"), needs=("handoffs",))

with tabs[2]:
    if ui.shown(tabs[2]):
        if has_handoffs:
            ui.chart(charts.owner_chart, report.by_owner, key="owners")
            st.caption(t("lf_owner_colours"))
            ui.dataframe(report.by_owner[list(OWNER_COLUMNS)], column_config=OWNER_COLUMNS, hide_index=True,
                         width="stretch")
            small_samples(report.by_owner, "owner", "dispatched")
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
                "return_reason": t("return_reason"), "returns": t("returns"), "share": t("share"),
                "median_hours_to_return": t("median_hours_to_return")})
            ui.download(report.reasons, "return_reasons")

with tabs[4]:
    if ui.shown(tabs[4]):
        if has_handoffs:
            ui.chart(charts.response_chart, report.response, key="response")
            st.caption(t("lf_response_caption"))
            st.markdown(t("lf_reassign_text").format(
                n=fmt_int(r["reassigned"]), share=fmt_pct(r["reassigned_share"]), hours=f"{hours:g}",
                late=fmt_int(r["accepted_late"]), never=fmt_int(r["never_answered"]),
                opps=fmt_int(r["expected_extra_opportunities"]), won=fmt_int(r["expected_extra_won"])))
            ui.dataframe(report.response.assign(bucket=report.response.bucket.map(label)), hide_index=True,
                         width="stretch")
            small_samples(report.response.assign(bucket=report.response.bucket.map(label)), "bucket", "leads")
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
            ui.table(people, f"leads_{kind}",  # hours by their names (1.5 h)
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
            ui.dataframe(dd.by_group, hide_index=True, width="stretch", column_config={
                by: t(by), **{x: t(f"dd_{x}") for x in leadflow.STATUSES},
                "not_new_share": {"label": t("not_new_share"), "help": t("lf_help_not_new")}})
            ui.download(dd.by_group, f"dedupe_by_{by}")
            st.subheader(t("lf_matches"))
            st.caption(t("lf_matches_caption"))
            matches = dd.matches.assign(status=dd.matches.status.map(lambda x: t(f"dd_{x}")),
                                        match_key=dd.matches.match_key.map(lambda x: t(f"key_{x}")))
            ui.dataframe(matches, hide_index=True, width="stretch")
            ui.download(dd.matches, "dedupe_matches")
