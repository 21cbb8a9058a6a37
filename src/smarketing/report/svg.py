"""Static charts as inline SVG for the meeting pack: horizontal bars, a funnel, and paired bars (before and
now). Pure functions from rows to SVG text; every text is escaped, every coordinate rounded, so the same rows
give the same bytes. Fonts and colours come from the page's CSS (classes), so print and screen agree."""

from __future__ import annotations

import html
import math
import unicodedata
from dataclasses import dataclass

from smarketing.charts.style import PALETTE

ROW, GAP, LABEL_WIDTH, WIDTH = 22, 6, 130, 470
CHAR = 7.0  # pixels a character of the 11 px chart text takes at most (digits, Latin letters)
BEFORE_COLOR = "#cbd5e1"
FONT = "'Noto Sans', 'DejaVu Sans', 'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif"
# Presentation attributes rather than CSS classes: every SVG renderer (browsers, WeasyPrint) reads them.
LABEL = 'font-size="11" fill="#334155"'
VALUE = 'font-size="11" fill="#0f172a"'
INSIDE = 'font-size="11" fill="#ffffff" font-weight="600"'
NOTE = 'font-size="10" fill="#64748b"'
REFERENCE = 'stroke="#0f172a" stroke-dasharray="4 3" stroke-width="1"'


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its value (NaN: no bar), the text shown beside it and an optional colour."""

    label: str
    value: float
    text: str
    color: str | None = None


def _n(x: float) -> str:
    """A coordinate: one decimal, no "-0.0"."""
    text = f"{x:.1f}"
    return "0.0" if text == "-0.0" else text


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _width(text: str) -> int:
    """Display width: wide (CJK) characters count twice."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def fit(text: str, columns: int) -> str:
    """`text` cut to at most `columns` display columns, with "…" when cut."""
    text = " ".join(str(text).split())
    if _width(text) <= columns:
        return text
    out = ""
    for char in text:
        if _width(out + char) > columns - 1:
            break
        out += char
    return out + "…"


def _text_room(texts) -> float:
    """Pixels to keep right of the longest bar for its value text."""
    return max([_width(str(x)) for x in texts] + [4]) * CHAR + 10


def _svg(height: float, title: str, body: list[str], width: int = WIDTH) -> str:
    return (f'<svg class="chart" viewBox="0 0 {width} {_n(height)}" width="{width}" height="{_n(height)}" '
            f'font-family="{FONT}" role="img" aria-label="{_e(title)}"><title>{_e(title)}</title>{"".join(body)}</svg>')


def _finite(value) -> bool:
    return value is not None and isinstance(value, int | float) and math.isfinite(value)


def bars(rows: list[Bar], title: str, reference: float | None = None, reference_text: str = "",
         width: int = WIDTH) -> str:
    """Horizontal bars from zero, scaled to the largest value (or the reference line, if larger)."""
    area = width - LABEL_WIDTH - _text_room(r.text for r in rows)
    values = [r.value for r in rows if _finite(r.value) and r.value > 0]
    top = max([*values, reference if _finite(reference) else 0.0, 0.0]) or 1.0
    mark = LABEL_WIDTH + area * reference / top if _finite(reference) and reference > 0 else None
    body, y = [], GAP
    for i, row in enumerate(rows):
        color = row.color or PALETTE[0]
        body.append(f'<text {LABEL} x="{LABEL_WIDTH - 8}" y="{_n(y + ROW * 0.68)}" text-anchor="end">'
                    f'{_e(fit(row.label, 20))}</text>')
        length = area * max(row.value, 0.0) / top if _finite(row.value) else 0.0
        if length > 0:
            body.append(f'<rect x="{LABEL_WIDTH}" y="{_n(y + 3)}" width="{_n(length)}" height="{ROW - 6}" '
                        f'fill="{color}" rx="2"/>')
        end = max(length, mark - LABEL_WIDTH if mark is not None else 0.0)  # the text clears the reference line
        body.append(f'<text {VALUE} x="{_n(LABEL_WIDTH + end + 6)}" y="{_n(y + ROW * 0.68)}">'
                    f'{_e(row.text)}</text>')
        y += ROW + (GAP if i < len(rows) - 1 else 0)
    if mark is not None:
        x = mark
        body.append(f'<line {REFERENCE} x1="{_n(x)}" x2="{_n(x)}" y1="0" y2="{_n(y + GAP)}"/>')
        if reference_text:
            body.append(f'<text {NOTE} x="{_n(x + 4)}" y="{_n(y + GAP + 12)}">{_e(reference_text)}</text>')
            y += 16
    return _svg(y + GAP, title, body, width)


def funnel(rows: list[Bar], title: str, width: int = WIDTH) -> str:
    """A funnel: one bar per stage, centred, its width the stage's count against the first stage's; the
    text (count and conversion) inside or beside it."""
    area = width - LABEL_WIDTH - 10
    centre = LABEL_WIDTH + area / 2
    top = max([r.value for r in rows if _finite(r.value) and r.value > 0] or [1.0])
    body, y = [], GAP
    for i, row in enumerate(rows):
        color = row.color or PALETTE[i % len(PALETTE)]
        body.append(f'<text {LABEL} x="{LABEL_WIDTH - 8}" y="{_n(y + ROW * 0.68)}" text-anchor="end">'
                    f'{_e(fit(row.label, 20))}</text>')
        length = max(area * row.value / top, 2.0) if _finite(row.value) and row.value > 0 else 0.0
        if length:
            body.append(f'<rect x="{_n(centre - length / 2)}" y="{_n(y + 2)}" width="{_n(length)}" '
                        f'height="{ROW - 4}" fill="{color}" rx="2"/>')
        inside = length > 8 * _width(row.text)
        style = INSIDE if inside else VALUE
        x = centre if inside else centre + length / 2 + 6
        anchor = ' text-anchor="middle"' if inside else ""
        body.append(f'<text {style} x="{_n(x)}" y="{_n(y + ROW * 0.68)}"{anchor}>{_e(row.text)}</text>')
        y += ROW + (GAP if i < len(rows) - 1 else 0)
    return _svg(y + GAP, title, body, width)


def paired(rows: list[tuple[str, float, float, str]], title: str, before_text: str, now_text: str,
           width: int = WIDTH) -> str:
    """Per row, its label and text on a line, then two bars: the previous period's (grey) above this period's
    (coloured): (label, before, now, text). Values are fractions 0–1 drawn against the largest; the legend below
    names the two periods."""
    area = width - 20
    values = [v for _, b, n, _ in rows for v in (b, n) if _finite(v) and v > 0]
    top = max(values or [1.0])
    body, y, thick = [], GAP, 7
    for label, before, now, text in rows:
        body.append(f'<text {LABEL} x="0" y="{_n(y + 11)}">{_e(fit(label, 44))}</text>'
                    f'<text {VALUE} x="{width}" y="{_n(y + 11)}" text-anchor="end">{_e(text)}</text>')
        y += 15
        for value, color in ((before, BEFORE_COLOR), (now, PALETTE[4])):
            length = area * value / top if _finite(value) and value > 0 else 0.0
            if length:
                body.append(f'<rect x="0" y="{_n(y)}" width="{_n(length)}" height="{thick}" fill="{color}"/>')
            y += thick + 1
        y += GAP + 2
    for name, color in ((before_text, BEFORE_COLOR), (now_text, PALETTE[4])):
        body.append(f'<rect x="0" y="{_n(y + 2)}" width="10" height="10" fill="{color}"/>'
                    f'<text {NOTE} x="14" y="{_n(y + 11)}">{_e(name)}</text>')
        y += 15
    return _svg(y + 4, title, body, width)
