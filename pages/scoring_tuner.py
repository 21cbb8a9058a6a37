"""Scoring tuner: move the thresholds and the points, see MQLs, caught deals and capacity at once."""

from dataclasses import replace

import pandas as pd
import streamlit as st

from smarketing import access, ui
from smarketing.charts import scoring as charts
from smarketing.formatting import fmt_int, fmt_money, fmt_pct, fmt_ratio, md_text
from smarketing.labels import t
from smarketing.scoring.evaluation import METRIC_KINDS, Capacity
from smarketing.scoring.rules import RulesError, agreement_markdown
from smarketing.scoring.rules_file import dump_rules, parse_rules
from smarketing.scoring.scores import CUTOFF_MODES, OUTCOMES, Cutoff
from smarketing.scoring.suggest import suggest
from smarketing.scoring.tuner import Tuner
from smarketing.scoring.versions import load_rules, save_version

ui.guard("scoring_tuner")

METRICS = [  # key, formatter, delta is good when higher
    ("mqls", fmt_int, None), ("mql_share", fmt_pct, None), ("precision", fmt_pct, True), ("recall", fmt_pct, True),
    ("lift", fmt_ratio, True), ("f1", fmt_pct, True),
    ("won_revenue_captured", fmt_money, True), ("mqls_per_week", lambda v: f"{v:,.1f}", None),
]


@st.cache_resource(show_spinner=False, max_entries=6)
def _engine(db_key: str, structure: str, cutoff: Cutoff, filters_key: str, _filters) -> Tuner:
    return Tuner.load(ui.connection(), parse_rules(structure), cutoff, _filters)


@st.cache_resource(show_spinner=False, max_entries=4)
def _suggestion(db_key: str, rules_text: str, outcome: str, cutoff: Cutoff, filters_key: str, _filters):
    return suggest(ui.connection(), parse_rules(rules_text), outcome, cutoff, _filters)


def engine_for(rules, cutoff, filters) -> Tuner:
    return _engine(ui.cache_key(), dump_rules(rules.with_points()), cutoff, repr(filters), filters)


def _set_working(rules) -> None:
    """Make `rules` the working rules: their points and thresholds go into the widgets."""
    st.session_state.sc_working = rules
    st.session_state.sc_fit_t = float(rules.fit_threshold)
    st.session_state.sc_int_t = float(rules.interest_threshold)
    st.session_state.sc_comb_on = rules.combined_threshold is not None
    st.session_state.sc_comb_t = float(rules.combined_threshold or 100.0)
    for prefix, items in (("f", rules.fit), ("i", rules.interest), ("b", rules.bonus)):
        for k, r in enumerate(items):
            st.session_state[f"sc_p{prefix}{k}"] = int(round(r.points))


def _proposed():
    w = st.session_state.sc_working
    return w.with_points(
        fit=[st.session_state[f"sc_pf{k}"] for k in range(len(w.fit))],
        interest=[st.session_state[f"sc_pi{k}"] for k in range(len(w.interest))],
        bonus=[st.session_state[f"sc_pb{k}"] for k in range(len(w.bonus))],
        fit_threshold=float(st.session_state.sc_fit_t), interest_threshold=float(st.session_state.sc_int_t),
        combined_threshold=float(st.session_state.sc_comb_t) if st.session_state.sc_comb_on else None,
    )


def _fmt(key: str, value, signed: bool = False) -> str:
    """A metric value in its natural unit (count, %, ×, money); differences with a sign."""
    kind = METRIC_KINDS.get(key, "num")
    if value is None or value != value:
        return "–"
    if kind == "pct":
        text = f"{value * 100:+.1f} pts" if signed else fmt_pct(value)
    elif kind == "ratio":
        text = f"{value:+.2f}×" if signed else fmt_ratio(value)
    elif kind == "money":
        text = fmt_money(value)
        text = ("+" + text) if signed and value > 0 else text
    elif kind == "int":
        text = f"{value:+,.0f}" if signed else fmt_int(value)
    else:
        text = f"{value:+,.1f}" if signed else f"{value:,.1f}"
    return text


def _compare_table(rows: list[tuple[str, float, float]]) -> pd.DataFrame:
    """metric key, before, after -> a readable table (labels, formatted values and difference)."""
    return pd.DataFrame({
        "metric": [t(k) for k, _, _ in rows],
        "before": [_fmt(k, a) for k, a, _ in rows],
        "after": [_fmt(k, b) for k, _, b in rows],
        "difference": [_fmt(k, None if a is None or b is None else b - a, signed=True) for k, a, b in rows],
    })


filters = ui.sidebar()
con = ui.connection()
st.title(t("sc_title"))
st.caption(t("sc_caption"))
try:
    saved = load_rules(db=ui.db_path())
