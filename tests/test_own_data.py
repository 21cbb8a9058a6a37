"""Your own data, end to end, on fixtures in the shapes real exports have (tests/data/exports, each folder's
README gives the hand counts asserted here): an MQL list plus a won file keyed by the same id, next week's
export of the same source (upsert), a HubSpot contacts export whose stages are date columns, a lead-scoring
file with a 0/1 flag and no dates, a Chinese CRM's two files, day-first and Excel-serial dates."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import build_con

from smarketing import store
from smarketing.filters import Filters
from smarketing.funnel.lifecycle import lifecycle_funnel
from smarketing.importers import assemble, formats, loading, mapping, read_table
from smarketing.importers.dates import AmbiguousDates
from smarketing.scoring.rules_file import parse_rules
from smarketing.scoring.scores import score_leads
from smarketing.store import DataImportError

EXPORTS = Path(__file__).parent / "data" / "exports"
OLIST = EXPORTS / "olist"


def olist(week: str = "dataset") -> dict[str, Path]:
    return {"mqls": OLIST / f"olist_marketing_qualified_leads_{week}.csv",
            "won": OLIST / f"olist_closed_deals_{week}.csv"}


def imported(con, files, **options):
    prepared, mode = formats.prepare_mapped(files, con=con, **options)
    return loading.load(con, prepared, mode=mode)


def test_an_mql_list_and_a_won_file_in_one_import(tmp_path):
    con = store.connect(":memory:")
    result = imported(con, olist(), tables={"won": "deals"}, every_row={"mqls": "MQL"},
                      write_mapping=tmp_path / "olist.toml")
    assert {t: c.added for t, c in result.changes.items()} == {"leads": 300, "stage_changes": 300 + 33, "deals": 33}
    deals = con.table("deals").execute()
    assert set(deals.status) == {"won"} and (deals.deal_id == deals.lead_id).all()  # the lead id is the deal's
    assert deals.amount.sum() == 6_390_000.0 and (deals.amount == 0).sum() == 26  # README: declared revenue
    assert (deals.created_at == deals.closed_at).all()  # won_date is both
    funnel = lifecycle_funnel(con, Filters()).set_index("stage").leads
    assert funnel["MQL"] == 300 and funnel["Customer"] == 33  # every row of the MQL list is an MQL
    leads = con.table("leads").execute().set_index("lead_id")
    by_origin = leads.groupby(leads.source_group.fillna("(none)")).size()
    assert by_origin["organic_search"] == 85 and by_origin["paid_search"] == 60 and by_origin["(none)"] == 4
    won_leads = leads.loc[deals.lead_id]
    assert (won_leads.source_group == "organic_search").sum() == 11  # README: won per origin
    assert won_leads.industry.notna().all()  # the won file's business_segment fills the lead's industry
    saved = mapping.Mapping.load(tmp_path / "olist.toml")
    assert saved.tables["won"].constants == {"status": "won"} and saved.tables["mqls"].stage == "MQL"


def test_next_weeks_export_updates_adds_and_never_duplicates(tmp_path):
    con = store.connect(":memory:")
    first = imported(con, olist(), tables={"won": "deals"}, every_row={"mqls": "MQL"},
                     write_mapping=tmp_path / "olist.toml")
    assert first.mode == "add"
    again = imported(con, olist("next_week"), mapping_file=tmp_path / "olist.toml", mode="upsert")
    c = again.changes
    # README: 15 new MQLs, 2 with a changed origin plus 1 newly won (its industry), 297 unchanged
    assert (c["leads"].added, c["leads"].updated, c["leads"].unchanged) == (15, 3, 297)
    assert (c["deals"].added, c["deals"].unchanged) == (3, 33)
    assert (c["stage_changes"].added, c["stage_changes"].unchanged) == (15 + 3, 333)
    assert store.table_counts(con)["leads"] == 315 and store.table_counts(con)["deals"] == 36
    leads = con.table("leads").execute().set_index("lead_id")
    assert leads.loc["ae6137bc22e978679f85076fc297df19", "source_group"] == "organic_search"  # was unknown
    third = imported(con, olist("next_week"), mapping_file=tmp_path / "olist.toml", mode="upsert")
    assert all(ch.added == ch.updated == 0 for ch in third.changes.values())  # nothing new: nothing changes


def test_add_mode_refuses_ids_already_there_and_replace_starts_over(tmp_path):
    con = store.connect(":memory:")
    imported(con, olist(), tables={"won": "deals"}, every_row={"mqls": "MQL"}, write_mapping=tmp_path / "m.toml")
    with pytest.raises(DataImportError, match="is already in the database"):
        imported(con, olist("next_week"), mapping_file=tmp_path / "m.toml", mode="add")
    assert store.table_counts(con)["leads"] == 300  # nothing changed
    check = loading.validate(con, formats.prepare_mapped(
        {"mqls": olist("next_week")["mqls"]}, con=con, tables={"mqls": "leads"}, mode="replace")[0], mode="replace")
    assert check.changes["leads"].removed == 300 and check.changes["leads"].added == 315
    assert "deals" not in check.changes  # every won lead is in next week's list too: no deal loses its lead
    assert store.table_counts(con)["leads"] == 300  # a check changes nothing


def test_a_hubspot_contacts_export_with_stage_date_columns_and_no_stage_table():
    con = store.connect(":memory:")
    path = EXPORTS / "hubspot_became" / "hubspot-crm-exports-all-contacts-2024-07-01.csv"
    guessed = formats.guessed_mapping({"contacts": read_table(path)}, {"contacts": "leads"})
    columns = guessed.tables["contacts"].columns
    assert columns["Became a Marketing Qualified Lead Date"] == ("stage:MQL",)  # recognised automatically
    assert columns["Became an Other Lifecycle Date"] == ("stage:Other",)
    imported(con, {"contacts": path}, tables={"contacts": "leads"})
    changes = con.table("stage_changes").execute()
    per_stage = changes.groupby("stage").size().to_dict()
    assert per_stage == {"Subscriber": 48, "Lead": 173, "MQL": 79, "SQL": 45, "Opportunity": 29, "Customer": 16,
                         "Evangelist": 3, "Other": 5}  # README: non-empty cells per Became column
    reached = lifecycle_funnel(con, Filters()).set_index("stage").leads
    assert (reached["MQL"], reached["SQL"], reached["Opportunity"], reached["Customer"]) == (81, 50, 30, 16)
    types = dict(store.raw(con).execute("SELECT column_name, column_type FROM (DESCRIBE leads)").fetchall())
    assert types["lead_score"] == "BIGINT"  # a numeric extra column stays a number


def test_a_lead_file_with_a_converted_flag_and_no_dates():
    con = store.connect(":memory:")
    path = EXPORTS / "lead_scoring_converted" / "Leads.csv"
    with pytest.raises(DataImportError, match=r"created_at.*order:2024-06-30"):  # says what is needed, offers both
        imported(con, {"leads": path})
    tm = formats.guessed_mapping({"leads": read_table(path)}, {}).tables["leads"]
    tm.columns["Converted"] = ("stage:Customer",)  # the 0/1 flag: the lead became a customer
    tm.constants["created_at"] = "order:2024-06-30"  # the file order, one minute apart
    source = mapping.Mapping("x-education", {"leads": tm})
    loading.load(con, assemble.prepare({"leads": read_table(path)}, source))
    leads = con.table("leads").execute().sort_values("created_at")
    assert len(leads) == 250 and leads.created_at.is_unique
    assert leads.lead_number.tolist() == sorted(leads.lead_number, reverse=True)  # the file order is kept
    assert int(con.table("stage_changes").count().execute()) == 99  # Converted = 1
    rules = parse_rules('[thresholds]\nfit = 10\ninterest = 0\n[[fit]]\ncolumn = "total_time_spent_on_website"\n'
                        'min = 300\npoints = 10\n')
    scored = score_leads(con, rules).execute()
    mqls = scored[scored.is_mql]
    assert len(mqls) == 109 and int(mqls.won.sum()) == 62  # typed extra column: >= 300 works (README: 109, 62)


def test_a_chinese_crm_leads_file_and_its_opportunities():
    con = store.connect(":memory:")
    files = {"leads": EXPORTS / "chinese_crm" / "线索.csv", "opps": EXPORTS / "chinese_crm" / "商机.csv"}
    guessed = formats.guessed_mapping({r: read_table(p) for r, p in files.items()}, {"opps": "deals"})
    leads_map, opps_map = guessed.tables["leads"].columns, guessed.tables["opps"].columns
    assert leads_map["线索编号"] == ("lead_id",) and leads_map["创建时间"] == ("created_at",)
    assert leads_map["成为MQL时间"] == ("stage:MQL",) and leads_map["成为SQL时间"] == ("stage:SQL",)
    assert opps_map["商机编号"] == ("deal_id",) and opps_map["线索编号"] == ("lead_id",)
    assert opps_map["阶段"] == ("status",) and opps_map["金额"] == ("amount",)
    with pytest.raises(DataImportError, match="mixes date formats"):  # 展会 rows use another format (README)
        imported(con, files, tables={"opps": "deals"})


def test_day_first_dates_with_dots_dashes_and_excel_serials():
    con = store.connect(":memory:")
    day_first = EXPORTS / "day_first"
    imported(con, {"leads": day_first / "leads_dots.csv"})
    leads = con.table("leads").execute().set_index("lead_id")
    assert leads.loc["L-20241001", "created_at"] == pd.Timestamp("2024-02-01")  # 01.02.2024, proven by days > 12
    with pytest.raises(AmbiguousDates, match="fits both day/month orders"):  # every dashed date fits both
        formats.prepare_mapped({"leads": day_first / "leads_dashes_ambiguous.csv"})
    prepared, _ = formats.prepare_mapped({"leads": day_first / "leads_dashes_ambiguous.csv"}, day_first=True)
    assert prepared.frames["leads"].data.created_at.iloc[0] == pd.Timestamp("2024-01-10")  # 10-01-2024
    serial, _ = formats.prepare_mapped({"leads": day_first / "leads_excel_serial.csv"}, tables={})
    assert serial.frames["leads"].data.created_at.iloc[0] == pd.Timestamp("2024-03-18")  # 45369


def test_a_file_of_dates_without_a_time_keeps_its_days_in_any_time_zone(tmp_path):
    path = tmp_path / "leads.csv"
    path.write_text("id,created\nA,2024-03-14\nB,2024-03-14 09:30\n", "utf-8")
    prepared, _ = formats.prepare_mapped({"leads": path}, timezone="Asia/Shanghai")
    created = prepared.frames["leads"].data.created_at.tolist()
    assert created == [pd.Timestamp("2024-03-14"), pd.Timestamp("2024-03-14 01:30")]  # a day; a time in UTC


def test_a_second_file_can_find_its_leads_by_email(tmp_path):
    (tmp_path / "people.csv").write_text("email,created\nAnn@X.com,2024-01-02\nbob@x.com,2024-01-03\n", "utf-8")
    (tmp_path / "deals.csv").write_text("deal,contact email,closed,amount,result\nD1,ann@x.com ,2024-02-01,100,won\n"
                                        "D2,carl@x.com,2024-02-02,50,won\n", "utf-8")
    con = build_con(leads=[{"lead_id": "C9", "created_at": "2023-12-01", "email": "carl@x.com"}])
    tms = {"people": mapping.TableMapping("leads", {"email": ["lead_id", "email"], "created": "created_at"},
                                          role="people"),
           "deals": mapping.TableMapping("deals", {"deal": "deal_id", "contact email": "lead_id", "closed": [
               "created_at", "closed_at"], "amount": "amount", "result": "status"}, role="deals", match="email")}
    files = {r: read_table(tmp_path / f"{r}.csv") for r in tms}
    prepared = assemble.prepare(files, mapping.Mapping("m", tms), known_emails=formats.known_emails(con))
    assert prepared.frames["deals"].data.lead_id.tolist() == ["Ann@X.com", "C9"]  # this import's lead; the db's
    (tmp_path / "deals.csv").write_text("deal,contact email,closed,amount,result\nD3,nobody@x.com,2024-02-01,1,won\n")
    with pytest.raises(DataImportError, match=r"deals.csv, row 1 \(line 2\), column contact email: no lead has"):
        assemble.prepare({r: read_table(tmp_path / f"{r}.csv") for r in tms}, mapping.Mapping("m", tms))


def test_your_own_data_is_never_mixed_into_the_demo_database_by_accident(demo_db, tmp_path, capsys):
    from smarketing.cli import main

    demo = tmp_path / "demo.duckdb"
    demo.write_bytes(Path(demo_db).read_bytes())
    leads = tmp_path / "leads.csv"
    leads.write_text("lead_id,created_at\nOWN1,2026-01-05\n")
    assert main(["import", "--db", str(demo), "--leads", str(leads)]) == 1
    assert "holds the demo data" in capsys.readouterr().err
    assert main(["import", "--db", str(demo), "--leads", str(leads), "--into-demo"]) == 0
    assert main(["import", "--db", str(tmp_path / "crm.duckdb"), "--leads", str(leads)]) == 0


def test_extra_columns_of_our_own_layout_keep_numbers_as_numbers(tmp_path):
    leads = tmp_path / "leads.csv"
    leads.write_text("lead_id,created_at,visits,ratio,zip,ref\nA,2026-01-05,3,0.5,01234,x1\nB,2026-01-06,,2,02115,7\n")
    con = store.connect(":memory:")
    store.import_files(con, {"leads": leads})
    types = dict(store.raw(con).execute("SELECT column_name, column_type FROM (DESCRIBE leads)").fetchall())
    assert (types["visits"], types["ratio"], types["zip"], types["ref"]) == ("BIGINT", "DOUBLE", "VARCHAR", "VARCHAR")
    assert con.table("leads").visits.sum().execute() == 3


def test_blank_cells_of_a_number_extra_column_are_empty_in_a_new_and_an_existing_column(tmp_path):
    leads = tmp_path / "leads.csv"
    leads.write_text("lead_id,created_at,visits\nA,2026-01-05,3\nB,2026-01-06, \nC,2026-01-07,\n")
    con = store.connect(":memory:")
    store.import_files(con, {"leads": leads})  # " " is a blank cell, not a reason to fail the BIGINT column
    more = tmp_path / "more.csv"
    more.write_text("lead_id,created_at,visits\nD,2026-01-08, \nE,2026-01-09,4\n")
    store.import_files(con, {"leads": more})  # the column exists now (BIGINT): blanks still fit it
    visits = con.table("leads").order_by("lead_id").visits.execute().tolist()
    assert visits[0] == 3 and visits[4] == 4 and all(pd.isna(v) for v in visits[1:4])
