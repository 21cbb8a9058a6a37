"""Bring your own data: HubSpot and Salesforce exports, and any CSV / Excel / Parquet with a column mapping.

Each importer reads files (readers), maps them onto the canonical tables (a `Prepared` of store.Frames
plus notes) and hands them to store.import_files in one transaction (core.load).
"""

from smarketing.importers.core import ImportResult, Prepared, load
from smarketing.importers.readers import RawTable, read_table

__all__ = ["ImportResult", "Prepared", "RawTable", "load", "read_table"]
