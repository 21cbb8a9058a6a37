"""The building blocks of a pack's HTML: escaped text, tables with formatted numbers and their CSV file
embedded as a data link (masked and formula-safe, like every download), KPI cards and notes."""

from __future__ import annotations

import base64
import html
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from smarketing import exports, privacy
from smarketing.labels import label, t


def esc(value) -> str:
    """Text for HTML (attributes too)."""
    return html.escape(str(value), quote=True)


def masked(value, unmask: bool):
    """A data value of free text (an owner, a segment, a reason) with email addresses masked."""
    return value if unmask else privacy.mask_text(value)


@dataclass(frozen=True)
class Column:
    """A table column: the frame's column, its header (a label) and how a value is shown."""

    name: str
    header: str
    show: Callable[[object], str] = str
    number: bool = True


def text_column(name: str, header: str, labelled: bool = False) -> Column:
    """A column of text: data values as they are (owners, channels, reasons), or with `labelled` the labels of
    stage names and keys."""
    show = label if labelled else str
    return Column(name, header, lambda v: "" if v is None or v != v else show(v), number=False)


def csv_link(frame: pd.DataFrame, file_name: str, unmask: bool) -> str:
    """A link that saves the table as a CSV file (emails and phones masked, formulas neutralised), embedded in
    the page as a data URL so the pack stays one file."""
    data = base64.b64encode(exports.table_csv(frame, unmask=unmask)).decode("ascii")
    return (f'<a class="csv" download="{esc(file_name)}.csv" href="data:text/csv;charset=utf-8;base64,{data}">'
            f'{esc(t("download_csv"))}</a>')


def table(frame: pd.DataFrame, columns: list[Column], file_name: str, unmask: bool,
          strong: Callable[[pd.Series], bool] | None = None, caption: str = "") -> str:
    """An HTML table of `columns` (emails and phones masked unless `unmask`), and below it a link to the CSV
    file of the whole frame (every column, raw values)."""
    shown = privacy.mask_frame(frame.reset_index(drop=True), unmask=unmask)
    head = "".join(f'<th class="{"num" if c.number else "text"}">{esc(c.header)}</th>' for c in columns)
    body = []
    for _, row in shown.iterrows():
        klass = ' class="total"' if strong is not None and strong(row) else ""
        cells = "".join(f'<td class="{"num" if c.number else "text"}">{esc(c.show(row[c.name]))}</td>'
                        for c in columns)
        body.append(f"<tr{klass}>{cells}</tr>")
    note = f'<p class="caption">{esc(caption)}</p>' if caption else ""
    return (f'<table data-table="{esc(file_name)}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>{note}'
            f'{csv_link(frame, file_name, unmask)}')


def card(metric: str, title: str, value: str, change: str, tone: str, previous: str) -> str:
    """A KPI card: the value, its change against the previous period (tone good / bad / flat) and the previous
    value."""
    return (f'<div class="card" data-metric="{esc(metric)}"><div class="kpi-title">{esc(title)}</div><div class="kpi-value">{esc(value)}</div>'
            f'<div class="kpi-change {tone}">{esc(change)}</div><div class="kpi-previous">{esc(previous)}</div></div>')


def note(text: str, kind: str = "info") -> str:
    return f'<p class="note {kind}">{esc(text)}</p>'


def block(title: str, *parts: str, klass: str = "") -> str:
    """A titled part of a section that is kept on one page when printed."""
    return f'<div class="block {klass}"><h3>{esc(title)}</h3>{"".join(parts)}</div>'


def side_by_side(chart: str, right: str) -> str:
    """A chart beside a table (the table takes the wider part)."""
    return f'<div class="row"><div class="cell chart-cell">{chart}</div><div class="cell">{right}</div></div>'


def section(key: str, title: str, *parts: str) -> str:
    return f'<section id="{esc(key)}"><h2>{esc(title)}</h2>{"".join(parts)}</section>'
