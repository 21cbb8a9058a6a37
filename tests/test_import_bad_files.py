"""Bad files are refused with a message naming file, line / row, column and what was expected, and the
database is left exactly as it was (nothing half-imported)."""

from pathlib import Path

import pytest

from smarketing import store
from smarketing.importers import formats, hubspot, load, read_table
from smarketing.importers.assemble import apply
from smarketing.importers.mapping import TableMapping
from smarketing.store import DataImportError

DATA = Path(__file__).parent / "data"
HS_CONTACTS = DATA / "hubspot" / "hubspot-crm-exports-all-contacts-2024-06-03.csv"
HS_DEALS = DATA / "hubspot" / "hubspot-crm-exports-all-deals-2024-06-03.csv"
CONTACTS = HS_CONTACTS.read_text("utf-8")


def counts(con):
    return store.table_counts(con)


@pytest.fixture()
def con(tmp_path):
    con = store.connect(tmp_path / "db.duckdb")
    store.import_files(con, {"leads": _write(tmp_path, "base.csv", "lead_id,created_at\nL0,2023-12-01\n")})
    yield con
    con.disconnect()


def _write(tmp_path, name, data, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(data.encode(encoding) if isinstance(data, str) else data)
    return path


def _hubspot(con, contacts, deals=None):
    return load(con, hubspot.prepare(read_table(contacts), read_table(deals) if deals else None, con=con))


def test_wrong_delimiter_in_the_header_is_refused(tmp_path, con):
    lines = CONTACTS.splitlines()
    lines[0] = lines[0].replace('","', '";"')  # header separated by semicolons, rows by commas
    path = _write(tmp_path, "contacts.csv", "\n".join(lines) + "\n")
    before = counts(con)
    with pytest.raises(DataImportError, match=r"contacts.csv: only one column found in the header, though it contains ';'"):
        _hubspot(con, path)
    assert counts(con) == before


def test_semicolon_file_from_european_excel_is_read(tmp_path):
    text = "Record ID;Create Date;Email\n1;2024-01-02 10:00;a@x.com\n2;2024-01-03 11:00;b@x.com\n"
    raw = read_table(_write(tmp_path, "semi.csv", text))
    assert raw.delimiter == ";" and raw.headers == ["Record ID", "Create Date", "Email"]


def test_byte_order_mark_and_utf16_are_understood(tmp_path, con):
    bom = _write(tmp_path, "bom.csv", b"\xef\xbb\xbf" + CONTACTS.encode("utf-8"))
    assert read_table(bom).headers[0] == "Record ID"
    result = _hubspot(con, bom)
    assert result.added["leads"] == 30
    utf16 = _write(tmp_path, "u16.csv", CONTACTS, "utf-16")
    assert read_table(utf16).frame.loc[5, "Company Name"] == "上海云创科技有限公司"


def test_not_utf8_names_the_line_and_suggests_encoding(tmp_path):
    path = _write(tmp_path, "gbk.csv", "客户编号,创建时间\nC1,2024-01-01\n", "gb18030")
    with pytest.raises(DataImportError, match=r"gbk.csv: line 1 is not valid utf-8 text .*gb18030"):
        read_table(path)
    assert read_table(path, encoding="gb18030").headers == ["客户编号", "创建时间"]


def test_mixed_date_formats_are_refused(tmp_path, con):
    text = CONTACTS.replace('"2024-01-14 10:35"', '"01/14/2024 10:35"')
    path = _write(tmp_path, "contacts.csv", text)
    before = counts(con)
    with pytest.raises(DataImportError, match=r"contacts.csv, column Create Date: mixes date formats — row 1 has "
                                              r"'2024-01-08 14:09' \(YYYY-MM-DD\) but row 2 has '01/14/2024 10:35' "
                                              r"\(MM/DD/YYYY or DD/MM/YYYY\); use one date format"):
        _hubspot(con, path)
    assert counts(con) == before


def test_mixed_day_month_order_is_refused(tmp_path):
    raw = read_table(_write(tmp_path, "l.csv", "id,created\nA,13/01/2024\nB,01/13/2024\n"))
    with pytest.raises(DataImportError, match="mixes day/month orders"):
        apply(raw, TableMapping("leads", {"id": "lead_id", "created": "created_at"}))


def test_missing_required_column_is_refused(tmp_path, con):
    text = CONTACTS.replace('"Create Date"', '"Signup"', 1)
    before = counts(con)
    with pytest.raises(DataImportError, match=r"contacts.csv: missing required column 'Create Date' \(when the "
                                              r"contact was created\)"):
        _hubspot(con, _write(tmp_path, "contacts.csv", text))
    raw = read_table(_write(tmp_path, "mapped.csv", "id,email\nA,a@x.com\n"))
    with pytest.raises(DataImportError, match=r"mapped.csv: no column is mapped to required column\(s\) created_at"):
        apply(raw, TableMapping("leads", {"id": "lead_id", "email": "email"}))
    assert counts(con) == before


def test_bad_value_in_a_later_table_leaves_nothing_half_imported(tmp_path, con):
    deals = HS_DEALS.read_text("utf-8").replace('"24000"', '"twenty-four thousand"')
    before = counts(con)
    with pytest.raises(DataImportError, match=r"hubspot-crm-exports-all-deals-2024-06-03.csv, row 3 \(line 4\), "
                                              r"column Amount: expected a number ≥ 0, got 'twenty-four thousand'"):
        _hubspot(con, HS_CONTACTS, _write(tmp_path, HS_DEALS.name, deals))
    assert counts(con) == before  # the contacts and their stage changes were rolled back too


def test_duplicate_ids_name_the_users_column(tmp_path, con):
    lines = CONTACTS.splitlines()
    path = _write(tmp_path, "dup.csv", "\n".join([*lines, lines[1]]) + "\n")
    with pytest.raises(DataImportError, match=r"dup.csv, row 31 \(line 32\), column Record ID: '10000000001' "
                                              r"appears more than once"):
        _hubspot(con, path)


def test_empty_and_header_only_files(tmp_path):
    with pytest.raises(DataImportError, match="the file is empty"):
        read_table(_write(tmp_path, "e.csv", ""))
    with pytest.raises(DataImportError, match="has a header but no data rows"):
        read_table(_write(tmp_path, "h.csv", "Record ID,Create Date\n"))


def test_excel_and_parquet_sources(tmp_path):
    import pandas as pd

    frame = pd.DataFrame({"Record ID": [1, 2], "Create Date": pd.to_datetime(["2024-01-02 10:00", "2024-01-03"], format="mixed"),
                          "Email": ["a@x.com", None]})
    frame.to_excel(tmp_path / "c.xlsx", index=False)
    frame.to_parquet(tmp_path / "c.parquet")
    for name in ("c.xlsx", "c.parquet"):
        prepared = formats.prepare("hubspot", {"contacts": tmp_path / name})
        leads = prepared.frames["leads"].data
        assert leads.lead_id.tolist() == ["1", "2"]
        assert leads.created_at.tolist() == [pd.Timestamp("2024-01-02 10:00"), pd.Timestamp("2024-01-03")]


def test_rows_with_a_different_field_count_name_the_line(tmp_path):
    text = "Record ID,Create Date,Email\n1,2024-01-02,a@x.com\n2,2024-01-03,b@x.com,extra\n"
    with pytest.raises(DataImportError, match=r"f.csv, line 3: 4 fields where the header has 3 \(read as "
                                              r"comma-separated; check the delimiter"):
        read_table(_write(tmp_path, "f.csv", text))


def test_a_header_split_otherwise_than_its_rows_names_the_line_not_no_rows(tmp_path, con):
    before = counts(con)
    path = _write(tmp_path, "leads.csv", "lead_id;created_at;company\nL9,2024-01-02,Acme\n")
    with pytest.raises(DataImportError) as refused:
        store.import_files(con, {"leads": path})
    assert str(refused.value).startswith("leads.csv, line 2: 1 field where the header has 3 (read as semicolon-separated")
    assert counts(con) == before
