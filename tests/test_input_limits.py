"""Hostile and broken input stops with a one-line error naming the file and the limit, in bounded memory:
huge files, a million columns, JSON, bytes that are not text, huge Excel sheets, absurd rules files."""

from __future__ import annotations

import io
import os
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from smarketing import store
from smarketing.importers import hubspot, read_table, readers
from smarketing.importers.mapping import Mapping
from smarketing.importers.salesforce import StatusMap
from smarketing.scoring.rules import RulesError
from smarketing.scoring.rules_file import parse_rules
from smarketing.scoring.versions import load_rules
from smarketing.store import DataImportError

LEADS = "lead_id,created_at\nL1,2024-01-01\n"


@pytest.fixture()
def con(tmp_path):
    con = store.connect(tmp_path / "db.duckdb")
    store.import_files(con, {"leads": _write(tmp_path / "base.csv", LEADS)})
    yield con
    con.disconnect()


def _write(path: Path, data: str | bytes) -> Path:
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def _refused(con, path: Path, message: str) -> None:
    """Both readers (vendor / mapped imports and our own table layout) refuse the file; nothing changes."""
    with pytest.raises(DataImportError, match=message):
        read_table(path)
    before = store.table_counts(con)
    with pytest.raises(DataImportError, match=message):
        store.import_files(con, {"leads": path})
    assert store.table_counts(con) == before


# ------------------------------------------------------------------------------------------ size


def test_a_1_gb_file_is_refused_from_its_size(tmp_path, con):
    path = tmp_path / "huge.csv"
    with path.open("wb") as f:
        f.truncate(1 << 30)  # sparse: takes no disk space, and must never be read
    started = time.perf_counter()
    _refused(con, path, r"^huge.csv: the file is 1,024.0 MB, over the 200.0 MB limit for an import")
    assert time.perf_counter() - started < 5


def test_the_size_limit_is_configurable(tmp_path, con, monkeypatch):
    monkeypatch.setenv("SMARKETING_MAX_UPLOAD_MB", "0.001")
    path = _write(tmp_path / "small.csv", LEADS + "L2,2024-01-02\n" * 100)
    _refused(con, path, r"small.csv: the file is 0.0 MB, over the 0.0 MB limit")
    with pytest.raises(DataImportError, match=r"upload.csv: the file is .* over the"):
        read_table(path.read_bytes(), "upload.csv")
    monkeypatch.setenv("SMARKETING_MAX_UPLOAD_MB", "lots")
    with pytest.raises(DataImportError, match="SMARKETING_MAX_UPLOAD_MB must be a number of megabytes, got 'lots'"):
        read_table(path)


