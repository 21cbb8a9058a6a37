"""The decimal convention of a file's numbers: a decimal point (1,234.56) or a decimal comma (1.234,56).

A file uses one. It is given (`--decimal-comma` / `--decimal-point`, the Data page's choice, a mapping's
`decimal`) or read from the file's numbers (amounts, costs, employees, impressions, clicks): a value only one
convention can read settles it — "1,5", "0,25", "1.234,56" or "1.234.567" say comma; "1.5", "1,234.56" or
"1,234,567" say point. A file whose numbers say both is refused; so is one with a value the two conventions read
differently ("1,234": 1234 or 1.234; "1.500": 1.5 or 1500) when nothing else in the file settles it. In a column of
whole numbers (employees, impressions, clicks) such a value has a thousands separator either way ("5,000" employees
are five thousand): it settles nothing and reads as 5000. Spaces (also no-break spaces) group thousands in either.
A value neither convention reads is left as it is, for the checks to name. The same patterns run in Python (mapped,
HubSpot and Salesforce files) and in DuckDB (our own layout).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from smarketing.labels import t

POINT, COMMA = "point", "comma"
CONVENTIONS = (POINT, COMMA)
SPACES = "[ \u00a0\u202f]"  # a space, a no-break space, a narrow no-break space: thousands groups in either
POINT_NUMBER = r"[-+]?(?:\d+|[1-9]\d{0,2}(?:,\d{3})+)(?:\.\d+)?"
COMMA_NUMBER = r"[-+]?(?:\d+|[1-9]\d{0,2}(?:\.\d{3})+)(?:,\d+)?"
_SPACES, _POINT, _COMMA = re.compile(SPACES), re.compile(POINT_NUMBER), re.compile(COMMA_NUMBER)
WORDS = {POINT: "imp_decimal_point", COMMA: "imp_decimal_comma"}  # label keys: "a decimal point (1,234.56)" …


@dataclass(frozen=True)
class Example:
    """A value of the file and where it is: the row (1-based) and the column."""

    row: int
    column: str
    value: str


def compact(text: str) -> str:
    return _SPACES.sub("", str(text).strip())


def kind(text: str, whole: bool = False) -> str | None:
    """POINT or COMMA when only that convention reads the value, "both" when both read it differently, None
    when it says nothing (no separator, not a number, or `whole`: a column of whole numbers, where "5,000" has a
    thousands separator either way)."""
    value = compact(text)
    point, comma = bool(_POINT.fullmatch(value)), bool(_COMMA.fullmatch(value))
    if point and comma:
        return "both" if ("," in value or "." in value) and not whole else None
    return POINT if point else COMMA if comma else None


def normalize(text: str, convention: str, whole: bool = False) -> str:
    """The value as a plain number text ("1234.56") when the convention reads it, else the value unchanged; in a
    column of `whole` numbers a value both conventions read ("5,000") is a thousands separator."""
    value = compact(text)
    if whole and _POINT.fullmatch(value) and _COMMA.fullmatch(value):
        return value.replace(",", "").replace(".", "")
    if convention == COMMA and _COMMA.fullmatch(value):
        return value.replace(".", "").replace(",", ".")
    if convention == POINT and _POINT.fullmatch(value):
        return value.replace(",", "")
    return str(text).strip()


def read_as(text: str, convention: str) -> str:
    """How a value reads under a convention, for messages ("1,234" → "1234" or "1.234")."""
    return normalize(text, convention)


def decide(comma: Example | None, point: Example | None, both: Example | None, forced: str | None,
           fail: Callable[[Example, str], None]) -> str:
    """The file's convention from the first value only a comma reads, the first only a point reads and the first
    both read differently; `fail(example, message)` raises for a file that cannot be read one way."""
    if forced is not None:
        if forced not in CONVENTIONS:
            raise ValueError(t("imp_decimal_choice").format(choices=", ".join(CONVENTIONS), value=forced))
        other = point if forced == COMMA else comma
        if other is not None:
            fail(other, t("imp_decimal_contradicts").format(value=other.value, written=t(
                WORDS[POINT if forced == COMMA else COMMA]), said=t(WORDS[forced])))
        return forced
    if comma is not None and point is not None:
        fail(point, t("imp_decimal_mixed").format(value=point.value, point=t(WORDS[POINT]), row=comma.row,
                                                  other=comma.value, column=comma.column, comma=t(WORDS[COMMA])))
    if comma is not None or point is not None:
        return COMMA if comma is not None else POINT
    if both is not None:
        fail(both, t("imp_decimal_ambiguous").format(value=both.value, as_point=read_as(both.value, POINT),
                                                     as_comma=read_as(both.value, COMMA)))
    return POINT  # no separator anywhere: either reads the same


def decide_values(columns: dict[str, object], forced: str | None, fail: Callable[[Example, str], None],
                  rows=None, whole: frozenset[str] | set[str] = frozenset()) -> str:
    """The convention of a file's number columns ({column label: pandas Series of text}); `rows`: the file row
    of each position (default 1, 2, …); `whole`: the labels of columns of whole numbers."""
    found: dict[str, Example | None] = {POINT: None, COMMA: None, "both": None}
    for label, series in columns.items():
        for position, value in enumerate(series.tolist()):
            if value is None or value != value:
                continue
            what = kind(value, label in whole)
            row = int(rows[position]) if rows is not None else position + 1
            if what is not None and (found[what] is None or row < found[what].row):
                found[what] = Example(row, label, str(value).strip())
    return decide(found[COMMA], found[POINT], found["both"], forced, fail)


# --------------------------------------------------------------------------------------------- in SQL


def sql_compact(expr: str) -> str:
    return f"regexp_replace(trim(CAST({expr} AS VARCHAR)), '{SPACES}', '', 'g')"


def sql_kind(expr: str, whole: bool = False) -> dict[str, str]:
    """Conditions (SQL) that a value is only-point, only-comma, read differently by both (see kind)."""
    value = sql_compact(expr)
    point, comma = f"regexp_full_match({value}, '{POINT_NUMBER}')", f"regexp_full_match({value}, '{COMMA_NUMBER}')"
    both = "false" if whole else f"({point} AND {comma} AND regexp_matches({value}, '[.,]'))"
    return {POINT: f"({point} AND NOT {comma})", COMMA: f"({comma} AND NOT {point})", "both": both}


def sql_normalize(expr: str, convention: str, whole: bool = False) -> str:
    """SQL: the value as a plain number text when the convention reads it, else as it is (the cast fails)."""
    value = sql_compact(expr)
    if whole:  # "5,000" employees: a thousands separator either way
        point, comma = (f"regexp_full_match({value}, '{POINT_NUMBER}')",
                        f"regexp_full_match({value}, '{COMMA_NUMBER}')")
        plain = sql_normalize(expr, convention)
        return f"CASE WHEN {point} AND {comma} THEN regexp_replace({value}, '[.,]', '', 'g') ELSE {plain} END"
    if convention == COMMA:
        return (f"CASE WHEN regexp_full_match({value}, '{COMMA_NUMBER}') THEN replace(replace({value}, '.', ''), "
                f"',', '.') ELSE trim(CAST({expr} AS VARCHAR)) END")
    return (f"CASE WHEN regexp_full_match({value}, '{POINT_NUMBER}') THEN replace({value}, ',', '') "
            f"ELSE trim(CAST({expr} AS VARCHAR)) END")
