"""Column mappings: how the files of one source (a CRM, a spreadsheet) feed the canonical tables, saved as a
small TOML file per source and reused for every file of that source next time. For example:

    name = "olist"
    timezone = "America/Sao_Paulo"    # time zone of date values without an offset
    mode = "upsert"                   # add | upsert | replace (see smarketing.store.merge)

    [files.mqls]                      # one section per file of the source
    table = "leads"                   # what each row of this file is
    stage = "MQL"                     # every row of this file entered MQL (at its created_at)
    [files.mqls.columns]
    mql_id = "lead_id"
    first_contact_date = "created_at"
    landing_page_id = "-"             # "-": leave this column out; unlisted columns are kept as extra columns

    [files.won]
    table = "deals"
    match = "lead_id"                 # the column mapped to lead_id holds lead ids (or "email": their emails)
    [files.won.columns]
    mql_id = ["lead_id", "deal_id"]   # one column to several targets
    won_date = ["created_at", "closed_at", "stage:Customer"]   # a date column as "entered stage Customer"
    sr_id = "leads.owner"             # a column of the lead, filled from this file
    declared_monthly_revenue = "amount"
    [files.won.constants]
    status = "won"                    # every row: status won
    # created_at = "2024-06-30"       # a constant date, or "order:2024-06-30" for the file order from that day

A target is a column of the file's table, `leads.<column>` (the row's lead), `stage:<stage>` (the value is the
date the lead entered that stage, or a yes/no flag meaning it entered it on the row's date) or "-". The older
layout with one `[<table>]` section per file (`[leads.columns]`) is read too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import tomli_w

from smarketing import paths, settings, store
from smarketing.importers.core import read_toml, text_table, toml_doc
from smarketing.labels import t
from smarketing.schema import TABLES
from smarketing.store import DataImportError, decimals
from smarketing.store.merge import DEFAULT_MODE, MODES
from smarketing.store.writes import write_lock

IGNORE = "-"
STAGE = "stage:"
MATCHES = ("lead_id", "email")
ORDER = "order:"  # a created_at constant "order:2024-06-30": the file order, one minute apart from that day
ROW_DATE = {"leads": "created_at", "deals": "closed_at", "events": "ts", "handoffs": "dispatched_at",
            "stage_changes": "entered_at", "spend": "date"}  # the date a row's `stage` entry happens at


@dataclass(frozen=True)
class Target:
    """Where a column's values go: `column` of `table`, or the date a lead entered `stage`."""

    table: str
    column: str = ""
    stage: str = ""

    def __str__(self) -> str:
        return f"{STAGE}{self.stage}" if self.stage else f"{self.table}.{self.column}"


def parse_target(text: str, table: str, where: str) -> Target | None:
    """A target as written in a mapping ("amount", "leads.owner", "stage:MQL"); None for "-"."""
    text = str(text).strip()
    if text == IGNORE:
        return None
    if text.startswith(STAGE):
        stage = text[len(STAGE):].strip()
        if not stage:
            raise DataImportError(f"{where}: '{text}' names no stage (expected e.g. stage:MQL)")
        return Target("stage_changes", stage=stage)
    owner, _, column = text.rpartition(".")
    owner = owner or table
    if owner == "leads" and table != "leads" and owner in TABLES and column.strip():
        return Target("leads", column.strip())  # a lead column filled from this file (extra if not ours)
    if owner not in TABLES or TABLES[owner].column(column) is None:
        expected = ", ".join(TABLES[table].column_names)
        raise DataImportError(f"{where}: '{text}' is not a column of {owner} (expected one of {expected}, "
                              f"leads.<column>, stage:<stage> or '-')")
    if owner not in (table, "leads"):
        raise DataImportError(f"{where}: '{text}': a file of {table} rows can fill {table} columns and the lead's "
                              f"(leads.<column>), not {owner}")
    return Target(owner, column)


