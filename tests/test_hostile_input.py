"""Property-based tests over the importers and the rules parser: any input either loads or stops with a
DataImportError / RulesError (never another exception), and a failed import leaves the database exactly as
it was (every table, column and row).

Each import property runs 40 examples, each rules property 100 (an import example takes a fresh copy of a
small database); SMARKETING_HYPOTHESIS_EXAMPLES=1000 searches longer."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import os
import shutil
import string
import tempfile
from pathlib import Path

import pandas as pd
import pytest
import tomli_w
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from strategies import (
    DOC,
    HEADER,
    HUBSPOT,
    HUBSPOT_DEALS,
    LINES,
    SALESFORCE,
    SALESFORCE_OPPS,
    csv_files,
    raw_tables,
    tables,
)

from smarketing import store, timewindow
from smarketing.importers import assemble, core, hubspot, loading, mapping, read_table, salesforce
from smarketing.importers import guess as guessing
from smarketing.schema import TABLES
from smarketing.scoring.rules import Rules, RulesError
from smarketing.scoring.rules_file import dump_rules, parse_rules
from smarketing.store import DataImportError, text

EXAMPLES = int(os.environ.get("SMARKETING_HYPOTHESIS_EXAMPLES", "40"))
PROPERTY = settings(max_examples=EXAMPLES, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
RULES_PROPERTY = settings(PROPERTY, max_examples=max(EXAMPLES, 100))
# the strategies (files for our tables and the vendors' exports, rules documents) are in tests/strategies.py


def snapshot(con) -> str:
    """A checksum of every table of the database: its name, columns and types, and all its rows."""
    db = store.raw(con)
    digest = hashlib.sha256()
    for (name,) in db.execute("SELECT table_name FROM duckdb_tables() ORDER BY table_name").fetchall():
        columns = db.execute(f'DESCRIBE "{name}"').fetchall()
        rows = sorted(repr(r) for r in db.execute(f'SELECT * FROM "{name}"').fetchall())
        digest.update(repr((name, columns, rows)).encode())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def template():
    """A small database each example gets a fresh copy of: two leads (with extra columns Notes, as text, and
    score, a whole number, as earlier imports would have left them) and an event."""
    with tempfile.TemporaryDirectory() as folder:
        path, leads = Path(folder) / "template.duckdb", Path(folder) / "leads.parquet"
        pd.DataFrame({"lead_id": ["L1", "L0"], "created_at": pd.to_datetime(["2024-01-01", "2023-12-01"]),
                      "company": ["Acme", "Beta"], "Notes": ["x", None], "score": [1, 2]}).to_parquet(leads)
        events = Path(folder) / "events.csv"
        events.write_text("lead_id,ts,event_type\nL1,2024-01-02,visit\n", "utf-8")
        con = store.connect(path)
        store.import_files(con, {"leads": leads, "events": events})
        checksum = snapshot(con)
        con.disconnect()
        yield path, checksum


@contextlib.contextmanager
def fresh_copy(template: tuple[Path, str]):
    """A connection to a fresh copy of the template database, and a folder for files."""
    with tempfile.TemporaryDirectory() as folder:
        shutil.copy(template[0], Path(folder) / "db.duckdb")
        con = store.connect(Path(folder) / "db.duckdb")
        try:
            yield con, Path(folder)
        finally:
            con.disconnect()


def loads_or_refuses(template: tuple[Path, str], action) -> None:
    """On a fresh copy of the template database, `action(con, folder)` imports or raises DataImportError; on
    an error the database is exactly as before."""
    with fresh_copy(template) as (con, folder):
        try:
            action(con, folder)
        except DataImportError as exc:
            event("refused")
            assert str(exc)
            assert snapshot(con) == template[1]
        else:
            event("imported")
            assert_sane(con)


def assert_sane(con) -> None:
    """What an import let in cannot break a page or bend a number: dates inside the sane window (an open deal's
    planned close to its later end), finite numbers, ids and keys without invisible characters at either end."""
    db = store.raw(con)
    lo, hi, planned = timewindow.start(), timewindow.end(), timewindow.end(planned=True)
    for name, table in TABLES.items():
        for column in table.columns:
            col = f'"{column.name}"'
            if column.sql_type in ("TIMESTAMP", "DATE"):
                top = planned if (name, column.name) == ("deals", "closed_at") else hi
                assert not db.execute(f'SELECT count(*) FROM "{name}" WHERE {col} < ? OR {col} > ?',
                                      [lo, top]).fetchone()[0], (name, column.name)
            elif column.sql_type == "DOUBLE":
                assert not db.execute(f'SELECT count(*) FROM "{name}" WHERE NOT isfinite({col})').fetchone()[0]
            elif column.name in ("lead_id", "deal_id", "stage", "status"):
                assert not db.execute(f"SELECT count(*) FROM \"{name}\" WHERE {col} <> {text.sql_strip(col)}"
                                      ).fetchone()[0], (name, column.name)


def files(folder: Path, contents: dict[str, bytes]) -> dict[str, Path]:
    """Write {table: CSV bytes} as <table>.csv files in `folder`."""
    for table, content in contents.items():
        (folder / f"{table}.csv").write_bytes(content)
    return {table: folder / f"{table}.csv" for table in contents}


# -------------------------------------------------------------------------------- our table layout


@PROPERTY
@given(table=st.sampled_from(sorted(TABLES)), data=st.data())
def test_canonical_csv_imports_or_refuses_cleanly(template, table, data):
    content = data.draw(csv_files(table))
    loads_or_refuses(template, lambda con, folder: store.import_files(con, files(folder, {table: content})))


@PROPERTY
@given(leads=csv_files("leads"), events=csv_files("events"))
def test_two_files_in_one_import_roll_back_together(template, leads, events):
    contents = {"leads": leads, "events": events}
    loads_or_refuses(template, lambda con, folder: store.import_files(con, files(folder, contents)))


# ------------------------------------------------------------------------- vendor and mapped imports


def loaded(prepare, check_first: bool = False):
    """An action for loads_or_refuses: prepare (with the connection), then load; with `check_first` run the
    Data page's check (core.validate, in a scratch database) before."""

    def action(con, _folder) -> None:
        prepared = prepare(con)
        if check_first:
            loading.validate(con, prepared)
        loading.load(con, prepared)

    return action


