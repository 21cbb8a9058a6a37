"""Hostile text from the user's data, files and settings never becomes SQL or a path outside the app's folders.

SQL: filter values, breakdown columns, uploaded headers, stage names and aliases, scoring-rule values
reach the database only as literals, bound parameters or quoted identifiers — the analyses return the
hand-counted numbers for such values and every table is still there. Paths: names typed or uploaded
are reduced to one file name inside the app's folder, or refused.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smarketing import paths, planner, store
from smarketing.attribution import channels
from smarketing.attribution.paths import PathParams
from smarketing.attribution.report import attribution
from smarketing.filters import Filters, segment_leads
from smarketing.funnel import lifecycle as funnel
from smarketing.importers import mapping
from smarketing.leadflow import flow as leadflow
from smarketing.schema import TABLES
from smarketing.scoring import quadrants as scoring_quadrants
from smarketing.scoring.rules import EventRule, FitRule, Rules, RulesError
from smarketing.scoring.rules_file import dump_rules, parse_rules
from smarketing.scoring.scores import Cutoff, score_leads, validate_rules
from smarketing.scoring.versions import save_version
from smarketing.stages import Stage, StageModel
from smarketing.store import engines

HOSTILE = (
    "x'); DROP TABLE leads; --",
    '" OR 1=1 --',
    'a"b',
    "'; SELECT * FROM read_csv('/etc/passwd') --",
)
SEGMENTS = ("source_group", "source", "industry", "country", "region", "owner", "campaign")
T0 = datetime(2025, 1, 6, 9, 0)
AS_OF = datetime(2025, 3, 1)


def _leads() -> list[dict]:
    """HOSTILE[i] is every segment value of i + 1 leads; five plain leads beside them."""
    rows = [{"lead_id": f"H{i}{k}", "created_at": T0 + timedelta(days=i), **dict.fromkeys(SEGMENTS, value)}
            for i, value in enumerate(HOSTILE) for k in range(i + 1)]
    return rows + [{"lead_id": f"P{k}", "created_at": T0, **dict.fromkeys(SEGMENTS, "plain")} for k in range(5)]


@pytest.fixture()
def hostile(make_con):
    """Every lead reaches MQL a day after creation, the first of each hostile segment also SQL; hostile
    leads touch their own channel before MQL and have an event of their own (hostile) type; every MQL is
    handed to the lead's owner and accepted an hour later; spend of 10 per lead of each source."""
    leads = _leads()
    changes, events, handoffs, spend = [], [], [], []
    for lead in leads:
        created, value = lead["created_at"], lead["source"]
        changes.append({"lead_id": lead["lead_id"], "stage": "MQL", "entered_at": created + timedelta(days=1)})
        if lead["lead_id"].endswith("0") and lead["lead_id"].startswith("H"):
            changes.append({"lead_id": lead["lead_id"], "stage": "SQL", "entered_at": created + timedelta(days=2)})
        handoffs.append({"lead_id": lead["lead_id"], "dispatched_at": created + timedelta(days=1, hours=1),
                         "owner": lead["owner"], "accepted_at": created + timedelta(days=1, hours=2)})
        spend.append({"date": created.date(), "source_group": value, "source": value, "campaign": value,
                      "cost": 10.0})
        if value != "plain":
            events.append({"lead_id": lead["lead_id"], "ts": created + timedelta(hours=12), "event_type": "page_view",
                           "channel": value, "campaign": value})
            events.append({"lead_id": lead["lead_id"], "ts": created + timedelta(hours=13), "event_type": value})
    return make_con(leads=leads, stage_changes=changes, events=events, handoffs=handoffs, spend=spend)


def only(column: str, value: str) -> Filters:
    return Filters(segments={column: (value,)})


def intact(con, before: dict[str, int]) -> None:
    assert set(TABLES) <= set(con.list_tables())
    assert store.table_counts(con) == before


# ------------------------------------------------------------------------------------------ filters


