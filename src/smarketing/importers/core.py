"""What every importer returns, and the one way it reaches the database: store.import_files (atomic)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from smarketing import store, toml_input
from smarketing.importers import values
from smarketing.importers.readers import RawTable
from smarketing.labels import t
from smarketing.schema import LEADS, TABLES
from smarketing.store import DataImportError, Frame, at_cell
from smarketing.store.merge import DEFAULT_MODE, Changes


@dataclass
class Prepared:
    """Canonical tables ready for store.import_files, plus notes the user should read before importing."""

    frames: dict[str, Frame]
    notes: list[str] = field(default_factory=list)

    def rows(self) -> dict[str, int]:
        return {name: len(frame.data) for name, frame in self.frames.items()}


@dataclass
class ImportResult:
    """What an import did (or, checked, would do): rows per table and the changes behind them."""

    added: dict[str, int]
    notes: list[str]
    changes: dict[str, Changes] = field(default_factory=dict)
    mode: str = DEFAULT_MODE

    def summary(self) -> str:
        if self.changes:
            said = "; ".join(f"{name}: {describe(c)}" for name, c in self.changes.items())
        else:
            said = ", ".join(t("imp_rows_into").format(n=f"{n:,}", table=name) for name, n in self.added.items())
        return t("imp_imported").format(changes=said)


def describe(c: Changes) -> str:
    """"1,200 added, 35 updated, 2,000 unchanged" (the parts that are not zero)."""
    parts = [(c.added, "added"), (c.updated, "updated"), (c.unchanged, "unchanged"), (c.removed, "removed")]
    return ", ".join(t(f"data_n_{what}").format(n=f"{n:,}") for n, what in parts if n) or t("data_no_change")


def existing_keys(con, table: str, column: str, ids: Iterable[str]) -> set[str]:
    """Those of `ids` already in `table`.`column`.

    Uses the DuckDB connection with a registered frame (a semi-join), because an IN list of a whole
    export's ids would not scale; this is data loading, not an analysis.
    """
    frame = pd.DataFrame({"k": pd.Series(list(dict.fromkeys(ids)), dtype=object)})
    if con is None or frame.empty:
        return set()
    db = store.raw(con)
    db.register("_known_ids", frame)
    try:
        rows = db.execute(f'SELECT k FROM _known_ids SEMI JOIN "{table}" t ON t."{column}" = _known_ids.k').fetchall()
    finally:
        db.unregister("_known_ids")
    return {r[0] for r in rows}


def known_leads(con, ids: Iterable[str]) -> set[str]:
    """Those of `ids` that are already in the leads table."""
    return existing_keys(con, "leads", "lead_id", ids)


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
            ours = {_key(c) for table in TABLES.values() for c in table.column_names}
            found = store.headers_found(self.raw.headers, lambda h: h in self.used or _key(h) in ours)
            raise DataImportError(t("imp_missing_vendor_column").format(file=self.raw.name, column=labels[0],
                                                                        what=what, found=found))
        return header

    def get(self, *labels: str) -> pd.Series:
        header = self.find(*labels)
        return self.raw.frame[header] if header else pd.Series(None, index=self.raw.frame.index, dtype=object)

    def unused(self) -> list[str]:
        return [h for h in self.raw.headers if h not in self.used]


def lead_columns(raw: RawTable, cols: Columns, spec: dict[str, tuple[str, ...]],
                 parse_created: Callable[[str], pd.Series], keep_ranges: bool = False,
                 decimal: str | None = None) -> tuple[dict, dict]:
    """The leads columns a vendor export has ({column: labels in `spec`, first found wins}), converted:
    created_at by `parse_created(header)`, employees as numbers in the file's decimal convention (`decimal`, else
    read from the values; the original "51-200" kept as employees_range when `keep_ranges`). Returns ({column:
    values}, {column: the user's header})."""
    out, labels = {}, {}
    if (employees := cols.find(*spec.get("employees", ()))) is not None:
        decimal = values.decimal_convention({employees: raw.frame[employees]}, raw.name, decimal, whole={employees})
    for column, names in spec.items():
        header = cols.find(*names)
        if header is None:
            continue
        labels[column] = header
        series = raw.frame[header]
        if column == "created_at":
            series = parse_created(header)
        elif column == "employees":
            if keep_ranges:
                out["employees_range"] = series
            series = values.numbers(series, whole=True, decimal=decimal)
        out[column] = series
    return out, labels


def extra_name(header: str) -> str:
    """The column name an unmapped header is kept under: snake_case (Chinese characters kept); never a name
    the database keeps for itself (store.RESERVED_COLUMNS: "RowID" is kept as row_id)."""
    name = re.sub(r"[\W]+", "_", str(header).strip().casefold()).strip("_")
    return "row_id" if name in store.RESERVED_COLUMNS else name or "column"


def keep_extras(raw: RawTable, cols: Columns, out: dict, labels: dict) -> None:
    """Every column `cols` has not used becomes an extra lead column (snake_case name), unless the name is a
    column of the contract or already taken."""
    for header in cols.unused():
        name = extra_name(header)
        if LEADS.column(name) is None and name not in out:
            out[name] = raw.frame[header]
            labels[name] = header


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
        raise DataImportError(at_cell(raw.name, row, header, t("imp_value_required").format(expected=expected)))


def unique_values(raw: RawTable, header: str) -> None:
    values = raw.frame[header]
    dup = values.duplicated() & values.notna()
    if dup.any():
        row = int(dup.to_numpy().nonzero()[0][0]) + 1
        raise DataImportError(at_cell(raw.name, row, header, t("imp_duplicate_id").format(value=values[dup].iloc[0])))


# ------------------------------------------------------------------------------- settings files (TOML)


def toml_doc(text: str, source: str) -> dict:
    """The TOML of a mapping or status map, or DataImportError naming the file (and line)."""
    try:
        return toml_input.loads(text)
    except toml_input.TomlInputError as exc:
        raise DataImportError(t("imp_in_file").format(file=source, message=exc)) from exc


def read_toml(path: str | Path, what: str) -> tuple[str, str]:
    """The text and file name of a settings file (at most 1 MB, UTF-8); `what` names it when missing."""
    path = Path(path)
    try:
        return toml_input.read(path), path.name
    except FileNotFoundError as exc:
        raise DataImportError(t("imp_settings_not_found").format(what=what, path=path)) from exc
    except toml_input.TomlInputError as exc:
        raise DataImportError(t("imp_in_file").format(file=path.name, message=exc)) from exc


def text_table(doc: dict, key: str, source: str) -> dict[str, str]:
    """The [key] table of a settings file, whose entries must all be "text" = "text"."""
    table = doc.get(key, {})
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise DataImportError(t("imp_text_table").format(file=source, key=key))
    return table
