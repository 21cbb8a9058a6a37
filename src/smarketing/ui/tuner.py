"""The scoring tuner's Streamlit parts: the cached tuner model and suggestion (shared by every session for the
same database version, rules and filters), the working rules in session state, the agreement panel and the
suggested-points panel. The page (pages/scoring_tuner.py) composes them."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from smarketing.charts import scoring as charts
from smarketing.formatting import fmt_int, fmt_money, fmt_pct, fmt_points, fmt_ratio, md_text
from smarketing.labels import t
from smarketing.scoring.evaluation import METRIC_KINDS
from smarketing.scoring.rules import RulesError, agreement_markdown
from smarketing.scoring.rules_file import dump_rules, parse_rules
from smarketing.scoring.scores import Cutoff
from smarketing.scoring.starter import SAVED, STARTER, NoStarterRules, rules_in_force
from smarketing.scoring.suggest import suggest
from smarketing.scoring.tuner import Tuner
from smarketing.scoring.versions import saved_versions, skipped_versions
from smarketing.ui import data
from smarketing.ui.tables import dataframe, download, int_column, number_column, percent_column

METRICS = [  # key, formatter, delta is good when higher
    ("mqls", fmt_int, None), ("mql_share", fmt_pct, None), ("precision", fmt_pct, True), ("recall", fmt_pct, True),
    ("lift", fmt_ratio, True), ("f1", fmt_pct, True),
    ("won_revenue_captured", fmt_money, True), ("mqls_per_week", lambda v: f"{v:,.1f}", None),
]


@st.cache_resource(show_spinner=False, max_entries=6)
def _engine(db_key: str, structure: str, cutoff: Cutoff, filters_key: str, _filters) -> Tuner:
    return Tuner.load(data.connection(), parse_rules(structure), cutoff, _filters)


@st.cache_resource(show_spinner=False, max_entries=4)
def _suggestion(db_key: str, rules_text: str, outcome: str, cutoff: Cutoff, filters_key: str, _filters):
    return suggest(data.connection(), parse_rules(rules_text), outcome, cutoff, _filters)


def engine_for(rules, cutoff, filters) -> Tuner:
    return _engine(data.cache_key(), dump_rules(rules.with_points()), cutoff, repr(filters), filters)


def set_working(rules) -> None:
    """Make `rules` the working rules: their points and thresholds go into the widgets."""
    st.session_state.sc_working = rules
    st.session_state.sc_fit_t = float(rules.fit_threshold)
    st.session_state.sc_int_t = float(rules.interest_threshold)
    st.session_state.sc_comb_on = rules.combined_threshold is not None
    st.session_state.sc_comb_t = float(rules.combined_threshold or 100.0)
    for prefix, items in (("f", rules.fit), ("i", rules.interest), ("b", rules.bonus)):
        for k, r in enumerate(items):
            st.session_state[f"sc_p{prefix}{k}"] = int(round(r.points))


def proposed_rules():
    w = st.session_state.sc_working
    return w.with_points(
        fit=[st.session_state[f"sc_pf{k}"] for k in range(len(w.fit))],
        interest=[st.session_state[f"sc_pi{k}"] for k in range(len(w.interest))],
        bonus=[st.session_state[f"sc_pb{k}"] for k in range(len(w.bonus))],
        fit_threshold=float(st.session_state.sc_fit_t), interest_threshold=float(st.session_state.sc_int_t),
        combined_threshold=float(st.session_state.sc_comb_t) if st.session_state.sc_comb_on else None,
    )


def point_sliders(working) -> None:
    """The points of each rule, by its label (an event type as "Webinar attended", a generated rule as "Industry:
    Software"; the raw key in the help), in collapsed panels, so that the decision stays above the fold."""
    with st.expander(t("sc_fit_points"), expanded=False):
        for k, r in enumerate(working.fit):
            st.slider(md_text(charts.rule_label("fit", r.name)), -25, 50, step=1, key=f"sc_pf{k}",
                      help=t("help_fit_rule_key").format(describe=r.describe(markdown=True), key=md_text(r.name)))
    with st.expander(t("sc_interest_points"), expanded=False):
        for k, r in enumerate(working.interest):
            cap = f" ({t('cap')} {r.cap:,.0f})" if r.cap else ""
            st.slider(f"{md_text(charts.rule_label('event', r.event_type))}{cap}", -25, 50, step=1, key=f"sc_pi{k}",
                      help=t("help_event_points_key").format(key=md_text(r.event_type)))
        for k, b in enumerate(working.bonus):
            st.slider(md_text(b.name), -25, 50, step=1, key=f"sc_pb{k}", help=t("help_bonus"))


def fmt_metric(key: str, value, signed: bool = False) -> str:
    """A metric value in its natural unit (count, %, ×, money); differences with a sign."""
    kind = METRIC_KINDS.get(key, "num")
    if value is None or value != value:
        return "–"
    if kind == "pct":
        text = fmt_points(value) if signed else fmt_pct(value)
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


def compare_table(rows: list[tuple[str, float, float]]) -> pd.DataFrame:
    """metric key, before, after -> a readable table (labels, formatted values and difference)."""
    return pd.DataFrame({
        "metric": [t(k) for k, _, _ in rows],
        "before": [fmt_metric(k, a) for k, a, _ in rows],
        "after": [fmt_metric(k, b) for k, _, b in rows],
        "difference": [fmt_metric(k, None if a is None or b is None else b - a, signed=True) for k, a, b in rows],
    })




def compare_config(before: str, after: str) -> dict:
    """Headers of a compare_table, its numbers (formatted text) right-aligned as numbers are."""
    right = {"alignment": "right"}
    return {"metric": t("metric"), "before": st.column_config.TextColumn(before, **right),
            "after": st.column_config.TextColumn(after, **right),
            "difference": st.column_config.TextColumn(t("difference"), **right)}


def agreement_section(saved) -> None:
    """The saved rules as the MQL agreement, with download, upload and a text editor for the working rules."""
    with st.expander(t("sc_agreement").format(version=saved.version), icon=":material/handshake:"):
        st.markdown(agreement_markdown(saved))
        a, b = st.columns(2)
        a.download_button(t("sc_download_rules"), dump_rules(saved).encode("utf-8"), file_name="scoring.toml",
                          mime="application/toml", icon=":material/download:", key="sc_dl_saved")
        upload = b.file_uploader(t("sc_upload_rules"), type=["toml"], key="sc_upload", help=t("help_upload_rules"),
                                 max_upload_size=1)  # MB: a rules file is read whole (toml_input.MAX_BYTES)
        if upload is not None and st.session_state.get("sc_upload_done") != upload.file_id:
            try:
                set_working(parse_rules(upload.getvalue().decode("utf-8"), upload.name))
                st.session_state.sc_upload_done = upload.file_id
                st.success(t("sc_uploaded"))
            except (RulesError, UnicodeDecodeError) as exc:
                st.error(md_text(exc))
        text = st.text_area(t("sc_edit_rules"), dump_rules(st.session_state.sc_working), height=260, key="sc_text",
                            help=t("help_edit_rules"))
        if st.button(t("sc_apply_text"), key="sc_apply"):
            try:
                set_working(parse_rules(text, "edited rules"))
                st.rerun()
            except RulesError as exc:
                st.error(md_text(exc))


def suggestion_section(saved, outcome: str, cutoff: Cutoff, filters) -> None:
    """Suggested points from the data (a time split), compared with the saved rules on the test period."""
    st.caption(t("sc_suggest_caption"))
    try:
        with st.spinner(t("sc_suggest_running")):
            sug = _suggestion(data.cache_key(), dump_rules(saved), outcome, cutoff, repr(filters), filters)
    except ValueError as exc:
        st.warning(md_text(exc))
        return
    auc = sug.auc
    verdict = "sc_suggest_better" if sug.beats_current else "sc_suggest_not_better"
    st.markdown(t(verdict).format(
        split=f"{sug.split_at:%Y-%m-%d}", train=fmt_int(sug.train_leads), test=fmt_int(sug.test_leads),
        cur=f"{auc['current']:.3f}" if auc["current"] is not None else "–",
        sug=f"{auc['suggested']:.3f}" if auc["suggested"] is not None else "–",
        lr=f"{auc['logistic']:.3f}" if auc["logistic"] is not None else "–",
    ))
    cmp = compare_table(list(sug.comparison[["metric", "current", "suggested"]].itertuples(index=False)))
    st.caption(t("sc_suggest_other_period").format(split=f"{sug.split_at:%Y-%m-%d}", test=fmt_int(sug.test_leads)))
    dataframe(cmp, hide_index=True, width="stretch",  # another period than the headline: the headers say so
              column_config=compare_config(t("sc_saved_rules_test"), t("sc_suggested_rules_test")))
    download(sug.comparison, "current_vs_suggested_test_period", key="sc_dl_sugcmp")
    c1, c2 = st.columns(2)
    c1.button(t("sc_adopt"), type="primary", on_click=set_working, args=(sug.rules,), key="sc_adopt",
              icon=":material/auto_fix_high:", help=t("help_adopt"))
    c2.download_button(t("sc_download_suggested"), dump_rules(sug.rules).encode("utf-8"),
                       file_name="scoring_suggested.toml", mime="application/toml", key="sc_dl_sug",
                       icon=":material/download:")
    st.plotly_chart(charts.lift_chart(sug.attributes), width="stretch", key="sc_lift")
    a = sug.attributes
    attrs = a.drop(columns=["significant", "base_rate"]).assign(
        kind=a.kind.map(lambda k: t(f"kind_{k.replace(' ', '_')}")),
        name=[charts.rule_label(k, n) for k, n in zip(a.kind, a.name, strict=True)], rule_key=a.name,
    )  # an unknown cap (only events have one) and an unfitted coefficient show "–"
    dataframe(
        attrs, hide_index=True, width="stretch",
        column_config={
            "kind": t("kind"), "name": t("attribute"), "leads": int_column(t("leads")),
            "outcomes": int_column(t("outcomes")), "rate": percent_column(t("rate"), t("help_rate")),
            "lift": number_column(t("lift"), t("help_lift"), "%.2f×"),
            "lift_low": number_column(t("lift_low"), t("help_lift_ci"), "%.2f×"),
            "lift_high": number_column(t("lift_high"), t("help_lift_ci"), "%.2f×"),
            "points": int_column(t("suggested_points"), t("help_suggested_points")),
            "cap": int_column(t("suggested_cap"), t("help_suggested_cap")),
            "lr_coef": number_column(t("lr_coef"), t("help_lr"), "%.3f"),
            "lr_odds_ratio": number_column(t("lr_odds_ratio"), t("help_lr"), "%.2f"),
            "rule_key": st.column_config.TextColumn(t("rule_key"), help=t("help_rule_key")),
        },
    )
    download(sug.attributes, "suggested_points", key="sc_dl_attrs")


@st.cache_data(show_spinner=False, max_entries=8)
def _rules_in_force(db_key: str, versions: str, db: str):
    return rules_in_force(data.connection(), db)


def rules_now():
    """The rules the scoring pages use and where they come from (smarketing.scoring.starter): cached per
    database version and saved rule versions; None (after saying why) when they cannot be built."""
    db = data.db_path()
    try:
        with st.spinner(t("sc_starter_building")):
            found = _rules_in_force(data.cache_key(), repr(saved_versions(db)), db)
        for problem in skipped_versions(db):  # a saved version that cannot run: said, and the last good one used
            used = t("sc_version_used").format(version=found[0].version) if found[1] == SAVED else rules_caption(*found)
            st.error(t("sc_version_skipped").format(problem=md_text(problem), used=used), icon=":material/error:")
        return found
    except NoStarterRules as exc:  # the data's own columns do not set the outcomes apart: say so, not an error
        st.info(t("sc_no_starter").format(outcomes=fmt_int(exc.outcomes), leads=fmt_int(exc.leads),
                                          outcome=t(f"outcome_{exc.outcome}")), icon=":material/info:")
        return None
    except (RulesError, ValueError) as exc:
        st.error(f"{t('sc_rules_error')}: {md_text(exc)}")
        return None


def rules_caption(rules, kind: str) -> str:
    """Where the rules in force come from, in one sentence."""
    if kind == STARTER:
        return t("sc_rules_starter")
    return t("sc_rules_saved" if kind == SAVED else "sc_rules_packaged").format(name=md_text(rules.name),
                                                                               version=rules.version)
