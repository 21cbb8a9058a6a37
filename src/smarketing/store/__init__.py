"""Storage: opening the database, the import pipeline and its checks, atomic writes, other engines.

This layer imports no analysis; what it shares with the analyses (stage reach) lives in smarketing.reach.
The names below are the storage API the rest of the package uses.
"""

from smarketing.store.checks import RESERVED_COLUMNS
from smarketing.store.connection import (
    ATTACHED,
    DEFAULT_DB,
    configured_source,
    connect,
    db_path,
    ensure_tables,
    raw,
    sql_string,
    table_counts,
    thread_backend,
    writing,
)
from smarketing.store.errors import DatabaseError, DataImportError, at_cell, at_column, headers_found, quoted
from smarketing.store.limits import (
    CSV_SUFFIXES,
    DELIMITERS,
    HEADER_BYTES,
    MAX_COLUMNS,
    MAX_FILE_MB,
    PARQUET_SUFFIXES,
    check_columns,
    check_header,
    check_parquet,
    check_regular,
    check_size,
    check_unique_headers,
    delimiter_name,
    max_file_bytes,
    read_bounded,
)
from smarketing.store.pipeline import Frame, import_changes, import_files

__all__ = [
    "ATTACHED", "CSV_SUFFIXES", "DEFAULT_DB", "DELIMITERS", "HEADER_BYTES", "MAX_COLUMNS", "MAX_FILE_MB",
    "PARQUET_SUFFIXES", "RESERVED_COLUMNS", "DataImportError", "DatabaseError", "Frame", "at_cell", "at_column",
    "check_columns", "delimiter_name",
    "check_header", "check_parquet", "check_regular", "check_size", "check_unique_headers", "configured_source", "connect", "db_path", "ensure_tables",
    "headers_found", "import_changes", "import_files", "max_file_bytes", "quoted", "raw", "read_bounded", "sql_string", "table_counts", "thread_backend", "writing",
]
