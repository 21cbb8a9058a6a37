"""Reading a source whatever it holds: timestamps outside the sane window (smarketing.timewindow) are seen
clamped to it, so no analysis overflows (a lead created on 9999-12-31, an event in year 5, `infinity`).

Imports refuse such values; a warehouse or a file written by other pipelines may still hold them. The read-only
connections the app and the command line open are guarded: the first time a table is asked for, one query counts
its values outside the window; a table that has some is handed out with those columns clamped (the window's
first or last moment), every other table as it is, so clean data costs one small query per table and connection.
`clamped(con)` says what was clamped, for the warning pages and commands show.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import ibis

from smarketing import timewindow
from smarketing.schema import TABLES

MEMO = "_clamp_memo"
RECHECK_SECONDS = 600  # a warehouse changes under an open connection: its counts are kept this long


@dataclass(frozen=True)
class Clamped:
    """Values of one column outside the window, read as the window's edge."""

    table: str
    column: str
    count: int


def _window(table: str, column: str) -> tuple:
    """The window a column's values are clamped to: an open deal's planned close may run later."""
    planned = (table, column) == ("deals", "closed_at") or (table in TABLES and TABLES[table].column(column) is None
                                                            and not table.startswith("_reach_"))
    return timewindow.start(), timewindow.end(planned=planned)


def _outside(table: ibis.Table, name: str) -> dict[str, int]:
    """{column: values outside its window} of a table's timestamp and date columns (those with any)."""
    schema = table.schema()
    columns = [c for c in schema.names if schema[c].is_timestamp() or schema[c].is_date()]
    if not columns:
        return {}
    counts = {}
    for i, column in enumerate(columns):
        lo, hi = _window(name, column)
        col = table[column]
        if schema[column].is_date():
            lo, hi = lo.date(), hi.date()
        counts[f"c{i}"] = ((col < lo) | (col > hi)).sum()
    row = table.aggregate(**counts).execute().iloc[0]
    return {column: int(row[f"c{i}"] or 0) for i, column in enumerate(columns) if int(row[f"c{i}"] or 0)}


def _clamp(table: ibis.Table, name: str, columns: dict[str, int]) -> ibis.Table:
    schema = table.schema()
    out = {}
    for column in columns:
        lo, hi = _window(name, column)
        if schema[column].is_date():
            lo, hi = lo.date(), hi.date()
        col = table[column]
        low, high = ibis.literal(lo, type=schema[column]), ibis.literal(hi, type=schema[column])
        out[column] = ibis.cases((col < low, low), (col > high, high), else_=col)  # NULL stays NULL
    return table.mutate(**out)


def guard(backend, memo: dict | None = None, frozen: bool = True):
    """Make `backend.table(name)` hand out tables with out-of-window values clamped. `memo` shares the counts
    with other cursors of the same database; `frozen`: the data cannot change under it (a read-only file), else
    the counts are taken again after RECHECK_SECONDS."""
    if getattr(backend, MEMO, None) is not None:
        return backend
    memo = {} if memo is None else memo
    original = backend.table

    def table(name, *args, **kwargs):
        found = original(name, *args, **kwargs)
        key = (name, args, tuple(sorted(kwargs.items())))
        seen = memo.get(key)
        if seen is None or (not frozen and time.monotonic() - seen[0] > RECHECK_SECONDS):
            seen = (time.monotonic(), _outside(found, name))
            memo[key] = seen
        return _clamp(found, name, seen[1]) if seen[1] else found

    backend.table = table
    setattr(backend, MEMO, memo)
    backend._clamp_frozen = frozen
    return backend


def share(base, backend):
    """Guard `backend` (a new cursor of `base`'s database) like `base`, sharing its counts."""
    memo = getattr(base, MEMO, None)
    return guard(backend, memo, getattr(base, "_clamp_frozen", True)) if memo is not None else backend


def clamped(con) -> list[Clamped]:
    """What reading the canonical tables clamps (nothing for a connection that is not guarded)."""
    if getattr(con, MEMO, None) is None:
        return []
    found, present = [], set(con.list_tables())
    for name in TABLES:
        if name not in present:
            continue
        con.table(name)  # counts it, once per connection
        counts = con._clamp_memo.get((name, (), ()), (0, {}))[1]
        found += [Clamped(name, column, n) for column, n in counts.items()]
    return found


def describe(found: list[Clamped]) -> str:
    """One sentence for pages and commands: how many values, where, and what was done with them."""
    total = sum(c.count for c in found)
    where = ", ".join(f"{c.table}.{c.column}: {c.count:,}" for c in found)
    return (f"{total:,} date value(s) outside {timewindow.describe()} (an open deal's close: to "
            f"{timewindow.latest_planned().isoformat()}) were clamped to that window ({where}); fix them at the "
            f"source")


def window_filter(column) -> ibis.BooleanValue:
    """True where a (clamped) timestamp lies strictly inside the window: values that were clamped sit on its
    edges, so bounds such as "the data's last day" leave them out."""
    return (column > timewindow.start()) & (column < timewindow.end())
