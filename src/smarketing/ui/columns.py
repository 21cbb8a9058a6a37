"""The columns of every table on a page, by the one rule of smarketing.formatting: each numeric column shown by
its kind (counts 1,234, shares 12.3%, points +1.2 pts, money $1,234, days 4.5 d, p-values < 0.001), "–" for
unknown, a display label for every header, the first column pinned on wide tables, dates without a clock
when they have none. An explicit column_config entry still wins (a label or help alone keeps the derived
format). Pandas Styler tables get the same formats through `styled`."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from smarketing import formatting
from smarketing.labels import label as default_label
from smarketing.labels import words as shown_words

PLACEHOLDER = "–"  # what a table shows for an unknown value (st.dataframe shows "None" otherwise)
PIN_FROM = 7  # tables with this many visible columns or more keep their first (name) column in view


def _numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def number_column(kind: str, label: str, help: str | None = None, **extra) -> dict:
    """The column config of a number of `kind` (formatting kinds); a p-value is text (see `prepare`)."""
    if kind == formatting.PVALUE:
        return st.column_config.TextColumn(label, help=help, alignment="right", **extra)
    fmt, _scale, step = formatting.column_format(kind)  # units in the interface language
    return st.column_config.NumberColumn(label, help=help, format=fmt, step=step, **extra)


def _explicit_format(conf) -> bool:
    return isinstance(conf, dict) and bool(conf.get("type_config"))


def _percent(conf: dict) -> bool:
    return (conf.get("type_config") or {}).get("format") == "percent"


def _one_decimal(conf: dict) -> dict:
    """An explicit percent column shows one decimal, as every share (its values are shown ×100, see `prepare`)."""
    fmt, _scale, step = formatting.column_format(formatting.SHARE)
    return {**conf, "type_config": {**conf["type_config"], "format": fmt, "step": step}}


def _date_column(series: pd.Series, label: str, help: str | None):
    values = series.dropna()
    clock = len(values) and (values.dt.hour.ne(0) | values.dt.minute.ne(0)).any()
    return st.column_config.DatetimeColumn(label, help=help, format="YYYY-MM-DD HH:mm" if clock else "YYYY-MM-DD")


def prepare(frame: pd.DataFrame, column_config: dict | None = None, kinds: dict | None = None,
            help: dict | None = None, label=default_label) -> tuple[pd.DataFrame, dict]:
    """The frame as shown (points and relative changes ×100, p-values as text) and a column config for every
    column. kinds: {column: formatting kind} where the name does not say; help: {column: tooltip};
    label(column): the header of a column without one."""
    column_config, help = dict(column_config or {}), help or {}
    frame = shown_words(frame)  # stage names, statuses and our markers in the interface language
    kinds = formatting.kinds_of(frame, {**(frame.attrs.get("kinds") or {}), **(kinds or {})})
    shown, config = frame, {}
    for column in frame.columns:
        conf = column_config.get(column, ...)
        if conf is None:  # hidden
            config[column] = None
            continue
        if _explicit_format(conf):
            config[column] = conf
            if _percent(conf) and _numeric(frame[column]):
                shown = shown.copy() if shown is frame else shown
                shown[column] = frame[column] * formatting.COLUMN_FORMATS[formatting.SHARE][1]
                config[column] = _one_decimal(conf)
            continue
        given = conf if isinstance(conf, dict) else {"label": conf} if isinstance(conf, str) else {}
        title = given.get("label") or label(column)
        tip = given.get("help") or help.get(column)
        extra = {k: given[k] for k in ("width", "pinned") if given.get(k) is not None}
        series = frame[column]
        if column in kinds and _numeric(series):
            kind = kinds[column]
            scale = formatting.COLUMN_FORMATS.get(kind, (None, 1, None))[1]
            if kind == formatting.PVALUE or scale != 1:
                shown = shown.copy() if shown is frame else shown
                shown[column] = (series.map(lambda v: None if pd.isna(v) else formatting.fmt_p(v))
                                 if kind == formatting.PVALUE else series * scale)
            config[column] = number_column(kind, title, tip, **extra)
        elif pd.api.types.is_datetime64_any_dtype(series):
            config[column] = _date_column(series, title, tip)
        else:
            config[column] = st.column_config.Column(title, help=tip, **extra)
    return shown, _pin_first(frame, config)


def _pin_first(frame: pd.DataFrame, config: dict) -> dict:
    visible = [c for c in frame.columns if config.get(c) is not None]
    if len(visible) >= PIN_FROM and not _numeric(frame[visible[0]]) and config[visible[0]].get("pinned") is None:
        config[visible[0]] = {**config[visible[0]], "pinned": True}
    return config


def styled(frame: pd.DataFrame, kinds: dict | None = None):
    """A pandas Styler of `frame` whose numbers read as every table's (formatting.FORMATTERS by kind), "–" for
    unknown; pages add colour on top."""
    found = formatting.kinds_of(frame, {**(frame.attrs.get("kinds") or {}), **(kinds or {})})
    frame = shown_words(frame)
    return frame.style.format({c: formatting.FORMATTERS[k] for c, k in found.items()}, na_rep=PLACEHOLDER)


def styled_config(styler, column_config: dict | None = None, help: dict | None = None, label=default_label) -> dict:
    """Headers (and the pinned first column) of a styled table: its display values carry the formats."""
    column_config, help, frame = dict(column_config or {}), help or {}, styler.data
    config = {}
    for column in frame.columns:
        conf = column_config.get(column, ...)
        if conf is None or isinstance(conf, dict):
            config[column] = conf
            continue
        title = conf if isinstance(conf, str) else label(column)
        config[column] = st.column_config.Column(title, help=help.get(column))
    return _pin_first(frame, config)
