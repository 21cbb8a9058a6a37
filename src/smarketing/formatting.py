"""Readable numbers: thousands separators, percentages, currency, durations."""

from __future__ import annotations

import math

CURRENCY = "$"


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
