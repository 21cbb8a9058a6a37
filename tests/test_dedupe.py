"""De-duplication: matching keys, statuses judged at arrival, duplicate chains, the report, the CLI."""

from __future__ import annotations

import ibis
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smarketing import store
from smarketing.cli import main
from smarketing.leadflow import dedupe, normalize

LEAD_COLS = ["lead_id", "created_at", "email", "phone", "company", "country", "source"]
DEAL_COLS = ["deal_id", "lead_id", "created_at", "closed_at", "status", "amount"]


def rows(columns, *values):
    return [dict(zip(columns, v, strict=True)) for v in values]


def keys_of(make_con, column: str, values: list, key) -> list:
    """Evaluate a key expression on a column of values in the database."""
    con = make_con()
    table = ibis.memtable({column: values}, schema={column: "string"})
    return [None if pd.isna(v) else v for v in con.execute(table.select(k=key(table[column])))["k"]]


# ------------------------------------------------------------------------------------ normalisation


@pytest.mark.parametrize(("raw", "key"), [
    ("  Jane.Doe@Example.COM ", "jane.doe@example.com"),
    ("jane doe@example.com", "janedoe@example.com"),
    ("MAILTO:jane@example.com", "jane@example.com"),
    ("not an address", None),
    ("", None),
    (None, None),
])
def test_email_key(make_con, raw, key):
    assert keys_of(make_con, "email", [raw], normalize.email_key) == [key]


@pytest.mark.parametrize(("phone", "country", "e164"), [
    ("(415) 555-2671", "US", "+14155552671"),
    ("415.555.2671", "United States", "+14155552671"),
    ("+1 415 555 2671", None, "+14155552671"),
    ("020 7946 0958", "GB", "+442079460958"),
    ("020 7946 0958", "United Kingdom", "+442079460958"),
    ("+44 (0)20 7946 0958", "DE", "+442079460958"),
    ("030 1234567", "Germany", "+49301234567"),
    ("0049 30 1234567", "DE", "+49301234567"),
    ("138 0013 8000", "CN", "+8613800138000"),
    ("138-0013-8000", "中国", "+8613800138000"),
    ("+86 138 0013 8000", "US", "+8613800138000"),
    ("03-1234-5678", "Japan", "+81312345678"),
    ("6123 4567", "Singapore", "+6561234567"),
    ("12", "US", None),
    ("call me", "US", None),
    (None, "US", None),
])
def test_phone_e164_in_several_countries(phone, country, e164):
    assert normalize.e164(phone, country, "US") == e164


def test_phone_without_country_uses_the_default():
    assert normalize.e164("030 1234567", None, "DE") == "+49301234567"
    assert normalize.e164("030 1234567", "Atlantis", "DE") == "+49301234567"


def test_default_country_is_checked():
    assert normalize.check_country(" gb ") == "GB"
    with pytest.raises(ValueError, match="unknown country code 'XX'"):
        normalize.check_country("XX")


@pytest.mark.parametrize(("raw", "key"), [
    ("Acme Inc.", "acme"),
    ("ACME, Incorporated", "acme"),
    ("Acme Co., Ltd.", "acme"),
    ("acme corp", "acme"),
    ("The Acme Company", "acme"),
    ("Acme Holdings Limited", "acme"),
    ("Beta GmbH & Co. KG", "beta"),
    ("Gamma L.L.C.", "gamma"),
    ("Delta S.A.", "delta"),
    ("Epsilon Pty Ltd", "epsilon"),
    ("Zeta B.V.", "zeta"),
    ("Acme Widgets", "acmewidgets"),
    ("AcmeWidgets", "acmewidgets"),
    ("Johnson & Johnson", "johnsonandjohnson"),
    ("华为技术有限公司", "华为技术"),
    ("华为技术股份有限公司", "华为技术"),
    ("腾讯科技（深圳）有限公司", "腾讯科技深圳"),
    ("联想集团", "联想"),
    ("台積電有限公司", "台積電"),
    ("Acme 有限公司", "acme"),
    ("トヨタ株式会社", "トヨタ"),
    ("N/A", None),
    ("self-employed", None),
    ("  ", None),
])
def test_company_key_drops_legal_suffixes_in_english_and_chinese(make_con, raw, key):
    assert keys_of(make_con, "company", [raw], normalize.company_key) == [key]


