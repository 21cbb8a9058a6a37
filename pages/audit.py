"""Data trust: the funnel integrity audit — issues per stage and per source, trust per stage, what each issue type
does to the headline conversions, and the offending leads for the CRM admin."""

import streamlit as st

from smarketing import ui
from smarketing.charts import audit as charts
from smarketing.formatting import fmt_date, fmt_int, fmt_pct, md_text
from smarketing.funnel import audit
from smarketing.labels import label, t

ui.guard("audit")
filters = ui.sidebar()
st.title(t("audit_title"))
st.caption(t("audit_caption"))

left, _ = st.columns([1, 3])
sla = left.number_input(t("audit_sla_hours"), min_value=1.0, max_value=168.0, value=audit.DEFAULT_SLA_HOURS, step=1.0,
                        format="%.0f", key="audit_sla", help=t("audit_help_sla"))
with st.spinner(t("computing")):
    report = ui.cached(audit.audit_report, filters, sla_hours=float(sla))
if report.leads == 0:
    ui.empty_state()
    st.stop()
if not ui.profile().has("stage_changes"):
    st.info(t("audit_no_stage_changes"), icon=":material/info:")

issues = report.issues.set_index("issue")
CHECKED = [k for k in audit.ISSUES if issues.at[k, "checked"]]


def group_leads(group: str) -> int:
    """Leads with an issue of one group (a lead may have several issue types: the largest type is a floor)."""
    found = issues[(issues.group == group) & issues.checked].leads
    return int(found.max()) if len(found) else 0


k = st.columns(4)
k[0].metric(t("audit_leads"), fmt_int(report.leads), help=t("audit_help_leads"), border=True)
k[1].metric(t("audit_history_leads"), f"{fmt_int(report.with_history_issue)} · "
            f"{fmt_pct(report.with_history_issue / report.leads)}", help=t("audit_help_history"), border=True)
k[2].metric(t("audit_stale_leads"), fmt_int(group_leads(audit.STALE)), help=t("audit_help_stale"), border=True)
k[3].metric(t("audit_mapping_leads"), fmt_int(group_leads(audit.MAPPING)), help=t("audit_help_mapping"), border=True)
as_of = fmt_date(report.as_of, time=True) if report.as_of is not None else "–"
st.caption(t("audit_as_of").format(as_of=as_of, hours=f"{report.sla_hours:g}"))
if unchecked := [k for k in audit.ISSUES if not issues.at[k, "checked"]]:
    st.caption(t("audit_not_checked").format(issues="; ".join(
        t("audit_needs").format(issue=charts.issue_label(k), what=", ".join(t(f"audit_needs_{m}") for m in
                                                                          issues.at[k, "missing"].split(", ")))
        for k in unchecked)))


FOUND = [k for k in CHECKED if issues.at[k, "leads"] > 0]


def shown(frame):
    """Issue columns under their labels' keys (issue_<type>), only those some lead in scope has."""
    dropped = [k for k in audit.ISSUES if k not in FOUND]
    return frame.drop(columns=dropped).rename(columns={k: f"issue_{k}" for k in FOUND})


ISSUE_COLUMNS = [f"issue_{k}" for k in FOUND]
HELP = {f"issue_{k}": t(f"help_issue_{k}") for k in audit.ISSUES} | {"trust": t("audit_help_trust"),
                                                                     "clean": t("audit_help_clean")}

c1, c2 = st.columns([2, 3])
with c1:
    ui.chart(charts.trust_chart, report.by_stage, t("audit_trust_title"), key="audit_trust")
    st.caption(t("audit_trust_colours").format(good=fmt_pct(charts.GOOD, 0), fair=fmt_pct(charts.FAIR, 0)))
with c2:
    if not report.by_stage[CHECKED].fillna(0).to_numpy().sum():
        st.success(t("audit_all_clean"), icon=":material/verified:")
    else:
        ui.chart(charts.issues_chart, report.by_stage, CHECKED, t("audit_issues_title"), key="audit_issues")

matrix = report.matrix
stage_names = [c for c in matrix.columns if c not in ("issue", "group", "leads", "share")]
ui.dataframe(matrix.assign(issue=matrix.issue.map(charts.issue_label), group=matrix.group.map(
    lambda g: t(f"audit_group_{g}")), share=matrix.share * 100), hide_index=True, width="stretch",
    height=35 * (len(matrix) + 1) + 3,
    column_config={"issue": st.column_config.TextColumn(t("issue")), "group": st.column_config.TextColumn(t("group")),
                   **{s: ui.int_column(label(s)) for s in stage_names},
                   "leads": ui.int_column(t("audit_any_stage"), t("audit_help_issue_leads")),
                   "share": ui.number_column(t("share"), t("audit_help_share"), fmt="%.1f%%")})
ui.download(matrix, "audit_issues_by_stage")
st.caption(t("audit_stage_caption"))

tabs = ui.tabs(key="audit_tab", labels=[t("audit_tab_stage"), t("audit_tab_source"), t("audit_tab_effect"),
                                        t("audit_tab_leads")])

with tabs[0]:
    if ui.shown(tabs[0]):
        ui.table(shown(report.by_stage), "trust_by_stage", percent=("trust",), ints=("leads", "clean", *ISSUE_COLUMNS),
                 help=HELP, key="audit_by_stage")
        st.caption(t("audit_found_only"))

with tabs[1]:
    if ui.shown(tabs[1]):
        ui.table(shown(report.by_source), "trust_by_source", percent=("trust",),
                 ints=("leads", "clean", *ISSUE_COLUMNS), help=HELP, key="audit_by_source")
        st.caption(t("audit_source_caption") + " " + t("audit_found_only"))

with tabs[2]:
    if ui.shown(tabs[2]):
        effects = report.effects[report.effects.flagged > 0]
        if effects.empty:
            st.success(t("audit_all_clean"), icon=":material/verified:")
        else:
            keys = [k for k in [*CHECKED, audit.ANY_HISTORY] if k in set(effects.issue)]
            ui.chart(charts.effects_heatmap, effects, keys, t("audit_effect_title"), key="audit_effects")
            st.caption(t("audit_effect_caption"))
        effects = effects.drop(columns=["from_stage", "to_stage"])
        ui.table(effects.assign(issue=effects.issue.map(charts.issue_label)), "audit_effects",
                 percent=("rate_all", "rate_without"), ints=("flagged",),  # change: a difference, in points
                 help={"change": t("audit_help_change"), "flagged": t("audit_help_flagged")}, key="audit_effect_table")

with tabs[3]:
    if ui.shown(tabs[3]):
        counts = {k: int(issues.at[k, "leads"]) for k in CHECKED}
        options = sorted(CHECKED, key=lambda k: -counts[k])
        issue = st.selectbox(t("audit_pick_issue"), options, key="audit_issue", help=t("audit_help_pick"),
                             format_func=lambda k: f"{charts.issue_label(k)} ({fmt_int(counts[k])})")
        st.caption(t(f"help_issue_{issue}"))
        if not counts[issue]:
            st.success(t("audit_list_empty"), icon=":material/verified:")
        else:
            with st.spinner(t("computing")):
                people = ui.cached(audit.offending_leads, issue, filters, sla_hours=float(sla))
            st.caption(t("audit_list_caption").format(n=fmt_int(counts[issue]), shown=fmt_int(len(people)),
                                                      issue=md_text(charts.issue_label(issue))))
            ui.table(people, f"leads_{issue}", key=f"audit_list_{issue}")