@PROPERTY
@given(contacts=raw_tables(["Record ID", "Create Date"], HUBSPOT, "contacts.csv"),
       deals=st.none() | raw_tables(["Record ID", "Deal Stage", "Create Date", "Associated Contact IDs"],
                                    HUBSPOT_DEALS, "deals.csv"))
def test_hubspot_exports_import_or_refuse_cleanly(template, contacts, deals):
    loads_or_refuses(template, loaded(lambda con: hubspot.prepare(contacts(), deals() if deals else None, con=con)))


@PROPERTY
@given(leads=raw_tables(["Lead ID", "Created Date", "Lead Status"], SALESFORCE, "leads.csv"),
       opps=st.none() | raw_tables(["Opportunity ID", "Created Date"], SALESFORCE_OPPS, "opps.csv"),
       day_first=st.none() | st.booleans())
def test_salesforce_reports_import_or_refuse_cleanly(template, leads, opps, day_first):
    loads_or_refuses(template, loaded(lambda con: salesforce.prepare(leads(), opps() if opps else None,
                                                                   day_first=day_first)))


@PROPERTY
@given(table=st.sampled_from(sorted(TABLES)), data=st.data())
def test_mapped_files_import_or_refuse_cleanly(template, table, data):
    contract = TABLES[table]
    rows = data.draw(tables(contract.required, st.one_of(st.sampled_from(contract.column_names), HEADER)))
    edited = data.draw(st.none() | st.dictionaries(st.sampled_from(rows[0]) if rows[0] else st.nothing(),
                                                   st.sampled_from([*contract.column_names, mapping.IGNORE])))
    timezone = data.draw(st.sampled_from(["UTC", "Asia/Shanghai", "Mars/Olympus"]))
    day_first = data.draw(st.none() | st.booleans())
    out = io.StringIO()
    csv.writer(out).writerows(rows)

    def prepare(_con):
        raw = read_table(out.getvalue().encode("utf-8", errors="surrogatepass"), f"{table}.csv")
        columns = guessing.guess(raw, table) if edited is None else mapping.TableMapping(table, edited)
        columns.day_first = day_first
        return assemble.prepare({table: raw}, mapping.Mapping("m", {table: columns}, timezone))

    loads_or_refuses(template, loaded(prepare, check_first=True))


