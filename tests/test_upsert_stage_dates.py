"""Re-importing a corrected export updates its stage dates instead of adding a second one (review of issue 12,
item 4): a stage date read from a date column is one per lead and stage, so an upsert matches it on (lead, stage);
a stage-changes history file keeps every entry. Three MQLs and their won file, counted by hand."""

from __future__ import annotations

from smarketing import store
from smarketing.cli import main
from smarketing.importers import formats, loading

MQLS = "mql_id,first_contact_date,origin\nm1,2018-01-10,paid\nm2,2018-01-11,social\nm3,2018-01-12,email\n"


def files(tmp_path, won: str) -> dict:
    (tmp_path / "mqls.csv").write_text(MQLS)
    (tmp_path / "won.csv").write_text("mql_id,won_date,declared_monthly_revenue\n" + won)
    return {"mqls": tmp_path / "mqls.csv", "won": tmp_path / "won.csv"}


def imported(con, tmp_path, won: str, mode: str):
    options = {"mapping_file": tmp_path / "m.toml"} if mode != "add" else {
        "tables": {"won": "deals"}, "every_row": {"mqls": "MQL"}, "write_mapping": tmp_path / "m.toml"}
    prepared, _ = formats.prepare_mapped(files(tmp_path, won), con=con, **options)
    return loading.load(con, prepared, mode=mode).changes


def stage_rows(con) -> list[tuple]:
    frame = con.table("stage_changes").execute().sort_values(["lead_id", "stage"])
    return [(r.lead_id, r.stage, f"{r.entered_at:%Y-%m-%d}") for r in frame.itertuples()]


def test_a_corrected_won_date_replaces_the_old_one(tmp_path):
    con = store.connect(":memory:")
    imported(con, tmp_path, "m1,2018-03-01 10:00:00,100\n", "add")
    # next export: m1's won date corrected (1 March -> 5 March), m2 newly won
    changes = imported(con, tmp_path, "m1,2018-03-05 10:00:00,100\nm2,2018-03-10 09:00:00,50\n", "upsert")
    sc = changes["stage_changes"]
    # 3 MQL dates unchanged; m1's Customer date updated; m2's Customer date added
    assert (sc.added, sc.updated, sc.unchanged) == (1, 1, 3)
    assert stage_rows(con) == [("m1", "Customer", "2018-03-05"), ("m1", "MQL", "2018-01-10"),
                               ("m2", "Customer", "2018-03-10"), ("m2", "MQL", "2018-01-11"),
                               ("m3", "MQL", "2018-01-12")]  # one Customer row for m1, not two
    deal = con.table("deals").execute().set_index("deal_id")
    assert f"{deal.at['m1', 'closed_at']:%Y-%m-%d}" == "2018-03-05" and len(deal) == 2
    again = imported(con, tmp_path, "m1,2018-03-05 10:00:00,100\nm2,2018-03-10 09:00:00,50\n", "upsert")
    assert again["stage_changes"].added == again["stage_changes"].updated == 0  # nothing new: nothing changes


def test_the_check_counts_as_the_import_does(tmp_path):
    con = store.connect(":memory:")
    imported(con, tmp_path, "m1,2018-03-01 10:00:00,100\n", "add")
    prepared, _ = formats.prepare_mapped(files(tmp_path, "m1,2018-03-05 10:00:00,100\n"), con=con,
                                         mapping_file=tmp_path / "m.toml")
    sc = loading.validate(con, prepared, mode="upsert").changes["stage_changes"]
    assert (sc.added, sc.updated, sc.unchanged) == (0, 1, 3)
    assert ("m1", "Customer", "2018-03-01") in stage_rows(con)  # a check changes nothing


def test_a_stage_history_file_keeps_every_entry(tmp_path):
    con = store.connect(":memory:")
    (tmp_path / "leads.csv").write_text("lead_id,created_at\nL1,2024-01-01\n")
    history = tmp_path / "stage_changes.csv"
    # L1 became an MQL, went back to Lead, and became an MQL again: two MQL entries, both kept on upsert
    history.write_text("lead_id,stage,entered_at\nL1,MQL,2024-01-02\nL1,Lead,2024-01-05\nL1,MQL,2024-01-09\n")
    store.import_files(con, {"leads": tmp_path / "leads.csv", "stage_changes": history})
    changes = store.import_changes(con, {"stage_changes": history}, mode="upsert")
    assert (changes["stage_changes"].added, changes["stage_changes"].unchanged) == (0, 3)
    assert [s for _, s, _ in stage_rows(con)].count("MQL") == 2


def test_cli_check_names_the_mode(tmp_path, capsys):
    db = str(tmp_path / "crm.duckdb")
    paths = files(tmp_path, "m1,2018-03-01 10:00:00,100\n")
    argv = ["import", "--db", db, "--format", "mapped", "--file", f"mqls={paths['mqls']}", "--file",
            f"won={paths['won']}", "--table", "won=deals", "--stage", "mqls=MQL"]
    assert main([*argv, "--check"]) == 0
    assert "checked (add mode): would import leads: 3 added" in capsys.readouterr().out
    assert main(argv) == 0
    capsys.readouterr()
    assert main([*argv, "--mode", "upsert", "--check"]) == 0
    assert "checked (upsert mode): would import leads: 3 unchanged" in capsys.readouterr().out