@pytest.mark.parametrize("column", SEGMENTS[:-1])  # the sidebar's segment columns
def test_hostile_segment_values_filter_the_funnel_exactly(hostile, column):
    before = store.table_counts(hostile)
    for i, value in enumerate(HOSTILE):
        result = funnel.lifecycle_funnel(hostile, only(column, value)).set_index("stage").leads
        assert result["Subscriber"] == i + 1 and result["MQL"] == i + 1 and result["SQL"] == 1
    both = Filters(segments={column: HOSTILE[:2]})
    assert funnel.lifecycle_funnel(hostile, both).leads.iloc[0] == 1 + 2
    intact(hostile, before)


def test_hostile_values_as_breakdown_groups(hostile):
    split = funnel.lifecycle_funnel(hostile, by="source")
    firsts = split[split.stage == "Subscriber"].set_index("source").leads
    assert {v: int(firsts[v]) for v in HOSTILE} == {v: i + 1 for i, v in enumerate(HOSTILE)}
    assert int(firsts["plain"]) == 5


def test_hostile_segment_values_in_attribution_and_channel_table(hostile):
    before = store.table_counts(hostile)
    params = PathParams(conversion="mql", value="count")
    for i, value in enumerate(HOSTILE):
        result = attribution(hostile, params, only("industry", value), models=("last_touch",))
        assert result.paths.total_conversions == i + 1
        credits = result.credits.set_index("channel").conversions
        assert credits[credits > 0].to_dict() == {value: pytest.approx(i + 1)}
        table = channels.channel_table(hostile, only("source", value), by="source")
        row = table[table.source == value].iloc[0]
        assert (row.leads, row.mql, row.sql, row.cost) == (i + 1, i + 1, 1, 10.0 * (i + 1))
    intact(hostile, before)


def test_hostile_segment_values_in_lead_flow_and_planner(hostile):
    before = store.table_counts(hostile)
    for i, value in enumerate(HOSTILE):
        report = leadflow.sla_report(hostile, only("owner", value), hours=24, as_of=AS_OF)
        assert int(report.summary.iloc[0].dispatched) == i + 1
        assert report.by_owner.owner.tolist() == [value]
        flow = leadflow.flow(hostile, only("region", value))
        assert flow.loc[flow.source == "mql", "leads"].sum() == i + 1
        dd = leadflow.dedupe_report(hostile, only("country", value), by="source")
        assert dd.by_group.set_index("source").leads[value] == i + 1
        mix = planner.channel_mix(hostile, only("source_group", value), channel="source")
        assert mix.set_index("channel").loc[value, "leads"] == i + 1
    intact(hostile, before)


# ------------------------------------------------------------------------------------- scoring rules


def _rules(value: str) -> Rules:
    fit = (
        FitRule("equals", "industry", 1, equals=value),
        FitRule("in", "industry", 2, any_of=(value, "other")),
        FitRule("contains", "industry", 4, contains=(value,)),
        FitRule("matches", "industry", 8, matches=re.escape(value)),
    )
    return Rules(value, 1, date(2025, 1, 1), 15, 16, fit=fit, interest=(EventRule(value, 16),))


@pytest.mark.parametrize("i", range(len(HOSTILE)))
def test_hostile_values_in_scoring_rules(hostile, i):
    before = store.table_counts(hostile)
    rules = parse_rules(dump_rules(_rules(HOSTILE[i])))  # through the TOML file and back
    assert rules.fit[0].equals == HOSTILE[i] and rules.interest[0].event_type == HOSTILE[i]
    scores = score_leads(hostile, rules, Cutoff("days", 30)).execute().set_index("lead_id")
    assert sorted(scores.index[scores.fit == 15]) == [f"H{i}{k}" for k in range(i + 1)]
    assert sorted(scores.index[scores.interest == 16]) == [f"H{i}{k}" for k in range(i + 1)]
    assert scores.fit.isin([0, 15]).all() and scores.is_mql.sum() == i + 1
    segment = score_leads(hostile, rules, Cutoff("days", 30), only("campaign", HOSTILE[i])).count().execute()
    assert segment == i + 1
    intact(hostile, before)


