"""Temporary tables for intermediate results that several queries of one analysis read."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator

import ibis


class Scratch:
    """Keep intermediate Ibis results as temporary tables; drop them on exit.

    Works on read-only databases (temporary tables live in memory). Ibis' own `.cache()` cannot release
    its tables here (ibis 12 + sqlglot 30: its DROP statement renders without the table name), so each
    table is created from the expression's Ibis-compiled SQL and dropped by name; no user text is
    formatted into either statement.
    """

    def __init__(self, con, prefix: str = "_scratch"):
        self.con, self.prefix, self.names = con, prefix, []

    def keep(self, expr: ibis.Table) -> ibis.Table:
        name = f"{self.prefix}_{uuid.uuid4().hex[:12]}"
        self.con.con.execute(f'CREATE TEMP TABLE "{name}" AS {self.con.compile(expr)}')
        self.names.append(name)
        return self.con.table(name)

    def __enter__(self) -> Scratch:
        return self

    def __exit__(self, *_exc) -> None:
        for name in reversed(self.names):
            self.con.con.execute(f'DROP TABLE IF EXISTS "{name}"')
        self.names.clear()


@contextlib.contextmanager
def materialized(con, expr: ibis.Table, prefix: str = "_scratch") -> Iterator[ibis.Table]:
    """One expression computed once into a temporary table for the block (dropped afterwards)."""
    with Scratch(con, prefix) as scratch:
        yield scratch.keep(expr)
