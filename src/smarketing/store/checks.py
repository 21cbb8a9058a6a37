"""Value checks on a staged file, each a small named check; a failure names file, row, column and what
was expected. `Checker.run` applies the checks a table needs, in order (as PostHog lists its funnel
validation rules)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from smarketing import timewindow
from smarketing.labels import t
from smarketing.schema import Column, Table
from smarketing.stages import StageModel
from smarketing.store import decimals, text
from smarketing.store.errors import DataImportError, at_cell, quoted

# Names of the database's row number and of a working column of the checks: a file's column must not hide them
RESERVED_COLUMNS = ("rowid", "_stage_name")


def typed(column: Column, expr: str, decimal: str = decimals.POINT) -> str:
    """SQL that converts a staged value to the contract type (NULL when it cannot); numbers are read with the
    file's decimal convention (smarketing.store.decimals)."""
    if column.sql_type == "TIMESTAMP":
        return f"try_cast({expr} AS TIMESTAMPTZ)::TIMESTAMP"
    if column.sql_type == "VARCHAR":
        return f"nullif({text.sql_strip(expr)}, '')"  # invisible characters at either end go (ids, keys)
    if column.sql_type in ("BIGINT", "DOUBLE"):
        whole = column.sql_type == "BIGINT"
        return f"try_cast({decimals.sql_normalize(expr, decimal, whole)} AS {column.sql_type})"
    return f"try_cast({expr} AS {column.sql_type})"


class Checker:
    """The staged rows of one file, and how to name a bad value in the user's terms.

    `rows` / `labels` come from a Frame: the file row of each staged row and the user's header of a column.
    """

    def __init__(self, db, table: Table, path: Path, stage_table: str, columns: dict[str, str],
                 rows: Sequence[int] | None = None, labels: Mapping[str, str] | None = None,
                 names: Sequence[str] | None = None, new_ids_only: bool = True, decimal: str = decimals.POINT):
        self.db, self.table, self.path, self.stage = db, table, path, stage_table
        self.decimal = decimal  # the file's decimal convention (check_decimal settles it for a file of ours)
        self.rows, self.labels, self.names = rows, labels, names
        self.new_ids_only = new_ids_only  # add mode: an id already in the database is an error
        self.source_of = {target: header for header, target in columns.items()}
        # rows staged inside a transaction get rowids from a high offset: count rows from the first
        self.base = db.execute(f'SELECT min(rowid) FROM "{stage_table}"').fetchone()[0]

    def q(self, name: str) -> str:
        """The quoted staged column that feeds contract column `name`."""
        return '"' + self.source_of[name].replace('"', '""') + '"'

    def first_bad(self, condition: str, params=()) -> tuple[int, object] | None:
        return self.db.execute(
            f'SELECT rowid - {self.base} + 1 FROM "{self.stage}" WHERE {condition} ORDER BY rowid LIMIT 1',
            list(params),
        ).fetchone()

    def value(self, row: int, column: str) -> str:
        """A staged value as a message quotes it (short, personal data masked: store.errors.quoted)."""
        query = f'SELECT {self.q(column)} FROM "{self.stage}" WHERE rowid = ?'
        return quoted(self.db.execute(query, [row - 1 + self.base]).fetchone()[0])

    def fail(self, row: int, column: str, message: str) -> None:
        name = self.names[row - 1] if self.names is not None else self.path.name
        if self.rows is not None:
            row = self.rows[row - 1]
        if self.labels is not None:
            column = self.labels.get(column, column)
        raise DataImportError(at_cell(name, row, column, message))

    def run(self, stages: StageModel, decimal: str | None = None, read_decimal: bool = False) -> None:
        """Every check the table needs. `read_decimal` (a file in our layout; a Frame's numbers are plain already):
        settle the file's decimal convention first, `decimal` when given, else from its numbers."""
        if read_decimal:
            check_decimal(self, decimal)
        for column in self.table.columns:
            if column.name in self.source_of:
                check_column(self, column)
        check_extra_types(self)
        if self.table.key:
            check_unique(self, self.table.key)
        if self.table.lead_ref:
            check_lead_refs(self)
        if self.table.name == "stage_changes":
            check_stages(self, stages)


