"""The Overview's headline cards, the table behind them and its list of leaks, in the one format rule: each KPI
in its own format (counts 1,234, money $1.2M, rates to one decimal, days 4.5 d), its change against the previous
period in percentage points for rates and in per cent for everything else, p-values as "p < 0.001"."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from smarketing.formatting import (
    fmt_amount,
    fmt_change,
    fmt_days,
    fmt_int,
    fmt_money,
    fmt_p_text,
    fmt_pct,
    fmt_points,
    md_text,
)
from smarketing.funnel.kpis import KPI_LABELS
from smarketing.labels import label, t

FORMAT = {"count": fmt_int, "money": fmt_money, "pct": fmt_pct, "days": fmt_days}
TABLE_FORMAT = {**FORMAT, "money": fmt_amount}  # a table gives money in full: $9,853,600
HELP = {"Leads": "help_kpi_leads", "Won revenue": "help_kpi_revenue", "Lead → customer": "help_kpi_rate",
        "Median days lead → customer": "help_kpi_days"}


def kpi_label(metric: str) -> str:
    return t(KPI_LABELS[metric]) if metric in KPI_LABELS else md_text(label(metric))


def kpi_change(row) -> str:
    """A rate's change in points (+0.9 pts), anything else's relative change (+12.3%); "–" without a base."""
    return fmt_points(row.points) if row.kind == "pct" else fmt_change(row.change)


def kpi_cards(headline: pd.DataFrame, per_row: int = 4) -> None:
    """The cards: value, and the change against the previous period (green when better: fewer days is better)."""
    cols = st.columns(per_row)
    for i, row in enumerate(headline.itertuples()):
        change = kpi_change(row)
        delta = None if change == "–" else t("kpi_vs_previous").format(change=change)
        cols[i % per_row].metric(kpi_label(row.metric), FORMAT[row.kind](row.value), delta,
                                 delta_color="inverse" if row.kind == "days" else "normal",
                                 help=t(HELP.get(row.metric, "help_kpi_stage")), border=True)


def kpi_table(headline: pd.DataFrame) -> pd.DataFrame:
    """The numbers behind the cards as read: metric, value, previous period and change, each in its format."""
    return pd.DataFrame({
        "metric": [kpi_label(m) for m in headline.metric],
        "value": [TABLE_FORMAT[k](v) for k, v in zip(headline.kind, headline.value, strict=True)],
        "previous": [TABLE_FORMAT[k](v) for k, v in zip(headline.kind, headline.previous, strict=True)],
        "kpi_change": [kpi_change(r) for r in headline.itertuples()],
    })


def kpi_table_config() -> dict:
    right = {"alignment": "right"}
    return {"metric": t("metric"), "value": st.column_config.TextColumn(t("value"), **right),
            "previous": st.column_config.TextColumn(t("previous"), **right),
            "kpi_change": st.column_config.TextColumn(t("kpi_change"), help=t("help_kpi_change"), **right)}


def leak_line(row) -> str:
    """One fall of conversion: badge, stage change, rate before → now, the change in points and its p-value."""
    badge = f":red-badge[{t('leak_significant')}]" if row.significant else f":orange-badge[{t('leak_watch')}]"
    return t("leak_line").format(badge=badge, transition=md_text(label(row.transition)), before=fmt_pct(row.rate_before),
                                 now=fmt_pct(row.rate_now), change=fmt_points(row.change), p=fmt_p_text(row.p_value))


SMALL_SAMPLE = 30  # rows counted on fewer leads than this say so: their rates move a lot by chance


def small_samples(frame: pd.DataFrame, name: str, count: str, minimum: int = SMALL_SAMPLE) -> None:
    """A caption naming the rows of `frame` whose `count` is under `minimum` (read their rates with care)."""
    few = frame[(frame[count] > 0) & (frame[count] < minimum)]
    if len(few):
        rows = ", ".join(f"{md_text(label(r))} ({fmt_int(n)})" for r, n in zip(few[name], few[count], strict=True))
        st.caption(t("small_sample_note").format(rows=rows, minimum=fmt_int(minimum)))
