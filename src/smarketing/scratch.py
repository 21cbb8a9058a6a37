"""Temporary tables for intermediate results that several queries of one analysis read."""

from __future__ import annotations

import uuid

import ibis

from smarketing import store


class Scratch:
    """Keep intermediate Ibis results as temporary tables; drop them on exit.

    Works on read-only databases (temporary tables live in memory). Ibis' own `.cache()` cannot release
    its tables with the installed sqlglot (its DROP statement renders without the table name), so the
    tables are created through Ibis and dropped with plain SQL here.
    """

    def __init__(self, con, prefix: str = "_scratch"):
        self.con, self.prefix, self.names = con, prefix, []

    def keep(self, expr: ibis.Table) -> ibis.Table:
        name = f"{self.prefix}_{uuid.uuid4().hex[:12]}"
        self.names.append(name)
        return self.con.create_table(name, expr, temp=True)

    def __enter__(self) -> Scratch:
        return self

    def __exit__(self, *_exc) -> None:
        for name in reversed(self.names):
            store.raw(self.con).execute(f'DROP TABLE IF EXISTS "{name}"')
        self.names.clear()
