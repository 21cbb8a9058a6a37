"""Read an uploaded or local CSV / Excel / Parquet file into a table of text values, with clear errors.

CSV handling covers what real exports contain: a UTF-8 byte-order mark (Excel's "CSV UTF-8"), UTF-16
(Excel's "Unicode text"), semicolon / tab / pipe delimiters (European Excel), every value quoted, and the
footer Salesforce appends to report exports. A file whose rows do not have as many fields as its header
(usually a wrong delimiter or a broken quote) is rejected, naming the line.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pandas as pd

from smarketing import store
from smarketing.labels import t
from smarketing.store import DELIMITERS, PARQUET_SUFFIXES, DataImportError
from smarketing.store.text import PATTERN as EDGES
from smarketing.store.text import strip_edges

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
MAX_CELLS = 20_000_000  # rows × columns of an Excel sheet or Parquet file read into memory
UNZIP_FACTOR = 10  # an Excel workbook may unpack to at most 10× the file size limit
UNZIP_RATIO = 100  # … and to at most 100× its own size (real exports: 5–20×; a "zip bomb": thousands) …
UNZIP_FLOOR = 32 * 2**20  # … once past 32 MB (a small workbook's overhead may exceed the ratio harmlessly)
MAX_SHARED_STRINGS = 256 * 2**20  # the shared strings part is read whole into memory
ENCODINGS = ("auto", "utf-8", "gb18030", "cp1252", "utf-16")
# The footer of a Salesforce report export starts with a blank line and contains this copyright line.
_SALESFORCE_FOOTER = re.compile(r'^"?Copyright \(c\) \d{4}-\d{4} salesforce\.com', re.IGNORECASE | re.MULTILINE)


@dataclass
class RawTable:
    """A file's rows as text (None for empty cells); `name` is the file name used in every message."""

    frame: pd.DataFrame
    name: str
    kind: str = "csv"
    delimiter: str | None = None
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def headers(self) -> list[str]:
        return list(self.frame.columns)

    def column(self, header: str) -> pd.Series:
        return self.frame[header]


def read_table(source: str | Path | bytes, name: str | None = None, encoding: str = "auto") -> RawTable:
    """Read a file (path, or the bytes of an upload with its file `name`)."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        name = name or path.name
        if not path.exists():
            raise DataImportError(t("imp_file_not_found").format(file=name, path=path))
        store.check_regular(name, path)
        store.check_size(name, _stat_size(path))
        _check_type(name)
        data = store.read_bounded(name, path)
    else:
        data, name = bytes(source), name or "upload"
        store.check_size(name, len(data))
        _check_type(name)
    if not data.strip():
        raise DataImportError(t("imp_file_empty").format(file=name))
    suffix = Path(name).suffix.lower()
    if suffix in PARQUET_SUFFIXES:
        table = _read_parquet(data, name)
    elif suffix in EXCEL_SUFFIXES:
        table = _read_excel(data, name)
    else:
        table = _read_csv(data, name, encoding)
    _check_headers(table)
    if table.frame.empty:
        raise DataImportError(t("imp_no_data_rows").format(file=name))
    return table


def _stat_size(path: Path) -> int:
    return path.stat().st_size


def _check_type(name: str) -> None:
    suffix = Path(name).suffix.lower()
    if suffix not in store.CSV_SUFFIXES + EXCEL_SUFFIXES + PARQUET_SUFFIXES:
        raise DataImportError(t("imp_not_a_file_type").format(file=name))


# ------------------------------------------------------------------------------------------------- CSV


def decode(data: bytes, name: str, encoding: str = "auto") -> tuple[str, str]:
    """The file's text and the encoding used; a file that is not valid text names the bad line."""
    used = encoding
    if encoding == "auto":
        encoding, used = "utf-8", "utf-8"
        if data.startswith(b"\xef\xbb\xbf"):
            data, used = data[3:], "utf-8 (with byte-order mark)"
        elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
            encoding, used = "utf-16", "utf-16"
    try:
        return data.decode(encoding), used
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DataImportError(t("imp_not_encoding").format(file=name, line=line, encoding=encoding)) from exc