except RulesError as exc:
    st.error(f"{t('sc_rules_error')}: {md_text(exc)}")
    st.stop()
if st.session_state.get("sc_saved_text") != dump_rules(saved):
    st.session_state.sc_saved_text = dump_rules(saved)
    _set_working(saved)

# ---------------------------------------------------------------------------------------- the agreement
with st.expander(t("sc_agreement").format(version=saved.version), icon=":material/handshake:"):
    st.markdown(agreement_markdown(saved))
    a, b = st.columns(2)
    a.download_button(t("sc_download_rules"), dump_rules(saved).encode("utf-8"), file_name="scoring.toml",
                      mime="application/toml", icon=":material/download:", key="sc_dl_saved")
    upload = b.file_uploader(t("sc_upload_rules"), type=["toml"], key="sc_upload", help=t("help_upload_rules"),
                             max_upload_size=1)  # MB: a rules file is read whole (toml_input.MAX_BYTES)
    if upload is not None and st.session_state.get("sc_upload_done") != upload.file_id:
        try:
            _set_working(parse_rules(upload.getvalue().decode("utf-8"), upload.name))
            st.session_state.sc_upload_done = upload.file_id
            st.success(t("sc_uploaded"))
        except (RulesError, UnicodeDecodeError) as exc:
            st.error(md_text(exc))
    text = st.text_area(t("sc_edit_rules"), dump_rules(st.session_state.sc_working), height=260, key="sc_text",
                        help=t("help_edit_rules"))
    if st.button(t("sc_apply_text"), key="sc_apply"):
        try:
            _set_working(parse_rules(text, "edited rules"))
            st.rerun()
        except RulesError as exc:
            st.error(md_text(exc))

