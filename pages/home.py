"""Overview: the headline KPIs against the previous period, the monthly trend and where the funnel leaks."""

import streamlit as st

from smarketing import ui
from smarketing.charts import funnel as charts
from smarketing.formatting import fmt_date
from smarketing.funnel import kpis, leaks, lifecycle
from smarketing.labels import t
from smarketing.stages import active_stages
from smarketing.ui import cards
from smarketing.ui.pack import pack_buttons

ui.guard("home")
filters = ui.sidebar()
st.title(t("home_title"))
st.caption(t("home_caption").format(mode=t(f"mode_{filters.mode}"), since=fmt_date(filters.since),
                                    until=fmt_date(filters.until), compared=t("home_compared")))
pack_buttons(filters)  # the meeting pack of these filters, built when clicked

with st.spinner(t("computing")):
    headline = ui.cached(kpis.headline, filters)

if headline.loc[headline.metric == "Leads", "value"].iloc[0] == 0:
    ui.empty_state()
    st.stop()

cards.kpi_cards(headline)  # a rate's change in points, the others' in per cent

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
            st.markdown(cards.leak_line(row))
        ui.page_link("funnel", t("see_funnel"))
with st.expander(t("kpi_table")):
    ui.dataframe(cards.kpi_table(headline), hide_index=True, width="stretch", column_config=cards.kpi_table_config())
    ui.download(headline, "kpis")
