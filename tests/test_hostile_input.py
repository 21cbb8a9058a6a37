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
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
import tomli_w
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from smarketing import store
from smarketing.importers import core, hubspot, mapping, read_table, salesforce
from smarketing.importers.readers import ENCODINGS
from smarketing.schema import TABLES
from smarketing.scoring.rules import Rules, RulesError
from smarketing.scoring.rules_file import dump_rules, parse_rules
from smarketing.store import DataImportError

EXAMPLES = int(os.environ.get("SMARKETING_HYPOTHESIS_EXAMPLES", "40"))
PROPERTY = settings(max_examples=EXAMPLES, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
RULES_PROPERTY = settings(PROPERTY, max_examples=max(EXAMPLES, 100))

# ------------------------------------------------------------------------------------- generators

TRICKY = ["", " ", "L1", "L2", "l1 ", "2024-01-01", "2024-01-01T10:00:00Z", "2024-13-45", "01/02/2024", "14.03.2024",
          "2024年3月14日", "1717406088456", "1,200", "-5", "1e999", "NaN", "inf", "USD 12,000.00", "51-200", "won",
          "Closed Won", "lost", "open", "Lead", "MQL", "customer", '=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0",
          "@SUM(A1)", '"', '""', "a,b", "a;b", "a\tb", "line\nbreak", "\r", "null", "None", "Ωμέγα", "客户", "🙂",
          "\x00", "\ufeff", "x" * 300]
CELL = st.one_of(st.sampled_from(TRICKY), st.text(max_size=10), st.integers(-10**20, 10**20).map(str),
                 st.floats().map(str), st.datetimes().map(str))
EXTRA_HEADERS = ["email", "Email", " company ", "employees", "EMPLOYEES", "channel", "campaign", "country", "x",
                 "=cmd", "", "naïve", 'a"b', "extra col", "lead_id", "LEAD_ID", "created_at", "ts", "_stage_name",
                 "rowid", "RowID", "stage", "status"]
HEADER = st.one_of(st.sampled_from(EXTRA_HEADERS), st.text(max_size=8))
BENIGN_HEADER = st.sampled_from(["email", "company", "title", "Notes", "Region Code", "客户等级"])

# Valid values per column (ours and the vendors'), so that imports also get through to the checks
NEW_ID = st.uuids().map(lambda u: u.hex[:10].upper())
KNOWN_LEAD = st.sampled_from(["L0", "L1"])
WHEN = st.datetimes(datetime(2000, 1, 1), datetime(2030, 12, 31)).map(lambda d: d.isoformat(sep=" ")[:16])
AMOUNT = st.integers(0, 10**7).map(str)
VALID = {
    **dict.fromkeys(["deal_id", "Record ID", "Lead ID", "Opportunity ID", "Converted Opportunity ID"], NEW_ID),
    "lead_id": KNOWN_LEAD | NEW_ID, "Associated Contact IDs": KNOWN_LEAD | NEW_ID,
    **dict.fromkeys(["created_at", "ts", "entered_at", "dispatched_at", "accepted_at", "closed_at", "date",
                     "Create Date", "Created Date", "Close Date", "Converted Date", "Last Modified Date",
                     "Became a Lead Date", "Became a Customer Date"], WHEN),
    **dict.fromkeys(["employees", "amount", "cost", "impressions", "clicks", "Amount", "Number of Employees"],
                    AMOUNT),
    **dict.fromkeys(["stage", "Lifecycle Stage"], st.sampled_from(["Lead", "mql", "SQL", "customer", "prospect"])),
    "status": st.sampled_from(["open", "won", "lost", "Won"]),
    "event_type": st.sampled_from(["visit", "webinar", "demo_request"]),
    "Lead Status": st.sampled_from(["Open - Not Contacted", "Working - Contacted", "Closed - Converted", "New"]),
    **dict.fromkeys(["Deal Stage", "Stage"], st.sampled_from(["closedwon", "Closed Lost", "appointmentscheduled"])),
    **dict.fromkeys(["Converted", "Won", "Closed"], st.sampled_from(["true", "false", "1", "0"])),
}


@st.composite
def tables(draw, required: list[str], extra=HEADER, valid_here: dict | None = None,
           hostile: bool | None = None) -> list[list[str]]:
    """A header row and up to 5 rows. A benign table has the required columns, a few plain extra ones and valid
    values in known columns; a hostile one (about half) may drop required columns, add odd or duplicate
    headers, put anything in any cell and give rows the wrong width. `valid_here`: this table's valid values
    where they differ from VALID's."""
    hostile = draw(st.booleans()) if hostile is None else hostile
    valid = VALID | (valid_here or {})
    if hostile:
        header = [h for h in required if draw(st.integers(0, 9))] + draw(st.lists(extra, max_size=4))
    else:
        header = required + draw(st.lists(BENIGN_HEADER, max_size=3, unique=True))
    header = list(draw(st.permutations(header)))
    ragged = hostile and draw(st.integers(0, 3)) == 0
    body = []
    for _ in range(draw(st.integers(0 if hostile else 1, 5))):
        row = [draw(st.one_of(valid[h], valid[h], CELL) if hostile else valid[h]) if h in valid else draw(CELL)
               for h in header]
        if ragged:
            row = row[: draw(st.integers(0, len(row)))] + draw(st.lists(CELL, max_size=1))
        body.append(row)
    return [header, *body]


@st.composite
def csv_files(draw, table: str) -> bytes:
    """A file for one of our tables: CSV bytes properly quoted (any delimiter) or naively joined; a hostile
    file may also have a byte-order mark, an invalid UTF-8 byte or be cut short."""
    hostile = draw(st.booleans())
    ids = {"lead_id": NEW_ID if table == "leads" else KNOWN_LEAD}
    rows = draw(tables(TABLES[table].required, valid_here=ids, hostile=hostile))
    if not hostile or draw(st.booleans()):
        out = io.StringIO()
        csv.writer(out, delimiter=draw(st.sampled_from(",;\t|"))).writerows(rows)
        text = out.getvalue()
    else:
        text = "".join(",".join(row) + "\n" for row in rows)
    data = text.encode("utf-8", errors="surrogatepass")
    damage = draw(st.sampled_from(["none", "bom", "bad_byte", "truncate"])) if hostile else "none"
    if damage == "bom":
        data = b"\xef\xbb\xbf" + data
    elif damage == "bad_byte":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + b"\xff" + data[at:]
    elif damage == "truncate":
        data = data[: draw(st.integers(0, len(data)))]
    return data


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

HUBSPOT = ["Record ID", "Create Date", "Email", "Company Name", "Number of Employees", "Country/Region",
           "Lifecycle Stage", "Became a Lead Date", "Became a Customer Date", "Became an Unicorn Date", "Notes",
           "Score"]
HUBSPOT_DEALS = ["Record ID", "Deal Stage", "Create Date", "Close Date", "Amount", "Associated Contact IDs"]
SALESFORCE = ["Lead ID", "Created Date", "Lead Status", "Lead Source", "Converted", "Converted Date",
              "Converted Opportunity ID", "Last Modified Date", "NOTES", "score"]
SALESFORCE_OPPS = ["Opportunity ID", "Created Date", "Close Date", "Stage", "Amount", "Won", "Closed"]


def raw_tables(required: list[str], optional: list[str], name: str):
    """Files with vendor-like headers and hostile cells, as a function reading one in (read_table, in some
    encoding) to call inside the import under test."""

    def reader(table: list[list[str]], encoding: str):
        out = io.StringIO()
        csv.writer(out).writerows(table)
        return lambda: read_table(out.getvalue().encode("utf-8", errors="surrogatepass"), name, encoding)

    encodings = st.sampled_from(["auto"] * 4 + list(ENCODINGS))
    return st.builds(reader, tables(required, st.one_of(st.sampled_from(optional), HEADER)), encodings)


def loaded(prepare, check_first: bool = False):
    """An action for loads_or_refuses: prepare (with the connection), then load; with `check_first` run the
    Data page's check (core.validate, in a scratch database) before."""

    def action(con, _folder) -> None:
        prepared = prepare(con)
        if check_first:
            core.validate(con, prepared)
        core.load(con, prepared)

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
        columns = mapping.guess(raw, table) if edited is None else mapping.TableMapping(table, edited)
        columns.day_first = day_first
        return mapping.prepare({table: raw}, mapping.Mapping("m", {table: columns}, timezone))

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
    assert mapping.extra_name("RowID") == "row_id"


def test_extra_columns_differing_only_in_case_share_one_column(template):
    _canonical(template, "lead_id,created_at,NOTES\nN1,2024-01-01,y\n", "lead_id,created_at,notes\nN2,2024-01-01,z\n")


def test_an_extra_column_keeps_its_type_and_empty_ones_become_text(template):
    with pytest.raises(DataImportError, match=r"leads.csv, row 1 \(line 2\), column score: expected a value of type "
                                              r"BIGINT \(the type this column got in an earlier import\), got 'NaN'"):
        _canonical(template, "lead_id,created_at,score\nN1,2024-01-01,NaN\n")
    contacts = b"Record ID,Create Date,Remarks\n1,2024-01-01 10:00,\n"
    con = store.connect(":memory:")
    core.load(con, hubspot.prepare(read_table(contacts, "c.csv")))
    assert con.table("leads").schema()["remarks"].is_string()


def test_salesforce_dates_after_2262_import():
    text = b"Lead ID,Created Date,Lead Status\n00Q1,2263-01-01 00:00,New\n"
    frames = salesforce.prepare(read_table(text, "leads.csv")).frames
    assert frames["stage_changes"].data["entered_at"].dt.year.tolist() == [2263]


# ------------------------------------------------------------------------------------------- rules

KEYS = ["name", "version", "date", "thresholds", "fit", "interest", "bonus", "decay", "column", "points", "equals",
        "in", "min", "max", "contains", "matches", "present", "event_type", "cap", "min_count", "within_days", "mode",
        "half_life_days", "window_days", "combined", "description", "owner"]
SCALAR = st.one_of(st.integers(-10**30, 10**30), st.floats(), st.text(max_size=8), st.booleans(), st.dates(),
                   st.builds(pow, st.just(10), st.just(4000)), st.sampled_from([1e308, -0.0, "(", "a{99999999999}", "none", "half_life",
                                    "window", "employees"]))
VALUE = st.recursive(SCALAR, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS), inner,
                                                                                          max_size=4), max_leaves=12)


