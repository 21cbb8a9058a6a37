"""HubSpot and Salesforce exports land in the canonical tables: stage dates become stage changes, owner and
source land, deals link to their contacts, and the funnel reads the result."""

from pathlib import Path

import pandas as pd
import pytest

from smarketing import store
from smarketing.cli import main
from smarketing.funnel import lifecycle as funnel
from smarketing.importers import hubspot, load, read_table, salesforce
from smarketing.store import DataImportError

DATA = Path(__file__).parent / "data"
HS_CONTACTS = DATA / "hubspot" / "hubspot-crm-exports-all-contacts-2024-06-03.csv"
HS_DEALS = DATA / "hubspot" / "hubspot-crm-exports-all-deals-2024-06-03.csv"
SF_LEADS = DATA / "salesforce" / "report1717406040123.csv"
SF_OPPS = DATA / "salesforce" / "report1717406088456.csv"
T = pd.Timestamp


def stages_of(con, lead_id):
    sc = con.table("stage_changes")
    rows = sc.filter(sc.lead_id == lead_id).order_by("entered_at").execute()
    return list(zip(rows.stage, rows.entered_at, strict=True))


@pytest.fixture()
def hubspot_con():
    con = store.connect(":memory:")
    prepared = hubspot.prepare(read_table(HS_CONTACTS), read_table(HS_DEALS), con=con)
    result = load(con, prepared)
    assert result.added == {"leads": 30, "stage_changes": 96, "deals": 11}
    yield con, result
    con.disconnect()


def test_hubspot_became_dates_become_stage_changes(hubspot_con):
    con, _ = hubspot_con
    # Jane Cooper: subscriber → lead → MQL → (no SQL date) → opportunity → customer, as written in the export
    assert stages_of(con, "10000000001") == [
        ("Subscriber", T("2024-01-08 14:09")), ("Lead", T("2024-01-21 14:13")), ("MQL", T("2024-02-08 15:36")),
        ("Opportunity", T("2024-03-15 19:36")), ("Customer", T("2024-03-19 02:02")),
    ]
    # side stages: "Became an Evangelist Date" and "Became an Other Lifecycle Date"
    side = con.table("stage_changes").filter(lambda t: t.stage.isin(["Evangelist", "Other"])).execute()
    assert sorted(side.stage) == ["Evangelist", "Other", "Other"]


def test_hubspot_lead_columns_owner_source_and_extras(hubspot_con):
    con, _ = hubspot_con
    leads = con.table("leads").execute().set_index("lead_id")
    jane = leads.loc["10000000001"]
    assert jane.created_at == T("2024-01-08 14:09")
    assert (jane.email, jane.owner, jane.company) == ("jane.cooper@northwind-analytics.com", "Alice Morgan",
                                                      "Northwind Analytics")
    assert (jane.source_group, jane.source, jane.campaign) == ("Organic Search", "google", "www.google.com")
    assert (jane.employees, jane.employees_range, jane.region) == (100, "100-500", "North America")
    assert jane.lead_status == "Connected" and jane.hubspot_score == 8  # other properties kept, numbers as numbers
    marcus = leads.loc["10000001001"]
    assert marcus.phone == "(617) 555-0199"  # Mobile Phone Number used when Phone Number is empty
    assert leads.loc["10000005001"].company == "上海云创科技有限公司"


def test_hubspot_lifecycle_stage_without_its_date_uses_latest_known_date(hubspot_con):
    con, result = hubspot_con
    # Olivia Brooks: Lifecycle Stage "Marketing Qualified Lead" but only a "Became a Lead Date"
    assert stages_of(con, "10000010001") == [("Lead", T("2024-03-08 18:43")), ("MQL", T("2024-03-08 18:43"))]
    assert any("Lifecycle Stage without its" in n for n in result.notes)


def test_hubspot_deals_link_to_contacts(hubspot_con):
    con, result = hubspot_con
    deals = con.table("deals").execute().set_index("deal_id")
    won = deals.loc["18000000021"]  # associated with two contacts: the first one is credited
    assert (won.lead_id, won.status, won.amount) == ("10000003001", "won", 24000.0)
    assert won.closed_at == T("2024-03-06 09:13")
    open_deal = deals.loc["18000000028"]  # "Presentation Scheduled": open, close date only expected
    assert open_deal.status == "open" and pd.isna(open_deal.closed_at)
    assert open_deal.expected_close == T("2024-04-24 04:38")
    assert deals.loc["18000000014"].status == "lost"
    assert "18000009999" not in deals.index  # its contact is not in the export
    assert any("1 deal(s) left out" in n for n in result.notes)


