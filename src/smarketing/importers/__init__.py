"""Bring your own data: HubSpot and Salesforce exports, and any CSV / Excel / Parquet with a column mapping.

Each importer reads files (readers), maps them onto the canonical tables (a `Prepared` of store.Frames
plus notes; for mapped files `assemble` applies the mapping) and hands them to store.import_files in one
transaction (loading.load; loading.validate is the same import as a dry run, with the counts).
"""

from smarketing.importers.core import ImportResult, Prepared
from smarketing.importers.loading import load, validate
from smarketing.importers.readers import RawTable, read_table

__all__ = ["ImportResult", "Prepared", "RawTable", "load", "read_table", "validate"]
