"""Readable numbers: thousands separators, percentages, currency, durations; data values as markdown text."""

from __future__ import annotations

import math
import re

CURRENCY = "$"
_MD_INLINE = re.compile(r"([\\`*_\[\]<>~$&|])")  # emphasis, code, links/images, HTML, strike, math, tables
_MD_BLOCK = re.compile(r"^(\d*)([#>+\-=]|(?<=\d)[.)])")  # a heading, quote, list or rule marker at the start


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


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
    return "–" if _missing(value) else f"{value:,.1f} d"


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
    """A difference between two fractions in percentage points, signed: +1.2 pt."""
    return "–" if _missing(value) else f"{value * 100:+.{digits}f} pt"


def fmt_change(value, digits: int = 1) -> str:
    """A relative change, signed: +12.3%."""
    return "–" if _missing(value) else f"{value * 100:+.{digits}f}%"


def fmt_hours(value) -> str:
    return "–" if _missing(value) else f"{value:,.1f} h"


def fmt_p(value) -> str:
    """A p-value: three decimals, "< 0.001" below that."""
    return "–" if _missing(value) else "< 0.001" if value < 0.001 else f"{value:.3f}"
