"""Values that pass a first look but would break a page or bend a number are refused at import, on every path
(our CSV / Parquet layout, HubSpot, Salesforce, mapped files), naming file, row, column and what was expected;
the database is left exactly as it was."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from smarketing import store, timewindow
from smarketing.importers import assemble, hubspot, load, read_table, salesforce
from smarketing.importers.mapping import Mapping, TableMapping
from smarketing.store import DataImportError


@pytest.fixture()
def con(tmp_path):
    con = store.connect(tmp_path / "db.duckdb")
    (tmp_path / "base.csv").write_text("lead_id,created_at\nL0,2023-12-01\n", "utf-8")
    store.import_files(con, {"leads": tmp_path / "base.csv"})
    yield con
    con.disconnect()


def _file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def _refused(con, action, message: str) -> None:
    """`action()` raises DataImportError matching `message`; the database is unchanged."""
    before = store.table_counts(con)
    with pytest.raises(DataImportError, match=message):
        action()
    assert store.table_counts(con) == before


WINDOW = r"expected a timestamp from 1970-01-01 to \d{4}-\d\d-\d\d \(today \+ 5 years\)"


# ------------------------------------------------------------------ 1. timestamps outside the sane window


@pytest.mark.parametrize("value", ["9999-12-31", "infinity", "294247-01-01", "2263-01-01", "1969-12-31 23:59"])
def test_a_lead_created_outside_the_sane_window_is_refused_in_our_csv(tmp_path, con, value):
    path = _file(tmp_path, "leads.csv", f"lead_id,created_at\nN1,2024-01-01\nN2,{value}\n")
    _refused(con, lambda: store.import_files(con, {"leads": path}),
             rf"^leads.csv, row 2 \(line 3\), column created_at: {WINDOW}, got '{value}'")


def test_a_stage_date_outside_the_window_is_refused_in_parquet(tmp_path, con):
    path = tmp_path / "stage_changes.parquet"
    pd.DataFrame({"lead_id": ["L0", "L0"], "stage": ["Lead", "MQL"],
                  "entered_at": pd.to_datetime(["2024-01-01", "2263-01-01"]).astype("datetime64[us]")}).to_parquet(path)
    _refused(con, lambda: store.import_files(con, {"stage_changes": path}),
             rf"^stage_changes.parquet, row 2 \(line 3\), column entered_at: {WINDOW}")


def test_a_hubspot_contact_created_in_9999_is_refused(con):
    contacts = b"Record ID,Create Date,Email\n1,2024-01-02 10:00,a@x.com\n2,9999-12-31 10:00,b@x.com\n"
    _refused(con, lambda: load(con, hubspot.prepare(read_table(contacts, "contacts.csv"), con=con)),
             rf"^contacts.csv, row 2 \(line 3\), column Create Date: {WINDOW}")


def test_a_salesforce_lead_created_after_2262_is_refused(con):
    report = b"Lead ID,Created Date,Lead Status\n00Q1,2263-01-01 00:00,New\n"
    _refused(con, lambda: load(con, salesforce.prepare(read_table(report, "leads.csv"))),
             rf"^leads.csv, row 1 \(line 2\), column Created Date: {WINDOW}")


def test_a_mapped_file_with_a_lead_before_1970_is_refused(con):
    raw = read_table(b"id,signup\nA1,1969-07-20\n", "signups.csv")
    tm = TableMapping("leads", {"id": "lead_id", "signup": "created_at"})
    _refused(con, lambda: load(con, assemble.prepare({"leads": raw}, Mapping("m", {"leads": tm}))),
             rf"^signups.csv, row 1 \(line 2\), column signup: {WINDOW}")


def test_an_open_deal_may_close_later_than_a_won_one(tmp_path, con):
    later = timewindow.latest().replace(year=timewindow.latest().year + 10).isoformat()
    ok = _file(tmp_path, "deals.csv", f"deal_id,lead_id,created_at,closed_at,status\nD1,L0,2024-01-01,{later},open\n")
    store.import_files(con, {"deals": ok})
    won = _file(tmp_path, "won.csv", f"deal_id,lead_id,created_at,closed_at,status\nD2,L0,2024-01-01,{later},won\n")
    _refused(con, lambda: store.import_files(con, {"deals": won}),
             rf"^won.csv, row 1 \(line 2\), column closed_at: {WINDOW}")
    never = _file(tmp_path, "never.csv", "deal_id,lead_id,created_at,closed_at,status\nD3,L0,2024-01-01,9999-12-31,open\n")
    _refused(con, lambda: store.import_files(con, {"deals": never}),
             r"column closed_at: expected a timestamp from 1970-01-01 to \d{4}-\d\d-\d\d \(today \+ 30 years\) for "
             r"the planned close of an open deal")


# ---------------------------------------------------------------- 2. events in year 1-1000 or after 2262


@pytest.mark.parametrize("ts", ["0005-01-01", "1000-06-30 12:00", "2263-01-01", "292277-01-01"])
def test_an_event_in_year_5_or_after_2262_is_refused(tmp_path, con, ts):
    path = _file(tmp_path, "events.csv", f"lead_id,ts,event_type,channel\nL0,2024-01-02,page_view,Email\nL0,{ts},"
                                         f"demo_request,Email\n")
    _refused(con, lambda: store.import_files(con, {"events": path}),
             rf"^events.csv, row 2 \(line 3\), column ts: {WINDOW}, got '{ts}'")
    raw = read_table(f"who,when,what\nL0,{ts},visit\n".encode(), "activity.csv")
    tm = TableMapping("events", {"who": "lead_id", "when": "ts", "what": "event_type"})
    if ts.startswith("292277"):
        return  # not a date the mapped reader knows (a 6-digit year)
    _refused(con, lambda: load(con, assemble.prepare({"events": raw}, Mapping("m", {"events": tm}))),
             rf"^activity.csv, row 1 \(line 2\), column when: {WINDOW}")


# ------------------------------------------------------------------------ 3. numbers that are not finite


@pytest.mark.parametrize("amount", ["NaN", "inf", "-inf", "1e999", "Infinity"])
def test_a_deal_amount_that_is_not_a_finite_number_is_refused(tmp_path, con, amount):
    path = _file(tmp_path, "deals.csv", f"deal_id,lead_id,created_at,status,amount\nD1,L0,2024-01-01,won,{amount}\n")
    _refused(con, lambda: store.import_files(con, {"deals": path}),
             rf"^deals.csv, row 1 \(line 2\), column amount: expected a number ≥ 0, got '{amount}' \(not a finite "
             rf"number\)")


def test_a_spend_cost_of_nan_is_refused_in_a_mapped_file(con):
    raw = read_table(b"day,channel,spent\n2024-03-01,Ads,100\n2024-03-02,Ads,NaN\n", "spend.csv")
    tm = TableMapping("spend", {"day": "date", "channel": "source_group", "spent": "cost"})
    _refused(con, lambda: load(con, assemble.prepare({"spend": raw}, Mapping("m", {"spend": tm}))),
             r"^spend.csv, row 2 \(line 3\), column spent: expected a number ≥ 0, got 'NaN' \(not a finite number\)")


def test_a_hubspot_deal_amount_of_1e999_is_refused(con):
    contacts = read_table(b"Record ID,Create Date\n1,2024-01-02 10:00\n", "contacts.csv")
    deals = read_table(b"Record ID,Deal Stage,Create Date,Amount,Associated Contact IDs\n"
                       b"9,closedwon,2024-02-01 10:00,1e999,1\n", "deals.csv")
    _refused(con, lambda: load(con, hubspot.prepare(contacts, deals, con=con)),
             r"^deals.csv, row 1 \(line 2\), column Amount: expected a number ≥ 0, got '1e999' \(not a finite")


def test_an_extra_number_column_that_is_not_finite_is_refused(tmp_path, con):
    path = tmp_path / "leads.parquet"
    pd.DataFrame({"lead_id": ["N1", "N2"], "created_at": pd.to_datetime(["2024-01-01"] * 2),
                  "score": [1.5, float("inf")]}).to_parquet(path)
    _refused(con, lambda: store.import_files(con, {"leads": path}),
             r"^leads.parquet, row 2 \(line 3\), column score: expected a finite number, got 'inf'")
    raw = read_table(b"id,signup,visits\nA1,2024-03-01,3\nA2,2024-03-01,1e999\n", "signups.csv")
    tm = TableMapping("leads", {"id": "lead_id", "signup": "created_at"})
    _refused(con, lambda: load(con, assemble.prepare({"leads": raw}, Mapping("m", {"leads": tm}))),
             r"^signups.csv, row 2 \(line 3\), column visits: expected a finite number, got 'inf'")


def test_an_infinite_value_is_refused_in_an_extra_column_that_is_already_a_number(tmp_path, con):
    store.import_files(con, {"leads": _file(tmp_path, "a.csv", "lead_id,created_at,score\nN1,2024-01-01,1.5\n")})
    path = _file(tmp_path, "b.csv", "lead_id,created_at,score\nN2,2024-01-01,-Infinity\n")
    _refused(con, lambda: store.import_files(con, {"leads": path}),
             r"^b.csv, row 1 \(line 2\), column score: expected a finite number \(the type DOUBLE this column got in "
             r"an earlier import\), got '-Infinity'")


# ---------------------------------------------------------------------------------- 4. decimal commas


def _amounts(con) -> list[float]:
    return [r[0] for r in store.raw(con).execute("SELECT amount FROM deals ORDER BY deal_id").fetchall()]


DEALS = "deal_id;lead_id;created_at;status;amount\n"


def test_a_decimal_comma_is_read_as_one_not_as_thousands(tmp_path, con):
    path = _file(tmp_path, "deals.csv", DEALS + "D1;L0;2024-01-01;won;1,5\nD2;L0;2024-01-02;won;1.234,56\n"
                                                "D3;L0;2024-01-03;won;1.250.000\nD4;L0;2024-01-04;won;7\n")
    store.import_files(con, {"deals": path})
    assert _amounts(con) == [1.5, 1234.56, 1250000.0, 7.0]  # not 15, 1.23456, an error


def test_a_decimal_comma_in_a_hubspot_export_is_read_as_one(con):
    contacts = read_table(b"Record ID,Create Date,Number of Employees\n1,2024-01-02 10:00,1.200\n"
                          b"2,2024-01-02 11:00,\"2,5\"\n", "contacts.csv")
    deals = read_table(b"Record ID;Deal Stage;Create Date;Amount;Associated Contact IDs\n"
                       b"9;closedwon;2024-02-01 10:00;1.234,56;1\n8;closedwon;2024-02-01 10:00;EUR 2.000,5;1\n",
                       "deals.csv")
    load(con, hubspot.prepare(contacts, deals, con=con))
    assert _amounts(con) == [2000.5, 1234.56]
    employees = store.raw(con).execute("SELECT employees FROM leads WHERE lead_id = '1'").fetchone()[0]
    assert employees == 1200  # the contacts file says decimal comma ("2,5"): 1.200 is twelve hundred


def test_a_decimal_comma_in_a_mapped_file_and_in_its_extra_columns(con):
    raw = read_table(b"id;signup;won;score\nA1;2024-03-01;1.234,5;0,75\nA2;2024-03-02;3,25;1\n", "m.csv")
    tm = TableMapping("deals", {"id": ["deal_id", "lead_id"], "signup": "created_at", "won": "amount"},
                      constants={"status": "won"})
    leads = read_table(b"id;signup\nA1;2024-03-01\nA2;2024-03-02\n", "l.csv")
    load(con, assemble.prepare({"leads": leads, "deals": raw},
                               Mapping("m", {"leads": TableMapping("leads", {"id": "lead_id", "signup": "created_at"}),
                                             "deals": tm})))
    assert _amounts(con) == [1234.5, 3.25]
    assert store.raw(con).execute("SELECT score FROM deals ORDER BY deal_id").fetchall() == [(0.75,), (1.0,)]


@pytest.mark.parametrize("value", ["1,234", "1.500"])
def test_an_ambiguous_decimal_separator_is_refused_until_the_user_says_which(tmp_path, con, value):
    path = _file(tmp_path, "deals.csv", DEALS + f"D1;L0;2024-01-01;won;{value}\nD2;L0;2024-01-02;won;12\n")
    as_point, as_comma = value.replace(",", ""), value.replace(".", "").replace(",", ".")
    _refused(con, lambda: store.import_files(con, {"deals": path}),
             rf"^deals.csv, row 1 \(line 2\), column amount: '{value}' reads as {as_point} with a decimal point and as "
             rf"{as_comma} with a decimal comma, and no other number of the file says which; say which: "
             rf"--decimal-comma or --decimal-point")
    store.import_files(con, {"deals": path}, decimal="comma")
    assert _amounts(con) == [float(as_comma), 12.0]


def test_a_file_mixing_decimal_comma_and_point_is_refused(tmp_path, con):
    path = _file(tmp_path, "deals.csv", DEALS + "D1;L0;2024-01-01;won;1,5\nD2;L0;2024-01-02;won;2.5\n")
    _refused(con, lambda: store.import_files(con, {"deals": path}),
             r"^deals.csv, row 2 \(line 3\), column amount: '2.5' has a decimal point \(1,234.56\), but row 1 \('1,5' "
             r"in column amount\) a decimal comma \(1.234,56\): write every number of the file one way")
    _refused(con, lambda: store.import_files(con, {"deals": path}, decimal="comma"),
             r"row 2 \(line 3\), column amount: '2.5' is written with a decimal point \(1,234.56\), but this file's "
             r"numbers were said to use a decimal comma")


def test_decimal_comma_flag_on_the_command_line(tmp_path):
    from test_cli import run

    db = str(tmp_path / "crm.duckdb")
    leads = _file(tmp_path, "leads.csv", "lead_id,created_at\nL0,2024-01-01\n")
    deals = _file(tmp_path, "deals.csv", DEALS + "D1;L0;2024-01-01;won;1.500\n")
    code, _, err = run("import", "--db", db, "--leads", str(leads), "--deals", str(deals))
    assert code == 1 and "say which: --decimal-comma or --decimal-point" in err
    code, out, err = run("import", "--db", db, "--leads", str(leads), "--deals", str(deals), "--decimal-comma")
    assert code == 0, err
    contacts = _file(tmp_path, "contacts.csv", 'Record ID,Create Date,Number of Employees\n7,2024-01-02 10:00,"1,500"\n')
    code, out, err = run("import", "--db", db, "--format", "hubspot", "--contacts", str(contacts), "--decimal-point")
    assert code == 0, err
    con = store.connect(db, read_only=True)
    assert store.raw(con).execute("SELECT amount FROM deals").fetchall() == [(1500.0,)]
    assert store.raw(con).execute("SELECT employees FROM leads WHERE lead_id = '7'").fetchall() == [(1500,)]
    con.disconnect()


def test_the_data_page_asks_for_the_decimal_separator_when_the_file_cannot_say(tmp_path, monkeypatch):
    from apptest import run_page

    path = tmp_path / "crm.duckdb"
    store.connect(path).disconnect()
    monkeypatch.setenv("SMARKETING_DB", str(path))
    at = run_page("data")
    contacts = b"Record ID,Create Date\n1,2024-01-02 10:00\n"
    deals = b"Record ID;Deal Stage;Create Date;Amount;Associated Contact IDs\n9;closedwon;2024-02-01 10:00;1.500;1\n"
    at.file_uploader(key="hs_contacts").set_value(("contacts.csv", contacts, "text/csv")).run()
    at.file_uploader(key="hs_deals").set_value(("deals.csv", deals, "text/csv")).run()
    assert "'1.500' reads as 1.500 with a decimal point and as 1500 with a decimal comma" in at.error[0].value
    at.selectbox(key="hs_decimal").set_value("comma").run()
    assert not at.error and not at.exception
    assert "Checked (add new): Leads: 1 added" in " ".join(s.value for s in at.success)
    deals_preview = [d.value for d in at.dataframe if "Amount" in d.value.columns][0]
    assert deals_preview["Amount"].tolist() == ["1500"]


# ------------------------------------------------------------------------------ 5. duplicate headers


@pytest.mark.parametrize("header,twice", [("lead_id,created_at,lead_id", "lead_id' appears twice in the header "
                                                                        r"\(columns 1 and 3\)"),
                                          ("lead_id;created_at;Notes;NOTES", "NOTES' appears twice in the header "
                                                                             r"\(columns 3 and 4\)"),
                                          ('"lead_id","created_at"," Score","score "', "score ' appears twice")])
def test_duplicate_headers_are_refused_in_our_csv(tmp_path, con, header, twice):
    delimiter = ";" if ";" in header else ","
    row = delimiter.join(["N1", "2024-01-01"] + ["x"] * (header.count(delimiter) - 1))
    path = _file(tmp_path, "leads.csv", f"{header}\n{row}\n")
    _refused(con, lambda: store.import_files(con, {"leads": path}), rf"^leads.csv: column '{twice}")


def test_duplicate_headers_are_refused_in_parquet_and_in_every_other_path(tmp_path, con):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "leads.parquet"
    pq.write_table(pa.table([pa.array(["N1"]), pa.array(["2024-01-01"]), pa.array(["N2"])],
                            names=["lead_id", "created_at", "LEAD_ID"]), path)
    _refused(con, lambda: store.import_files(con, {"leads": path}),
             r"^leads.parquet: column 'LEAD_ID' appears twice in the header \(columns 1 and 3\)")
    with pytest.raises(DataImportError, match=r"^contacts.csv: column 'EMAIL' appears twice in the header"):
        read_table(b"Record ID,Create Date,Email,EMAIL\n1,2024-01-01,a@x.io,b@x.io\n", "contacts.csv")


# ------------------------------------------------------- 6. ids with invisible characters at either end

INVISIBLE = ["\t", "\u200b", "\u00a0", "\ufeff", "\u2060", "\u3000", "\x0b"]


@pytest.mark.parametrize("mark", INVISIBLE)
def test_an_id_with_a_trailing_tab_or_zero_width_space_is_the_same_id(tmp_path, con, mark):
    path = _file(tmp_path, "leads.csv", f'lead_id,created_at\nN1,2024-01-01\n"{mark}N1{mark}",2024-01-02\n')
    _refused(con, lambda: store.import_files(con, {"leads": path}),
             r"^leads.csv, row 2 \(line 3\), column lead_id: 'N1' appears more than once in the file")
    events = _file(tmp_path, "events.csv", f'lead_id,ts,event_type\n"L0{mark}",2024-01-02,"{mark}visit"\n')
    store.import_files(con, {"events": events})
    assert store.raw(con).execute("SELECT lead_id, event_type FROM events").fetchall() == [("L0", "visit")]


def test_ids_and_keys_are_cleaned_on_every_path(tmp_path, con):
    contacts = read_table("Record ID,Create Date,Email\n\u200b7\u200b,2024-01-02 10:00,\u2060a@x.io\t\n".encode(),
                          "contacts.csv")
    deals = read_table("Record ID,Deal Stage,Create Date,Associated Contact IDs\n9\u00a0,closedwon,2024-02-01 10:00,"
                       "\"3; 7\u200b\"\n".encode(), "deals.csv")
    assert contacts.frame.iloc[0].tolist() == ["7", "2024-01-02 10:00", "a@x.io"]
    load(con, hubspot.prepare(contacts, deals, con=con))
    assert store.raw(con).execute("SELECT deal_id, lead_id FROM deals").fetchall() == [("9", "7")]
    path = tmp_path / "more.parquet"
    pd.DataFrame({"lead_id": ["\ufeffP1\u200d"], "created_at": ["2024-01-01"]}).to_parquet(path)
    store.import_files(con, {"leads": path})
    assert store.raw(con).execute("SELECT count(*) FROM leads WHERE lead_id = 'P1'").fetchone()[0] == 1


def test_the_format_characters_list_is_unicodes():
    import unicodedata

    from smarketing.store import text

    listed = re.compile(f"[{text.FORMAT_CHARACTERS}]")
    every = [chr(c) for c in range(0x110000)]
    assert {c for c in every if listed.fullmatch(c)} == {c for c in every if unicodedata.category(c) == "Cf"}
    assert text.strip_edges("\u200b\t L 1\u00a0\x00") == "L 1"


# ----------------------------------------------------------------- 14. clock times summer time repeats or skips


def _contacts_at(when: str, timezone: str = "America/New_York"):
    raw = read_table(f"Record ID,Create Date\n1,2024-01-02 10:00\n2,{when}\n".encode(), "contacts.csv")
    return hubspot.prepare(raw, timezone=timezone)


def test_a_clock_time_summer_time_repeats_is_read_as_its_first_occurrence(con):
    prepared = _contacts_at("2024-11-03 01:30")  # New York's clocks go 01:59 EDT → 01:00 EST that night
    created = prepared.frames["leads"].data["created_at"].tolist()
    assert created[1] == pd.Timestamp("2024-11-03 05:30")  # 01:30 EDT (UTC-4), the first of the two 01:30s
    assert ("contacts.csv, column Create Date: 1 time(s) fall in the hour the clocks repeat when summer time ends in "
            "America/New_York (e.g. '2024-11-03 01:30'); read as the first of the two (summer time).") in prepared.notes
    load(con, prepared)


def test_a_clock_time_summer_time_skips_is_read_an_hour_later(con):
    prepared = _contacts_at("2024-03-10 02:30")  # 02:00 EST → 03:00 EDT: 02:30 never happened
    assert prepared.frames["leads"].data["created_at"].tolist()[1] == pd.Timestamp("2024-03-10 07:30")  # 03:30 EDT
    assert any("skip when summer time starts in America/New_York (e.g. '2024-03-10 02:30'); read one hour later"
               in note for note in prepared.notes)


def test_the_command_line_says_how_a_repeated_clock_time_was_read(tmp_path):
    from test_cli import run

    contacts = _file(tmp_path, "contacts.csv", "Record ID,Create Date\n1,2024-11-03 01:30\n")
    code, out, err = run("import", "--db", str(tmp_path / "crm.duckdb"), "--format", "hubspot", "--contacts",
                         str(contacts), "--timezone", "America/New_York")
    assert code == 0, err
    assert "note: contacts.csv, column Create Date: 1 time(s) fall in the hour the clocks repeat" in err


# --------------------------------------------------------- 15. a file DuckDB cannot read names the line


SNIFF_FAILS = ('lead_id,created_at\n,"q\na"b\t"q\n"q\ta"b\t\tx\t2024-01-01\n||2024-01-01|x|\n"q;x\nx,1\n2024-01-01;a"b\n'
               'x;a"b\na"b\n;a"b\n2024-01-01,"q,1\na"b\na"b\t"q\t2024-01-01\tx\t\na"b|2024-01-01\n')


def test_a_file_duckdb_cannot_sniff_names_the_line(tmp_path, con):
    path = _file(tmp_path, "leads.csv", SNIFF_FAILS)
    _refused(con, lambda: store.import_files(con, {"leads": path}), r"^leads.csv, line \d+: ")


@pytest.mark.parametrize("body,line,message", [
    ("".join(f"N{i},2024-01-01\n" for i in range(50)) + "N99,2024-01-02,extra,more\n", 52,
     "4 fields where the header has 2"),
    ("N1,2024-01-01\nN2;x;y;z\n", 3, "1 field where the header has 2"),
    ("N1,2024-01-01\n\"N2,2024-01-02\nN3,2024-01-03\n", 3, "a quote opened on this line is never closed"),
])
def test_a_row_that_does_not_fit_the_header_names_its_line(tmp_path, con, body, line, message):
    path = _file(tmp_path, "leads.csv", "lead_id,created_at\n" + body)
    _refused(con, lambda: store.import_files(con, {"leads": path}), rf"^leads.csv, line {line}: {message}")
