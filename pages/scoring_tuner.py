"""Scoring tuner: move the thresholds and the points, see MQLs, caught deals and capacity at once."""

from dataclasses import replace

import pandas as pd
import streamlit as st

from smarketing import access, ui
from smarketing.charts import scoring as charts
from smarketing.formatting import fmt_int, fmt_money, fmt_pct, md_text
from smarketing.labels import t
from smarketing.scoring.evaluation import Capacity
from smarketing.scoring.rules import RulesError
from smarketing.scoring.rules_file import dump_rules
from smarketing.scoring.scores import CUTOFF_MODES, Cutoff, recorded_outcomes
from smarketing.scoring.versions import save_version
from smarketing.ui import tuner

ui.guard("scoring_tuner")

filters = ui.sidebar()
con = ui.connection()
st.title(t("sc_title"))
st.caption(t("sc_caption"))
found = tuner.rules_now()
if found is None:
    st.stop()
saved, kind = found
st.caption(tuner.rules_caption(saved, kind))
if st.session_state.get("sc_saved_text") != dump_rules(saved):
    st.session_state.sc_saved_text = dump_rules(saved)
    tuner.set_working(saved)

tuner.agreement_section(saved)

# ---------------------------------------------------------------------------------------- settings
s1, s2, s3, s4 = st.columns(4)
outcome = s1.selectbox(t("outcome"), ui.cached(recorded_outcomes), format_func=lambda o: t(f"outcome_{o}"), key="sc_outcome",
                       help=t("help_outcome"))
cut_mode = s2.selectbox(t("cutoff"), CUTOFF_MODES, format_func=lambda m: t(f"cutoff_{m}"), key="sc_cut",
                        help=t("help_cutoff"))
reps = s3.number_input(t("reps"), min_value=0, value=5, step=1, key="sc_reps", help=t("help_capacity"))
per_rep = s4.number_input(t("per_rep"), min_value=0, value=25, step=5, key="sc_per_rep", help=t("help_capacity"))
days = s2.number_input(t("cutoff_n_days"), min_value=1, max_value=730, value=30, step=1, key="sc_days",
                        help=t("help_cutoff_days")) if cut_mode == "days" else 30
cutoff = Cutoff(cut_mode, int(days))
capacity = Capacity(reps, per_rep)

try:
    with st.spinner(t("computing")):
        engine = tuner.engine_for(st.session_state.sc_working, cutoff, filters)
        saved_engine = engine if engine.supports(saved) else tuner.engine_for(saved, cutoff, filters)
except RulesError as exc:
    st.error(f"{t('sc_rules_error')}: {md_text(exc)}")
    st.stop()
if engine.n == 0:
    ui.empty_state()
    st.stop()

# ---------------------------------------------------------------------------------------- sliders
working = st.session_state.sc_working
left, right = st.columns([1, 2.4], gap="large")
with left:
    st.subheader(t("sc_thresholds"))
    top_fit = max(100, int(sum(max(r.points, 0) for r in working.fit)) + 10)
    st.slider(t("fit_threshold"), -50, top_fit, step=1, key="sc_fit_t", help=t("help_fit_threshold"))
    st.slider(t("interest_threshold"), 0, max(150, int(working.interest_threshold) * 2), step=1, key="sc_int_t",
              help=t("help_interest_threshold"))
    st.toggle(t("sc_combined_on"), key="sc_comb_on", help=t("help_combined"))
    if st.session_state.sc_comb_on:
        st.slider(t("combined_threshold"), 0, 300, step=1, key="sc_comb_t")
    st.subheader(t("sc_points"))
    tuner.point_sliders(working)  # collapsed: the decision stays above the fold

proposed = tuner.proposed_rules()
scores = engine.scores(proposed)
now = engine.evaluate(proposed, outcome, capacity, scores=scores)
# The saved rules' metrics only change with the settings: keep them, so the engine's memo of the
# proposed scores is not overwritten by the saved ones on every slider move.
before_key = (st.session_state.sc_saved_text, outcome, cutoff, capacity, repr(filters), ui.cache_key())
if st.session_state.get("sc_before", (None,))[0] != before_key:
    st.session_state.sc_before = (before_key, saved_engine.evaluate(saved, outcome, capacity))
before = st.session_state.sc_before[1]

