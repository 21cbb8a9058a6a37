"""Personal data: the masks, the tables they apply to, and no page showing an unmasked email by default."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from apptest import run_page
from hypothesis import given
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from smarketing import settings
from smarketing.privacy import mask_email, mask_frame, mask_phone, mask_text

ROOT = Path(__file__).resolve().parents[1]
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
PAGES = ["home", "funnel", "fit_interest", "scoring_tuner", "attribution", "lead_flow", "planner", "data"]


def test_masks_in_the_documented_forms():
    assert mask_email("alice.smith@example.com") == "a***@example.com"
    assert mask_email(None) is None and mask_email("not an address") == "***"
    assert mask_phone("+1 415 555 1234") == "+1 *** *** 1234"
    assert mask_phone("+44 20 7946 0958") == "+44 *** *** 0958"
    assert mask_phone("(415) 555-1234") == "*** *** 1234"
    assert mask_phone("12") == "*** ***" and mask_phone(None) is None


def test_mask_frame_finds_columns_by_name_and_emails_in_any_text():
    frame = pd.DataFrame({"E-mail": ["bo@x.io"], "Mobile": ["+49 30 1234567"], "note": ["ping ann@y.org today"],
                          "leads": [3], "company": ["Acme"]})
    masked = mask_frame(frame)
    assert masked.iloc[0].tolist() == ["b***@x.io", "+49 *** *** 4567", "ping a***@y.org today", 3, "Acme"]
    assert frame.iloc[0, 0] == "bo@x.io"  # the caller's frame is not changed
    assert mask_frame(frame, unmask=True) is frame


@given(local=st.from_regex(r"[a-z][a-z0-9._]{2,20}", fullmatch=True),
       domain=st.from_regex(r"[a-z]{2,10}\.(com|org|de)", fullmatch=True),
       words=st.text(alphabet="abc xyz,;", max_size=20))
def test_no_mailbox_survives_masking(local, domain, words):
    frame = pd.DataFrame({"email": [f"{local}@{domain}"], "text": [f"{words} {local}@{domain} {words}"]})
    masked = mask_frame(frame)
    for value in masked.iloc[0]:
        assert f"{local}@" not in value and f"{local[0]}***@{domain}" in value


def test_the_setting_is_explicit():
    def shown(environ, secrets):
        return settings.resolve(environ, secrets).show_personal_data

    assert not shown({}, {}) and not shown({}, {"show_personal_data": "no"})
    assert shown({}, {"show_personal_data": True})
    assert shown({"SMARKETING_SHOW_PERSONAL_DATA": "1"}, {})


def page_text(at: AppTest) -> list[str]:
    """Every text a page shows: table cells, markdown, captions, metrics, alerts."""
    texts = []
    for frame in at.dataframe:
        value = frame.value
        if hasattr(value, "data"):  # a Styler
            value = value.data
        texts += [str(v) for v in value.astype(str).to_numpy().ravel()]
    for kind in ("markdown", "caption", "text", "info", "success", "warning", "error", "metric"):
        texts += [str(e.value) for e in at.get(kind)]
    return texts


def unmasked(texts: list[str]) -> list[str]:
    return [m for text in texts for m in EMAIL.findall(text) if "***@" not in m]


@pytest.mark.parametrize("page", PAGES)
def test_no_page_shows_an_unmasked_email_by_default(page, demo_env, monkeypatch):
    monkeypatch.delenv("SMARKETING_SHOW_PERSONAL_DATA", raising=False)
    at = run_page(page, timeout=240)
    assert not at.exception, [e.value for e in at.exception]
    texts = page_text(at)
    assert not unmasked(texts)
    if page in ("fit_interest", "lead_flow"):  # pages with lead lists: the scan did see (masked) emails
        assert any("***@" in text for text in texts)


def lead_list(monkeypatch, role: str) -> pd.DataFrame:
    monkeypatch.setenv("SMARKETING_SHOW_PERSONAL_DATA", "1")
    monkeypatch.setenv("SMARKETING_ROLE", role)
    at = run_page("fit_interest", timeout=240)
    assert not at.exception
    return at.dataframe[-1].value


def test_the_setting_shows_emails_to_analysts_only(demo_env, monkeypatch):
    shown = lead_list(monkeypatch, "analyst")
    assert shown.email.notna().any() and not shown.email.dropna().str.contains(r"\*\*\*").any()
    masked = lead_list(monkeypatch, "viewer")
    assert masked.email.dropna().str.fullmatch(r".\*\*\*@\S+").all()


PHONES = ["+1 415-555-0142", "(617) 555-0199", "415.555.2671", "+46 8 555 012 34", "020 7946 0958", "01 23 45 67 89",
          "+49 30 1234567", "0049 30 1234567", "+8613800138000", "030 1234567"]
NOT_PHONES = ["2024-03-14", "2024-03-14 09:30:00", "2024-03-14T09:30:00Z", "14.03.2024", "3/14/2024 2:05 PM",
              "1,234,567.89", "$12,000", "1.234.567,89", "1234567", "18000000007", "00Q5j00000ANan0", "L-20241001",
              "067d6e78303b1771f7ce3a39a4b59137", "85884d94-0f42-489f-affd-44c2958084be", "row 12 (line 13)",
              "amount 1250000.00", "12 345 678", "1000-4999", "2019-2024", "192.168.1.10", "45369", "1717406088456"]


@pytest.mark.parametrize("phone", PHONES)
def test_phones_found_by_pattern_in_any_text_are_masked(phone):
    masked = mask_text(f"returned: wrong person, call {phone} instead")
    last = re.sub(r"\D", "", phone)[-4:]
    assert masked.startswith("returned: wrong person, call ") and masked.endswith(f"*** *** {last} instead")
    assert mask_text(f"Tel.: {re.sub(r'[^0-9]', '', phone)}").endswith(f"*** *** {last}")  # a bare run after "tel"


@pytest.mark.parametrize("value", NOT_PHONES)
def test_dates_amounts_and_ids_are_not_masked_as_phones(value):
    assert mask_text(value) == value
    assert mask_text(f"{value} (row 3)") == f"{value} (row 3)"


@given(country=st.sampled_from(["+1", "+44", "+49", "0049", "+86"]),
       groups=st.lists(st.integers(2, 4).flatmap(lambda n: st.text("0123456789", min_size=n, max_size=n)),
                       min_size=3, max_size=3),
       sep=st.sampled_from([" ", "-", "."]), words=st.text(alphabet="abc xyz:;", max_size=15))
def test_no_phone_number_survives_masking(country, groups, sep, words):
    phone = country + " " + sep.join(groups)
    masked = mask_text(f"{words} {phone} {words}")
    assert sep.join(groups) not in masked and "*** ***" in masked


def test_columns_named_tel_telefon_or_fax_and_numbers_named_phone_are_masked():
    frame = pd.DataFrame({"tel": ["+1 415 555 0142"], "Telefon": ["030 1234567"], "Fax Number": ["020 7946 0958"],
                          "phone": [13800138000], "Mobile": pd.array([None], dtype="Int64"), "hotel": ["Ritz"],
                          "notes": ["ring 0151 2345678 or ann@x.io"], "leads": [3]})
    masked = mask_frame(frame).iloc[0].tolist()
    assert masked == ["+1 *** *** 0142", "*** *** 4567", "*** *** 0958", "*** *** 8000", None, "Ritz",
                      "ring *** *** 5678 or a***@x.io", 3]


@pytest.fixture()
def phone_db(tmp_path) -> str:
    """Leads whose tel, notes and email repeat (so they are groups a funnel can break down by)."""
    from smarketing import store

    path = tmp_path / "phones.duckdb"
    con = store.connect(path)
    rows = [(f"L{i}", f"+1 415 555 01{i % 3}0", f"call 030 123456{i % 3} after 5", f"p{i % 3}@x.io") for i in range(30)]
    store.raw(con).execute("ALTER TABLE leads ADD COLUMN tel VARCHAR")
    store.raw(con).execute("ALTER TABLE leads ADD COLUMN notes VARCHAR")
    store.raw(con).executemany("INSERT INTO leads (lead_id, created_at, tel, notes, email) VALUES (?, TIMESTAMP "
                               "'2024-01-05', ?, ?, ?)", rows)
    stages = ["Subscriber", "Lead", "MQL", "SQL", "Opportunity", "Customer"]  # every stage recorded by some lead
    store.raw(con).executemany("INSERT INTO stage_changes VALUES (?, ?, TIMESTAMP '2024-01-06')",
                               [(f"L{i}", stage) for i, stage in enumerate(stages)])
    con.disconnect()
    return str(path)


def test_command_line_tables_are_masked_in_every_format(phone_db, capsys):
    from smarketing.cli import main

    for by in ("tel", "notes", "email"):
        for fmt in ("csv", "json", "table"):
            assert main(["funnel", "--db", phone_db, "--by", by, "--format", fmt]) == 0
            out = capsys.readouterr().out
            assert "*** ***" in out or "***@" in out
            assert "555 01" not in out and "1234560" not in out and not unmasked([out])


def test_import_errors_mask_phones_and_emails(tmp_path, capsys):
    from smarketing.cli import main

    bad = tmp_path / "leads.csv"
    bad.write_text("lead_id,created_at\nL1,call +1 415 555 0142\nL2,ann@x.io\n")
    assert main(["import", "--db", str(tmp_path / "db.duckdb"), "--leads", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "+1 *** *** 0142" in err and "555 0142" not in err


def test_the_data_page_masks_phones_in_errors_samples_and_previews(tmp_path, monkeypatch):
    from smarketing import store

    store.connect(tmp_path / "crm.duckdb").disconnect()
    monkeypatch.setenv("SMARKETING_DB", str(tmp_path / "crm.duckdb"))
    monkeypatch.setenv("SMARKETING_MAPPINGS", str(tmp_path / "mappings"))
    at = run_page("data")
    bad = b"Record ID,Create Date\n1,call +1 415 555 0142\n"
    at.file_uploader(key="hs_contacts").set_value(("contacts.csv", bad, "text/csv")).run()
    error = at.error[0].value.replace("\\", "")  # markdown escapes the stars
    assert "+1 *** *** 0142" in error and "555 0142" not in error
    good = b"id,created,Notes,tel\nA1,2024-03-01,ring 0151 2345678 please,+49 30 1234567\n"
    at.file_uploader(key="wiz_files").set_value([("leads.csv", good, "text/csv")]).run()
    assert not at.exception
    texts = page_text(at)
    assert not [t for t in texts if "2345678" in t or "30 1234567" in t], texts
    assert any("*** *** 5678" in t for t in texts)


def test_a_phone_in_a_return_reason_is_masked_on_the_lead_flow_page(demo_db, tmp_path, monkeypatch):
    import shutil

    from apptest import figures

    from smarketing import store

    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, db)
    con = store.connect(db)
    store.raw(con).execute("UPDATE handoffs SET return_reason = 'wrong contact, call +1 415 555 0142' "
                           "WHERE returned_at IS NOT NULL")
    con.disconnect()
    monkeypatch.setenv("SMARKETING_DB", str(db))
    at = run_page("lead_flow", timeout=240)
    shown = page_text(at) + [json.dumps(f) for f in figures(at)]
    assert any("*** *** 0142" in t for t in shown)
    assert not [t for t in shown if "555 0142" in t]


def test_only_text_columns_named_as_personal_are_masked():
    frame = pd.DataFrame({"cancelled_at": ["2024-01-01"], "excellence_score": ["5"], "Cell": ["+1 555 123 4567"],
                          "mobile_phone": ["0151 2345678"], "emailed_at": pd.to_datetime(["2024-01-01"])})
    assert mask_frame(frame).iloc[0].tolist() == ["2024-01-01", "5", "+1 *** *** 4567", "*** *** 5678",
                                                  pd.Timestamp("2024-01-01")]