# ---------------------------------------------------------------------------------------- settings
s1, s2, s3, s4 = st.columns(4)
outcome = s1.selectbox(t("outcome"), OUTCOMES, format_func=lambda o: t(f"outcome_{o}"), key="sc_outcome",
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
        engine = engine_for(st.session_state.sc_working, cutoff, filters)
        saved_engine = engine if engine.supports(saved) else engine_for(saved, cutoff, filters)
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
    with st.expander(t("sc_fit_points"), expanded=True):
        for k, r in enumerate(working.fit):
            st.slider(md_text(r.name), -25, 50, step=1, key=f"sc_pf{k}", help=r.describe(markdown=True))
    with st.expander(t("sc_interest_points"), expanded=False):
        for k, r in enumerate(working.interest):
            cap = f" ({t('cap')} {r.cap:,.0f})" if r.cap else ""
            st.slider(f"{md_text(r.event_type)}{cap}", -25, 50, step=1, key=f"sc_pi{k}", help=t("help_event_points"))
        for k, b in enumerate(working.bonus):
            st.slider(md_text(b.name), -25, 50, step=1, key=f"sc_pb{k}", help=t("help_bonus"))

proposed = _proposed()
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
    for n, (key, fmt, higher) in enumerate(METRICS):
        delta = None if now[key] is None or before[key] is None else now[key] - before[key]
        cols[n % 4].metric(
            t(f"{key}_short") if key == "won_revenue_captured" else t(key), fmt(now[key]), delta=None if not delta else (fmt(delta) if key != "mqls" else f"{delta:+,.0f}"),
            delta_color="normal" if higher else "off", help=t(f"help_{key}"),
        )
    use = now["capacity_use"]
    msg = t("sc_capacity").format(per_week=f"{now['mqls_per_week']:,.1f}", capacity=fmt_int(capacity.per_week),
                                  use=fmt_pct(use) if use is not None else "–")
    (st.warning if use is not None and use > 1 else st.caption)(msg)
    curve = engine.curve(proposed, outcome, "interest", capacity, scores=scores)
    tab_pr, tab_vol, tab_week = st.tabs([t("sc_tab_pr"), t("sc_tab_volume"), t("sc_tab_weekly")])
    with tab_pr:
        st.plotly_chart(charts.pr_curve(curve, before, now),
                        width="stretch", key="sc_pr")
        st.caption(t("sc_pr_caption"))
    with tab_vol:
        st.plotly_chart(charts.volume_curve(curve, capacity.per_week, proposed.interest_threshold),
                        width="stretch", key="sc_vol")
        ui.download(curve, "threshold_curve", key="sc_dl_curve")
    with tab_week:
        weekly = engine.weekly(proposed, outcome, scores=scores)
        st.plotly_chart(charts.weekly_volume(weekly, capacity.per_week), width="stretch", key="sc_week")
        ui.download(weekly, "mqls_per_week", key="sc_dl_week")

# ---------------------------------------------------------------------------------------- saved vs proposed
st.subheader(t("sc_compare_title"))
keys = ["mqls", "caught", "precision", "recall", "lift", "f1", "won_revenue_captured", "mqls_per_week"]
compare = pd.DataFrame({"metric": keys, "saved": [before[k] for k in keys], "proposed": [now[k] for k in keys]})
ui.dataframe(_compare_table([(k, before[k], now[k]) for k in keys]), hide_index=True, width="stretch",
             column_config={"metric": t("metric"), "before": t("sc_saved_rules"), "after": t("sc_proposed_rules"),
                            "difference": t("difference")})
ui.download(compare, "saved_vs_proposed", key="sc_dl_cmp")
st.markdown(t("sc_compare_text").format(
    mqls=f"{now['mqls'] - before['mqls']:+,}", caught=f"{now['caught'] - before['caught']:+,}",
    revenue=fmt_money(now["won_revenue_captured"] - before["won_revenue_captured"]), outcome=t(f"outcome_{outcome}"),
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
b2.button(t("sc_reset"), on_click=_set_working, args=(saved,), key="sc_reset", icon=":material/undo:")
b3.download_button(t("sc_download_proposed"), dump_rules(proposed).encode("utf-8"), file_name="scoring_proposed.toml",
                   mime="application/toml", key="sc_dl_proposed", icon=":material/download:")

# ---------------------------------------------------------------------------------------- suggestion
st.subheader(t("sc_suggest_title"))
st.caption(t("sc_suggest_caption"))
try:
    with st.spinner(t("sc_suggest_running")):
        sug = _suggestion(ui.cache_key(), dump_rules(saved), outcome, cutoff, repr(filters), filters)
except ValueError as exc:
    st.warning(md_text(exc))
    st.stop()
auc = sug.auc
verdict = "sc_suggest_better" if sug.beats_current else "sc_suggest_not_better"
st.markdown(t(verdict).format(
    split=f"{sug.split_at:%Y-%m-%d}", train=fmt_int(sug.train_leads), test=fmt_int(sug.test_leads),
    cur=f"{auc['current']:.3f}" if auc["current"] is not None else "–",
    sug=f"{auc['suggested']:.3f}" if auc["suggested"] is not None else "–",
    lr=f"{auc['logistic']:.3f}" if auc["logistic"] is not None else "–",
))
cmp = _compare_table(list(sug.comparison[["metric", "current", "suggested"]].itertuples(index=False)))
ui.dataframe(cmp, hide_index=True, width="stretch",
             column_config={"metric": t("metric"), "before": t("sc_saved_rules"), "after": t("sc_suggested_rules"),
                            "difference": t("difference")})
ui.download(sug.comparison, "current_vs_suggested_test_period", key="sc_dl_sugcmp")
c1, c2 = st.columns(2)
c1.button(t("sc_adopt"), type="primary", on_click=_set_working, args=(sug.rules,), key="sc_adopt",
          icon=":material/auto_fix_high:", help=t("help_adopt"))
c2.download_button(t("sc_download_suggested"), dump_rules(sug.rules).encode("utf-8"),
                   file_name="scoring_suggested.toml", mime="application/toml", key="sc_dl_sug",
                   icon=":material/download:")
st.plotly_chart(charts.lift_chart(sug.attributes), width="stretch", key="sc_lift")
attrs = sug.attributes.drop(columns=["significant", "base_rate"]).assign(
    kind=sug.attributes.kind.map(lambda k: t(f"kind_{k.replace(' ', '_')}")),
    cap=sug.attributes.cap.map(lambda c: "" if c != c else f"{c:,.0f}"),  # only events have a cap
)
ui.dataframe(
    attrs, hide_index=True, width="stretch",
    column_config={
        "kind": t("kind"), "name": t("attribute"), "leads": ui.int_column(t("leads")),
        "outcomes": ui.int_column(t("outcomes")), "rate": ui.percent_column(t("rate"), t("help_rate")),
        "lift": ui.number_column(t("lift"), t("help_lift"), "%.2f×"),
        "lift_low": ui.number_column(t("lift_low"), t("help_lift_ci"), "%.2f×"),
        "lift_high": ui.number_column(t("lift_high"), t("help_lift_ci"), "%.2f×"),
        "points": ui.int_column(t("suggested_points"), t("help_suggested_points")),
        "cap": st.column_config.TextColumn(t("suggested_cap"), help=t("help_suggested_cap")),
        "lr_coef": ui.number_column(t("lr_coef"), t("help_lr"), "%.3f"),
        "lr_odds_ratio": ui.number_column(t("lr_odds_ratio"), t("help_lr"), "%.2f"),
    },
)
ui.download(sug.attributes, "suggested_points", key="sc_dl_attrs")
