"""The two errors of the storage layer."""


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


def headers_found(headers, known) -> str:
    """The headers of a file for a "missing column" message: a few of them, quoted, when some are columns this
    import knows (`known`: a test on a header); when none is, only how many there are (it is likely not the file
    meant, perhaps not a table at all, and its first line is not repeated)."""
    headers = list(headers)
    if not any(known(h) for h in headers):
        return f"found {len(headers):,} column(s), none of them one this import knows (is it the right file?)"
    shown = ", ".join(quoted(h, 30) for h in headers[:12])
    return f"found: {shown}{' …' if len(headers) > 12 else ''}"
