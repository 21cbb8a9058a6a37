"""One entry point per import format, shared by the CLI and the Data page."""

from __future__ import annotations

from pathlib import Path

from smarketing import store
from smarketing.importers import assemble, hubspot, mapping, salesforce
from smarketing.importers.core import Prepared
from smarketing.importers.guess import guess, stage_of_file
from smarketing.importers.readers import RawTable, read_table
from smarketing.schema import TABLES
from smarketing.stages import StageModel, resolve
from smarketing.store import DataImportError

FORMATS = ("canonical", "hubspot", "salesforce", "mapped")
# The files each format takes: {role: what it is}
ROLES = {
    "hubspot": {"contacts": "HubSpot contacts export", "deals": "HubSpot deals export"},
    "salesforce": {"leads_report": "Salesforce Leads report export",
                   "opportunities_report": "Salesforce Opportunities report export"},
}


def prepare(
    fmt: str,
    files: dict[str, str | Path],
    *,
    con=None,
    mapping_file: str | Path | None = None,
    status_map_file: str | Path | None = None,
    timezone: str = "UTC",
    day_first: bool | None = None,
    encoding: str = "auto",
    stages: StageModel | None = None,
    decimal: str | None = None,
) -> Prepared:
    """Read and map the files of an import in format `fmt` ({role or table: path}); `decimal`: the decimal
    convention of the files' numbers (point or comma), else read from each file."""
    stages = resolve(stages)
    read = {role: read_table(path, encoding=encoding) for role, path in files.items() if path}
    if fmt == "hubspot":
        if "contacts" not in read:
            raise DataImportError("a HubSpot import needs the contacts export (--contacts FILE)")
        return hubspot.prepare(read["contacts"], read.get("deals"), con=con, timezone=timezone, stages=stages,
                               decimal=decimal)
    if fmt == "salesforce":
        if "leads_report" not in read:
            raise DataImportError("a Salesforce import needs the Leads report export (--leads-report FILE)")
        smap = salesforce.StatusMap.load(status_map_file) if status_map_file else None
        return salesforce.prepare(read["leads_report"], read.get("opportunities_report"), status_map=smap,
                                  timezone=timezone, stages=stages, day_first=day_first, decimal=decimal)
    if fmt == "mapped":
        return prepare_mapped(files, con=con, mapping_file=mapping_file, timezone=timezone, day_first=day_first,
                              encoding=encoding, stages=stages, decimal=decimal)[0]
    raise DataImportError(f"unknown import format '{fmt}' (expected one of {', '.join(FORMATS)})")


def prepare_mapped(
    files: dict[str, str | Path],
    *,
    con=None,
    mapping_file: str | Path | None = None,
    tables: dict[str, str] | None = None,
    every_row: dict[str, str] | None = None,
    timezone: str = "UTC",
    day_first: bool | None = None,
    encoding: str = "auto",
    mode: str | None = None,
    write_mapping: str | Path | None = None,
    stages: StageModel | None = None,
    decimal: str | None = None,
) -> tuple[Prepared, str]:
    """The files of one source ({role: path}) mapped with the mapping file, or with a guessed mapping
    (`tables`: what each role's rows are; `every_row`: the stage every row of a role entered). Returns the prepared tables and the import mode (the one given,
    else the mapping's)."""
    read = {role: read_table(path, encoding=encoding) for role, path in files.items() if path}
    if not read:
        raise DataImportError("a mapped import needs at least one file (--file ROLE=PATH)")
    found = mapping.Mapping.load(mapping_file) if mapping_file else guessed_mapping(read, tables or {}, stages)
    if timezone != "UTC":
        found.timezone = timezone
    for tm in found.tables.values():
        tm.day_first = tm.day_first if day_first is None else day_first
        tm.decimal = tm.decimal if decimal is None else decimal
    if mode is not None:
        found.mode = mode
    for role, stage in (every_row or {}).items():
        if role not in found.tables:
            raise DataImportError(f"--stage {role}={stage}: no file has the role '{role}'")
        found.tables[role].stage = stage
    if write_mapping:
        Path(write_mapping).write_text(found.to_toml(), "utf-8")
    emails = known_emails(con) if any(tm.match == "email" for tm in found.tables.values()) else {}
    return assemble.prepare(read, found, stages, emails), found.mode


def guessed_mapping(read: dict[str, RawTable], tables: dict[str, str], stages: StageModel | None = None
                    ) -> mapping.Mapping:
    """A mapping guessed from the files' headers and values; a role names its table unless `tables` says."""
    tms = {}
    for role, raw in read.items():
        table = tables.get(role) or (role if role in TABLES else "leads")
        if table not in TABLES:
            raise DataImportError(f"--table {role}={table}: not a table (expected one of {', '.join(TABLES)})")
        tm = guess(raw, table, stages)
        tm.role = role
        tm.stage = stage_of_file(raw.name, stages) if table == "leads" else None
        tms[role] = tm
    return mapping.Mapping(Path(next(iter(read.values())).name).stem, tms)


def known_emails(con) -> dict[str, str]:
    """{normalised e-mail: lead_id} of the leads in the database (for files that find leads by e-mail)."""
    if con is None:
        return {}
    rows = store.raw(con).execute("SELECT lower(trim(email)), lead_id FROM leads WHERE email IS NOT NULL").fetchall()
    return dict(rows)
