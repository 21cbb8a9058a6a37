"""Files that leave the app (CSV downloads, CLI CSV output) with spreadsheet formulas neutralised.

A text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return may run as a formula when the file
is opened in Excel, LibreOffice or Google Sheets (CSV injection: `=HYPERLINK(…)`, `+cmd|' /C calc'!A0`,
`@SUM(A1)`). As OWASP advises, such a cell gets a leading `'`, which spreadsheets read as "this is text",
e.g. `'=HYPERLINK(…)`, `'-2+3`, `'+1 *** *** 1234`.

Exception: text that is a plain number (`-12.5`, `+3`, `-1,200`, `1e-5`) is left alone, since it cannot
run anything and analysts expect negative numbers to stay numbers. Real numbers, dates, booleans and
empty cells are never changed. Column headers (which can come from imported files) get the same rule.
"""

from __future__ import annotations

import re

import pandas as pd

from smarketing import formatting, privacy

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def _risky(value) -> bool:
    return isinstance(value, str) and value.startswith(TRIGGERS) and not _PLAIN_NUMBER.fullmatch(value)


def neutral_cell(value):
    """`value` with a leading `'` if it is text a spreadsheet could run as a formula; else unchanged."""
    return "'" + value if _risky(value) else value


def _neutral_column(series: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_datetime64_any_dtype(series):
        return series
    values = series.to_numpy(dtype=object, copy=True)
    risky = [i for i, v in enumerate(values) if _risky(v)]
    if not risky:
        return series
    values[risky] = ["'" + values[i] for i in risky]
    return pd.Series(values, index=series.index, name=series.name, dtype=object)


def neutralize(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose text cells and headers cannot run as spreadsheet formulas."""
    out = frame.rename(columns=neutral_cell)
    for i in range(out.shape[1]):
        out.isetitem(i, _neutral_column(out.iloc[:, i]))
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as a UTF-8 CSV file (no index), formulas neutralised: what every CSV download gives."""
    return neutralize(frame).to_csv(index=False).encode("utf-8")


def table_csv(frame: pd.DataFrame, unmask: bool = False) -> bytes:
    """A table as every download and `smarketing leads` give it: machine values (counts as integers, not 2296.0;
    rates as fractions: smarketing.formatting.machine), emails and phones masked unless `unmask`
    (smarketing.privacy), then `csv_bytes`."""
    machine = formatting.machine(frame, frame.attrs.get("kinds"))
    return csv_bytes(privacy.mask_frame(machine, unmask=unmask))
