"""Limits on what an import reads: file size, header length and columns, Parquet footers, UTF-8 text."""

from __future__ import annotations

import codecs
import csv
import io
import re
import stat
from pathlib import Path

from smarketing import settings
from smarketing.labels import t
from smarketing.store.errors import DataImportError

MAX_FILE_MB = 200  # default size limit; $SMARKETING_MAX_UPLOAD_MB overrides (keep server.maxUploadSize in step)
MAX_COLUMNS = 2_000
HEADER_BYTES = 1 << 20  # the header row must end within the file's first 1 MB
CSV_SUFFIXES = (".csv", ".tsv", ".txt", "")
PARQUET_SUFFIXES = (".parquet", ".pq")
DELIMITERS = ",;\t|"
# A JSON document: an object, or an array of values (a CSV header like "[Name],[Email]" is not one)
_JSON_START = re.compile(r'\s*(?:\{\s*["}]|\[\s*(?:[\[{"\]\-\d]|(?:true|false|null)\s*[,\]]))')


def max_file_bytes() -> int:
    """The largest file an import reads: $SMARKETING_MAX_UPLOAD_MB megabytes, else MAX_FILE_MB."""
    try:
        return settings.current().max_upload_bytes
    except settings.SettingsError as exc:
        raise DataImportError(str(exc)) from exc


def check_size(name: str, size: int) -> None:
    """Refuse a file over the size limit, from its size alone (before reading it)."""
    limit = max_file_bytes()
    if size > limit:
        raise DataImportError(t("imp_file_over_limit").format(file=name, size=_megabytes(size), limit=_megabytes(limit)))


def check_regular(name: str, path: Path) -> None:
    """Refuse what is not a regular file: a device such as /dev/zero reports size 0 and never ends, a pipe blocks."""
    if not stat.S_ISREG(path.stat().st_mode):
        raise DataImportError(t("imp_not_regular_file").format(file=name, path=path))


def read_bounded(name: str, path: Path) -> bytes:
    """A file's bytes, counted as they are read: more than the size limit is refused even when the size said at
    the start was smaller (a file growing, a size not known)."""
    limit = max_file_bytes()
    with path.open("rb") as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise DataImportError(t("imp_file_more_than_limit").format(file=name, limit=_megabytes(limit)))
    return data


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.1f} MB"


def check_header(name: str, head: str, more: bool) -> None:
    """Refuse JSON, a header row longer than 1 MB and one with more than MAX_COLUMNS columns.

    `head` is the start of the file's text (at most HEADER_BYTES of it), `more` says the file goes on."""
    head = head.removeprefix("\ufeff")
    if _JSON_START.match(head[:100]):
        raise DataImportError(t("imp_json_not_table").format(file=name))
    end = head.find("\n")
    if end < 0 and more:
        raise DataImportError(t("imp_header_too_long").format(file=name, max=f"{MAX_COLUMNS:,}"))
    line = (head if end < 0 else head[:end]).rstrip("\r")
    check_columns(name, max(_field_count(line, d) for d in DELIMITERS))


def _field_count(line: str, delimiter: str) -> int:
    try:
        return len(next(csv.reader([line], delimiter=delimiter)))
    except csv.Error:  # e.g. a lone carriage return: count every delimiter
        return line.count(delimiter) + 1


def check_unique_headers(name: str, headers: list[str]) -> None:
    """Refuse a header naming a column twice (case and surrounding spaces ignored: `lead_id` and ` LEAD_ID`)."""
    seen: dict[str, int] = {}
    for i, header in enumerate(headers, start=1):
        key = str(header).replace("\ufeff", "").strip().casefold()
        if key in seen:
            raise DataImportError(t("imp_header_twice_at").format(file=name, header=header, first=seen[key],
                                                                  second=i))
        seen[key] = i


def csv_header(head: str, count: int) -> list[str] | None:
    """The header row of a CSV text (its start), split by the delimiter that gives `count` fields (the number of
    columns DuckDB read), or None when none does."""
    head = head.removeprefix("\ufeff")
    for delimiter in DELIMITERS:
        try:
            fields = next(csv.reader(io.StringIO(head, newline=""), delimiter=delimiter))
        except (csv.Error, StopIteration):
            continue
        if len(fields) == count:
            return fields
    return None


def csv_problem(name: str, path: Path) -> str | None:
    """The first line of a CSV file that does not fit its header, as a message naming that line: a row with more
    or fewer fields than the header (split by the header's delimiter), a quote that is never closed; None when
    every row fits. For a file DuckDB could not read, or read differently from its header."""
    text = path.read_bytes()[: max_file_bytes()].decode("utf-8", errors="replace").removeprefix("\ufeff")
    first = text.split("\n", 1)[0].rstrip("\r")
    delimiter = max(DELIMITERS, key=lambda d: _field_count(first, d))
    shown = delimiter_name(delimiter)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    start, width = 1, None
    try:
        for row in reader:
            if width is None:
                width = len(row)
            elif row and row != [""] and len(row) != width:
                if reader.line_num > start and any(field.count("\n") for field in row):
                    return t("imp_quote_never_closed_later").format(file=name, line=start)
                fields = t("imp_fields_one" if len(row) == 1 else "imp_fields_many").format(n=len(row))
                return t("imp_fields_mismatch").format(file=name, line=start, fields=fields, width=width,
                                                       delimiter=shown)
            start = reader.line_num + 1
    except csv.Error as exc:
        if "unexpected end of data" in str(exc) or reader.line_num > start:
            return t("imp_quote_never_closed").format(file=name, line=start)
        return t("imp_not_csv").format(file=name, line=start, error=exc)
    return None


def delimiter_name(delimiter: str) -> str:
    """A delimiter in words, for messages ("comma", "tab" …)."""
    return t({",": "imp_comma", ";": "imp_semicolon", "\t": "imp_tab", "|": "imp_pipe"}[delimiter])


def check_columns(name: str, count: int) -> None:
    if count > MAX_COLUMNS:
        raise DataImportError(t("imp_too_many_columns").format(file=name, n=f"{count:,}", max=f"{MAX_COLUMNS:,}"))


def check_parquet(name: str, source, max_cells: int | None = None) -> None:
    """Refuse a Parquet file that cannot be opened, or with too many columns (or cells), from its footer."""
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(source).metadata
    except Exception as exc:  # pyarrow raises several kinds for a broken file
        raise DataImportError(t("imp_not_parquet").format(file=name, error=str(exc).splitlines()[0])) from exc
    check_columns(name, meta.num_columns)
    check_unique_headers(name, list(meta.schema.to_arrow_schema().names))
    if max_cells is not None and meta.num_rows * meta.num_columns > max_cells:
        raise DataImportError(t("imp_too_many_cells").format(file=name, rows=f"{meta.num_rows:,}",
                                                             columns=f"{meta.num_columns:,}", max=f"{max_cells:,}"))


def check_utf8(path: Path) -> None:
    """Raise naming the line of the first byte sequence that is not UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                line += chunk[: exc.start].count(b"\n")
                raise DataImportError(t("imp_not_utf8").format(file=path.name, line=line)) from exc
            line += chunk.count(b"\n")
