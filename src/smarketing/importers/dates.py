"""Parse a column of date / time text the way CRM exports write it, to naive UTC timestamps.

One column must use one format. Recognised families: ISO (2024-03-14, 2024-03-14 09:30, 2024-03-14T09:30:00Z,
HubSpot's export style), slash dates (3/14/2024 2:05 PM as Salesforce's US locale writes them, or 14/03/2024),
dashed and dotted dates (14-03-2024, 14.03.2024), year-first slash dates (2024/03/14), Chinese dates
(2024年3月14日), month names (Mar 14, 2024), Excel serial dates (45366 is 2024-03-15) and Unix epoch
milliseconds. Values with a time and no offset are read in `timezone` and converted to UTC; values with no
time are calendar days and stay on their day (midnight), whatever the time zone. The day/month order of
slash, dashed and dotted dates is taken from the values (a day above 12 settles it); when every value fits
both orders, `day_first` decides, and without it the import asks (AmbiguousDates).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from smarketing.labels import t
from smarketing.store import DataImportError, at_cell, at_column

_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s?[AaPp]\.?[Mm]\.?)?)?"
_OFFSET = r"(?:\s?(?:Z|UTC|GMT|[+-]\d{2}:?\d{2}))?"


@dataclass(frozen=True)
class Family:
    key: str
    shown: str  # how the format is described to the user (a label key when it has words: imp_date_<key>)
    pattern: re.Pattern


FAMILIES = (
    Family("iso", "YYYY-MM-DD", re.compile(rf"^\d{{4}}-\d{{1,2}}-\d{{1,2}}{_TIME}{_OFFSET}$")),
    Family("slash", "MM/DD/YYYY or DD/MM/YYYY", re.compile(rf"^\d{{1,2}}/\d{{1,2}}/\d{{4}}{_TIME}{_OFFSET}$")),
    Family("dot", "DD.MM.YYYY", re.compile(rf"^\d{{1,2}}\.\d{{1,2}}\.\d{{4}}{_TIME}$")),
    Family("dash", "DD-MM-YYYY or MM-DD-YYYY", re.compile(rf"^\d{{1,2}}-\d{{1,2}}-\d{{4}}{_TIME}$")),
    Family("ymd_slash", "YYYY/MM/DD", re.compile(rf"^\d{{4}}/\d{{1,2}}/\d{{1,2}}{_TIME}$")),
    Family("cjk", "YYYY年MM月DD日", re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日(?:\s*\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?$")),
    Family(
        "named",
        "Mon DD, YYYY",
        re.compile(r"^(?:[A-Za-z]{3,9}\.? \d{1,2}(?:st|nd|rd|th)?,? |\d{1,2}[ -][A-Za-z]{3,9}\.?[ -])\d{4}" + _TIME + "$"),
    ),
    Family("epoch_ms", "Unix time in milliseconds", re.compile(r"^\d{12,13}$")),
    Family("excel", "an Excel serial date such as 45366", re.compile(r"^[2-7]\d{4}(?:\.\d+)?$")),
)
DAY_MONTH = ("slash", "dash", "dot")  # families whose day/month order the values or the user decide
NOT_GUESSED = ("epoch_ms", "excel")  # numbers: dates only where a mapping says so
EXCEL_EPOCH = pd.Timestamp("1899-12-30")  # Excel's day 0 (1900 date system, its leap-year bug included)


class AmbiguousDates(DataImportError):
    """Every date of a column fits both day/month orders: the user must say which (day_first)."""

    def __init__(self, file: str, column: str, example: str):
        self.file, self.column, self.example = file, column, example
        super().__init__(at_column(file, column, t("imp_dates_ambiguous").format(example=example)))


def shown(key: str) -> str:
    """How a family of dates is described to the user, in the current language ("YYYY-MM-DD", "Unix time …")."""
    family = next(f for f in FAMILIES if f.key == key)
    return t(f"imp_date_{key}") if f"imp_date_{key}" in WORDED else family.shown


WORDED = ("imp_date_slash", "imp_date_dash", "imp_date_epoch_ms", "imp_date_excel")  # formats with words


def no_dates(index: pd.Index) -> pd.Series:
    """An all-empty date column in the unit parse_dates returns (microseconds: years 1 to 9999 fit)."""
    return pd.Series(pd.NaT, index=index, dtype="datetime64[us]")


def family_of(value: str) -> Family | None:
    for family in FAMILIES:
        if family.pattern.match(value):
            return family
    return None


def families(values: pd.Series) -> pd.Series:
    """The family key of each text value (None where none matches), vectorised."""
    out = pd.Series(None, index=values.index, dtype=object)
    rest = values
    for family in FAMILIES:
        hit = rest.str.match(family.pattern.pattern).fillna(False).astype(bool)
        out[hit[hit].index] = family.key
        rest = rest[~hit]
        if rest.empty:
            break
    return out


def looks_like_dates(values: pd.Series, share: float = 0.9) -> bool:
    """True when most non-empty values are dates of one recognised family (used to guess mappings)."""
    sample = values.dropna().astype("string[pyarrow]").head(200)
    if sample.empty:
        return False
    top = families(sample.str.strip()).value_counts(dropna=True)
    return bool(len(top)) and top.iloc[0] >= share * len(sample) and top.index[0] not in NOT_GUESSED


def parse_dates(
    values: pd.Series,
    *,
    file: str,
    column: str,
    timezone: str = "UTC",
    day_first: bool | None = None,
    rows: pd.Series | None = None,
    notes: list[str] | None = None,
) -> pd.Series:
    """Naive UTC datetime64 values; NaT for empty cells. Raises DataImportError naming row and column.

    `rows` gives the file row number of each value (default: position + 1).
    """
    text = values.astype("string[pyarrow]").str.strip()
    text = text.where(text != "")
    rows = rows if rows is not None else pd.Series(range(1, len(values) + 1), index=values.index)
    present = text.dropna()
    if present.empty:
        return no_dates(values.index)
    fams = families(present)
    unknown = fams[fams.isna()]
    if len(unknown):
        idx = unknown.index[0]
        raise DataImportError(at_cell(file, int(rows[idx]), column, t("imp_not_a_date").format(value=present[idx])))
    kinds = list(dict.fromkeys(fams))
    if len(kinds) > 1:
        first, other = fams.index[0], fams[fams != fams.iloc[0]].index[0]
        raise DataImportError(at_column(file, column, t("imp_dates_mixed_formats").format(
            row=int(rows[first]), value=present[first], format=shown(fams[first]), other_row=int(rows[other]),
            other_value=present[other], other_format=shown(fams[other]))))
    kind = kinds[0]
    if kind in DAY_MONTH:
        day_first = _day_month_order(present, rows, file, column, kind, day_first, notes)
    check_timezone(timezone, file)
    parsed = _parse(present, kind, day_first, timezone, _ClockNotes(file, column, notes))
    bad = parsed[parsed.isna()]
    if len(bad):
        idx = bad.index[0]
        raise DataImportError(at_cell(file, int(rows[idx]), column, t("imp_not_a_valid_date").format(
            value=present[idx])))
    out = no_dates(values.index)
    out[parsed.index] = parsed
    return out


def day_first_evidence(values: pd.Series) -> bool | None:
    """What a column's own values say about its day/month order: True (a first number above 12), False (a
    second number above 12) or None (every value fits both, or not a day/month date)."""
    parts = values.dropna().astype(str).str.strip().str.extract(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-]\d{4}").dropna()
    parts = parts.astype(int)
    first_big, second_big = (parts[0] > 12).any(), (parts[1] > 12).any()
    return None if first_big == second_big else bool(first_big)


def _day_month_order(present, rows, file, column, kind, day_first, notes) -> bool:
    parts = present.str.extract(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-]").astype(int)
    first_big, second_big = (parts[0] > 12).any(), (parts[1] > 12).any()
    if first_big and second_big:
        a = parts[parts[0] > 12].index[0]
        b = parts[parts[1] > 12].index[0]
        raise DataImportError(at_column(file, column, t("imp_dates_mixed_orders").format(
            row=int(rows[a]), value=present[a], other_row=int(rows[b]), other_value=present[b])))
    if first_big or second_big:
        return bool(first_big)
    if day_first is None and kind == "dot":  # dotted dates are day-first wherever they are written
        day_first = True
    if day_first is None:
        raise AmbiguousDates(file, column, str(present.iloc[0]))
    if notes is not None:
        notes.append(at_column(file, column, t("imp_note_day_first" if day_first else "imp_note_month_first")))
    return bool(day_first)


class _ClockNotes:
    """Says in the import's notes how clock times the time zone repeats or skips were read."""

    def __init__(self, file: str, column: str, notes: list[str] | None):
        self.file, self.column, self.notes = file, column, notes

    def add(self, text: pd.Series, repeated: pd.Series, skipped: pd.Series, timezone: str) -> None:
        if self.notes is None:
            return
        if repeated.any():
            self.notes.append(at_column(self.file, self.column, t("imp_note_clocks_repeat").format(
                n=f"{int(repeated.sum()):,}", timezone=timezone, example=text[repeated].iloc[0])))
        if skipped.any():
            self.notes.append(at_column(self.file, self.column, t("imp_note_clocks_skip").format(
                n=f"{int(skipped.sum()):,}", timezone=timezone, example=text[skipped].iloc[0])))


