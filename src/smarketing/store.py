"""Open or create the database, and import CSV / Parquet files into the canonical tables atomically."""

from __future__ import annotations

import codecs
import contextlib
import csv
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import ibis
import pandas as pd

from smarketing import engines, writes
from smarketing.funnel import refresh_reach
from smarketing.schema import TABLES, Column, Table, create_sql
from smarketing.stages import DEFAULT_STAGES, StageModel

DEFAULT_DB = Path("data") / "demo.duckdb"


class DatabaseError(ValueError):
    """A database file exists but cannot be opened (locked, damaged, not a DuckDB file)."""


class DataImportError(ValueError):
    """A file could not be imported; the message names file, row, column and what was expected."""


def db_path(path: str | os.PathLike | None = None) -> Path:
    """The database file in use: the argument, else $SMARKETING_DB, else data/demo.duckdb."""
    chosen = path or os.environ.get("SMARKETING_DB") or DEFAULT_DB
    text = str(chosen)
    if text.startswith("duckdb://"):
        text = text.removeprefix("duckdb://")
    return Path(text)


def connect(path: str | os.PathLike | None = None, read_only: bool = False, file_access: bool = False):
    """Open (creating if needed) a DuckDB database as an Ibis backend with the canonical tables.

    Read-only opens attach the file to a private in-memory DuckDB (not through DuckDB's per-process cache of
    open files), so after an import has swapped in a new file (see `writing`) a new read-only connection
    sees it while older ones keep reading the old file; file access from SQL is then switched off unless
    `file_access` (for exports).

    A URL of another engine (pyspark://…, postgres://…, see smarketing.engines) connects to that engine
    instead, where the tables already are; nothing is created or written there.
    """
    chosen = path or os.environ.get("SMARKETING_DB")
    if engines.is_url(chosen):
        return engines.connect(str(chosen))
    target = db_path(path)
    if read_only and str(target) != ":memory:":
        if not target.exists():
            raise FileNotFoundError(f"database {target} does not exist (run `smarketing demo` first)")
        return _attach_read_only(target, file_access)
    if str(target) != ":memory:":
        target.parent.mkdir(parents=True, exist_ok=True)
    con = ibis.duckdb.connect(str(target))
    _session_settings(raw(con))
    ensure_tables(con)
    return con


ATTACHED = "smarketing_db"


def _attach_read_only(target: Path, file_access: bool = False):
    db = duckdb.connect(":memory:")
    try:
        db.execute(f"ATTACH {sql_string(str(target))} AS {ATTACHED} (READ_ONLY)")  # ATTACH takes no parameters
    except duckdb.Error as exc:
        db.close()
        raise DatabaseError(f"cannot open database {target.name}: {str(exc).splitlines()[0]}") from exc
    db.execute(f"USE {ATTACHED}")
    _session_settings(db)
    if not file_access:
        db.execute("SET enable_external_access = false")  # no file or network access from SQL in the app
    return ibis.duckdb.from_connection(db)


def sql_string(text: str) -> str:
    """A SQL string literal (single quotes doubled), where a statement cannot take a parameter."""
    return "'" + text.replace("'", "''") + "'"


def _session_settings(db) -> None:
    db.execute("SET TimeZone = 'UTC'")
    db.execute("SET enable_progress_bar = false")


def thread_backend(con):
    """An Ibis backend on a new cursor of `con`'s database, for one thread.

    A DuckDB connection must not run queries from several threads at once; cursors of one database may,
    and they run concurrently. (Other engines are returned as they are.)"""
    if not hasattr(con, "con") or not isinstance(raw(con), duckdb.DuckDBPyConnection):
        return con
    cur = raw(con).cursor()
    if cur.execute("SELECT count(*) FROM duckdb_databases() WHERE database_name = ?", [ATTACHED]).fetchone()[0]:
        cur.execute(f"USE {ATTACHED}")
    _session_settings(cur)
    return ibis.duckdb.from_connection(cur)


@contextlib.contextmanager
def writing(path: str | os.PathLike | None = None, fresh: bool = False):
    """A read-write connection to a private copy of the database (empty if `fresh`); when the block ends
    without an exception the copy replaces the file atomically, else the file is left exactly as it was.

    Writers wait for each other (one at a time per file); readers are never blocked (smarketing.writes)."""
    target = db_path(path)
    if engines.is_url(path or os.environ.get("SMARKETING_DB")) or str(target) == ":memory:":
        raise ValueError("imports go into a DuckDB file; other engines are read where the data is")
    with writes.replacing(target, fresh=fresh) as work:
        con = connect(work)
        try:
            yield con
            raw(con).execute("CHECKPOINT")
        finally:
            con.disconnect()


