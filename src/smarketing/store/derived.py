"""Derived tables: results that only the data fixes (per-lead facts, no filters), computed at the end of a
write (an import, a demo build) inside the same atomic swap, so that the analyses read them instead of
recomputing them for every view.

A derived table `_derived_<name>` counts only while it matches the data: `_derived_meta` records, per name,
the data version it was built from and a key of the parameters it was built for. Every write replaces the
data version (`bump_version`: `store.writing` and the import pipeline call it), so a derived table that a
write did not rebuild is never read: `load` then returns None and the analysis computes live, exactly as
without it. Warehouse sources and databases built before derived tables existed simply have none.
"""

from __future__ import annotations

import uuid

import ibis

from smarketing.frozen import frozen_fact

PREFIX = "_derived_"
META = "_derived_meta"
VERSION = "_data_version"


def raw(con):
    """The DuckDB connection under an Ibis backend (as store.raw; this module sits below store.connection)."""
    return con.con


def bump_version(con) -> None:
    """Mark the data as changed (every derived table built before is now stale)."""
    raw(con).execute(f'CREATE OR REPLACE TABLE "{VERSION}" AS SELECT ? AS version', [uuid.uuid4().hex])


def data_version(con) -> str | None:
    """The data version of this database (None before its first write, and for other engines)."""
    if getattr(con, "name", None) != "duckdb" or VERSION not in _tables(con):
        return None
    row = raw(con).execute(f'SELECT max(version) FROM "{VERSION}"').fetchone()
    return row[0] if row else None


def save(con, name: str, expr: ibis.Table, key: str) -> None:
    """Store `expr` as the derived table `name`, built for the parameters `key` from the current data."""
    db = raw(con)
    version = data_version(con)
    if version is None:  # a database written before versions existed: give it one now
        bump_version(con)
        version = data_version(con)
    db.execute(f'CREATE OR REPLACE TABLE "{PREFIX}{name}" AS {con.compile(expr)}')
    db.execute(f'CREATE TABLE IF NOT EXISTS "{META}" (name VARCHAR PRIMARY KEY, version VARCHAR, key VARCHAR)')
    db.execute(f'INSERT OR REPLACE INTO "{META}" VALUES (?, ?, ?)', [name, version, key])


def load(con, name: str, key: str) -> ibis.Table | None:
    """The derived table `name` when it was built from the current data for the parameters `key`, else None."""
    stamp = frozen_fact(con, ("derived", name), lambda: _stamp(con, name))
    if stamp is None or stamp != (data_version_of(con), key):
        return None
    return con.table(PREFIX + name)


def data_version_of(con) -> str | None:
    """data_version, once per read-only file version."""
    return frozen_fact(con, "data version", lambda: data_version(con))


def _stamp(con, name: str) -> tuple[str, str] | None:
    if getattr(con, "name", None) != "duckdb" or META not in _tables(con):
        return None  # not a DuckDB database of ours (a warehouse), or nothing derived yet
    row = raw(con).execute(f'SELECT version, key FROM "{META}" WHERE name = ?', [name]).fetchone()
    return (row[0], row[1]) if row else None


def _tables(con) -> set[str]:
    return set(con.list_tables())