@dataclass
class TableMapping:
    """How one file feeds the tables: its rows are rows of `table`; {header: targets} (unlisted headers are kept
    as extra columns of `table`); constants {target: value}; `stage`: every row entered that stage; `match`:
    how the rows of a file other than leads find their lead (by lead_id or by email)."""

    table: str
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    day_first: bool | None = None
    role: str = ""
    constants: dict[str, str] = field(default_factory=dict)
    stage: str | None = None
    match: str = "lead_id"
    decimal: str | None = None  # the file's decimal convention (point / comma); None: read from its numbers

    def __post_init__(self) -> None:
        self.role = self.role or self.table
        self.columns = {h: (v,) if isinstance(v, str) else tuple(v) for h, v in self.columns.items()}

    def target(self, header: str) -> str | None:
        """The first target of a header (a column of the file's table, "leads.x", "stage:X"), None to keep it as
        an extra column, or "-" to leave it out."""
        targets = self.columns.get(header)
        return targets[0] if targets else None

    def targets(self, header: str) -> list[Target]:
        where = f"mapping for {self.role}, column '{header}'"
        return [t for text in self.columns.get(header, ()) if (t := parse_target(text, self.table, where))]

    def ignored(self, header: str) -> bool:
        return self.columns.get(header) == (IGNORE,)

    def mapped(self, column: str, table: str | None = None) -> list[str]:
        """The headers feeding `column` of `table` (default: this file's table)."""
        table = table or self.table
        return [h for h in self.columns for t in self.targets(h) if t.table == table and t.column == column]

    def section(self) -> dict:
        out: dict = {"table": self.table}
        for name in ("stage", "day_first", "decimal"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        if self.match != "lead_id":
            out["match"] = self.match
        out["columns"] = {h: v[0] if len(v) == 1 else list(v) for h, v in self.columns.items()}
        if self.constants:
            out["constants"] = dict(self.constants)
        return out


@dataclass
class Mapping:
    """The mapping of one source: a TableMapping per file (by its role), the time zone and the import mode."""

    name: str
    tables: dict[str, TableMapping] = field(default_factory=dict)
    timezone: str = "UTC"
    mode: str = DEFAULT_MODE

    # ------------------------------------------------------------------------------------- TOML
    def to_toml(self) -> str:
        doc: dict = {"name": self.name, "timezone": self.timezone, "mode": self.mode}
        doc["files"] = {role: tm.section() for role, tm in self.tables.items()}
        return tomli_w.dumps(doc)

    @classmethod
    def from_toml(cls, text: str, source: str = "mapping") -> Mapping:
        doc = toml_doc(text, source)
        mode = str(doc.get("mode", DEFAULT_MODE))
        if mode not in MODES:
            raise DataImportError(f"{source}: mode must be one of {', '.join(MODES)}, got '{mode}'")
        sections = dict(doc.get("files", {})) if isinstance(doc.get("files", {}), dict) else None
        if sections is None:
            raise DataImportError(f"{source}: [files] must hold one table per file, e.g. [files.leads]")
        for name, section in doc.items():  # the older layout: [leads], [deals] … one file per table
            if isinstance(section, dict) and name != "files":
                if name not in TABLES:
                    raise DataImportError(f"{source}: [{name}] is not a table (expected one of {', '.join(TABLES)} "
                                          f"or [files.<name>])")
                sections[name] = {"table": name, "_legacy": True, **section}
        tables = {role: _file_mapping(role, section, source) for role, section in sections.items()}
        return cls(str(doc.get("name", Path(source).stem)), tables, str(doc.get("timezone", "UTC")), mode)

    @classmethod
    def load(cls, path: str | Path) -> Mapping:
        return cls.from_toml(*read_toml(path, t("imp_what_mapping")))

    def save(self, directory: str | Path | None = None) -> Path:
        """Write the mapping as <slug of its name>.toml in the mappings folder (a safe file name, always inside
        it); saving under a name whose file holds another mapping is refused rather than overwriting it."""
        directory = Path(directory) if directory else mappings_dir()
        directory.mkdir(parents=True, exist_ok=True)
        path = paths.inside(directory, paths.safe_file_name(slug(self.name)[:80], "mapping") + ".toml")
        with write_lock(directory / "mappings"):  # check and write as one step for concurrent saves
            if path.exists():
                try:
                    other = Mapping.load(path).name
                except DataImportError:
                    other = None  # a broken file may be replaced
                if other is not None and other.strip().casefold() != self.name.strip().casefold():
                    raise DataImportError(
                        f"a mapping called '{other}' is already saved as {path.name}: choose another name")
            tmp = path.with_suffix(".tmp")
            tmp.write_text(self.to_toml(), "utf-8")
            tmp.replace(path)
        return path


def _file_mapping(role: str, section, source: str) -> TableMapping:
    name = role if isinstance(section, dict) and section.get("_legacy") else f"files.{role}"
    where = f"{source}: [{name}]"
    if not isinstance(section, dict):
        raise DataImportError(f"{where} must be a table")
    table = str(section.get("table", role))
    if table not in TABLES:
        raise DataImportError(f"{where}: table = '{table}' is not a table (expected one of {', '.join(TABLES)})")
    raw_columns = section.get("columns", {})
    if not isinstance(raw_columns, dict):
        raise DataImportError(f"{where}: [columns] must be a table of \"header\" = \"target\" entries")
    columns = {}
    for header, value in raw_columns.items():
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
            raise DataImportError(f"{source}: [{name}.columns] '{header}' must be a target or a list of targets")
        for text in values:
            parse_target(text, table, f"{source}: [{name}.columns] '{header}' = '{text}'")
        columns[str(header)] = tuple(values)
    constants = text_table(section, "constants", where)
    for text in constants:
        parse_target(text, table, f"{source}: [{name}.constants] '{text}'")
    day_first, stage, match = section.get("day_first"), section.get("stage"), section.get("match", "lead_id")
    if day_first is not None and not isinstance(day_first, bool):
        raise DataImportError(f"{where}: day_first must be true or false")
    if stage is not None and (not isinstance(stage, str) or not stage.strip()):
        raise DataImportError(f"{where}: stage must name a stage, e.g. stage = \"MQL\"")
    if match not in MATCHES:
        raise DataImportError(f"{where}: match must be one of {', '.join(MATCHES)}, got '{match}'")
    decimal = section.get("decimal")
    if decimal is not None and decimal not in decimals.CONVENTIONS:
        raise DataImportError(f"{where}: decimal must be one of {', '.join(decimals.CONVENTIONS)}, got '{decimal}'")
    return TableMapping(table, columns, day_first, role, constants, stage, match, decimal)


def slug(text: str) -> str:
    return re.sub(r"[^\w]+", "-", text.strip().casefold()).strip("-") or "mapping"


def mappings_dir() -> Path:
    """Where mappings are saved: $SMARKETING_MAPPINGS, else a `mappings` folder beside the database."""
    chosen = settings.current().mappings_dir
    return Path(chosen) if chosen else store.db_path(None).parent / "mappings"


def saved_mappings(directory: str | Path | None = None) -> list[Mapping]:
    directory = Path(directory) if directory else mappings_dir()
    found = []
    for path in sorted(directory.glob("*.toml")) if directory.exists() else []:
        try:
            found.append(Mapping.load(path))
        except DataImportError:
            continue  # a broken file is not offered
    return found


def find_saved(headers: list[str], table: str | None = None,
               directory: str | Path | None = None) -> tuple[Mapping, str] | None:
    """The saved mapping with a file (of `table` rows, if given) whose mapped headers all appear in `headers`
    (most headers wins), and that file's role; None when no saved mapping fits."""
    present = set(headers)
    best, best_n = None, 0
    for mapping in saved_mappings(directory):
        for role, tm in mapping.tables.items():
            if table is not None and tm.table != table:
                continue
            if tm.columns and set(tm.columns) <= present and len(tm.columns) > best_n:
                best, best_n = (mapping, role), len(tm.columns)
    return best