def raw(con) -> duckdb.DuckDBPyConnection:
    """The DuckDB connection under an Ibis backend (for loading data, never for analyses)."""
    return con.con


def ensure_tables(con) -> None:
    for table in TABLES.values():
        raw(con).execute(create_sql(table))


def table_counts(con) -> dict[str, int]:
    """Row count of each canonical table."""
    return {name: int(con.table(name).count().execute()) for name in TABLES}


# --------------------------------------------------------------------------------------------- import


@dataclass(frozen=True)
class Frame:
    """An in-memory table to import in place of a file (e.g. a CRM export already mapped to our columns).

    Messages name `name` (the user's file), the row number in that file (`rows[i]` for the i-th data row,
    when the frame's rows are not the file's rows one to one) and the user's header for a column (`labels`).
    """

    data: pd.DataFrame
    name: str
    rows: Sequence[int] | None = None
    labels: Mapping[str, str] = field(default_factory=dict)


def import_files(
    con,
    files: Mapping[str, str | os.PathLike | Frame],
    stages: StageModel = DEFAULT_STAGES,
    progress: Callable[[int, int, str], None] | None = None,
) -> dict[str, int]:
    """Import files or Frames ({table name: source}) in one transaction; return rows added per table.

    Any problem raises DataImportError and leaves the database exactly as it was. `progress(done, total,
    table)` is called before each table and once at the end (done == total).
    """
    unknown = set(files) - set(TABLES)
    if unknown:
        raise DataImportError(f"unknown table(s): {', '.join(sorted(unknown))}")
    if not files:
        raise DataImportError("no files to import")
    db = raw(con)
    order = [name for name in TABLES if name in files]  # canonical order: leads before tables referencing them
    db.execute("BEGIN TRANSACTION")
    try:
        added = {}
        for done, name in enumerate(order):
            if progress:
                progress(done, len(order), name)
            added[name] = _import_one(db, TABLES[name], files[name], stages)
            db.execute(f'DROP TABLE "_stage_{name}"')
        if {"leads", "stage_changes"} & set(order):
            refresh_reach(con, stages)
        db.execute("COMMIT")
        if progress:
            progress(len(order), len(order), "")
        return added
    except Exception:
        db.execute("ROLLBACK")
        raise


def _import_one(db, table: Table, source, stages: StageModel) -> int:
    stage_table = f"_stage_{table.name}"
    if isinstance(source, Frame):
        path = Path(source.name)  # only its .name is used, in messages
        _load_frame(db, table, source, stage_table)
    else:
        path = Path(source)
        _load_staging(db, table, path, stage_table)
    columns = _match_columns(db, table, path, stage_table)
    checker = _Checker(db, table, path, stage_table, columns, source if isinstance(source, Frame) else None)
    checker.check_all(stages)
    return _insert(db, table, stage_table, columns)


def _load_frame(db, table: Table, frame: Frame, stage_table: str) -> None:
    if frame.data.empty:
        raise DataImportError(f"{frame.name}: no rows to import into {table.name}")
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
        raise DataImportError(f"{path.name}: file not found ({path})")
    check_size(path.name, path.stat().st_size)
    if path.stat().st_size == 0:
        raise DataImportError(f"{path.name}: the file is empty (expected a header row and data rows)")
    suffix = path.suffix.lower()
    if suffix in PARQUET_SUFFIXES:
        check_parquet(path.name, path)
        source = "read_parquet(?)"
    elif suffix in CSV_SUFFIXES:
        _check_utf8(path)
        with path.open("rb") as fh:
            head = fh.read(HEADER_BYTES + 1)
        check_header(path.name, head[:HEADER_BYTES].decode("utf-8", errors="ignore"), len(head) > HEADER_BYTES)
        source = "read_csv(?, all_varchar = true, header = true, sample_size = -1)"
    else:
        raise DataImportError(
            f"{path.name}: not a supported file type (expected .csv, .tsv, .txt or .parquet; Excel files and "
            f"CRM exports go through the mapped, HubSpot or Salesforce import)"
        )
    try:
        db.execute(f'CREATE TABLE "{stage_table}" AS SELECT * FROM {source}', [str(path)])
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0]
        raise DataImportError(f"{path.name}: could not be read as {table.name} data ({first})") from exc
    rows = db.execute(f'SELECT count(*) FROM "{stage_table}"').fetchone()[0]
    if rows == 0:
        raise DataImportError(f"{path.name}: the file has a header but no data rows")


