"""The two errors of the storage layer."""


class DatabaseError(ValueError):
    """A database file exists but cannot be opened (locked, damaged, not a DuckDB file)."""


class DataImportError(ValueError):
    """A file could not be imported; the message names file, row, column and what was expected."""
