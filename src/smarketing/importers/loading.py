"""Checking and committing an import: the same checks either way, the counts a user sees before committing
(added / updated / unchanged / removed per table, for the chosen mode) and one all-or-nothing commit.

A check never touches the database: it imports into a scratch in-memory database holding the rows of `con`
the import touches (the leads it refers to, the ids it would clash with or update, the rows of those
leads), so "unknown lead", "already in the database" and the upsert counts come out as the commit would
give them. Only rows of the import's own leads and ids are read, so a check stays quick on a large database.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from smarketing import store
from smarketing.importers.core import ImportResult, Prepared
from smarketing.labels import t
from smarketing.schema import TABLES
from smarketing.stages import StageModel, resolve
from smarketing.store import DataImportError
from smarketing.store.merge import DEFAULT_MODE, Changes, check_mode
from smarketing.store.text import PATTERN as EDGES


def _frames(prepared: Prepared) -> dict:
    frames = {name: frame for name, frame in prepared.frames.items() if not frame.data.empty}
    if not frames:
        raise DataImportError(t("imp_nothing_to_import"))
    return frames


def load(con, prepared: Prepared, stages: StageModel | None = None,
         progress: Callable[[int, int, str], None] | None = None, mode: str = DEFAULT_MODE) -> ImportResult:
    """Import all tables of `prepared` in one transaction (nothing is imported if any check fails)."""
    changes = store.import_changes(con, _frames(prepared), resolve(stages), progress, check_mode(mode))
    return ImportResult({t: c.rows for t, c in changes.items()}, prepared.notes, changes, mode)


def validate(con, prepared: Prepared, stages: StageModel | None = None,
             progress: Callable[[int, int, str], None] | None = None, mode: str = DEFAULT_MODE) -> ImportResult:
    """Every check of an import and what it would change, without touching `con` (None: an empty database;
    read-only is fine). Raises DataImportError as load() would."""
    frames = _frames(prepared)
    check_mode(mode)
    scratch = store.connect(":memory:")
    try:
        if con is not None:
            _copy_touched(con, scratch, frames)
        changes = store.import_changes(scratch, frames, resolve(stages), progress, mode)
        if mode == "replace" and con is not None:
            changes = _replace_counts(con, frames, changes)
    finally:
        scratch.disconnect()
    return ImportResult({t: c.rows for t, c in changes.items()}, prepared.notes, changes, mode)


def _ids(frames: dict, column: str) -> pd.DataFrame:
    found = set()
    for frame in frames.values():
        if column in frame.data.columns:
            found |= set(frame.data[column].dropna().astype(str).str.replace(EDGES, "", regex=True))
    return pd.DataFrame({"k": sorted(found)}, dtype=object)


def _copy_touched(con, scratch, frames: dict) -> None:
    """Into the scratch database: the rows of `con` whose lead or id the import names (with their columns)."""
    db, out = store.raw(con), store.raw(scratch)
    db.register("_lead_keys", _ids(frames, "lead_id"))
    db.register("_deal_keys", _ids(frames, "deal_id"))
    dates = pd.DataFrame({"k": frames["spend"].data["date"].dropna().unique()}) if "spend" in frames else \
        pd.DataFrame({"k": pd.Series([], dtype="datetime64[us]")})
    db.register("_spend_days", dates)
    try:
        for name in TABLES:
            where = {"leads": "lead_id IN (SELECT k FROM _lead_keys)",
                     "deals": "deal_id IN (SELECT k FROM _deal_keys) OR lead_id IN (SELECT k FROM _lead_keys)",
                     "spend": "CAST(date AS TIMESTAMP) IN (SELECT CAST(k AS TIMESTAMP) FROM _spend_days)"}.get(
                name, "lead_id IN (SELECT k FROM _lead_keys)")
            rows = db.execute(f'SELECT * FROM "{name}" WHERE {where}').arrow()
            out.register("_rows", rows)
            out.execute(f'DROP TABLE "{name}"')
            out.execute(f'CREATE TABLE "{name}" AS SELECT * FROM _rows')
            out.unregister("_rows")
    finally:
        for view in ("_lead_keys", "_deal_keys", "_spend_days"):
            db.unregister(view)


def _replace_counts(con, frames: dict, changes: dict[str, Changes]) -> dict[str, Changes]:
    """Replace mode: what goes is every row the real tables hold (the scratch copy held only some)."""
    out = dict(changes)
    db = store.raw(con)
    for name, c in changes.items():
        total = db.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
        if name in frames:
            out[name] = Changes(c.rows, c.rows, removed=total)
    if "leads" in frames:
        db.register("_new_leads", _ids({"leads": frames["leads"]}, "lead_id"))
        try:
            for name, table in TABLES.items():
                if table.lead_ref and name not in frames:
                    gone = db.execute(f'SELECT count(*) FROM "{name}" WHERE lead_id NOT IN '
                                      f'(SELECT k FROM _new_leads)').fetchone()[0]
                    if gone:
                        out[name] = Changes(0, 0, removed=gone)
        finally:
            db.unregister("_new_leads")
    return out