def test_hubspot_funnel_counts_follow_the_export(hubspot_con):
    con, _ = hubspot_con
    frame = pd.read_csv(HS_CONTACTS, dtype=str)
    table = funnel.lifecycle_funnel(con).set_index("stage")
    became = {"Customer": "Became a Customer Date", "Opportunity": "Became an Opportunity Date"}
    for stage, column in became.items():
        assert table.loc[stage, "leads"] == frame[column].notna().sum()
    assert table.loc["Subscriber", "leads"] == len(frame)  # every contact reached Lead or later


def test_hubspot_timezone_converts_to_utc():
    prepared = hubspot.prepare(read_table(HS_CONTACTS), timezone="America/New_York")
    leads = prepared.frames["leads"].data.set_index("lead_id")
    assert leads.loc["10000000001", "created_at"] == T("2024-01-08 19:09")  # EST is UTC-5 in January


def test_hubspot_missing_record_id_is_a_clear_error(tmp_path):
    bad = tmp_path / "contacts.csv"
    bad.write_text(HS_CONTACTS.read_text("utf-8").replace('"Record ID"', '"Contact Number"', 1), "utf-8")
    with pytest.raises(DataImportError, match=r"contacts.csv: missing required column 'Record ID'"):
        hubspot.prepare(read_table(bad))


# ----------------------------------------------------------------------------------------- Salesforce


@pytest.fixture()
def sf_con():
    con = store.connect(":memory:")
    result = load(con, salesforce.prepare(read_table(SF_LEADS), read_table(SF_OPPS)))
    yield con, result
    con.disconnect()


def test_salesforce_reports_land(sf_con):
    con, result = sf_con
    assert result.added == {"leads": 24, "stage_changes": 59, "deals": 9}
    assert any("removed the Salesforce report footer" in n for n in result.notes)
    assert any("1 opportunit(ies) left out" in n for n in result.notes)
    leads = con.table("leads").execute().set_index("lead_id")
    jane = leads.loc["00Q5j00000ANan0"]
    assert jane.created_at == T("2024-02-05 10:40")  # "2/5/2024 10:40 AM"
    assert (jane.owner, jane.source, jane.source_group, jane.employees) == ("Alice Morgan", "Web", "Website", 250)
    assert jane.lead_status == "Open - Not Contacted" and jane.rating == "Hot"


def test_salesforce_status_conversion_and_won_opportunity_become_stages(sf_con):
    con, _ = sf_con
    assert stages_of(con, "00Q5j00000ANan0") == [("Lead", T("2024-02-05 10:40"))]  # Open - Not Contacted
    # converted lead whose opportunity (18-character id in the opportunities report) was won
    assert stages_of(con, "00Q5j000004HUhu") == [
        ("Lead", T("2024-03-16 13:04")), ("SQL", T("2024-04-01")), ("Opportunity", T("2024-04-01")),
        ("Customer", T("2024-04-24")),
    ]
    deals = con.table("deals").execute().set_index("deal_id")
    assert deals.loc["0065j000004HUhu"].lead_id == "00Q5j000004HUhu"
    assert deals.loc["0065j000004HUhu"].status == "won"
    assert set(deals.status) == {"won", "lost", "open"}
    # Closed - Not Converted → Other at the Last Modified Date
    assert stages_of(con, "00Q5j00000BObo1")[-1] == ("Other", T("2024-03-29 16:27"))


def test_salesforce_status_map_file(tmp_path):
    smap = tmp_path / "statuses.toml"
    smap.write_text('[statuses]\n"Working - Contacted" = "MQL"\n', "utf-8")
    prepared = salesforce.prepare(read_table(SF_LEADS), status_map=salesforce.StatusMap.load(smap))
    changes = prepared.frames["stage_changes"].data
    assert changes[changes.lead_id == "00Q5j00000HUhu7"].stage.tolist() == ["Lead", "MQL"]


def test_salesforce_unknown_status_names_the_status_map(tmp_path):
    text = SF_LEADS.read_text("utf-8").replace('"Working - Contacted"', '"Waiting for budget"', 1)
    (tmp_path / "leads.csv").write_text(text, "utf-8")
    with pytest.raises(DataImportError, match=r"leads.csv, row 2 \(line 3\), column Lead Status: no stage for "
                                              r"lead status 'Waiting for budget' \(add it to the status map"):
        salesforce.prepare(read_table(tmp_path / "leads.csv"))


