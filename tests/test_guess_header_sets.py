"""Mapping guesses against 46 real-world export header sets (tests/data/header_sets.toml: HubSpot, Salesforce,
Marketo, Pardot, Zoho, Pipedrive, Dynamics, Mailchimp, ad platforms, Chinese CRMs and ad platforms, Kaggle
lead files), and the rules a user would agree with, on values."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from smarketing.importers import guess as guessing
from smarketing.importers.readers import RawTable

SETS = tomllib.loads((Path(__file__).parent / "data" / "header_sets.toml").read_text("utf-8"))["set"]


def first_targets(headers: dict[str, list[str]], table: str, name: str = "export.csv") -> dict[str, str]:
    """The first guessed target of each header of a file whose columns hold the given values."""
    n = max([len(v) for v in headers.values()] + [0])
    frame = pd.DataFrame({h: (list(v) + [None] * n)[:n] for h, v in headers.items()}, columns=list(headers))
    return {h: v[0] for h, v in guessing.guess(RawTable(frame, name), table).columns.items()}


def test_the_header_sets_are_real_and_varied():
    assert len(SETS) >= 40
    assert sum(bool(re.search(r"[\u4e00-\u9fff]", "".join(s["expected"]))) for s in SETS) >= 6
    assert {s["table"] for s in SETS} >= {"leads", "deals", "events", "spend", "stage_changes", "handoffs"}
    assert all(s["source"] and s["vendor"] for s in SETS)


@pytest.mark.parametrize("header_set", SETS, ids=[f"{s['vendor'][:30]} · {s['export'][:30]}" for s in SETS])
def test_guesses_agree_with_what_a_user_would_map(header_set):
    values = header_set.get("values", {})
    guessed = first_targets({h: values.get(h, []) for h in header_set["expected"]}, header_set["table"])
    wrong = {h: (want, guessed.get(h, "")) for h, want in header_set["expected"].items() if guessed.get(h, "") != want}
    assert not wrong, wrong  # {header: (expected, guessed)}


def test_a_column_of_dates_is_never_a_phone():
    dates = ["2024-03-14", "2024-03-15", "2024-04-01"]
    guessed = first_targets({"Record ID": ["1", "2", "3"], "Created": dates, "Phone Number": dates,
                             "reach": ["14.03.2024", "15.03.2024", "01.04.2024"]}, "leads")
    assert guessed.get("Phone Number") != "phone" and guessed.get("reach") != "phone"
    assert guessed["Created"] == "created_at"


def test_ids_are_ids_and_only_the_leads_own_is_the_lead_id():
    ids = [["a1", "a2", "a3"]] * 4
    guessed = first_targets(dict(zip(["seller_id", "ProspectID", "landing_page_id", "sdr_id"], ids, strict=True)),
                            "leads")
    assert guessed == {"ProspectID": "lead_id"}
    assert first_targets({"Record ID": ["1", "2"], "Email": ["a@x.com", "b@x.com"]}, "leads")["Record ID"] == "lead_id"
    assert first_targets({"Record ID": ["9", "8"], "Associated Contact IDs": ["1", "2"]}, "deals") == {
        "Record ID": "deal_id", "Associated Contact IDs": "lead_id"}


def test_a_header_that_merely_contains_land_is_not_a_country():
    guessed = first_targets({"landing_page_id": ["p1", "p2"], "Landline": ["+1 212 555 0100", "+1 212 555 0101"],
                             "Land": ["Deutschland", "Österreich"]}, "leads")
    assert guessed.get("landing_page_id", "") == "" and guessed.get("Landline") != "country"
    assert guessed["Land"] == "country"  # the German header for the country


def test_stage_date_columns_and_a_won_file():
    guessed = guessing.guess(RawTable(pd.DataFrame(columns=[
        "mql_id", "won_date", "declared_monthly_revenue", "sr_id"]), "won.csv"), "deals")
    assert guessed.columns["mql_id"] == ("lead_id", "deal_id")  # no deal id: the lead id is the deal's
    assert guessed.columns["won_date"] == ("closed_at", "created_at", "stage:Customer")
    assert guessed.columns["declared_monthly_revenue"] == ("amount",)
    assert guessed.constants == {"status": "won"}  # a file of won dates without a status: won deals
    hubspot = first_targets({h: [] for h in ("Record ID", "Create Date", "Became a Marketing Qualified Lead Date",
                                             "Became an Opportunity Date", "MQL date", "成为SQL时间")}, "leads")
    assert hubspot["Became a Marketing Qualified Lead Date"] == "stage:MQL"
    assert hubspot["Became an Opportunity Date"] == "stage:Opportunity"
    assert hubspot["MQL date"] == "stage:MQL" and hubspot["成为SQL时间"] == "stage:SQL"


def test_chinese_won_dates_are_the_won_stage_and_an_expected_close_is_not():
    day = ["2024/3/14", "2024/3/15"]
    guessed = guessing.guess(RawTable(pd.DataFrame({"客户编号": ["K1", "K2"], "创建日期": day, "成交日期": day,
                                                    "赢单时间": day, "签约日期": day, "预计成交日期": day}), "线索.csv"),
                             "leads").columns
    assert guessed["成交日期"] == ("stage:Customer",)  # the first of the won dates; the others stay extra columns
    assert "预计成交日期" not in guessed  # an expected close date is no stage date
    for header in ("赢单时间", "签约日期"):
        assert guessing.stage_of_header(header, guessing.resolve(None)) == "Customer"


def test_a_won_files_sales_rep_id_is_the_leads_owner_the_closer_first():
    ids = ["a1", "a2"]
    won = {"mql_id": ["m1", "m2"], "seller_id": ids, "sdr_id": ids, "sr_id": ids, "won_date": ["2018-03-01"] * 2}
    assert first_targets(won, "deals")["sr_id"] == "leads.owner"  # the rep who closed, not the SDR or the seller
    assert "sdr_id" not in first_targets(won, "deals")
    without_sr = {k: v for k, v in won.items() if k != "sr_id"}
    assert first_targets(without_sr, "deals")["sdr_id"] == "leads.owner"
    assert first_targets({"mql_id": ["m1"], "seller_id": ["s1"], "won_date": ["2018-03-01"]}, "deals")[
        "seller_id"] == "leads.owner"
    # a deals file with its own deal id has one row per deal, not per lead: its rep is not the lead's owner
    assert "sr_id" not in first_targets({"deal_id": ["d1"], "mql_id": ["m1"], "sr_id": ["s1"]}, "deals")