def strip_footer(text: str) -> tuple[str, bool]:
    """Drop a Salesforce report footer (a blank line, then the report name, copyright …) if there is one."""
    match = _SALESFORCE_FOOTER.search(text)
    if not match:
        return text, False
    lines = text[: match.start()].splitlines()
    while lines and lines[-1].strip().strip('"').strip():
        lines.pop()  # footer lines before the copyright line (report name)
    while lines and not lines[-1].strip().strip('"').strip():
        lines.pop()  # the blank separator
    return "\n".join(lines) + "\n", True


def sniff_delimiter(text: str) -> str:
    """The delimiter of a CSV text, judged from its first 30 lines (within the first 1 MB)."""
    sample = "\n".join(text[:store.HEADER_BYTES].splitlines()[:30])
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        header = sample.splitlines()[0] if sample else ""
        counts = {d: header.count(d) for d in DELIMITERS}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def _read_csv(data: bytes, name: str, encoding: str) -> RawTable:
    text, used = decode(data, name, encoding)
    text, had_footer = strip_footer(text)
    store.check_header(name, text[:store.HEADER_BYTES], len(text) > store.HEADER_BYTES)
    delimiter = sniff_delimiter(text)
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(rows)
    except StopIteration:
        raise DataImportError(t("imp_file_empty").format(file=name)) from None
    header = [strip_edges(h) for h in header]
    store.check_columns(name, len(header))
    if len(header) == 1 and (inside := [d for d in DELIMITERS if d in header[0]]):
        shown = t("imp_a_tab") if inside[0] == "\t" else f"'{inside[0]}'"
        raise DataImportError(t("imp_one_column").format(file=name, delimiter=shown))
    body: list[list[str]] = []
    try:
        for row in rows:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue  # blank line
            if len(row) != len(header):
                raise DataImportError(t("imp_fields_mismatch").format(
                    file=name, line=rows.line_num, fields=t("imp_fields_one" if len(row) == 1 else "imp_fields_many").format(n=len(row)), width=len(header),
                    delimiter=store.delimiter_name(delimiter)))
            body.append(row)
    except csv.Error as exc:
        raise DataImportError(t("imp_not_csv").format(file=name, line=rows.line_num, error=exc)) from exc
    frame = pd.DataFrame(body, columns=header, dtype=object)
    frame = frame.apply(lambda s: s.str.replace(EDGES, "", regex=True).replace("", None)) if len(frame) else frame
    notes = [t("imp_note_footer").format(file=name)] if had_footer else []
    return RawTable(frame, name, "csv", delimiter, used, notes)


# ------------------------------------------------------------------------------------- Excel, Parquet


def _read_excel(data: bytes, name: str) -> RawTable:
    """The first sheet, streamed (openpyxl read-only) within the column and cell limits."""
    if Path(name).suffix.lower() == ".xls":
        raise DataImportError(t("imp_old_xls").format(file=name))
    _check_unzipped_size(data, name)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl and zipfile raise many kinds
        raise DataImportError(t("imp_not_excel").format(file=name, error=exc)) from exc
    try:
        rows = _sheet_rows(book.worksheets[0], name)
    except DataImportError:
        raise
    except Exception as exc:  # a broken sheet inside a valid zip
        raise DataImportError(t("imp_not_excel").format(file=name, error=exc)) from exc
    finally:
        book.close()
    if not rows:
        raise DataImportError(t("imp_file_empty").format(file=name))
    width = max(len(r) for r in rows)
    header = [_header_text(v) for v in rows[0]] + [""] * (width - len(rows[0]))
    body = [r + (None,) * (width - len(r)) for r in rows[1:]]
    frame = pd.DataFrame(body, columns=header, dtype=object).dropna(how="all")
    return RawTable(_as_text(frame), name, "excel")


