"""Readable numbers: thousands separators, percentages, currency, durations; data values as markdown text."""

from __future__ import annotations

import math
import re

CURRENCY = "$"
_MD_INLINE = re.compile(r"([\\`*_\[\]<>~$&|])")  # emphasis, code, links/images, HTML, strike, math, tables
_MD_BLOCK = re.compile(r"^(\d*)([#>+\-=]|(?<=\d)[.)])")  # a heading, quote, list or rule marker at the start


def _missing(value) -> bool:
    """None, NaN (any float type), pandas' NA and NaT: an unknown value, shown as "–"."""
    if value is None:
        return True
    try:
        return math.isnan(value)
    except (TypeError, ValueError):  # pd.NA and pd.NaT refuse float(); other non-numbers are not missing
        return str(value) in ("<NA>", "NaT")


def fmt_int(value) -> str:
    return "–" if _missing(value) else f"{round(value):,}"


def fmt_pct(value, digits: int = 1) -> str:
    """A fraction 0–1 as a percentage."""
    return "–" if _missing(value) else f"{value * 100:.{digits}f}%"


def fmt_money(value, digits: int = 0) -> str:
    if _missing(value):
        return "–"
    sign = "-" if value < 0 else ""
    value = abs(value)
    if value >= 1e6:
        return f"{sign}{CURRENCY}{value / 1e6:,.1f}M"
    return f"{sign}{CURRENCY}{value:,.{digits}f}"


def fmt_days(value) -> str:
    return "–" if _missing(value) else f"{value:,.1f}{_unit(DAYS)}"


def fmt_ratio(value) -> str:
    return "–" if _missing(value) else f"{value:,.2f}×"


def md_text(value) -> str:
    """A data value (company, source, stage, rule name, file name …) as literal text inside Streamlit
    markdown (st.markdown, captions, alerts, labels, help): the characters that would form emphasis, code,
    a link or image, an HTML tag, a `$` formula, a `:color[…]` directive or a table are backslash-escaped,
    line breaks become spaces and a leading heading / list / quote marker is escaped."""
    text = _MD_INLINE.sub(r"\\\1", " ".join(str(value).split()))
    return _MD_BLOCK.sub(r"\1\\\2", text)


def md_code(value) -> str:
    """A data value (a column or event name) as inline code in markdown; as escaped text if it has a backtick."""
    text = " ".join(str(value).split())
    return f"`{text}`" if text and "`" not in text else md_text(text)


def fmt_points(value, digits: int = 1) -> str:
    """A difference between two fractions in percentage points, signed: +1.2 pts."""
    return "–" if _missing(value) else f"{value * 100:+.{digits}f}{_unit(POINTS)}"


def fmt_change(value, digits: int = 1) -> str:
    """A relative change, signed: +12.3%."""
    return "–" if _missing(value) else f"{value * 100:+.{digits}f}%"


def fmt_hours(value) -> str:
    return "–" if _missing(value) else f"{value:,.1f}{_unit(HOURS)}"


def fmt_p(value) -> str:
    """A p-value: three decimals, "< 0.001" below that."""
    return "–" if _missing(value) else "< 0.001" if value < 0.001 else f"{value:.3f}"


def fmt_p_text(value) -> str:
    """A p-value in a sentence: "p = 0.012", "p < 0.001"."""
    return "p –" if _missing(value) else "p < 0.001" if value < 0.001 else f"p = {value:.3f}"


def fmt_number(value, digits: int = 1) -> str:
    return "–" if _missing(value) else f"{value:,.{digits}f}"


def fmt_amount(value) -> str:
    """Money in a table: whole units with separators ($1,234,567), never abbreviated."""
    if _missing(value):
        return "–"
    return f"-{CURRENCY}{abs(value):,.0f}" if value < 0 else f"{CURRENCY}{value:,.0f}"


# ------------------------------------------------------------------------------ kinds of numbers in tables
# One rule for every table the app and the command line show: counts as integers with separators, shares as
# percentages to one decimal, differences of shares in points, money with the currency and separators, days
# and hours to one decimal, ratios with ×, p-values to three decimals, "–" for unknown. CSV and JSON keep the
# machine values (counts as integers, shares as fractions 0–1).
COUNT, SHARE, POINTS, CHANGE, MONEY, DAYS, HOURS, RATIO, SCORE, PVALUE = (
    "count", "share", "points", "change", "money", "days", "hours", "ratio", "score", "pvalue")