# ------------------------------------------------------------------------------------------ limits

MAX_FILE_MB = 200  # default size limit; $SMARKETING_MAX_UPLOAD_MB overrides (keep server.maxUploadSize in step)
MAX_COLUMNS = 2_000
HEADER_BYTES = 1 << 20  # the header row must end within the file's first 1 MB
CSV_SUFFIXES = (".csv", ".tsv", ".txt", "")
PARQUET_SUFFIXES = (".parquet", ".pq")
DELIMITERS = ",;\t|"
# A JSON document: an object, or an array of values (a CSV header like "[Name],[Email]" is not one)
_JSON_START = re.compile(r'\s*(?:\{\s*["}]|\[\s*(?:[\[{"\]\-\d]|(?:true|false|null)\s*[,\]]))')


def max_file_bytes() -> int:
    """The largest file an import reads: $SMARKETING_MAX_UPLOAD_MB megabytes, else MAX_FILE_MB."""
    text = os.environ.get("SMARKETING_MAX_UPLOAD_MB", "").strip()
    try:
        mb = float(text) if text else MAX_FILE_MB
    except ValueError:
        mb = -1
    if not 0 < mb < 1e9:
        raise DataImportError(f"SMARKETING_MAX_UPLOAD_MB must be a number of megabytes, got '{text}'")
    return int(mb * 1024 * 1024)


def check_size(name: str, size: int) -> None:
    """Refuse a file over the size limit, from its size alone (before reading it)."""
    limit = max_file_bytes()
    if size > limit:
        raise DataImportError(
            f"{name}: the file is {_megabytes(size)}, over the {_megabytes(limit)} limit for an import "
            f"(split it into smaller files, or raise SMARKETING_MAX_UPLOAD_MB)"
        )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.1f} MB"


def check_header(name: str, head: str, more: bool) -> None:
    """Refuse JSON, a header row longer than 1 MB and one with more than MAX_COLUMNS columns.

    `head` is the start of the file's text (at most HEADER_BYTES of it), `more` says the file goes on."""
    head = head.removeprefix("\ufeff")
    if _JSON_START.match(head[:100]):
        raise DataImportError(f"{name}: this is JSON, not a table (export the data as CSV, Excel or Parquet)")
    end = head.find("\n")
    if end < 0 and more:
        raise DataImportError(
            f"{name}: the header row (first line) is longer than 1 MB; at most {MAX_COLUMNS:,} columns can be "
            f"imported"
        )
    line = (head if end < 0 else head[:end]).rstrip("\r")
    check_columns(name, max(_field_count(line, d) for d in DELIMITERS))


def _field_count(line: str, delimiter: str) -> int:
    try:
        return len(next(csv.reader([line], delimiter=delimiter)))
    except csv.Error:  # e.g. a lone carriage return: count every delimiter
        return line.count(delimiter) + 1


def check_columns(name: str, count: int) -> None:
    if count > MAX_COLUMNS:
        raise DataImportError(f"{name}: {count:,} columns, more than the {MAX_COLUMNS:,} an import can take")


def check_parquet(name: str, source, max_cells: int | None = None) -> None:
    """Refuse a Parquet file that cannot be opened, or with too many columns (or cells), from its footer."""
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(source).metadata
    except Exception as exc:  # pyarrow raises several kinds for a broken file
        raise DataImportError(f"{name}: could not be read as Parquet ({str(exc).splitlines()[0]})") from exc
    check_columns(name, meta.num_columns)
    if max_cells is not None and meta.num_rows * meta.num_columns > max_cells:
        raise DataImportError(
            f"{name}: {meta.num_rows:,} rows × {meta.num_columns:,} columns, more than the {max_cells:,} cells "
            f"this import can take (import it as our table layout, or split it)"
        )


