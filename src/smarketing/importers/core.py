"""What every importer returns, and the one way it reaches the database: store.import_files (atomic)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pandas as pd

from smarketing import store
from smarketing.importers.readers import RawTable
from smarketing.stages import DEFAULT_STAGES, StageModel
from smarketing.store import DataImportError, Frame


@dataclass
class Prepared:
    """Canonical tables ready for store.import_files, plus notes the user should read before importing."""

    frames: dict[str, Frame]
    notes: list[str] = field(default_factory=list)

    def rows(self) -> dict[str, int]:
        return {name: len(frame.data) for name, frame in self.frames.items()}


@dataclass
class ImportResult:
    added: dict[str, int]
    notes: list[str]

    def summary(self) -> str:
        return "imported " + ", ".join(f"{n:,} rows into {t}" for t, n in self.added.items())


def load(
    con,
    prepared: Prepared,
    stages: StageModel = DEFAULT_STAGES,
    progress: Callable[[int, int, str], None] | None = None,
) -> ImportResult:
    """Import all tables of `prepared` in one transaction (nothing is imported if any check fails)."""
    frames = {name: frame for name, frame in prepared.frames.items() if not frame.data.empty}
    if not frames:
        raise DataImportError("nothing to import: the files have no rows for any table")
    added = store.import_files(con, frames, stages, progress)
    return ImportResult(added, prepared.notes)


def known_leads(con, ids: Iterable[str]) -> set[str]:
    """Those of `ids` that are already in the leads table.

    Uses the DuckDB connection with a registered frame (a semi-join), because an IN list of a whole
    export's ids would not scale; this is data loading, not an analysis.
    """
    frame = pd.DataFrame({"lead_id": pd.Series(list(dict.fromkeys(ids)), dtype=object)})
    if con is None or frame.empty:
        return set()
    db = store.raw(con)
    db.register("_known_ids", frame)
    try:
        rows = db.execute("SELECT k.lead_id FROM _known_ids k SEMI JOIN leads l ON l.lead_id = k.lead_id").fetchall()
    finally:
        db.unregister("_known_ids")
    return {r[0] for r in rows}


class Columns:
    """Find an export's columns by any of their known labels (case and spacing ignored)."""

    def __init__(self, raw: RawTable):
        self.raw = raw
        self._by_key = {_key(h): h for h in raw.headers}
        self.used: set[str] = set()

    def find(self, *labels: str) -> str | None:
        for label in labels:
            header = self._by_key.get(_key(label))
            if header is not None:
                self.used.add(header)
                return header
        return None

    def require(self, what: str, *labels: str) -> str:
        header = self.find(*labels)
        if header is None:
            raise DataImportError(
                f"{self.raw.name}: missing required column '{labels[0]}' ({what}); "
                f"found: {', '.join(self.raw.headers[:30])}{' …' if len(self.raw.headers) > 30 else ''}"
            )
        return header

    def get(self, *labels: str) -> pd.Series:
        header = self.find(*labels)
        return self.raw.frame[header] if header else pd.Series(None, index=self.raw.frame.index, dtype=object)

    def unused(self) -> list[str]:
        return [h for h in self.raw.headers if h not in self.used]


def _key(text: str) -> str:
    return re.sub(r"[\W_]+", "", str(text).casefold())


def file_rows(raw: RawTable) -> pd.Series:
    """1-based row number in the file of each row (the header is line 1, row 1 is line 2)."""
    return pd.Series(range(1, len(raw.frame) + 1), index=raw.frame.index)


def require_values(raw: RawTable, header: str, expected: str) -> None:
    """Every row must have a value in `header`."""
    blank = raw.frame[header].isna()
    if blank.any():
        row = int(blank.to_numpy().nonzero()[0][0]) + 1
        raise DataImportError(f"{raw.name}, row {row} (line {row + 1}), column {header}: a value is required "
                              f"(expected {expected})")


def unique_values(raw: RawTable, header: str) -> None:
    values = raw.frame[header]
    dup = values.duplicated() & values.notna()
    if dup.any():
        row = int(dup.to_numpy().nonzero()[0][0]) + 1
        raise DataImportError(f"{raw.name}, row {row} (line {row + 1}), column {header}: '{values[dup].iloc[0]}' "
                              f"appears more than once in the file (expected unique ids)")
