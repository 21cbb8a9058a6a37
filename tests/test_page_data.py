"""AppTest of the Data page: upload, what goes where, preview, check, import; errors are shown clearly."""

from pathlib import Path

import pytest
from apptest import run_page
from streamlit.testing.v1 import AppTest

from smarketing import store

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"
HS_CONTACTS = DATA / "hubspot" / "hubspot-crm-exports-all-contacts-2024-06-03.csv"
HS_DEALS = DATA / "hubspot" / "hubspot-crm-exports-all-deals-2024-06-03.csv"
SF_LEADS = DATA / "salesforce" / "report1717406040123.csv"
SF_OPPS = DATA / "salesforce" / "report1717406088456.csv"


@pytest.fixture()
def empty_db(tmp_path, monkeypatch):
    path = tmp_path / "crm.duckdb"
    store.connect(path).disconnect()
    monkeypatch.setenv("SMARKETING_DB", str(path))
    monkeypatch.setenv("SMARKETING_MAPPINGS", str(tmp_path / "mappings"))
    return path


def page() -> AppTest:
    return run_page("data", timeout=120)


def upload(at, key, path, data=None):
    at.file_uploader(key=key).set_value((path.name, data if data is not None else path.read_bytes(), "text/csv"))
    at.run()
    assert not at.exception, at.exception


def counts(path):
    con = store.connect(path, read_only=True)
    try:
        return store.table_counts(con)
    finally:
        con.disconnect()


def texts(elements):
    return " ".join(str(e.value) for e in elements)


def test_without_a_database_the_page_offers_to_create_one(tmp_path, monkeypatch):
    monkeypatch.setenv("SMARKETING_DB", str(tmp_path / "none.duckdb"))
    at = page()
    assert "There is no database yet" in texts(at.info)
    assert len(at.tabs) == 3


def test_hubspot_upload_check_and_import(empty_db):
    at = page()
    assert [m.label for m in at.metric][:4] == ["Leads", "Events", "Stage changes", "Deals"]
    upload(at, "hs_contacts", HS_CONTACTS)
    upload(at, "hs_deals", HS_DEALS)
    assert "Checked (add new): Leads: 30 added; Stage changes: 96 added; Deals: 11 added" in texts(at.success)
    assert "1 deal(s) left out" in texts(at.warning)
    preview = at.dataframe[1].value  # [0]: what goes where; [1]: first preview tab (leads)
    assert {"Owner", "Source group"} <= set(preview.columns)  # display labels, not raw column names
    assert len(preview) == 20
    assert counts(empty_db)["leads"] == 0  # checking does not import
    at.button(key="hs_import").click()
    at.run()
    assert not at.exception, at.exception
    assert "Imported: Leads: 30 added" in texts(at.success)
    assert counts(empty_db)["leads"] == 30 and counts(empty_db)["deals"] == 11
    assert "These files were imported" in texts(at.success)


def test_bad_file_shows_a_clear_error_and_imports_nothing(empty_db):
    at = page()
    bad = HS_CONTACTS.read_text("utf-8").replace('"2024-01-14 10:35"', '"01/14/2024 10:35"').encode()
    upload(at, "hs_contacts", HS_CONTACTS, bad)
    error = texts(at.error)
    assert "mixes date formats" in error and "Nothing was imported" in error
    assert not [b for b in at.button if b.key == "hs_import"]
    assert counts(empty_db)["leads"] == 0


def test_salesforce_status_map_is_editable(empty_db):
    at = page()
    upload(at, "sf_leads", SF_LEADS)
    upload(at, "sf_opps", SF_OPPS)
    statuses = next(d for d in at.dataframe if d.key == "sf_statuses").value  # the status → stage editor
    assert dict(zip(statuses.status, statuses.stage, strict=True))["Closed - Not Converted"] == "Other"
    assert "Checked (add new): Leads: 24 added" in texts(at.success)
    at.button(key="sf_import").click()
    at.run()
    assert counts(empty_db)["deals"] == 9


def test_mapped_file_with_chinese_headers(empty_db):
    csv = ("客户编号,创建时间,邮箱,手机,公司名称,备注\n"
           "C001,2024-03-01 09:30,wang@example.cn,13800138000,上海云创科技有限公司,重点客户\n"
           "C002,2024-03-02 14:00,li@example.cn,13900139000,杭州华信数据有限公司,\n").encode()
    at = page()
    upload(at, "wiz_files", Path("客户.csv"), csv)
    assert "Mapping guessed" in texts(at.caption)
    assert "Checked (add new): Leads: 2 added" in texts(at.success)
    at.button(key="wiz_save").click()
    at.run()
    assert (empty_db.parent / "mappings" / "客户.toml").exists()
    at.run()
    assert "Using the saved mapping '客户'" in texts(at.caption)
    at.button(key="wiz_import").click()
    at.run()
    assert counts(empty_db)["leads"] == 2


OLIST = DATA / "exports" / "olist"


def olist_files(week: str = "dataset"):
    mqls = OLIST / f"olist_marketing_qualified_leads_{week}.csv"
    won = OLIST / f"olist_closed_deals_{'dataset' if week == 'dataset' else week}.csv"
    return [(mqls.name, mqls.read_bytes(), "text/csv"), (won.name, won.read_bytes(), "text/csv")]


def test_an_mql_list_and_a_won_file_import_in_one_step_and_next_week_updates(empty_db):
    at = page()
    at.file_uploader(key="wiz_files").set_value(olist_files()).run()
    assert not at.exception, at.exception
    roles = {s.key: s.value for s in at.selectbox if s.key and s.key.startswith("wiz_table_")}
    assert roles == {"wiz_table_olist_marketing_qualified_leads_dataset": "leads",
                     "wiz_table_olist_closed_deals_dataset": "deals"}  # the second file's rows are deals
    at.selectbox(key="wiz_olist_marketing_qualified_leads_dataset_leads_stage").set_value("MQL").run()
    assert "Checked (add new): Leads: 300 added; Stage changes: 333 added; Deals: 33 added" in texts(at.success)
    at.button(key="wiz_save").click().run()
    at.button(key="wiz_import").click().run()
    assert not at.exception, at.exception
    assert counts(empty_db)["leads"] == 300 and counts(empty_db)["deals"] == 33
    con = store.connect(empty_db, read_only=True)
    won = con.table("deals").execute()
    leads = con.table("leads").execute().set_index("lead_id")
    con.disconnect()
    assert set(won.status) == {"won"} and won.amount.sum() == 6_390_000.0  # README: declared revenue
    assert leads.industry.notna().sum() == 33  # business_segment of the won file fills the lead's industry

    at = page()  # next week's export of the same source: the saved mapping, upsert
    at.file_uploader(key="wiz_files").set_value(olist_files("next_week")).run()
    at.radio(key="wiz_mode").set_value("upsert").run()
    assert ("Checked (update and add): Leads: 15 added, 3 updated, 297 unchanged; Stage changes: 18 added, "
            "333 unchanged; Deals: 3 added, 33 unchanged") in texts(at.success)
    at.button(key="wiz_import").click().run()
    assert counts(empty_db)["leads"] == 315 and counts(empty_db)["deals"] == 36