def _check_unzipped_size(data: bytes, name: str) -> None:
    """Refuse a workbook that would unpack to far more than any real export (a "zip bomb")."""
    try:
        parts = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise DataImportError(t("imp_not_xlsx").format(file=name, error=exc)) from exc
    unpacked = sum(info.file_size for info in parts)
    if unpacked > UNZIP_FACTOR * store.max_file_bytes():
        raise DataImportError(t("imp_workbook_too_large").format(file=name, size=f"{unpacked / 2**20:,.0f}"))
    if unpacked > UNZIP_FLOOR and unpacked > UNZIP_RATIO * len(data):
        raise DataImportError(t("imp_workbook_ratio").format(
            file=name, size=f"{unpacked / 2**20:,.0f}", packed=f"{len(data) / 2**20:,.1f}",
            times=f"{unpacked // max(len(data), 1):,}", max=UNZIP_RATIO))
    shared = sum(info.file_size for info in parts if info.filename.lower().endswith("sharedstrings.xml"))
    if shared > MAX_SHARED_STRINGS:
        raise DataImportError(t("imp_shared_strings").format(file=name, size=f"{shared / 2**20:,.0f}",
                                                             max=f"{MAX_SHARED_STRINGS / 2**20:,.0f}"))


def _sheet_rows(sheet, name: str) -> list[tuple]:
    """The sheet's rows without trailing empty cells; stops at the column and cell limits.

    Rows come padded to the width the sheet declares (its used range), capped just past the column limit;
    the padded cells count towards the cell limit, so a tiny file declaring a huge range stops quickly."""
    declared = sheet.max_column
    width = None if declared is None else min(declared, store.MAX_COLUMNS + 1)
    rows, cells = [], 0
    for number, row in enumerate(sheet.iter_rows(max_col=width, values_only=True), start=1):
        cells += max(len(row), 1)
        if cells > MAX_CELLS:
            used = t("imp_used_range").format(rows=f"{sheet.max_row:,}", columns=f"{declared:,}") if declared else ""
            raise DataImportError(t("imp_sheet_too_many_cells").format(file=name, max=f"{MAX_CELLS:,}", used=used))
        end = len(row)
        while end and row[end - 1] is None:
            end -= 1
        if end > store.MAX_COLUMNS:
            raise DataImportError(t("imp_row_too_many_columns").format(file=name, row=number,
                                                                       max=f"{store.MAX_COLUMNS:,}"))
        rows.append(row[:end])
    while rows and not rows[-1]:
        rows.pop()
    return rows


def _read_parquet(data: bytes, name: str) -> RawTable:
    store.check_parquet(name, io.BytesIO(data), MAX_CELLS)
    try:
        frame = pd.read_parquet(io.BytesIO(data))
    except Exception as exc:
        raise DataImportError(t("imp_not_parquet").format(file=name, error=exc)) from exc
    frame.columns = [strip_edges(c) for c in frame.columns]
    return RawTable(_as_text(frame), name, "parquet")


def _header_text(value) -> str:
    text = "" if value is None or str(value).startswith("Unnamed: ") else str(value)
    return strip_edges(text)


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells (dates as ISO text) so every source goes through the same parsing and checks."""
    out = {}
    for col in frame.columns:
        s = frame[col]
        if pd.api.types.is_datetime64_any_dtype(s):
            if getattr(s.dt, "tz", None) is not None:
                s = s.dt.tz_convert("UTC").dt.tz_localize(None)
            out[col] = s.dt.strftime("%Y-%m-%dT%H:%M:%S").where(s.notna(), None)
        else:
            out[col] = s.map(_cell_text, na_action="ignore").astype(object).where(s.notna(), None)
    return pd.DataFrame(out, columns=list(frame.columns)).reset_index(drop=True)


def _cell_text(value) -> str | None:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat(sep="T") if hasattr(value, "hour") else value.isoformat()
    text = strip_edges(value)
    return text or None


def _check_headers(table: RawTable) -> None:
    for i, header in enumerate(table.headers, start=1):
        if not header:
            raise DataImportError(t("imp_no_header").format(file=table.name, column=i))
    store.check_unique_headers(table.name, table.headers)