# ----------------------------------------------------------------------------------------- statuses


@pytest.fixture()
def small(make_con):
    """A: the first Acme contact; B, C: A again (email, phone); D: a customer won on 20 Feb; E: a colleague
    of D after the win; F: an open deal from 10 Apr; G: F's company while the deal is open; H: D's phone in
    international form; I: a colleague of A (same company, nobody won: new)."""
    leads = rows(
        LEAD_COLS,
        ("A", "2024-01-01", "Jane@Acme.com ", "+1 415 555 0100", "Acme Inc.", "US", "web"),
        ("B", "2024-01-05", "jane@acme.com", None, "ACME", "US", "web"),
        ("C", "2024-01-09", None, "(415) 555-0100", None, "United States", "ads"),
        ("D", "2024-02-01", "x@beta.de", "030 1234567", "Beta GmbH", "Germany", "ads"),
        ("E", "2024-03-01", "y@beta.de", None, "beta", "DE", "ads"),
        ("F", "2024-04-01", "z@gamma.cn", "13800138000", "伽马科技有限公司", "China", "web"),
        ("G", "2024-05-01", "w@gamma.cn", None, "伽马科技", "CN", "web"),
        ("H", "2024-05-02", "q@q.com", "+49 30 1234567", None, None, "web"),
        ("I", "2024-05-03", "bob@acme.com", None, "Acme", "US", "ads"),
    )
    deals = rows(DEAL_COLS, ("d1", "D", "2024-02-10", "2024-02-20", "won", 100.0),
                 ("d2", "F", "2024-04-10", None, "open", 50.0))
    return make_con(leads=leads, deals=deals)


def by_lead(frame):
    return {r.lead_id: (r.status, r.matched_lead_id, r.match_key) for r in frame.astype(object).fillna("").itertuples()}


def test_statuses_with_matched_lead_and_key(small):
    result = by_lead(dedupe.dedupe(small))
    assert result == {
        "A": ("new", "", ""),
        "B": ("duplicate", "A", "email"),
        "C": ("duplicate", "A", "phone"),
        "D": ("new", "", ""),
        "E": ("existing_customer", "D", "company"),
        "F": ("new", "", ""),
        "G": ("open_deal", "F", "company"),
        "H": ("existing_customer", "D", "phone"),
        "I": ("new", "", ""),  # a colleague is not a duplicate: company names only match accounts with deals
    }


def test_match_value_is_the_normalised_key(small):
    frame = dedupe.dedupe(small).set_index("lead_id")
    assert frame.at["B", "match_value"] == "jane@acme.com"
    assert frame.at["C", "match_value"] == "+14155550100"
    assert frame.at["E", "match_value"] == "beta"
    assert frame.at["G", "match_value"] == "伽马科技"


def test_a_deal_counts_only_from_the_moment_it_existed(make_con):
    """The customer's deal opens on 10 Feb and is won on 20 Feb: a colleague arriving before, during and
    after is new, open_deal and existing_customer."""
    leads = rows(LEAD_COLS, ("A", "2024-02-01", "a@acme.com", None, "Acme", "US", "web"),
                 ("B", "2024-02-05", "b@acme.com", None, "Acme Ltd", "US", "web"),
                 ("C", "2024-02-15", "c@acme.com", None, "ACME LLC", "US", "web"),
                 ("D", "2024-03-01", "d@acme.com", None, "acme, inc.", "US", "web"))
    deals = rows(DEAL_COLS, ("d1", "A", "2024-02-10", "2024-02-20", "won", 100.0))
    result = by_lead(dedupe.dedupe(make_con(leads=leads, deals=deals)))
    assert [result[x][0] for x in "ABCD"] == ["new", "new", "open_deal", "existing_customer"]


