"""The two errors of the storage layer."""

from smarketing.labels import t


class DatabaseError(ValueError):
    """A database file exists but cannot be opened (locked, damaged, not a DuckDB file)."""


class DataImportError(ValueError):
    """A file could not be imported; the message names file, row, column and what was expected."""


def quoted(value, limit: int = 60) -> str:
    """A value as an error message may quote it: personal data masked, at most `limit` characters (a message
    names the problem; it never reproduces a file, least of all one the user did not mean to import)."""
    from smarketing.privacy import mask_text

    text = mask_text(str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def at_cell(file, row: int, column, message: str) -> str:
    """A message about one value: "file, row 3 (line 4), column x: message" (the header is line 1)."""
    return t("imp_at_cell").format(file=file, row=row, line=row + 1, column=column, message=message)


def at_column(file, column, message: str) -> str:
    """A message about a whole column: "file, column x: message"."""
    return t("imp_at_column").format(file=file, column=column, message=message)


def headers_found(headers, known) -> str:
    """The headers of a file for a "missing column" message: a few of them, quoted, when some are columns this
    import knows (`known`: a test on a header); when none is, only how many there are (it is likely not the file
    meant, perhaps not a table at all, and its first line is not repeated)."""
    headers = list(headers)
    if not any(known(h) for h in headers):
        return t("imp_found_none_known").format(n=f"{len(headers):,}")
    shown = ", ".join(quoted(h, 30) for h in headers[:12])
    return t("imp_found_headers").format(headers=f"{shown}{' …' if len(headers) > 12 else ''}")
