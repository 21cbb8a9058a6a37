"""Column mappings: guesses on messy and Chinese headers, by content, TOML round trip, reuse, mapped imports."""

import pandas as pd
import pytest

from smarketing import store
from smarketing.cli import main
from smarketing.importers import assemble, mapping, read_table
from smarketing.importers import guess as guessing
from smarketing.importers.mapping import Mapping, TableMapping
from smarketing.store import DataImportError


def guessed(raw, table) -> dict[str, str]:
    """The first target guessed for each header."""
    return {h: v[0] for h, v in guessing.guess(raw, table).columns.items()}


def raw_from(tmp_path, text, name="file.csv"):
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return read_table(path)


def test_guess_messy_english_headers(tmp_path):
    raw = raw_from(tmp_path, " Lead-ID ,CREATED,  E-Mail Address ,Job  Title,Company Name,Lead Owner,Notes\n"
                             "A1,2024-03-01,a@x.com,CMO,Acme,Ann,hello\n")
    assert guessed(raw, "leads") == {
        " Lead-ID ".strip(): "lead_id", "CREATED": "created_at", "E-Mail Address": "email",
        "Job  Title": "title", "Company Name": "company", "Lead Owner": "owner",
    }


def test_guess_chinese_headers(tmp_path):
    raw = raw_from(tmp_path, "客户编号,创建时间,邮箱,手机,公司名称,职位,行业,负责人,备注\n"
                             "C001,2024年3月1日,wang@example.cn,13800138000,上海云创科技有限公司,市场总监,软件,李雷,重点客户\n")
    assert guessed(raw, "leads") == {
        "客户编号": "lead_id", "创建时间": "created_at", "邮箱": "email", "手机": "phone", "公司名称": "company",
        "职位": "title", "行业": "industry", "负责人": "owner",
    }


def test_guess_by_content_when_headers_say_nothing(tmp_path):
    raw = raw_from(tmp_path, "key,when,contact,reach\n"
                             "1,2024-03-01 10:00,ann@acme.com,+1 415 555 0100\n"
                             "2,2024-03-02 11:00,bob@beta.io,+49 30 5550 1234\n")
    found = guessed(raw, "leads")
    assert found["contact"] == "email"
    assert found["reach"] == "phone"
    assert found["when"] == "created_at"


def test_guess_other_tables(tmp_path):
    raw = raw_from(tmp_path, "Opportunity ID,Contact ID,Created Date,Close Date,Stage,Amount\n"
                             "O1,C1,2024-01-01,2024-02-01,Closed Won,100\n")
    assert guessed(raw, "deals") == {
        "Opportunity ID": "deal_id", "Contact ID": "lead_id", "Created Date": "created_at",
        "Close Date": "closed_at", "Stage": "status", "Amount": "amount",
    }
    raw = raw_from(tmp_path, "日期,渠道,花费,展现,点击\n2024-03-01,百度,100,1000,10\n", "spend.csv")
    assert guessed(raw, "spend") == {
        "日期": "date", "渠道": "source", "花费": "cost", "展现": "impressions", "点击": "clicks",
    }


def test_toml_round_trip_and_reuse(tmp_path):
    m = Mapping("shop crm", {"leads": TableMapping("leads", {"客户编号": "lead_id", "创建时间": "created_at",
                                                              "备注": "-"}, day_first=True)},
                timezone="Asia/Shanghai")
    path = m.save(tmp_path)
    assert path.name == "shop-crm.toml"
    again = Mapping.load(path)
    assert again == m
    assert mapping.find_saved(["客户编号", "创建时间", "备注", "邮箱"], "leads", tmp_path) == (m, "leads")
    assert mapping.find_saved(["客户编号"], "leads", tmp_path) is None  # not all mapped headers present


def test_mapping_file_errors_are_clear(tmp_path):
    bad = tmp_path / "m.toml"
    bad.write_text('[leads.columns]\n"Kunde" = "customer"\n', "utf-8")
    with pytest.raises(DataImportError, match=r"m.toml: \[leads.columns\] 'Kunde' = 'customer': 'customer' is not "
                                              r"a column of leads"):
        Mapping.load(bad)


def test_apply_parses_dates_numbers_status_and_keeps_extras(tmp_path):
    raw = raw_from(tmp_path, "Deal,Lead,Opened,Closed,Result,Value,Team\n"
                             "D1,L1,14.03.2024,02.04.2024,Closed Won,EUR 1200,North\n"
                             "D2,L1,15.03.2024,,in progress,\"$ 2,500.50\",South\n")
    tm = TableMapping("deals", {"Deal": "deal_id", "Lead": "lead_id", "Opened": "created_at", "Closed": "closed_at",
                                "Result": "status", "Value": "amount"})
    frame = assemble.apply(raw, tm).data
    assert frame.created_at.tolist() == [pd.Timestamp("2024-03-14"), pd.Timestamp("2024-03-15")]
    assert frame.status.tolist() == ["won", "open"]
    assert frame.amount.tolist() == ["1200", "2500.50"]
    assert frame.team.tolist() == ["North", "South"]  # unmapped column kept under a snake_case name


def test_mapped_import_from_the_cli_with_chinese_file(tmp_path, capsys):
    (tmp_path / "客户.csv").write_text(
        "客户编号,创建时间,邮箱,手机,公司名称,备注\n"
        "C001,2024/03/01 09:30,wang@example.cn,13800138000,上海云创科技有限公司,重点客户\n"
        "C002,2024/03/02 14:00,li@example.cn,13900139000,杭州华信数据有限公司,\n", "utf-8")
    (tmp_path / "m.toml").write_text(
        'name = "crm"\ntimezone = "Asia/Shanghai"\n[leads.columns]\n"客户编号" = "lead_id"\n"创建时间" = "created_at"\n'
        '"邮箱" = "email"\n"手机" = "phone"\n"公司名称" = "company"\n"备注" = "-"\n', "utf-8")
    db = str(tmp_path / "x.duckdb")
    assert main(["import", "--db", db, "--format", "mapped", "--mapping", str(tmp_path / "m.toml"),
                 "--leads", str(tmp_path / "客户.csv")]) == 0
    con = store.connect(db, read_only=True)
    leads = con.table("leads").execute().set_index("lead_id")
    con.disconnect()
    assert leads.loc["C001", "created_at"] == pd.Timestamp("2024-03-01 01:30")  # 09:30 in Shanghai is 01:30 UTC
    assert leads.loc["C002", "company"] == "杭州华信数据有限公司"
    assert "备注" not in leads.columns


def test_saved_mapping_names_stay_in_the_folder_and_never_overwrite_another(tmp_path):
    from smarketing.importers.mapping import Mapping

    long = Mapping("x" * 10_000, {}, "UTC").save(tmp_path)
    assert long.parent == tmp_path and len(long.name) <= 100
    for name in ("../../etc/evil", "/tmp/evil", "CON", "a\0b"):
        assert Mapping(name, {}, "UTC").save(tmp_path).parent == tmp_path
    Mapping("Q1/HubSpot", {}, "UTC").save(tmp_path)
    with pytest.raises(DataImportError, match="already saved"):
        Mapping("Q1 HubSpot", {}, "UTC").save(tmp_path)
    assert Mapping("q1/hubspot", {}, "UTC").save(tmp_path).name == "q1-hubspot.toml"  # the same name, updated