def _blank(src: str) -> str:
    return f"({src} IS NULL OR {text.sql_strip(src)} = '')"


def check_column(c: Checker, column: Column) -> None:
    """Required values present, values of the contract type, non-negative numbers, allowed categories."""
    src, value = c.q(column.name), typed(column, c.q(column.name), c.decimal)
    blank = _blank(src)
    if column.required and (bad := c.first_bad(blank)):
        c.fail(bad[0], column.name, t("imp_value_required").format(expected=column.expected))
    if column.sql_type != "VARCHAR" and (bad := c.first_bad(f"NOT {blank} AND {value} IS NULL")):
        c.fail(bad[0], column.name, t("imp_expected_got").format(expected=column.expected,
                                                                  value=c.value(bad[0], column.name)))
    if column.sql_type in ("TIMESTAMP", "DATE"):
        check_window(c, column, value)
    if column.sql_type == "DOUBLE" and (bad := c.first_bad(f"NOT isfinite({value})")):
        c.fail(bad[0], column.name, t("imp_expected_got_not_finite").format(
            expected=column.expected, value=c.value(bad[0], column.name)))
    if column.non_negative and (bad := c.first_bad(f"{value} < 0")):
        c.fail(bad[0], column.name, t("imp_expected_negative").format(expected=column.expected))
    if column.allowed:
        allowed = ", ".join(f"'{a}'" for a in column.allowed)
        if bad := c.first_bad(f"NOT {blank} AND lower({text.sql_strip(src)}) NOT IN ({allowed})"):
            c.fail(bad[0], column.name, t("imp_expected_got").format(expected=column.expected,
                                                                      value=c.value(bad[0], column.name)))


def check_decimal(c: Checker, forced: str | None) -> None:
    """One decimal convention for the file's numbers, given or read from them (smarketing.store.decimals)."""
    found: dict[str, decimals.Example | None] = {decimals.POINT: None, decimals.COMMA: None, "both": None}
    numeric = [col.name for col in c.table.columns if col.sql_type in ("BIGINT", "DOUBLE") and col.name in c.source_of]
    for name in numeric:
        for what, condition in decimals.sql_kind(c.q(name), c.table.column(name).sql_type == "BIGINT").items():
            bad = c.first_bad(condition)
            if bad and (found[what] is None or bad[0] < found[what].row):
                found[what] = decimals.Example(bad[0], name, str(c.value(bad[0], name)).strip())

    def fail(example: decimals.Example, message: str) -> None:
        c.fail(example.row, example.column, message)

    c.decimal = decimals.decide(found[decimals.COMMA], found[decimals.POINT], found["both"], forced, fail)


def check_window(c: Checker, column: Column, value: str) -> None:
    """Dates within the sane window (smarketing.timewindow); an open deal's planned close date may be later."""
    kind = t("imp_kind_date") if column.sql_type == "DATE" else t("imp_kind_timestamp")
    lo, hi = timewindow.start(), timewindow.end()
    planned = c.table.name == "deals" and column.name == "closed_at" and "status" in c.source_of
    if planned:
        far = timewindow.end(planned=True)
        is_open = f"lower({typed(c.table.column('status'), c.q('status'))}) = 'open'"
        bad = c.first_bad(f"{value} < ? OR {value} > ? OR ({value} > ? AND NOT coalesce({is_open}, false))",
                          [lo, far, hi])
        if bad and c.db.execute(f'SELECT {value} > ? FROM "{c.stage}" WHERE rowid = ?',
                                [far, bad[0] - 1 + c.base]).fetchone()[0]:
            c.fail(bad[0], column.name, t("imp_expected_planned_close").format(
                kind=kind, window=timewindow.describe(planned=True), value=c.value(bad[0], column.name)))
    else:
        bad = c.first_bad(f"{value} < ? OR {value} > ?", [lo, hi])
    if bad:
        c.fail(bad[0], column.name, t("imp_expected_in_window").format(
            kind=kind, window=timewindow.describe(), value=c.value(bad[0], column.name)))