def test_lost_deal_is_no_longer_open(make_con):
    leads = rows(LEAD_COLS, ("A", "2024-01-01", "a@x.com", None, "X", "US", "web"),
                 ("B", "2024-03-01", "b@x.com", None, "X", "US", "web"))
    deals = rows(DEAL_COLS, ("d1", "A", "2024-01-10", "2024-02-01", "lost", 0.0))
    assert by_lead(dedupe.dedupe(make_con(leads=leads, deals=deals)))["B"][0] == "new"


def test_duplicate_chain_resolves_to_the_original(make_con):
    """A(email e) <- B(email e, phone p) <- C(phone p) <- D(phone p, email f) <- E(email f)."""
    leads = rows(LEAD_COLS, ("A", "2024-01-01", "e@x.com", None, None, None, "web"),
                 ("B", "2024-01-02", "e@x.com", "+1 212 555 0100", None, None, "web"),
                 ("C", "2024-01-03", None, "212-555-0100", None, "US", "web"),
                 ("D", "2024-01-04", "f@x.com", "2125550100", None, "US", "web"),
                 ("E", "2024-01-05", "F@X.COM", None, None, None, "web"))
    frame = dedupe.dedupe(make_con(leads=leads)).set_index("lead_id")
    assert frame.loc[list("BCDE"), "matched_lead_id"].tolist() == ["A", "B", "B", "D"]
    assert frame.loc[list("BCDE"), "original_lead_id"].tolist() == ["A", "A", "A", "A"]
    assert frame.at["A", "status"] == "new"


def test_same_moment_is_ordered_by_lead_id(make_con):
    leads = rows(LEAD_COLS, ("L2", "2024-01-01", "a@x.com", None, None, None, "web"),
                 ("L1", "2024-01-01", "a@x.com", None, None, None, "web"))
    assert by_lead(dedupe.dedupe(make_con(leads=leads))) == {"L1": ("new", "", ""), "L2": ("duplicate", "L1", "email")}


def test_report_share_not_new_by_source(small):
    report = dedupe.dedupe_report(small, by="source")
    table = report.by_group.set_index("source")
    # web: A, B, F, G, H -> B duplicate, G open deal, H customer; ads: C, D, E, I -> C duplicate, E customer
    assert table.loc["web", ["leads", "new", "duplicate", "existing_customer", "open_deal"]].tolist() == [5, 2, 1, 1, 1]
    assert table.loc["ads", ["leads", "new", "duplicate", "existing_customer", "open_deal"]].tolist() == [4, 2, 1, 1, 0]
    assert table.at["All", "not_new"] == 5
    assert table.at["All", "not_new_share"] == pytest.approx(5 / 9)
    assert set(report.matches.lead_id) == {"B", "C", "E", "G", "H"}
    assert "email" not in report.matches.columns  # personal data stays out of the report


def test_report_scope_follows_the_window_but_matches_all_history(small):
    from datetime import date

    from smarketing.filters import Filters

    frame = dedupe.dedupe(small, Filters(since=date(2024, 5, 1), until=date(2024, 5, 31)))
    assert by_lead(frame) == {"G": ("open_deal", "F", "company"), "H": ("existing_customer", "D", "phone"),
                              "I": ("new", "", "")}


def test_unknown_report_column_is_a_clear_error(small):
    with pytest.raises(ValueError, match="unknown lead column 'nope'"):
        dedupe.dedupe_report(small, by="nope")


# ---------------------------------------------------------------------------------------- properties

IDENTITIES = st.tuples(st.sampled_from(["a@x.com", "b@x.com", "c@x.com", None]),
                       st.sampled_from(["+14155550100", "+14155550101", None]))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(people=st.lists(IDENTITIES, min_size=1, max_size=12), days=st.data())