def test_rule_on_an_unknown_column_is_refused(hostile):
    rules = Rules("r", 1, date(2025, 1, 1), 1, 1, fit=(FitRule("x", HOSTILE[1], 1, present=True),))
    with pytest.raises(RulesError, match="unknown lead column"):
        validate_rules(hostile, rules)


# ------------------------------------------------------------------------------ column names from users


@pytest.mark.parametrize("column", [*HOSTILE, "nope"])
def test_breakdown_and_segment_columns_are_checked_against_the_table(hostile, column):
    with pytest.raises(ValueError, match="column"):
        funnel.lifecycle_funnel(hostile, by=column)
    with pytest.raises(ValueError, match="column"):
        segment_leads(hostile.table("leads"), Filters(segments={column: ("x",)}))
    with pytest.raises(ValueError, match="column"):
        leadflow.dedupe_report(hostile, by=column)
    with pytest.raises(ValueError, match="column"):
        planner.channel_mix(hostile, channel=column)
    with pytest.raises(ValueError):
        channels.channel_table(hostile, by=column)
    with pytest.raises(ValueError, match="column"):
        scoring_quadrants.quadrant_by(hostile, hostile.table("leads"), by=column)


def test_hostile_headers_of_an_uploaded_file_become_quoted_columns(tmp_path):
    con = store.connect(tmp_path / "db.duckdb")
    frame = pd.DataFrame({"lead_id": ["A", "B", "C"], "created_at": ["2025-01-01"] * 3,
                          **{h: [f"{k}:{h}", f"{k}:{h}", None] for k, h in enumerate(HOSTILE)}})
    csv = tmp_path / "leads.csv"
    frame.to_csv(csv, index=False)
    assert store.import_files(con, {"leads": csv}) == {"leads": 3}
    leads = con.table("leads")
    assert set(HOSTILE) <= set(leads.columns)
    for k, h in enumerate(HOSTILE):
        assert leads.order_by("lead_id")[h].fill_null("-").execute().tolist() == [f"{k}:{h}", f"{k}:{h}", "-"]
        split = funnel.lifecycle_funnel(con, by=h)  # an extra column is a breakdown like any other
        assert split[split.stage == "Subscriber"].set_index(h).leads.to_dict() == {f"{k}:{h}": 2, "(none)": 1}
    # the same through an in-memory frame (the mapped / CRM uploads), into a second table
    more = frame.assign(lead_id=["D", "E", "F"])
    assert store.import_files(con, {"leads": store.Frame(more, "more.csv")}) == {"leads": 3}
    assert store.table_counts(con)["leads"] == 6
    con.disconnect()


def test_hostile_stage_aliases_and_names(tmp_path):
    model = StageModel(main=(
        Stage("Lead", "marketing", aliases=(HOSTILE[0],)),
        Stage(HOSTILE[1], "marketing", aliases=(HOSTILE[3],)),  # a stage *named* like an injection
        Stage("SQL", "sales", aliases=(HOSTILE[2],)),
    ))
    con = store.connect(tmp_path / "db.duckdb")
    leads = tmp_path / "leads.csv"
    pd.DataFrame({"lead_id": ["A", "B", "C"], "created_at": ["2025-01-01"] * 3}).to_csv(leads, index=False)
    changes = tmp_path / "changes.csv"
    pd.DataFrame({"lead_id": ["A", "B", "C", "A", "B", "A"],
                  "stage": [HOSTILE[0], HOSTILE[0], HOSTILE[0], HOSTILE[3], HOSTILE[1], HOSTILE[2]],
                  "entered_at": ["2025-01-02"] * 3 + ["2025-01-03"] * 2 + ["2025-01-04"]}).to_csv(changes, index=False)
    store.import_files(con, {"leads": leads, "stage_changes": changes}, stages=model)
    stored = con.table("stage_changes").stage.execute().tolist()
    assert sorted(stored) == sorted(["Lead"] * 3 + [HOSTILE[1]] * 2 + ["SQL"])
    result = funnel.lifecycle_funnel(con, stages=model).set_index("stage").leads
    assert result.to_dict() == {"Lead": 3, HOSTILE[1]: 2, "SQL": 1}
    assert store.table_counts(con)["leads"] == 3
    con.disconnect()