FLOATS = ("DOUBLE", "FLOAT", "REAL")


def check_extra_types(c: Checker) -> None:
    """Values of an extra column the table already has (from an earlier import) must fit its type; numbers of an
    extra column must be finite (no NaN, inf)."""
    have = {n.lower(): t for n, t in c.db.execute(
        f'SELECT column_name, column_type FROM (DESCRIBE "{c.table.name}")').fetchall()}
    staged = dict(c.db.execute(f'SELECT column_name, column_type FROM (DESCRIBE "{c.stage}")').fetchall())
    for target, header in c.source_of.items():
        if c.table.column(target) is not None:
            continue
        want = have.get(target.lower())
        if staged[header] in FLOATS and (bad := c.first_bad(f"NOT isfinite({c.q(target)})")):
            c.fail(bad[0], target, t("imp_expected_finite").format(value=c.value(bad[0], target)))
        if want is None or want == staged[header]:
            continue
        src = f"nullif(trim(CAST({c.q(target)} AS VARCHAR)), '')"  # blank cells are empty, whatever the type
        if want in ("BIGINT", "INTEGER", "HUGEINT", *FLOATS):
            src = f"nullif({decimals.sql_normalize(c.q(target), c.decimal)}, '')"  # the file's decimal separator
        if bad := c.first_bad(f"{src} IS NOT NULL AND try_cast({src} AS {want}) IS NULL"):
            c.fail(bad[0], target, t("imp_expected_earlier_type").format(type=want, value=c.value(bad[0], target)))
        if want in FLOATS and (bad := c.first_bad(f"NOT isfinite(try_cast({src} AS {want}))")):
            c.fail(bad[0], target, t("imp_expected_earlier_finite").format(type=want,
                                                                            value=c.value(bad[0], target)))


def check_unique(c: Checker, key: str) -> None:
    """Ids unique in the file and (add mode) new to the database."""
    src = text.sql_strip(c.q(key))
    dup = c.db.execute(
        f"""SELECT r - {c.base} + 1, v FROM (
              SELECT rowid AS r, {src} AS v, row_number() OVER (PARTITION BY {src} ORDER BY rowid) AS n
              FROM "{c.stage}") WHERE n > 1 ORDER BY r LIMIT 1"""
    ).fetchone()
    if dup:
        c.fail(dup[0], key, t("imp_duplicate_id").format(value=quoted(dup[1])))
    if not c.new_ids_only:
        return  # upsert / replace: an id already there is updated
    clash = c.first_bad(f'{src} IN (SELECT "{key}" FROM "{c.table.name}")')
    if clash:
        c.fail(clash[0], key, t("imp_id_exists").format(value=c.value(clash[0], key)))


def check_lead_refs(c: Checker) -> None:
    """Every row refers to a lead of the leads table."""
    src = text.sql_strip(c.q("lead_id"))
    bad = c.first_bad(f"{src} NOT IN (SELECT lead_id FROM leads)")
    if bad:
        c.fail(bad[0], "lead_id", t("imp_unknown_lead").format(value=c.value(bad[0], "lead_id")))


def check_stages(c: Checker, stages: StageModel) -> None:
    """Every stage value names a stage of the model; the staged rows get the canonical name."""
    src = text.sql_strip(c.q("stage"))
    values = [r[0] for r in c.db.execute(f'SELECT DISTINCT {src} FROM "{c.stage}"').fetchall()]
    mapping = {v: stages.canonical(v) for v in values}
    unknown = [v for v, name in mapping.items() if name is None]
    if unknown:
        bad = c.first_bad(f"{src} = ?", [unknown[0]])
        c.fail(bad[0], "stage", t("imp_unknown_stage").format(value=unknown[0], stages=", ".join(stages.all_names)))
    c.db.execute(f'ALTER TABLE "{c.stage}" ADD COLUMN "_stage_name" VARCHAR')
    c.db.executemany(
        f'UPDATE "{c.stage}" SET "_stage_name" = ? WHERE {src} = ?',
        [[name, value] for value, name in mapping.items()],
    )
    c.source_of["stage"] = "_stage_name"