def test_duplicates_agree_with_a_brute_force_reference(make_con, people, days):
    created = [days.draw(st.integers(1, 5)) for _ in people]
    leads = [{"lead_id": f"L{i:02d}", "created_at": f"2024-01-0{d}", "email": e, "phone": p, "source": "web"}
             for i, ((e, p), d) in enumerate(zip(people, created, strict=True))]
    frame = dedupe.dedupe(make_con(leads=leads)).set_index("lead_id")
    order = sorted(leads, key=lambda r: (r["created_at"], r["lead_id"]))
    for k, lead in enumerate(order):
        earlier = [r for r in order[:k] if (lead["email"] and r["email"] == lead["email"])
                   or (lead["phone"] and r["phone"] == lead["phone"])]
        row = frame.loc[lead["lead_id"]]
        assert row.status == ("duplicate" if earlier else "new")
        if earlier:
            rank = {r["lead_id"]: i for i, r in enumerate(order)}
            assert rank[row.matched_lead_id] < k and rank[row.original_lead_id] <= rank[row.matched_lead_id]
            assert frame.loc[row.original_lead_id].status == "new"


# ----------------------------------------------------------------------------------------------- CLI


def test_cli_dedupe_csv_format(demo_db, capsys):
    assert main(["dedupe", "--db", demo_db, "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "lead_id,status,matched_lead_id,match_key"
    statuses = {line.split(",")[1] for line in lines[1:]}
    assert statuses == set(dedupe.STATUSES)


def test_cli_dedupe_table_and_bad_country(demo_db, capsys):
    assert main(["dedupe", "--db", demo_db, "--default-country", "GB"]) == 0
    out = capsys.readouterr().out
    assert "leads were not new" in out and "All" in out
    assert main(["dedupe", "--db", demo_db, "--default-country", "ZZ"]) == 1
    assert "unknown country code 'ZZ'" in capsys.readouterr().err


def test_demo_duplicates_are_found(demo_con):
    """The demo re-uses identities of earlier leads for about a fifth of new leads."""
    total = dedupe.dedupe_report(demo_con).by_group.iloc[-1]
    assert 0.1 < total["not_new_share"] < 0.35
    assert min(total["duplicate"], total["existing_customer"], total["open_deal"]) > 0


def test_phone_blocking_keeps_every_possible_match(make_con):
    """Phones are parsed only when another lead shares their last digits; extensions do not hide a match,
    and a phone nobody else has gets no key (it cannot match anything)."""
    leads = rows(LEAD_COLS, ("A", "2024-01-01", None, "+1 (415) 555-0100 ext. 12", None, "US", "web"),
                 ("B", "2024-01-02", None, "415 555 0100", None, "US", "web"),
                 ("C", "2024-01-03", None, "+44 20 7946 0958", None, "GB", "web"),
                 ("D", "2024-01-04", None, "555-0100", None, "US", "web"))
    con = make_con(leads=leads)
    keys = dedupe.lead_keys(con).execute().set_index("lead_id").key_phone
    assert keys["A"] == keys["B"] == "+14155550100"
    assert pd.isna(keys["C"])  # unique last digits: never parsed
    assert by_lead(dedupe.dedupe(con))["B"] == ("duplicate", "A", "phone")


def test_messaging_id_column_is_a_person_key(make_con):
    """An imported messaging_id column (WeChat, WhatsApp …) matches people like email and phone do."""
    leads = rows(LEAD_COLS, ("A", "2024-01-01", "a@x.cn", None, None, "CN", "web"),
                 ("B", "2024-01-02", "b@y.cn", None, None, "CN", "web"))
    con = make_con(leads=leads)
    store.raw(con).execute("ALTER TABLE leads ADD COLUMN messaging_id VARCHAR")
    store.raw(con).execute("UPDATE leads SET messaging_id = CASE lead_id WHEN 'A' THEN 'wx_Li Lei' ELSE '@wx_lilei' END")
    frame = dedupe.dedupe(con).set_index("lead_id")
    assert (frame.at["B", "status"], frame.at["B", "matched_lead_id"]) == ("duplicate", "A")
    assert (frame.at["B", "match_key"], frame.at["B", "match_value"]) == ("messaging", "wx_lilei")