def test_paths_with_quotes_reach_sql_as_quoted_strings(tmp_path, make_con):
    con = make_con(leads=[{"lead_id": "A", "created_at": "2025-01-01"}])
    folder = tmp_path / "it's \"x\"; DROP TABLE leads; --"
    written = engines.export_parquet(con, folder)
    assert written["leads"] == folder / "leads.parquet" and pd.read_parquet(written["leads"]).lead_id.tolist() == ["A"]
    db = tmp_path / "o'brien.duckdb"
    store.connect(db).disconnect()
    reader = store.connect(db, read_only=True)  # ATTACH takes the path as a quoted literal
    assert store.table_counts(reader)["leads"] == 0
    reader.disconnect()


# ------------------------------------------------------------------------------------------- paths

NAMES = ["../../etc/x", "/tmp/evil", "..\\..\\x", "a\0b", "CON", "con.toml", "nul", "COM1", "x" * 10_000,
         "é" * 10_000, "客户 Q1 导入", "Ωμέγα", ".hidden", "..", "", "   ", "a/../../b", "C:\\evil", "x\ny"]


def _is_safe(name: str, folder: Path) -> None:
    assert name and not set(name) & set("/\\\0:") and ".." not in name and not name.startswith((".", " "))
    assert len(name) <= paths.MAX_NAME and len(name.encode()) <= paths.MAX_BYTES
    assert name.split(".")[0].strip().casefold() not in {"con", "prn", "aux", "nul", "com1", "lpt1"}
    target = folder / name
    target.write_text("ok", "utf-8")  # really a file name here
    assert target.resolve().parent == folder.resolve()


@pytest.mark.parametrize("name", NAMES)
def test_hostile_names_become_one_file_name_in_the_folder(tmp_path, name):
    safe = paths.safe_file_name(name, default="file")
    _is_safe(safe, tmp_path)
    assert paths.inside(tmp_path, safe) == tmp_path / safe
    if safe != name:
        with pytest.raises(paths.UnsafeName, match="cannot be used as a file name"):
            paths.inside(tmp_path, name)


def test_unicode_names_are_kept():
    assert paths.safe_file_name("客户 Q1 导入") == "客户 Q1 导入"
    assert paths.safe_file_name("Ωμέγα.toml") == "Ωμέγα.toml"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(max_size=300))
def test_any_name_becomes_a_safe_file_name(tmp_path, name):
    _is_safe(paths.safe_file_name(name), tmp_path)


def test_inside_refuses_a_link_out_of_the_folder(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "notes.toml").symlink_to(tmp_path / "elsewhere.toml")
    with pytest.raises(paths.UnsafeName, match="outside"):
        paths.inside(tmp_path / "app", "notes.toml")


@pytest.mark.parametrize("name", ["../../etc/x", "/tmp/evil", "..\\..\\x", "a\0b", "客户 Q1", ".hidden"])
def test_saved_mappings_stay_in_the_mappings_folder(tmp_path, name):
    folder = tmp_path / "mappings"
    saved = mapping.Mapping(name, {}).save(folder)
    assert saved.parent == folder and saved.resolve().parent == folder.resolve()
    assert [p.name for p in tmp_path.rglob("*") if p.is_file() and p.suffix != ".lock"] == [saved.name]


def test_rule_versions_are_numbered_files_whatever_the_rules_are_called(tmp_path):
    rules = Rules("../../etc/passwd", 1, date(2025, 1, 1), 1, 1, fit=(FitRule("x", "industry", 1, present=True),))
    new, path = save_version(rules, tmp_path / "db.duckdb")
    assert path == tmp_path / "scoring_rules" / f"v{new.version}.toml" and path.exists()