MIL_MODEL = """
[[main]]
name = "MIL"
[[main]]
name = "MQL"
role = "mql"
[[main]]
name = "Accepted"
role = "sql"
[[main]]
name = "Pipeline"
role = "opportunity"
[[main]]
name = "Client"
role = "won"
"""
SF_TINY_LEADS = """Lead ID,Created Date,Lead Status,Converted,Converted Date,Converted Opportunity ID
00Q000000000001,3/1/2024 9:00 AM,Open - Not Contacted,0,,
00Q000000000002,3/2/2024 9:00 AM,Closed - Converted,1,3/5/2024,006000000000002
00Q000000000003,3/3/2024 9:00 AM,Closed - Not Converted,0,,
"""
SF_TINY_OPPS = """Opportunity ID,Created Date,Close Date,Stage,Won,Closed
006000000000002,3/6/2024,3/20/2024,Closed Won,1,1
"""


@pytest.mark.parametrize("with_map", [False, True])
def test_salesforce_reports_into_a_model_with_other_stage_names(tmp_path, with_map):
    """A MIL → MQL → Accepted → Pipeline → Client model: the importer goes by roles (the stage before the MQL role
    for Salesforce's Lead, sql for the conversion, opportunity and won for the opportunity), with or without a
    status map naming the model's stages."""
    from smarketing.stages import parse_stages

    stages = parse_stages(MIL_MODEL, "mil.toml")
    (tmp_path / "leads.csv").write_text(SF_TINY_LEADS)
    (tmp_path / "opps.csv").write_text(SF_TINY_OPPS)
    smap = None
    if with_map:
        (tmp_path / "map.toml").write_text('created_stage = "MIL"\nconverted_stage = "Accepted"\n[statuses]\n'
                                           '"Closed - Converted" = "Accepted"\n"Closed - Not Converted" = "MIL"\n')
        smap = salesforce.StatusMap.load(tmp_path / "map.toml")
    prepared = salesforce.prepare(read_table(tmp_path / "leads.csv"), read_table(tmp_path / "opps.csv"),
                                  status_map=smap, stages=stages)
    changes = prepared.frames["stage_changes"].data
    by_lead = {lead: list(group.stage) for lead, group in changes.groupby("lead_id")}
    # lead 1: created (MIL; its status "Open - Not Contacted" is MIL too); lead 2: created, converted (Accepted,
    # also its status), its opportunity created (Pipeline) and won (Client); lead 3: not converted (no stage for
    # it without a side stage for lost leads, MIL with the map)
    assert by_lead == {"00Q000000000001": ["MIL"], "00Q000000000002": ["MIL", "Accepted", "Pipeline", "Client"],
                       "00Q000000000003": ["MIL"]}
    won = changes[changes.stage == "Client"].entered_at.iloc[0]
    assert f"{won:%Y-%m-%d}" == "2024-03-20"


# ------------------------------------------------------------------------------------------------- CLI


def test_cli_hubspot_and_salesforce_imports(tmp_path, capsys):
    db = str(tmp_path / "crm.duckdb")
    assert main(["import", "--db", db, "--format", "hubspot", "--contacts", str(HS_CONTACTS),
                 "--deals", str(HS_DEALS), "--check"]) == 0
    assert "checked (add mode): would import leads: 30 added" in capsys.readouterr().out
    assert main(["import", "--db", db, "--format", "hubspot", "--contacts", str(HS_CONTACTS),
                 "--deals", str(HS_DEALS)]) == 0
    out = capsys.readouterr()
    assert "imported leads: 30 added; stage_changes: 96 added; deals: 11 added" in out.out
    assert "note:" in out.err
    # the same contacts again: refused, nothing added
    assert main(["import", "--db", db, "--format", "hubspot", "--contacts", str(HS_CONTACTS)]) == 1
    assert "is already in the database" in capsys.readouterr().err
    assert main(["import", "--db", db, "--format", "salesforce", "--leads-report", str(SF_LEADS),
                 "--opportunities-report", str(SF_OPPS)]) == 0
    con = store.connect(db, read_only=True)
    assert store.table_counts(con)["leads"] == 54
    con.disconnect()
