"""Overview: the headline KPIs against the previous period, the monthly trend and where the funnel leaks."""

import streamlit as st

from smarketing import ui
from smarketing.charts import funnel as charts
from smarketing.formatting import fmt_days, fmt_int, fmt_money, fmt_pct, md_text
from smarketing.funnel import kpis, leaks, lifecycle
from smarketing.labels import t
from smarketing.stages import active_stages
from smarketing.ui.pack import pack_buttons

ui.guard("home")
filters = ui.sidebar()
st.title(t("home_title"))
st.caption(t(f"mode_{filters.mode}") + f" · {filters.since:%d %b %Y} – {filters.until:%d %b %Y}, "
           + t("home_compared"))
pack_buttons(filters)  # the meeting pack of these filters, built when clicked

with st.spinner(t("computing")):
    headline = ui.cached(kpis.headline, filters)

if headline.loc[headline.metric == "Leads", "value"].iloc[0] == 0:
    ui.empty_state()
    st.stop()

FORMAT = {"count": fmt_int, "money": fmt_money, "pct": lambda v: fmt_pct(v, 2), "days": fmt_days}
HELP = {
    "Leads": "help_kpi_leads", "Won revenue": "help_kpi_revenue", "Lead → customer": "help_kpi_rate",
    "Median days lead → customer": "help_kpi_days",
}
cols = st.columns(4)
for i, row in enumerate(headline.itertuples()):
    delta = None if row.change != row.change else f"{row.change:+.1%} vs previous"
    inverse = row.metric.startswith("Median days")  # fewer days is better
    cols[i % 4].metric(
        md_text(row.metric), FORMAT[row.kind](row.value), delta, delta_color="inverse" if inverse else "normal",
        help=t(HELP.get(row.metric, "help_kpi_stage")), border=True,
    )

if headline.loc[headline.metric == "Won revenue", "value"].isna().all():
    st.caption(t("no_deal_amounts"))  # unknown, not $0
ui.revenue_outlier_note(filters)

left, right = st.columns([3, 2])
with left:
    st.subheader(t("home_trend"))
    trend = ui.cached(lifecycle.stage_trend, filters)
    if trend.empty:
        ui.empty_state()
    else:
        ui.chart(charts.trend_chart, trend, [s for s in active_stages().names if s in set(trend.stage)])
        st.caption(t("trend_caption"))
with right:
    st.subheader(t("home_leaks"))
    found = ui.cached(leaks.leaks, filters)
    falls = found[found.change < 0].head(5)
    if ui.no_previous_period(filters):
        pass
    elif falls.empty:
        st.success(t("no_leaks"), icon=":material/check_circle:")
    else:
        for row in falls.itertuples():
            badge = ":red-badge[significant]" if row.significant else ":orange-badge[watch]"
            st.markdown(f"{badge} **{md_text(row.transition)}**: {fmt_pct(row.rate_before)} → {fmt_pct(row.rate_now)} "
                        f"({row.change * 100:+.1f} pt, p = {row.p_value:.3f})")
        ui.page_link("funnel", t("see_funnel"))
with st.expander(t("kpi_table")):
    ui.table(headline.drop(columns=["kind"]).rename(columns={"change": "relative_change"}), "kpis",
             percent=("relative_change",))
