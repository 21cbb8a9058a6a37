"""The import pipeline: files or frames staged, checked and inserted into the canonical tables in one
transaction (smarketing.store.checks holds the value checks, smarketing.store.limits the file limits)."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from smarketing.labels import t
from smarketing.reach import refresh_reach
from smarketing.schema import TABLES, Table
from smarketing.stages import StageModel, resolve
from smarketing.store import decimals, derived, text
from smarketing.store.checks import RESERVED_COLUMNS, Checker, typed
from smarketing.store.connection import raw
from smarketing.store.errors import DataImportError, headers_found, quoted
from smarketing.store.limits import (
    CSV_SUFFIXES,
    HEADER_BYTES,
    PARQUET_SUFFIXES,
    check_header,
    check_parquet,
    check_regular,
    check_size,
    check_unique_headers,
    check_utf8,
    csv_header,
    csv_problem,
)
from smarketing.store.merge import DEFAULT_MODE, Changes, check_mode, empty_for_replace, land, remove_orphans


@dataclass(frozen=True)
class Frame:
    """An in-memory table to import in place of a file (e.g. a CRM export already mapped to our columns).

    Messages name `name` (the user's file), the row number in that file (`rows[i]` for the i-th data row,
    when the frame's rows are not the file's rows one to one), the user's header for a column (`labels`), and
    the file of each row (`names`) when the rows come from several files. `keys`: the columns an upsert matches
    rows on, for a table without a key of its own (stage dates from date columns: lead_id, stage).
    """

    data: pd.DataFrame
    name: str
    rows: Sequence[int] | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    names: Sequence[str] | None = None
    keys: tuple[str, ...] | None = None


def import_files(
    con,
    files: Mapping[str, str | os.PathLike | Frame],
    stages: StageModel | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    mode: str = DEFAULT_MODE,
    decimal: str | None = None,
) -> dict[str, int]:
    """Import files or Frames ({table name: source}) in one transaction; return rows read per table.

    Any problem raises DataImportError and leaves the database exactly as it was. `progress(done, total,
    table)` is called before each table and once at the end (done == total). `mode` (smarketing.store.merge):
    add (new ids only), upsert (update what is there, add what is new) or replace (the tables imported are
    emptied first). `decimal`: the decimal convention of the files' numbers (smarketing.store.decimals: point
    or comma), else read from each file."""
    return {name: c.rows for name, c in import_changes(con, files, stages, progress, mode, decimal).items()}


def import_changes(
    con,
    files: Mapping[str, str | os.PathLike | Frame],
    stages: StageModel | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    mode: str = DEFAULT_MODE,
    decimal: str | None = None,
) -> dict[str, Changes]:
    """import_files, returning what it did to each table (added, updated, unchanged, removed)."""
    check_mode(mode)
    unknown = set(files) - set(TABLES)
    if unknown:
        raise DataImportError(t("imp_unknown_tables").format(tables=", ".join(sorted(unknown))))
    if not files:
        raise DataImportError(t("imp_no_files"))
    stages = resolve(stages)
    db = raw(con)
    order = [name for name in TABLES if name in files]  # canonical order: leads before tables referencing them
    db.execute("BEGIN TRANSACTION")
    try:
        changes = {}
        for done, name in enumerate(order):
            if progress:
                progress(done, len(order), name)
            changes[name] = _import_one(db, TABLES[name], files[name], stages, mode, decimal)
            db.execute(f'DROP TABLE "_stage_{name}"')
        if mode == "replace":
            for name, gone in remove_orphans(db, set(order)).items():
                changes[name] = Changes(0, 0, removed=gone)
        if {"leads", "stage_changes"} & set(changes):
            refresh_reach(con, stages)
        derived.bump_version(con)  # the derived tables of the analyses no longer hold (smarketing.store.derived)
        db.execute("COMMIT")
        if progress:
            progress(len(order), len(order), "")
        return changes
    except Exception:
        db.execute("ROLLBACK")
        raise


def _import_one(db, table: Table, source, stages: StageModel, mode: str, decimal: str | None) -> Changes:
    stage_table = f"_stage_{table.name}"
    if isinstance(source, Frame):
        path = Path(source.name)  # only its .name is used, in messages
        _load_frame(db, table, source, stage_table)
    else:
        path = Path(source)
        _load_staging(db, table, path, stage_table)
    columns = _match_columns(db, table, path, stage_table)
    frame = source if isinstance(source, Frame) else None
    removed = empty_for_replace(db, table) if mode == "replace" else 0
    checker = Checker(db, table, path, stage_table, columns, frame.rows if frame else None,
                      frame.labels if frame else None, frame.names if frame else None, new_ids_only=mode == "add")
    checker.run(stages, decimal, read_decimal=frame is None)
    landed = _insert(db, table, stage_table, columns, mode, checker.decimal, frame.keys if frame else None)
    return Changes(landed.rows, landed.added, landed.updated, landed.unchanged, removed)


def _load_frame(db, table: Table, frame: Frame, stage_table: str) -> None:
    if frame.data.empty:
        raise DataImportError(t("imp_no_rows_for").format(file=frame.name, table=table.name))
    data = frame.data
    empty = [c for c in data.columns if data[c].dtype == object and data[c].isna().all()]
    if empty:  # typed as text, not as DuckDB's default for all-NULL values (INTEGER)
        data = data.astype(dict.fromkeys(empty, pd.StringDtype()))
    view = f"_frame_{table.name}"
    db.register(view, data)
    try:
        db.execute(f'CREATE TABLE "{stage_table}" AS SELECT * FROM "{view}"')
    finally:
        db.unregister(view)


def _load_staging(db, table: Table, path: Path, stage_table: str) -> None:
    if not path.exists():
        raise DataImportError(t("imp_file_not_found").format(file=path.name, path=path))
    check_regular(path.name, path)
    check_size(path.name, path.stat().st_size)
    if path.stat().st_size == 0:
        raise DataImportError(t("imp_file_empty").format(file=path.name))
    suffix = path.suffix.lower()
    if suffix in PARQUET_SUFFIXES:
        check_parquet(path.name, path)
        source = "read_parquet(?)"
    elif suffix in CSV_SUFFIXES:
        check_utf8(path)
        with path.open("rb") as fh:
            head = fh.read(HEADER_BYTES + 1)
        check_header(path.name, head[:HEADER_BYTES].decode("utf-8", errors="ignore"), len(head) > HEADER_BYTES)
        source = "read_csv(?, all_varchar = true, header = true, sample_size = -1)"
    else:
        raise DataImportError(t("imp_not_our_file_type").format(file=path.name))
    try:
        db.execute(f'CREATE TABLE "{stage_table}" AS SELECT * FROM {source}', [str(path)])
    except duckdb.Error as exc:
        if suffix in CSV_SUFFIXES and (problem := csv_problem(path.name, path)):  # DuckDB's own says no line
            raise DataImportError(problem) from exc
        line = re.search(r"\bLine: (\d+)", str(exc))
        first = quoted(str(exc).strip().splitlines()[0], 200)
        key = "imp_not_table_data_at" if line else "imp_not_table_data"
        raise DataImportError(t(key).format(file=path.name, line=line and line.group(1), table=table.name,
                                            error=first)) from exc
    if suffix in CSV_SUFFIXES:  # DuckDB renames a second `lead_id` to `lead_id_1`: the user's header decides
        count = len(db.execute(f'DESCRIBE "{stage_table}"').fetchall())
        header = csv_header(head[:HEADER_BYTES].decode("utf-8", errors="ignore"), count)
        if header is not None:
            check_unique_headers(path.name, header)
        elif problem := csv_problem(path.name, path):  # DuckDB read it otherwise than its header says
            raise DataImportError(problem)
        if _odd_quotes(path) and (problem := csv_problem(path.name, path)):  # a quote never closed
            raise DataImportError(problem)
    rows = db.execute(f'SELECT count(*) FROM "{stage_table}"').fetchone()[0]
    if rows == 0:
        if suffix in CSV_SUFFIXES and (problem := csv_problem(path.name, path)):  # rows DuckDB did not see as rows
            raise DataImportError(problem)
        raise DataImportError(t("imp_no_data_rows").format(file=path.name))


def _odd_quotes(path: Path) -> bool:
    """True when the file has an odd number of double quotes: one is never closed (counted in C, chunk by chunk)."""
    count = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 24):
            count += chunk.count(b'"')
    return count % 2 == 1


def _match_columns(db, table: Table, path: Path, stage_table: str) -> dict[str, str]:
    """Map file headers to contract columns (case and surrounding spaces ignored); extras kept as-is."""
    headers = [r[0] for r in db.execute(f'DESCRIBE "{stage_table}"').fetchall()]
    mapping: dict[str, str] = {}
    for header in headers:
        if "\x00" in header:
            raise DataImportError(t("imp_nul_header").format(file=path.name))
        if header.lower() in RESERVED_COLUMNS:
            raise DataImportError(t("imp_reserved_header").format(file=path.name, header=header))
        name = text.strip_edges(header)
        contract = table.column(name.lower())
        target = contract.name if contract else name
        if target.lower() in {t.lower() for t in mapping.values()}:
            raise DataImportError(t("imp_header_twice").format(file=path.name, header=target))
        mapping[header] = target
    missing = [c for c in table.required if c not in mapping.values()]
    if missing:
        found = headers_found(headers, lambda h: table.column(text.strip_edges(h).lower()) is not None)
        raise DataImportError(t("imp_missing_required").format(file=path.name, columns=", ".join(missing),
                                                               table=table.name, found=found))
    return mapping


# Names of the database's row number and of a working column of the checks: a file's column must not hide them
def _insert(db, table: Table, stage_table: str, columns: dict[str, str], mode: str,
            decimal: str = decimals.POINT, keys: tuple[str, ...] | None = None) -> Changes:
    # column names are case-insensitive: an extra column "notes" goes into an existing "Notes"
    existing = {r[0].lower(): r[0] for r in db.execute(f'DESCRIBE "{table.name}"').fetchall()}
    stage_types = dict(db.execute(f'SELECT column_name, column_type FROM (DESCRIBE "{stage_table}")').fetchall())
    for header, target in columns.items():
        if target.lower() not in existing and table.column(target) is None:
            kind = _number_type(db, stage_table, header, decimal) if stage_types[header] == "VARCHAR" else None
            db.execute(f'ALTER TABLE "{table.name}" ADD COLUMN "{_ident(target)}" {kind or stage_types[header]}')
    final = {r[0].lower(): r[1] for r in db.execute(f'DESCRIBE "{table.name}"').fetchall()}
    targets, exprs = [], []
    for header, target in columns.items():
        target = existing.get(target.lower(), target)
        contract = table.column(target)
        source = "_stage_name" if target == "stage" and table.name == "stage_changes" else header
        expr = '"' + source.replace('"', '""') + '"'
        if contract is not None:
            expr = typed(contract, expr, decimal)
            if contract.allowed:
                expr = f"lower({expr})"
        elif stage_types[header] == "VARCHAR" and final[target.lower()] != "VARCHAR":
            number = decimals.sql_normalize(expr, decimal)
            expr = f"CAST(nullif({number}, '') AS {final[target.lower()]})"  # a typed extra: blanks are empty
        targets.append(target)
        exprs.append(f'{expr} AS "{_ident(target)}"')
    typed_table = f"_typed_{table.name}"
    db.execute(f'CREATE TEMP TABLE "{typed_table}" AS SELECT {", ".join(exprs)} FROM "{stage_table}" ORDER BY rowid')
    try:
        return land(db, table, typed_table, targets, mode, keys)
    finally:
        db.execute(f'DROP TABLE "{typed_table}"')


def _number_type(db, stage_table: str, header: str, decimal: str = decimals.POINT) -> str | None:
    """BIGINT or DOUBLE when every value of a new text extra column is a number (so numbers stay numbers and
    a scoring rule such as `total_time >= 300` works), else None. Values that only look like numbers keep it
    text: ids with leading zeros, "+" phone numbers, more than 15 digits. A number with a fraction is written with
    the file's decimal separator and no thousands separator (1.5, or 1,5 in a file with decimal commas)."""
    col = '"' + header.replace('"', '""') + '"'
    v = f"nullif(trim({col}), '')"
    sep = "," if decimal == decimals.COMMA else "[.]"
    sql = (f"SELECT count({v}), "
           f"count(*) FILTER (WHERE {v} IS NOT NULL AND NOT regexp_full_match({v}, '[-]?[0-9]+({sep}[0-9]+)?')), "
           f"count(*) FILTER (WHERE regexp_full_match({v}, '[-]?0[0-9].*') OR length({v}) > 15), "
           f"count(*) FILTER (WHERE regexp_matches({v}, '{sep}')) FROM \"{stage_table}\"")
    row = db.execute(sql).fetchone()
    present, not_number, text_like, fractions = row
    if not present or not_number or text_like:
        return None
    return "DOUBLE" if fractions else "BIGINT"


def _ident(name: str) -> str:
    return name.replace('"', '""')