def _localize(stamps: pd.Series, text: pd.Series, timezone: str, clock: _ClockNotes | None) -> pd.Series:
    """Clock times in `timezone` to UTC: a time the clocks repeat (fall back) is the first of the two, a time they skip
    (spring forward) is read one hour later, as a clock not yet put forward shows it (02:30 → 03:30); the import's notes
    say so (documented in docs/importing.md)."""
    first = np.ones(len(stamps), dtype=bool)  # True: the summer-time (first) reading of a repeated hour
    local = stamps.dt.tz_localize(timezone, ambiguous=first, nonexistent=pd.Timedelta(hours=1))
    if clock is not None and timezone != "UTC" and len(stamps):
        known = stamps.notna()
        repeated = known & stamps.dt.tz_localize(timezone, ambiguous="NaT", nonexistent="shift_forward").isna()
        skipped = known & stamps.dt.tz_localize(timezone, ambiguous=first, nonexistent="NaT").isna()
        clock.add(text, repeated, skipped, timezone)
    return local


def _parse(present: pd.Series, kind: str, day_first: bool | None, timezone: str,
           clock: _ClockNotes | None = None) -> pd.Series:
    """Vectorised parse to naive UTC; values that do not parse become NaT."""
    if kind == "epoch_ms":
        return pd.to_datetime(present.astype("int64"), unit="ms").astype("datetime64[us]")
    if kind == "excel":
        days = pd.to_timedelta(present.astype(float), unit="D").dt.round("s")
        return (EXCEL_EPOCH + days).astype("datetime64[us]")
    text = present
    if kind == "cjk":
        text = text.str.replace(r"[年月]", "-", regex=True).str.replace("日", " ").str.replace("：", ":").str.strip()
    elif kind == "ymd_slash":
        text = text.str.replace("/", "-", regex=False)
    elif kind in ("dot", "dash"):  # to YYYY-MM-DD in the order decided (dateutil would read it year-day-month)
        order = r"\3-\2-\1" if day_first else r"\3-\1-\2"
        text = text.str.replace(r"^(\d{1,2})[.\-](\d{1,2})[.\-](\d{4})", order, regex=True)
        day_first = False
    if text.str.contains("UTC|GMT", regex=True).any():
        text = text.str.replace(r"\s?(UTC|GMT)$", "Z", regex=True)
    if kind != "iso" and text.str.contains(r"[AaPp]\.[Mm]", regex=True).any():
        text = text.str.replace(r"([AaPp])\.([Mm])\.?$", r"\1M", regex=True)
    offset = text.str.contains(r"(?:Z|[+-]\d{2}:?\d{2})$", regex=True)
    out = no_dates(present.index)
    naive = text[~offset]
    if len(naive):
        stamps = pd.to_datetime(naive, format="ISO8601", errors="coerce") if kind == "iso" else None
        if stamps is None or stamps.isna().any():  # one-digit months etc.: parse value by value
            stamps = pd.to_datetime(naive, format="mixed", dayfirst=bool(day_first), errors="coerce")
        timed = naive.str.contains(r"\d:\d", regex=True)  # a value with no time is a calendar day: not shifted
        local = _localize(stamps[timed], naive[timed], timezone, clock)
        out[naive.index] = stamps.astype("datetime64[us]")
        out[local.index] = local.dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[us]")
    aware = text[offset]
    if len(aware):
        stamps = pd.to_datetime(aware, format="mixed", dayfirst=bool(day_first), utc=True, errors="coerce")
        out[aware.index] = stamps.dt.tz_localize(None).astype("datetime64[us]")
    return out


def check_timezone(timezone: str, file: str) -> None:
    try:
        pd.Timestamp("2024-01-01").tz_localize(timezone)
    except Exception as exc:
        raise DataImportError(t("imp_unknown_timezone").format(file=file, timezone=timezone)) from exc