POINTS = st.integers(-50, 50) | st.floats(-50, 50)
NAME = st.text(alphabet=string.ascii_letters + "ü客 _-", min_size=1, max_size=12)


def rules_documents(maybe):
    """Rules files as TOML documents, each value drawn through `maybe(valid values)`."""
    condition = st.one_of(
        st.fixed_dictionaries({"equals": maybe(NAME | POINTS)}),
        st.fixed_dictionaries({"in": maybe(st.lists(NAME, min_size=1, max_size=3))}),
        st.fixed_dictionaries({"min": maybe(POINTS)}, optional={"max": maybe(st.integers(60, 100))}),
        st.fixed_dictionaries({"contains": maybe(NAME)}),
        st.fixed_dictionaries({"matches": maybe(st.sampled_from(["^a", "(vp|head)", r"\bvp\b"]))}),
        st.fixed_dictionaries({"present": maybe(st.booleans())}),
    )
    rule = st.fixed_dictionaries({"column": maybe(NAME), "points": maybe(POINTS)}, optional={"name": maybe(NAME)})
    fit = st.builds(lambda r, c: r | c, rule, condition)
    interest = st.fixed_dictionaries({"event_type": maybe(NAME), "points": maybe(POINTS)},
                                     optional={"cap": maybe(st.integers(1, 100))})
    bonus = st.fixed_dictionaries({"event_type": maybe(NAME), "min_count": maybe(st.integers(1, 5)),
                                   "within_days": maybe(st.integers(1, 90)), "points": maybe(POINTS)},
                                  optional={"name": maybe(NAME)})
    decay = st.one_of(st.just({"mode": "none"}),
                      st.fixed_dictionaries({"mode": st.just("half_life"), "half_life_days": maybe(st.integers(1, 99))}),
                      st.fixed_dictionaries({"mode": st.just("window"), "window_days": maybe(st.integers(1, 99))}))
    return st.fixed_dictionaries(
        {"thresholds": st.fixed_dictionaries({"fit": maybe(POINTS), "interest": maybe(POINTS)},
                                             optional={"combined": maybe(POINTS)}),
         "interest": st.lists(maybe(interest), max_size=3, unique_by=_event_type)},
        optional={"name": maybe(NAME), "version": maybe(st.integers(1, 50)), "date": maybe(st.dates()),
                  "description": maybe(NAME), "owner": maybe(NAME), "decay": maybe(decay),
                  "fit": st.lists(maybe(fit), max_size=3), "bonus": st.lists(maybe(bonus), max_size=2)},
    )


def _event_type(rule) -> str:
    return repr(rule.get("event_type") if isinstance(rule, dict) else rule)


# Half the documents are valid rules files; in the other half any value may be anything at all.
DOC = rules_documents(lambda valid: valid) | rules_documents(lambda valid: st.one_of(valid, valid, VALUE))
LINES = st.sampled_from(["[thresholds]", "fit = 10", "interest = 1e999999", "[[fit]]", "[[interest]]", "[[bonus]]",
                         "[decay]", 'mode = "window"', "window_days = nan", 'column = "industry"', 'equals = "x"',
                         "points = 5", "points = " + "9" * 5000, "points = -inf", 'event_type = "visit"', "cap = 0",
                         "min_count = 2.5", "within_days = 7", "a." * 200 + "b = 1", "x = " + "[" * 500, "fit = [",
                         'matches = "(("', "version = 0", "date = 2026-13-01", "present = 1", 'in = []', "= 1"])


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