FORMATTERS = {
    COUNT: fmt_int, SHARE: fmt_pct, POINTS: fmt_points, CHANGE: fmt_change, MONEY: fmt_amount, DAYS: fmt_days,
    HOURS: fmt_hours, RATIO: fmt_ratio, SCORE: fmt_number, PVALUE: fmt_p,
}
# The same rule for a table column in the app (st.column_config.NumberColumn): (format, scale, step). The
# format is Streamlit's printf (`%,` groups thousands); the shown values are multiplied by `scale` (a share 0.9107
# shows 91.1%: the "percent" preset has no one-decimal form, and a step truncates, 91.0%); `step` is left unset
# for the same reason. A p-value ("< 0.001") is text.
COLUMN_FORMATS = {
    COUNT: ("%,.0f", 1, None), SHARE: ("%.1f%%", 100, None), POINTS: ("%+.1f pts", 100, None),
    CHANGE: ("%+.1f%%", 100, None), MONEY: (f"{CURRENCY}%,.0f", 1, None), DAYS: ("%,.1f d", 1, None),
    HOURS: ("%,.1f h", 1, None), RATIO: ("%,.2f×", 1, None), SCORE: ("%,.1f", 1, None),
}
_EXACT = {
    "romi": RATIO, "odds_ratio": RATIO, "ci_low": RATIO, "ci_high": RATIO, "lift": RATIO, "p_value": PVALUE,
    "q_value": PVALUE, "fit": SCORE, "interest": SCORE, "score": SCORE, "change": POINTS, "ctr": SHARE,
    "trust": SHARE, "precision": SHARE, "recall": SHARE, "auc": SCORE, "points": SCORE, "weight": SCORE,
    "expected": SCORE, "low": SCORE, "high": SCORE, "relative_change": CHANGE, "mape": SHARE, "value": SCORE,
    "spread": POINTS, "removal_effect": SHARE, "value_removal_effect": SHARE, "coverage": SHARE,
}
_PATTERNS = [
    (re.compile(r"(^|_)(rate|share|conversion|ratio_of)(_|$)|_to_(mql|sql|opportunity|customer|won)$|^rate_"), SHARE),
    (re.compile(r"(^|_)(cost|revenue|amount|budget|spend|price|deal_size)(_|$)"), MONEY),
    (re.compile(r"(^|_)days(_|$)"), DAYS),
    (re.compile(r"(^|_)hours(_|$)"), HOURS),
    (re.compile(r"(^|_)(change|points|pts)(_|$)"), POINTS),
]


def column_kind(name) -> str | None:
    """The kind of number a column holds, from its name (None: unknown; integers then count)."""
    name = str(name).lower()
    if name in _EXACT:
        return _EXACT[name]
    return next((kind for pattern, kind in _PATTERNS if pattern.search(name)), None)


def kinds_of(frame, kinds: dict | None = None) -> dict[str, str]:
    """The kind of every numeric column of `frame`: as given, else from its name, else count for whole numbers
    and SCORE (one decimal) for the rest."""
    import pandas as pd

    out = {}
    for column in frame.columns:
        series = frame[column]
        if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            continue
        kind = (kinds or {}).get(column) or column_kind(column)
        if kind is None:
            values = series.dropna().to_numpy(dtype=float)
            kind = COUNT if len(values) == 0 or (values % 1 == 0).all() else SCORE
        out[column] = kind
    return out


def readable(frame, kinds: dict | None = None):
    """The frame as people read it: every number formatted by its kind (text), "–" for unknown."""
    out = frame.copy()
    for column, kind in kinds_of(frame, kinds).items():
        out[column] = [FORMATTERS[kind](v) for v in frame[column].astype(object)]
    return out.fillna("–") if len(out.columns) else out


def machine(frame, kinds: dict | None = None):
    """The frame for CSV and JSON: counts as integers (a count read back as 2296.0 becomes 2296)."""
    import pandas as pd

    out = frame.copy()
    for column, kind in kinds_of(frame, kinds).items():
        values = frame[column].dropna()
        if kind == COUNT and len(values) and (values % 1 == 0).all() and not pd.api.types.is_integer_dtype(values):
            out[column] = frame[column].round().astype("Int64")
    return out


# ------------------------------------------------------------------------- dates in the interface language
# Dates people read (captions, chart axes and hovers) in the current language (smarketing.labels): English
# "01 Nov 2026" / "Nov 2026", Chinese "2026年11月1日" / "2026年11月", as Chinese BI tools write them. Files, URLs and
# the command line's machine formats keep ISO dates (2026-11-01).
_D3_MONTH = {"en": "%b %Y", "zh": "%Y年%-m月"}  # plotly's (d3) time formats
_D3_DAY = {"en": "%d %b %Y", "zh": "%Y年%-m月%-d日"}


_UNIT_KEYS = {POINTS: "unit_points", DAYS: "unit_days", HOURS: "unit_hours"}  # " pts", " d", " h" in English


def _unit(kind: str) -> str:
    """The unit after a number of `kind` in the current language (" d"; zh " 天")."""
    from smarketing.labels import t

    return t(_UNIT_KEYS[kind])


def column_format(kind: str) -> tuple:
    """COLUMN_FORMATS[kind] with its unit in the current language ("%,.1f d"; zh "%,.1f 天")."""
    fmt, scale, step = COLUMN_FORMATS[kind]
    if kind in _UNIT_KEYS:
        fmt = fmt.rsplit(" ", 1)[0] + _unit(kind)
    return fmt, scale, step


def _language() -> str:
    from smarketing.labels import language

    return language()


def fmt_date(value, time: bool = False) -> str:
    """A day (date, datetime or Timestamp) for people: 01 Nov 2026 (zh: 2026年11月1日), with the time when asked."""
    if value is None or value != value:  # None, NaN, NaT
        return "–"
    clock = f" {value:%H:%M}" if time else ""
    if _language() == "zh":
        return f"{value.year}年{value.month}月{value.day}日{clock}"
    return f"{value:%d %b %Y}{clock}"


def fmt_month(value) -> str:
    """A month for people: Nov 2026 (zh: 2026年11月)."""
    if value is None or value != value:  # None, NaN, NaT
        return "–"
    return f"{value.year}年{value.month}月" if _language() == "zh" else f"{value:%b %Y}"


def month_format() -> str:
    """Plotly's tick and hover format of a month axis in the current language (%b %Y; zh %Y年%-m月)."""
    return _D3_MONTH.get(_language(), _D3_MONTH["en"])


def day_format() -> str:
    """Plotly's tick and hover format of a day axis in the current language (%d %b %Y; zh %Y年%-m月%-d日)."""
    return _D3_DAY.get(_language(), _D3_DAY["en"])
