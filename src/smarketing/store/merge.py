"""How staged rows land in a table: added as new rows, merged into the rows already there (upsert), or in
place of everything the table held (replace), with the counts a user sees before committing.

Rows are matched on each table's key: leads by lead_id, deals by deal_id, hand-offs by (lead_id,
dispatched_at), spend by (date, source group, source, campaign); events and stage changes have no key, so a
row counts as already there when every contract column is equal (re-importing an export adds only what is
new). An upsert updates only the columns the file supplies; extra columns it does not have keep their values.
Stage dates read from a date column ("won_date", "Became a Customer Date") are one per lead and stage: an import
passes keys (lead_id, stage) for them, and a corrected date replaces the old one instead of adding a second.
"""

from __future__ import annotations

from dataclasses import dataclass

from smarketing.labels import t
from smarketing.schema import TABLES, Table

MODES = ("add", "upsert", "replace")
DEFAULT_MODE = "add"
NATURAL_KEYS = {
    "leads": ("lead_id",),
    "deals": ("deal_id",),
    "handoffs": ("lead_id", "dispatched_at"),
    "spend": ("date", "source_group", "source", "campaign"),
}


@dataclass(frozen=True)
class Changes:
    """What an import does to one table: rows in the file, and how many are added, updated, unchanged or
    removed (replace mode, and rows of other tables left without their lead)."""

    rows: int
    added: int
    updated: int = 0
    unchanged: int = 0
    removed: int = 0


def check_mode(mode: str) -> str:
    if mode not in MODES:
        raise ValueError(t("imp_mode_choice").format(modes=", ".join(MODES), mode=mode))
    return mode


def match_keys(table: Table) -> tuple[str, ...]:
    """The columns a staged row is matched on."""
    return NATURAL_KEYS.get(table.name, tuple(table.column_names))


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _same(columns, left: str = "t", right: str = "s") -> str:
    return " AND ".join(f"{left}.{_q(c)} IS NOT DISTINCT FROM {right}.{_q(c)}" for c in columns) or "TRUE"


def land(db, table: Table, typed_table: str, columns: list[str], mode: str,
         keys: tuple[str, ...] | None = None) -> Changes:
    """Put the rows of `typed_table` (already in the table's types, `columns` being the targets it has) into
    `table` according to `mode`, and return the counts. `keys`: in upsert mode, match the rows of a table
    without a key (stage changes) on these columns instead of on all of them."""
    target = _q(table.name)
    rows = db.execute(f'SELECT count(*) FROM "{typed_table}"').fetchone()[0]
    names = ", ".join(_q(c) for c in columns)
    if mode == "add":
        db.execute(f'INSERT INTO {target} ({names}) SELECT {names} FROM "{typed_table}"')
        return Changes(rows, rows)
    if keys and table.name not in NATURAL_KEYS:
        return _replace_matched(db, target, typed_table, columns, [k for k in keys if k in columns], rows)
    keys = [k for k in match_keys(table) if k in columns]
    others = [c for c in columns if c not in keys]
    matched = f'EXISTS (SELECT 1 FROM {target} t WHERE {_same(keys)})'
    differs = " OR ".join(f"t.{_q(c)} IS DISTINCT FROM s.{_q(c)}" for c in others) or "FALSE"
    updated = db.execute(f'SELECT count(*) FROM "{typed_table}" s WHERE EXISTS (SELECT 1 FROM {target} t WHERE '
                         f'{_same(keys)} AND ({differs}))').fetchone()[0]
    existing = db.execute(f'SELECT count(*) FROM "{typed_table}" s WHERE {matched}').fetchone()[0]
    if others and updated:
        sets = ", ".join(f"{_q(c)} = s.{_q(c)}" for c in others)
        db.execute(f'UPDATE {target} AS t SET {sets} FROM "{typed_table}" s WHERE {_same(keys)}')
    db.execute(f'INSERT INTO {target} ({names}) SELECT {names} FROM "{typed_table}" s WHERE NOT {matched}')
    return Changes(rows, rows - existing, updated, existing - updated)


def _replace_matched(db, target: str, typed_table: str, columns: list[str], keys: list[str], rows: int) -> Changes:
    """Upsert on `keys` for rows that may repeat a key in the table (a lead entered a stage twice): the table's
    rows of a staged key that no staged row repeats exactly are replaced by the staged ones."""
    names = ", ".join(_q(c) for c in columns)
    matched, exact = (f'EXISTS (SELECT 1 FROM {target} t WHERE {_same(cols)})' for cols in (keys, columns))
    existing, unchanged = (db.execute(f'SELECT count(*) FROM "{typed_table}" s WHERE {cond}').fetchone()[0]
                           for cond in (matched, exact))
    db.execute(f'DELETE FROM {target} t WHERE EXISTS (SELECT 1 FROM "{typed_table}" s WHERE {_same(keys)}) '
               f'AND NOT EXISTS (SELECT 1 FROM "{typed_table}" s WHERE {_same(columns)})')
    db.execute(f'INSERT INTO {target} ({names}) SELECT {names} FROM "{typed_table}" s WHERE NOT {exact}')
    return Changes(rows, rows - existing, existing - unchanged, unchanged)


def empty_for_replace(db, table: Table) -> int:
    """Replace mode: remove every row of `table` before the new ones land; returns how many."""
    removed = db.execute(f"SELECT count(*) FROM {_q(table.name)}").fetchone()[0]
    db.execute(f"DELETE FROM {_q(table.name)}")
    return removed


def remove_orphans(db, replaced: set[str]) -> dict[str, int]:
    """After the leads were replaced: rows of the other tables whose lead is gone are removed too."""
    if "leads" not in replaced:
        return {}
    out = {}
    for name, table in TABLES.items():
        if table.lead_ref and name not in replaced:
            gone = db.execute(f"SELECT count(*) FROM {_q(name)} WHERE lead_id NOT IN (SELECT lead_id FROM leads)"
                              ).fetchone()[0]
            if gone:
                db.execute(f"DELETE FROM {_q(name)} WHERE lead_id NOT IN (SELECT lead_id FROM leads)")
                out[name] = gone
    return out
