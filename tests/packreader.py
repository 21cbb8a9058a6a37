"""Reading a meeting pack's HTML in tests: its tables by name (cell texts), its KPI cards, every link and
source address, and the CSV files embedded as data links."""

from __future__ import annotations

import base64
from html.parser import HTMLParser


class PackReader(HTMLParser):
    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[list[str]]] = {}
        self.cards: dict[str, list[str]] = {}
        self.csv: dict[str, str] = {}
        self.addresses: list[str] = []
        self.tags: set[str] = set()
        self._table = self._card = None
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._card_depth = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.add(tag)
        for name in ("href", "src", "xlink:href", "action"):
            if name in attrs:
                self.addresses.append(attrs[name])
        if tag == "a" and "download" in attrs:
            self.csv[attrs["download"]] = base64.b64decode(attrs["href"].split("base64,", 1)[1]).decode("utf-8")
        if tag == "table" and "data-table" in attrs:
            self._table = attrs["data-table"]
            self.tables[self._table] = []
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "div" and "data-metric" in attrs:
            self._card, self._card_depth = attrs["data-metric"], 0
            self.cards[self._card] = []
        elif tag == "div" and self._card is not None:
            self._card_depth += 1
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None
        elif tag == "div" and self._card is not None:
            if self._card_depth == 0:
                self._card = None
            else:
                self.cards[self._card].append("".join(self._cell or []).strip())
                self._cell, self._card_depth = None, self._card_depth - 1

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def rows(self, name: str) -> dict[str, list[str]]:
        """A table's body rows by their first cell (the header row left out)."""
        return {row[0]: row for row in self.tables[name][1:]}