def _check_utf8(path: Path) -> None:
    """Raise naming the line of the first byte sequence that is not UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                line += chunk[: exc.start].count(b"\n")
                raise DataImportError(
                    f"{path.name}: line {line} is not valid UTF-8 text (save the file as UTF-8)"
                ) from exc
            line += chunk.count(b"\n")


def _match_columns(db, table: Table, path: Path, stage_table: str) -> dict[str, str]:
    """Map file headers to contract columns (case and surrounding spaces ignored); extras kept as-is."""
    headers = [r[0] for r in db.execute(f'DESCRIBE "{stage_table}"').fetchall()]
    mapping: dict[str, str] = {}
    for header in headers:
        if "\x00" in header:
            raise DataImportError(f"{path.name}: a column name contains a NUL character (is this a text file?)")
        if header.lower() in RESERVED_COLUMNS:
            raise DataImportError(f"{path.name}: a column may not be called '{header}', a name the database keeps "
                                  f"for itself (rename the column, e.g. to row_id)")
        name = header.strip()
        contract = table.column(name.lower())
        target = contract.name if contract else name
        if target.lower() in {t.lower() for t in mapping.values()}:
            raise DataImportError(f"{path.name}: column '{target}' appears twice in the header")
        mapping[header] = target
    missing = [c for c in table.required if c not in mapping.values()]
    if missing:
        raise DataImportError(
            f"{path.name}: missing required column(s) {', '.join(missing)} for table {table.name} "
            f"(found: {', '.join(headers)})"
        )
    return mapping


# Names of the database's row number and of a working column of the checks: a file's column must not hide them
RESERVED_COLUMNS = ("rowid", "_stage_name")


def _typed(column: Column, expr: str) -> str:
    """SQL that converts a staged value to the contract type (NULL when it cannot)."""
    if column.sql_type == "TIMESTAMP":
        return f"try_cast({expr} AS TIMESTAMPTZ)::TIMESTAMP"
    if column.sql_type == "VARCHAR":
        return f"nullif(trim(CAST({expr} AS VARCHAR)), '')"
    if column.sql_type in ("BIGINT", "DOUBLE"):
        return f"try_cast(replace(trim(CAST({expr} AS VARCHAR)), ',', '') AS {column.sql_type})"
    return f"try_cast({expr} AS {column.sql_type})"


class _Checker:
    """Value checks on a staged file; each failure names file, row, column and what was expected."""

    def __init__(
        self, db, table: Table, path: Path, stage_table: str, columns: dict[str, str], frame: Frame | None = None
    ):
        self.db, self.table, self.path, self.stage = db, table, path, stage_table
        self.frame = frame
        self.source_of = {target: header for header, target in columns.items()}
        # rows staged inside a transaction get rowids from a high offset: count rows from the first
        self.base = db.execute(f'SELECT min(rowid) FROM "{stage_table}"').fetchone()[0]

    def _q(self, name: str) -> str:
        return '"' + self.source_of[name].replace('"', '""') + '"'

    def _first_bad(self, condition: str, params=()) -> tuple[int, object] | None:
        return self.db.execute(
            f'SELECT rowid - {self.base} + 1 FROM "{self.stage}" WHERE {condition} ORDER BY rowid LIMIT 1',
            list(params),
        ).fetchone()

    def _value(self, row: int, column: str) -> object:
        query = f'SELECT {self._q(column)} FROM "{self.stage}" WHERE rowid = ?'
        return self.db.execute(query, [row - 1 + self.base]).fetchone()[0]

    def _fail(self, row: int, column: str, message: str) -> None:
        if self.frame is not None:
            row = self.frame.rows[row - 1] if self.frame.rows is not None else row
            column = self.frame.labels.get(column, column)
        raise DataImportError(f"{self.path.name}, row {row} (line {row + 1}), column {column}: {message}")

    def check_all(self, stages: StageModel) -> None:
        for column in self.table.columns:
            if column.name in self.source_of:
                self._check_column(column)
        self._check_extra_types()
        if self.table.key:
            self._check_unique(self.table.key)
        if self.table.lead_ref:
            self._check_lead_refs()
        if self.table.name == "stage_changes":
            self._check_stages(stages)

    def _check_column(self, column: Column) -> None:
        src, typed = self._q(column.name), _typed(column, self._q(column.name))
        blank = f"({src} IS NULL OR trim(CAST({src} AS VARCHAR)) = '')"
        if column.required and (bad := self._first_bad(blank)):
            self._fail(bad[0], column.name, f"a value is required (expected {column.expected})")
        if column.sql_type != "VARCHAR" and (bad := self._first_bad(f"NOT {blank} AND {typed} IS NULL")):
            self._fail(bad[0], column.name, f"expected {column.expected}, got '{self._value(bad[0], column.name)}'")
        if column.non_negative and (bad := self._first_bad(f"{typed} < 0")):
            self._fail(bad[0], column.name, f"expected {column.expected}, got a negative value")
        if column.allowed:
            allowed = ", ".join(f"'{a}'" for a in column.allowed)
            if bad := self._first_bad(f"NOT {blank} AND lower(trim(CAST({src} AS VARCHAR))) NOT IN ({allowed})"):
                self._fail(bad[0], column.name, f"expected {column.expected}, got '{self._value(bad[0], column.name)}'")

    def _check_extra_types(self) -> None:
        """Values of an extra column the table already has (from an earlier import) must fit its type."""
        have = {n.lower(): t for n, t in self.db.execute(
            f'SELECT column_name, column_type FROM (DESCRIBE "{self.table.name}")').fetchall()}
        staged = dict(self.db.execute(f'SELECT column_name, column_type FROM (DESCRIBE "{self.stage}")').fetchall())
        for target, header in self.source_of.items():
            want = have.get(target.lower())
            if self.table.column(target) is not None or want is None or want == staged[header]:
                continue
            src = self._q(target)
            if bad := self._first_bad(f"{src} IS NOT NULL AND try_cast({src} AS {want}) IS NULL"):
                value = self._value(bad[0], target)
                self._fail(bad[0], target, f"expected a value of type {want} (the type this column got in an earlier "
                                           f"import), got '{value}'")

    def _check_unique(self, key: str) -> None:
        src = f"trim(CAST({self._q(key)} AS VARCHAR))"
        dup = self.db.execute(
            f"""SELECT r - {self.base} + 1, v FROM (
                  SELECT rowid AS r, {src} AS v, row_number() OVER (PARTITION BY {src} ORDER BY rowid) AS n
                  FROM "{self.stage}") WHERE n > 1 ORDER BY r LIMIT 1"""
        ).fetchone()
        if dup:
            self._fail(dup[0], key, f"'{dup[1]}' appears more than once in the file (expected unique ids)")
        clash = self._first_bad(f'{src} IN (SELECT "{key}" FROM "{self.table.name}")')
        if clash:
            value = self._value(clash[0], key)
            self._fail(clash[0], key, f"'{value}' is already in the database (expected a new id)")

    def _check_lead_refs(self) -> None:
        src = f'trim(CAST({self._q("lead_id")} AS VARCHAR))'
        bad = self._first_bad(f"{src} NOT IN (SELECT lead_id FROM leads)")
        if bad:
            value = self._value(bad[0], "lead_id")
            self._fail(bad[0], "lead_id", f"unknown lead '{value}' (expected a lead_id of the leads table)")

    def _check_stages(self, stages: StageModel) -> None:
        src = f'trim(CAST({self._q("stage")} AS VARCHAR))'
        values = [r[0] for r in self.db.execute(f'SELECT DISTINCT {src} FROM "{self.stage}"').fetchall()]
        mapping = {v: stages.canonical(v) for v in values}
        unknown = [v for v, name in mapping.items() if name is None]
        if unknown:
            bad = self._first_bad(f"{src} = ?", [unknown[0]])
            self._fail(
                bad[0], "stage", f"unknown stage '{unknown[0]}' (expected one of {', '.join(stages.all_names)})"
            )
        self.db.execute(f'ALTER TABLE "{self.stage}" ADD COLUMN "_stage_name" VARCHAR')
        self.db.executemany(
            f'UPDATE "{self.stage}" SET "_stage_name" = ? WHERE {src} = ?',
            [[name, value] for value, name in mapping.items()],
        )
        self.source_of["stage"] = "_stage_name"


def _insert(db, table: Table, stage_table: str, columns: dict[str, str]) -> int:
    # column names are case-insensitive: an extra column "notes" goes into an existing "Notes"
    existing = {r[0].lower(): r[0] for r in db.execute(f'DESCRIBE "{table.name}"').fetchall()}
    stage_types = dict(db.execute(f'SELECT column_name, column_type FROM (DESCRIBE "{stage_table}")').fetchall())
    for header, target in columns.items():
        if target.lower() not in existing and table.column(target) is None:
            db.execute(f'ALTER TABLE "{table.name}" ADD COLUMN "{_ident(target)}" {stage_types[header]}')
    targets, exprs = [], []
    for header, target in columns.items():
        target = existing.get(target.lower(), target)
        contract = table.column(target)
        source = "_stage_name" if target == "stage" and table.name == "stage_changes" else header
        expr = '"' + source.replace('"', '""') + '"'
        if contract is not None:
            expr = _typed(contract, expr)
            if contract.allowed:
                expr = f"lower({expr})"
        targets.append('"' + _ident(target) + '"')
        exprs.append(expr)
    db.execute(
        f'INSERT INTO "{table.name}" ({", ".join(targets)}) SELECT {", ".join(exprs)} '
        f'FROM "{stage_table}" ORDER BY rowid'
    )
    return db.execute(f'SELECT count(*) FROM "{stage_table}"').fetchone()[0]


def _ident(name: str) -> str:
    return name.replace('"', '""')