# ------------------------------------------------------------------- what the properties found, pinned


def _canonical(template, *texts: str) -> None:
    """Import each leads CSV text in turn into one copy of the template; a refusal changes nothing."""
    with fresh_copy(template) as (con, folder):
        for text in texts:
            before = snapshot(con)
            try:
                store.import_files(con, files(folder, {"leads": text.encode("utf-8")}))
            except DataImportError:
                assert snapshot(con) == before
                raise


def test_a_rowid_or_nul_header_is_refused_not_run_as_sql(template):
    for header, message in (("RowID", "a column may not be called 'RowID'"), ("a\x00b", "contains a NUL")):
        with pytest.raises(DataImportError, match=message):
            _canonical(template, f"lead_id,created_at,{header}\nN1,2024-01-01,0; DROP TABLE leads\n")
    assert core.extra_name("RowID") == "row_id"


def test_extra_columns_differing_only_in_case_share_one_column(template):
    _canonical(template, "lead_id,created_at,NOTES\nN1,2024-01-01,y\n", "lead_id,created_at,notes\nN2,2024-01-01,z\n")


def test_an_extra_column_keeps_its_type_and_empty_ones_become_text(template):
    with pytest.raises(DataImportError, match=r"leads.csv, row 1 \(line 2\), column score: expected a value of type "
                                              r"BIGINT \(the type this column got in an earlier import\), got 'NaN'"):
        _canonical(template, "lead_id,created_at,score\nN1,2024-01-01,NaN\n")
    contacts = b"Record ID,Create Date,Remarks\n1,2024-01-01 10:00,\n"
    con = store.connect(":memory:")
    loading.load(con, hubspot.prepare(read_table(contacts, "c.csv")))
    assert con.table("leads").schema()["remarks"].is_string()


def test_salesforce_dates_after_2262_are_read_and_then_refused_by_the_sane_window(template):
    text = b"Lead ID,Created Date,Lead Status\n00Q1,2263-01-01 00:00,New\n"
    prepared = salesforce.prepare(read_table(text, "leads.csv"))
    assert prepared.frames["stage_changes"].data["entered_at"].dt.year.tolist() == [2263]  # read, no overflow
    with fresh_copy(template) as (con, _folder), pytest.raises(DataImportError, match="today \\+ 5 years"):
        loading.load(con, prepared)


# ------------------------------------------------------------------------------------------- rules











def parses_or_refuses(text: str) -> None:
    """parse_rules gives Rules or RulesError; rules that parse are written back and read the same."""
    try:
        rules = parse_rules(text, "rules.toml")
    except RulesError as exc:
        event("refused")
        assert str(exc).startswith("rules.toml: ")
        return
    event("parsed")
    assert isinstance(rules, Rules)
    assert parse_rules(dump_rules(rules), "rules.toml") == rules


@RULES_PROPERTY
@given(st.text(max_size=200) | st.text(alphabet=string.printable, max_size=200))
def test_any_text_parses_or_gives_a_rules_error(text):
    parses_or_refuses(text)


@RULES_PROPERTY
@given(st.lists(st.one_of(LINES, st.text(alphabet=string.printable, max_size=20)), max_size=25))
def test_toml_like_lines_parse_or_give_a_rules_error(lines):
    parses_or_refuses("\n".join(lines))


@RULES_PROPERTY
@given(DOC)
def test_generated_rules_documents_parse_or_give_a_rules_error(doc):
    try:
        text = tomli_w.dumps(doc)
    except (TypeError, ValueError):  # a document TOML cannot hold (e.g. a number beyond TOML's range)
        return
    parses_or_refuses(text)
