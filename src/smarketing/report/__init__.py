"""The weekly meeting pack: one self-contained HTML file (and a PDF of it) of a window's numbers, built from
the same analysis functions as the pages.

`options` (what a pack is built from, ISO weeks), `content` (gathering the numbers), `svg` (static charts),
`blocks` and `sections` (the HTML parts), `page` (the document and its print styles), `pdf` (WeasyPrint).
"""

from __future__ import annotations

from smarketing.report.content import PackContent, gather
from smarketing.report.options import PackOptionError, PackOptions, parse_week, week_label
from smarketing.report.page import render
from smarketing.stages import StageModel

__all__ = ["PackContent", "PackOptionError", "PackOptions", "build_html", "gather", "parse_week", "render",
           "week_label"]


def build_html(con, options: PackOptions, stages: StageModel | None = None) -> str:
    """The meeting pack of `options` as one HTML document: the same data and options give the same text."""
    return render(gather(con, options, stages))