with right:
    cols = st.columns(4)
    unknown = set() if ui.profile().won_with_amount else {"won_revenue_captured"}  # no amounts: "–", not $0
    for n, (key, fmt, higher) in enumerate(tuner.METRICS):
        delta = None if now[key] is None or before[key] is None or key in unknown else now[key] - before[key]
        cols[n % 4].metric(
            t(f"{key}_short") if key == "won_revenue_captured" else t(key), "–" if key in unknown else fmt(now[key]),
            delta=None if not delta else tuner.fmt_metric(key, delta, signed=True),  # rates in points: +0.5 pts
            delta_color="normal" if higher else "off", help=t(f"help_{key}"),
        )
    use = now["capacity_use"]
    msg = t("sc_capacity").format(per_week=f"{now['mqls_per_week']:,.1f}", capacity=fmt_int(capacity.per_week),
                                  use=fmt_pct(use) if use is not None else "–")
    (st.warning if use is not None and use > 1 else st.caption)(msg)
    curve = engine.curve(proposed, outcome, "interest", capacity, scores=scores)
    tab_pr, tab_vol, tab_week = ui.tabs(key="sc_tab", labels=[t("sc_tab_pr"), t("sc_tab_volume"), t("sc_tab_weekly")])
    with tab_pr:
        if ui.shown(tab_pr):
            st.plotly_chart(charts.pr_curve(curve, before, now),
                            width="stretch", key="sc_pr")
            st.caption(t("sc_pr_caption"))
    with tab_vol:
        if ui.shown(tab_vol):
            st.plotly_chart(charts.volume_curve(curve, capacity.per_week, proposed.interest_threshold),
                            width="stretch", key="sc_vol")
            ui.download(curve, "threshold_curve", key="sc_dl_curve")
    with tab_week:
        if ui.shown(tab_week):
            weekly = engine.weekly(proposed, outcome, scores=scores)
            st.plotly_chart(charts.weekly_volume(weekly, capacity.per_week), width="stretch", key="sc_week")
            ui.download(weekly, "mqls_per_week", key="sc_dl_week")

# ---------------------------------------------------------------------------------------- saved vs proposed
tab_cmp, tab_sug = ui.tabs([t("sc_compare_title"), t("sc_suggest_title")], key="sc_lower")
with tab_cmp:
    if ui.shown(tab_cmp):
        keys = [k for k in ["mqls", "caught", "precision", "recall", "lift", "f1", "won_revenue_captured",
                            "mqls_per_week"] if k not in unknown]
        compare = pd.DataFrame({"metric": keys, "saved": [before[k] for k in keys], "proposed": [now[k] for k in keys]})
        ui.dataframe(tuner.compare_table([(k, before[k], now[k]) for k in keys]), hide_index=True, width="stretch",
                     column_config=tuner.compare_config(t("sc_saved_rules"), t("sc_proposed_rules")))
        ui.download(compare, "saved_vs_proposed", key="sc_dl_cmp")
        st.markdown(t("sc_compare_text").format(
            mqls=f"{now['mqls'] - before['mqls']:+,}", caught=f"{now['caught'] - before['caught']:+,}",
            revenue="–" if unknown else fmt_money(now["won_revenue_captured"] - before["won_revenue_captured"]),
            outcome=t(f"outcome_{outcome}"),
        ))

b1, b2, b3 = st.columns(3)
may_save = access.can(access.SAVE_RULES)
if b1.button(t("sc_save"), type="primary", icon=":material/save:", key="sc_save", disabled=not may_save,
             help=t("help_save") if may_save else t("access_denied").format(
                 action=t("perm_save_rules"), role=t(f"role_{access.role()}"))):
    access.require(access.SAVE_RULES)
    new, path = save_version(replace(proposed, name=saved.name.removesuffix(" (suggested)")), ui.db_path())
    st.success(t("sc_saved").format(version=new.version, path=md_text(path)))
    st.session_state.pop("sc_saved_text", None)
b2.button(t("sc_reset"), on_click=tuner.set_working, args=(saved,), key="sc_reset", icon=":material/undo:")
b3.download_button(t("sc_download_proposed"), dump_rules(proposed).encode("utf-8"), file_name="scoring_proposed.toml",
                   mime="application/toml", key="sc_dl_proposed", icon=":material/download:")

with tab_sug:
    if ui.shown(tab_sug):  # the suggestion fits models: only when asked for
        tuner.suggestion_section(saved, outcome, cutoff, filters)
