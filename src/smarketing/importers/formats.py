"""One entry point per import format, shared by the CLI and the Data page."""

from __future__ import annotations

from pathlib import Path

from smarketing.importers import hubspot, mapping, salesforce
from smarketing.importers.core import Prepared
from smarketing.importers.readers import read_table
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
) -> Prepared:
    """Read and map the files of an import in format `fmt` ({role or table: path})."""
    stages = resolve(stages)
    read = {role: read_table(path, encoding=encoding) for role, path in files.items() if path}
    if fmt == "hubspot":
        if "contacts" not in read:
            raise DataImportError("a HubSpot import needs the contacts export (--contacts FILE)")
        return hubspot.prepare(read["contacts"], read.get("deals"), con=con, timezone=timezone, stages=stages)
    if fmt == "salesforce":
        if "leads_report" not in read:
            raise DataImportError("a Salesforce import needs the Leads report export (--leads-report FILE)")
        smap = salesforce.StatusMap.load(status_map_file) if status_map_file else None
        return salesforce.prepare(read["leads_report"], read.get("opportunities_report"), status_map=smap,
                                  timezone=timezone, stages=stages, day_first=day_first)
    if fmt == "mapped":
        if not mapping_file:
            raise DataImportError("a mapped import needs a mapping file (--mapping FILE)")
        found = mapping.Mapping.load(mapping_file)
        if timezone != "UTC":
            found.timezone = timezone
        if day_first is not None:
            for tm in found.tables.values():
                tm.day_first = day_first
        return mapping.prepare(read, found)
    raise DataImportError(f"unknown import format '{fmt}' (expected one of {', '.join(FORMATS)})")