def test_streamlit_refuses_the_same_uploads():
    config = (Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml").read_text("utf-8")
    assert f"maxUploadSize = {store.MAX_FILE_MB}" in config


# --------------------------------------------------------------------------------------- columns


def test_a_million_columns_are_refused_from_the_first_megabyte(tmp_path, con):
    header = ",".join(f"c{i}" for i in range(1_000_000))  # 6.9 MB on one line
    path = _write(tmp_path / "wide.csv", header + "\n" + ",".join("1" * 1_000_000) + "\n")
    started = time.perf_counter()
    _refused(con, path, r"^wide.csv: the header row \(first line\) is longer than 1 MB; at most 2,000 columns")
    assert time.perf_counter() - started < 10


def test_too_many_columns_in_a_short_header(tmp_path, con):
    path = _write(tmp_path / "wide.csv", ";".join(f"c{i}" for i in range(2_500)) + "\n" + ";" * 2_499 + "\n")
    _refused(con, path, r"^wide.csv: 2,500 columns, more than the 2,000 an import can take")


def test_parquet_with_too_many_columns(tmp_path, con):
    path = tmp_path / "wide.parquet"
    pd.DataFrame({f"c{i}": [1] for i in range(2_001)}).to_parquet(path)
    _refused(con, path, r"^wide.parquet: 2,001 columns, more than the 2,000")


# ------------------------------------------------------------------------------- JSON, bad bytes


def test_deeply_nested_json_is_refused_without_reading_it(tmp_path, con):
    nested = "[" * 100_000 + "]" * 100_000
    json_file = _write(tmp_path / "data.json", nested)
    _refused(con, json_file, r"^data.json: not a supported file type")
    renamed = _write(tmp_path / "data.csv", nested)
    _refused(con, renamed, r"^data.csv: this is JSON, not a table \(export the data as CSV, Excel or Parquet\)")
    objects = _write(tmp_path / "objects.csv", '{"lead_id": "L1"}\n')
    _refused(con, objects, r"^objects.csv: this is JSON")


def test_bracketed_headers_are_not_mistaken_for_json(tmp_path):
    raw = read_table(_write(tmp_path / "sql.csv", "[lead_id],[null_flag]\nL1,1\n"))
    assert raw.headers == ["[lead_id]", "[null_flag]"]


@pytest.mark.parametrize("encoding", ["auto", "utf-8"])
def test_invalid_utf8_names_the_line(tmp_path, con, encoding):
    path = _write(tmp_path / "bad.csv", b"lead_id,created_at\nL1,2024-01-01\nL\xff2,2024-01-02\n")
    with pytest.raises(DataImportError, match=r"^bad.csv: line 3 is not valid utf-8 text"):
        read_table(path, encoding=encoding)
    _refused(con, path, r"^bad.csv: line 3 is not valid (UTF-8|utf-8)")


def test_broken_text_after_a_byte_order_mark_and_other_encodings(tmp_path):
    bom = _write(tmp_path / "bom.csv", b"\xef\xbb\xbfa,b\n1,\xc3\n")
    with pytest.raises(DataImportError, match=r"^bom.csv: line 2 is not valid utf-8 text"):
        read_table(bom)
    odd = _write(tmp_path / "u16.csv", "a,b\n1,2\n".encode("utf-16") + b"\x00")
    with pytest.raises(DataImportError, match=r"^u16.csv: line \d+ is not valid utf-16 text"):
        read_table(odd)
    latin = _write(tmp_path / "latin.csv", b"a,b\n1,2\n3,\x81\n")
    with pytest.raises(DataImportError, match=r"^latin.csv: line 3 is not valid cp1252 text"):
        read_table(latin, encoding="cp1252")


# ----------------------------------------------------------------------------------------- Excel


def _xlsx(rows) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_excel_sheet_wider_than_the_limit(tmp_path):
    data = _xlsx([[f"c{i}" for i in range(2_001)], list(range(2_001))])
    with pytest.raises(DataImportError, match=r"^wide.xlsx, row 1: more than the 2,000 columns an import can take"):
        read_table(data, "wide.xlsx")


def test_a_tiny_workbook_declaring_a_huge_sheet_stops_quickly():
    book = openpyxl.Workbook()
    book.active.append(["Record ID", "Email"])
    book.active.cell(row=1_048_576, column=16_384, value="x")  # Excel's last cell
    out = io.BytesIO()
    book.save(out)
    started = time.perf_counter()
    with pytest.raises(DataImportError, match=r"^far.xlsx: more than 20,000,000 cells in the sheet \(its used range "
                                              r"is 1,048,576 rows × 16,384 columns\)"):
        read_table(out.getvalue(), "far.xlsx")
    assert time.perf_counter() - started < 10


def test_excel_cell_limit_and_unpacked_size(tmp_path, monkeypatch):
    data = _xlsx([["a", "b"]] + [["x" * 50, i] for i in range(5_000)])
    monkeypatch.setattr(readers, "MAX_CELLS", 1_000)
    with pytest.raises(DataImportError, match=r"^big.xlsx: more than 1,000 cells in the sheet"):
        read_table(data, "big.xlsx")
    monkeypatch.setenv("SMARKETING_MAX_UPLOAD_MB", str(len(data) / 2**20 * 1.5))  # unpacks to > 10× that
    monkeypatch.setattr(readers, "UNZIP_FACTOR", 1)
    with pytest.raises(DataImportError, match=r"^big.xlsx: the workbook unpacks to .* MB, too large to import"):
        read_table(data, "big.xlsx")


def test_excel_reads_as_before_and_broken_workbooks_are_clear():
    raw = read_table(_xlsx([["Record ID", "Email", None], [1, "a@x.com"], [None, None, None], [2.0]]), "c.xlsx")
    assert raw.headers == ["Record ID", "Email"]
    assert raw.frame.values.tolist() == [["1", "a@x.com"], ["2", None]]
    with pytest.raises(DataImportError, match=r"^c.xlsx: could not be read as an Excel workbook \(not an .xlsx"):
        read_table(b"[[[[", "c.xlsx")
    with pytest.raises(DataImportError, match=r"^old.xls: the old Excel .xls format cannot be read"):
        read_table(b"\xd0\xcf\x11\xe0", "old.xls")


# ------------------------------------------------------------------------------------ rules file


RULES = """
[thresholds]
fit = 10
interest = 10

[[fit]]
column = "industry"
equals = "Software"
points = 5

[[fit]]
name = "Big"
column = "employees"
min = 1000
points = {points}
"""


@pytest.mark.parametrize(("points", "message"), [
    ("1e999999", r"fit rule 2 \('Big'\): 'points' must be a number between -1,000,000 and 1,000,000, got inf"),
    ("nan", r"fit rule 2 \('Big'\): 'points' must be a number between .*, got nan"),
    ("-inf", r"fit rule 2 \('Big'\): 'points' must be a number between .*, got -inf"),
    ("1e300", r"fit rule 2 \('Big'\): 'points' must be a number between .*, got 1e\+300"),
    ("1" * 5000, r"fit rule 2: line 15: 'points' is a number with 5,000 digits, far too large"),
    ("1" * 400, r"fit rule 2 \('Big'\): 'points' must be a number between .*, got a 400-digit number"),
])
def test_huge_numbers_in_a_rules_file(points, message):
    with pytest.raises(RulesError, match=r"^rules.toml: " + message):
        parse_rules(RULES.format(points=points), "rules.toml")


def test_absurd_windows_versions_and_patterns():
    base = RULES.format(points=5)
    cases = {
        base + '[decay]\nmode = "window"\nwindow_days = 1e9\n': r"\[decay\]: 'window_days' must be a number between",
        "version = 99999999999\n" + base: r"'version' must be a whole number from 1 to 1,000,000",
        base.replace('equals = "Software"', f"equals = 1{'0' * 30}"): r"'equals' must be a number between",
        base.replace('equals = "Software"', f'matches = "{"(" * 5000}"'): r"'matches' is 5,000 characters long",
        base.replace('equals = "Software"', 'matches = "a{1001}"'): r"'matches' is not a regular expression the database",
    }
    for text, message in cases.items():
        with pytest.raises(RulesError, match=message):
            parse_rules(text, "rules.toml")


def test_rules_file_size_count_and_nesting(tmp_path):
    many = "[thresholds]\nfit = 1\ninterest = 1\n" + "".join(f'[[interest]]\nevent_type = "e{i}"\npoints = 1\n' for i in range(1_001))
    with pytest.raises(RulesError, match=r"^many.toml: 1,001 rules, more than the 1,000 a rules file may hold"):
        parse_rules(many, "many.toml")
    big = _write(tmp_path / "big.toml", "# " + "x" * (1 << 20) + "\n")
    with pytest.raises(RulesError, match=r"^big.toml: the file is 1,024 KB, larger than the 1,024 KB"):
        load_rules(big)
    started = time.perf_counter()
    with pytest.raises(RulesError, match=r"^deep.toml: line 1: a key nested more than 100 levels deep"):
        parse_rules("a." * 100_000 + "b = 1\n", "deep.toml")
    with pytest.raises(RulesError, match=r"^deep.toml: not valid TOML \(lists or tables nested too deeply\)"):
        parse_rules("a = " + "[" * 100_000 + "]" * 100_000, "deep.toml")
    assert time.perf_counter() - started < 5


def test_mapping_and_status_map_files_are_bounded_too(tmp_path):
    with pytest.raises(DataImportError, match=r"^m.toml: line 2: a key nested more than 100 levels deep"):
        Mapping.from_toml("name = 'x'\n" + "a." * 10_000 + "b = 1\n", "m.toml")
    with pytest.raises(DataImportError, match=r'^m.toml: \[leads\]: \[columns\] must be a table of "header" = "target"'):
        Mapping.from_toml("[leads]\ncolumns = 5\n", "m.toml")
    status = _write(tmp_path / "s.toml", "[statuses]\nNew = 1" + "0" * 5000 + "\n")
    with pytest.raises(DataImportError, match=r"^s.toml: line 2: 'New' is a number with 5,001 digits"):
        StatusMap.load(status)


# ------------------------------------------------ hostile workbooks, devices and files that are not ours


def _bomb(member: str, size: int) -> bytes:
    """A real workbook with one part replaced by `size` bytes of one repeated character (packs ~1000:1)."""
    book = zipfile.ZipFile(io.BytesIO(_xlsx([["Record ID", "Email"], [1, "a@x.io"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in book.infolist():
            if info.filename != member:
                bomb.writestr(info, book.read(info))
        bomb.writestr(member, b"<" + b"a" * size)
    return out.getvalue()


def test_a_workbook_that_unpacks_to_hundreds_of_times_its_size_is_refused():
    data = _bomb("xl/worksheets/sheet1.xml", 60 * 2**20)
    assert len(data) < 2**20  # 60 MB packed into well under 1 MB
    with pytest.raises(DataImportError, match=r"^bomb.xlsx: the workbook unpacks to 60 MB from 0.\d MB \(\d+ times "
                                              r"its size; at most 100\), too large to import"):
        read_table(data, "bomb.xlsx")


def test_a_workbook_whose_shared_strings_are_too_large_is_refused(monkeypatch):
    monkeypatch.setattr(readers, "UNZIP_RATIO", 10_000)
    monkeypatch.setattr(readers, "MAX_SHARED_STRINGS", 8 * 2**20)
    data = _bomb("xl/sharedStrings.xml", 10 * 2**20)
    with pytest.raises(DataImportError, match=r"^strings.xlsx: its shared strings unpack to 10 MB, more than the 8 MB "
                                              r"an import reads"):
        read_table(data, "strings.xlsx")


def _bounded(code: str) -> subprocess.CompletedProcess:
    """Run Python code in a child limited to 2 GB of memory and 60 s (a reader that never stops fails, not hangs)."""
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          preexec_fn=limit, check=False)


@pytest.mark.parametrize("option", ["--contacts", "--leads-report", "--mapping"])
def test_a_device_such_as_dev_zero_is_refused_not_read_forever(tmp_path, option):
    fmt = {"--contacts": "hubspot", "--leads-report": "salesforce", "--mapping": "mapped"}[option]
    extra = ["--file", f"leads={tmp_path / 'x.csv'}"] if option == "--mapping" else []
    (tmp_path / "x.csv").write_text("id,created\n1,2024-01-01\n")
    argv = ["import", "--db", str(tmp_path / "db.duckdb"), "--format", fmt, option, "/dev/zero", *extra]
    done = _bounded(f"import sys; from smarketing.cli import main; sys.exit(main({argv!r}))")
    assert done.returncode == 1, done.stderr[-500:]
    assert "zero: not a regular file" in done.stderr


def test_a_device_is_refused_as_one_of_our_files_too(tmp_path, con):
    with pytest.raises(DataImportError, match=r"^zero: not a regular file \(/dev/zero\)"):
        store.import_files(con, {"leads": Path("/dev/zero")})
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    with pytest.raises(DataImportError, match=r"^pipe.csv: not a regular file"):
        read_table(fifo)


def test_a_file_that_grows_past_the_limit_while_read_is_refused(tmp_path, monkeypatch):
    path = _write(tmp_path / "grow.csv", LEADS)
    monkeypatch.setattr(readers, "_stat_size", lambda _path: 10)  # said to be tiny, then is not
    monkeypatch.setenv("SMARKETING_MAX_UPLOAD_MB", str(20 / 2**20))
    with pytest.raises(DataImportError, match=r"^grow.csv: the file is more than 0.0 MB"):
        read_table(path)


def test_an_error_does_not_echo_a_file_that_is_not_ours(tmp_path, con):
    secret = tmp_path / "shadow"
    secret.write_text("root:$6$saltsalt$hashhashhashhash:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n")
    link = tmp_path / "contacts.csv"
    link.symlink_to(secret)
    for action in (lambda: hubspot.prepare(read_table(link)), lambda: store.import_files(con, {"leads": link})):
        with pytest.raises(DataImportError) as caught:
            action()
        assert "hash" not in str(caught.value) and "root:" not in str(caught.value), str(caught.value)
        assert "none of them" in str(caught.value)


def test_a_value_quoted_in_an_error_is_short_and_masked(tmp_path, con):
    path = _write(tmp_path / "leads.csv", f"lead_id,created_at\nN1,{'x' * 500} call +1 415 555 0142 ann@x.io\n")
    with pytest.raises(DataImportError) as caught:
        store.import_files(con, {"leads": path})
    message = str(caught.value)
    assert "expected a timestamp" in message and len(message) < 300
    assert "xxxxx…" in message
