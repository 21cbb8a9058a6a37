"""What drives conversion: for two lifecycle stages or two behaviour steps, the lead properties and earlier events
that raise or lower the odds of taking the step, the leads behind a driver, and the time the step takes."""

import streamlit as st

from smarketing import ui
from smarketing.charts import drivers as charts
from smarketing.formatting import fmt_int, fmt_number, fmt_pct, md_text
from smarketing.funnel import drivers as drv
from smarketing.labels import label, t
from smarketing.reach import recorded_stages
from smarketing.schema import CORE_EVENT_TYPES
from smarketing.scoring.scores import event_types
from smarketing.stages import active_stages

ui.guard("drivers")
STAGES = active_stages()
filters = ui.sidebar()
st.title(t("drv_title"))
st.caption(t("drv_caption"))

kind = st.radio(t("drv_kind"), drv.KINDS, format_func=lambda k: t(f"drv_kind_{k}"), horizontal=True, key="drv_kind")
c1, c2, c3, c4 = st.columns([2, 2, 1, 1])
if kind == "stage":
    recorded = ui.cached(recorded_stages)
    if len(recorded) < 2:
        st.info(t("one_stage_only").format(first=md_text(STAGES.names[0])), icon=":material/info:")
        st.stop()
    starts = recorded[:-1]
    mql = STAGES.role("mql")
    start = c1.selectbox(t("drv_from_stage"), starts, index=starts.index(mql) if mql in starts else 0, key="drv_from")
    ends = [s for s in recorded if STAGES.index(s) > STAGES.index(start)]
    end = c2.selectbox(t("drv_to_stage"), ends, key="drv_to")
    pair = drv.StepPair("stage", start, end)
else:
    if not ui.profile().has("events"):
        ui.empty_state(needs=("events",))
        st.stop()
    kinds = ui.cached(event_types) or list(CORE_EVENT_TYPES)
    first = kinds.index("content_download") if "content_download" in kinds else 0
    start = c1.selectbox(t("drv_from_event"), kinds, index=first, format_func=label, key="drv_from_event")
    then = kinds.index("demo_request") if "demo_request" in kinds else min(1, len(kinds) - 1)
    end = c2.selectbox(t("drv_to_event"), kinds, index=then, format_func=label, key="drv_to_event")
    window = c3.number_input(t("behaviour_window"), min_value=1, max_value=365, value=30, key="drv_window")
    pair = drv.StepPair("event", start, end, float(window))
min_count = c4.number_input(t("drv_min_count"), min_value=1, max_value=100_000, value=drv.MIN_COUNT, step=5,
                            key="drv_min_count", help=t("drv_help_min_count"))

HELP = {"odds_ratio": t("drv_help_odds"), "interval": t("drv_help_ci"), "q_value": t("drv_help_q"),
        "effect": t("drv_help_effect")}
with st.spinner(t("computing")):
    report = ui.cached(drv.drivers, pair, filters, min_count=int(min_count))
if report.leads == 0:
    ui.empty_state()
    st.stop()
st.markdown(t("drv_summary").format(rate=fmt_pct(report.rate), n=fmt_int(report.leads), converted=fmt_int(
    report.converted), start=md_text(label(pair.start)), end=md_text(label(pair.end))))

tabs = ui.tabs(key="drv_tab", labels=[t("drv_tab_drivers"), t("drv_tab_time")])

with tabs[0]:
    if ui.shown(tabs[0]):
        found = report.drivers
        if found.empty:
            st.info(t("drv_none_tested").format(n=fmt_int(report.min_count)), icon=":material/info:")
        else:
            if split := int(found.zero_cell.sum()):
                st.warning(t("drv_zero_cells").format(n=fmt_int(split)), icon=":material/warning:")
            ui.chart(charts.drivers_chart, found, title=t("drv_chart_title"), key="drv_chart")
            st.caption(t("drv_chart_caption").format(top=charts.TOP))
            table = found.assign(feature=[t("drv_event_feature") if k == "event" else label(f)
                                          for k, f in zip(found.kind, found.feature, strict=True)],
                                 value=[label(v) for v in found.value],
                                 effect=found.effect.map(lambda e: t(f"drv_effect_{e}")))
            table = table.assign(interval=[f"{lo:,.2f}–{hi:,.2f}" for lo, hi in zip(table.ci_low, table.ci_high,
                                                                                       strict=True)])
            ui.dataframe(table[["feature", "value", "leads_with", "rate_with", "leads_without", "rate_without",
                                "odds_ratio", "interval", "q_value", "effect"]], hide_index=True, width="stretch",
                         column_config={c: st.column_config.TextColumn(t(c), help=HELP.get(c))
                                        for c in ("feature", "value", "interval", "effect")} | {
                             "leads_with": t("leads_with"), "leads_without": t("leads_without"),
                             "rate_with": t("rate_with"), "rate_without": t("drv_rate_without"),
                             "odds_ratio": {"label": t("odds_ratio"), "help": HELP["odds_ratio"]},  # 1.71×
                             "q_value": {"label": t("q_value"), "help": HELP["q_value"]}})  # < 0.001, not 1.2e-05
            ui.download(found, "drivers")
        if report.set_aside:
            st.caption(t("drv_set_aside").format(n=fmt_int(report.set_aside), min=fmt_int(report.min_count)))
        if not found.empty:
            st.subheader(t("drv_leads_title"))
            names = {f"{charts.driver_name(r.kind, r.feature, r.value)} · {t('odds_ratio')} {r.odds_ratio:.2f}": i
                     for i, r in enumerate(found.itertuples())}  # options named by the driver: never a stale label
            pick = st.selectbox(t("drv_pick"), list(names), key="drv_pick", help=t("drv_help_pick"))
            chosen = found.iloc[names[pick]]
            with st.spinner(t("computing")):
                people = ui.cached(drv.driver_leads, pair, chosen.kind, chosen.feature, chosen.value,
                                   float(chosen.low), float(chosen.high), filters)
            st.caption(t("drv_leads_caption").format(n=fmt_int(chosen.leads_with), shown=fmt_int(len(people)),
                                                     converted=fmt_int(chosen.converted_with)))
            ui.table(people, "driver_leads", key="drv_leads")

with tabs[1]:
    if ui.shown(tabs[1]):
        timed = ui.cached(drv.time_to_convert, pair, filters)
        if timed.leads == 0:
            st.info(t("drv_no_conversions"), icon=":material/info:")
        else:
            unit = t(f"drv_unit_{timed.unit}")
            st.markdown(t("drv_time_summary").format(n=fmt_int(timed.leads), median=fmt_number(timed.median),
                                                     p90=fmt_number(timed.p90), unit=unit))
            ui.chart(charts.time_chart, timed.histogram, timed.unit, timed.median, timed.p90, timed.open_end,
                     t("drv_time_title"), key="drv_time")
            st.caption(t("drv_time_caption"))
            ui.table(timed.histogram, "time_to_convert", percent=("share",), ints=("leads",),
                     kinds=dict.fromkeys(("bin_start", "bin_end"), timed.unit), key="drv_time_table")  # d or h
