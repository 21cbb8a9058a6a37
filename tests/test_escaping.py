"""HTML, script and markdown in the user's data (companies, sources, campaigns, owners, stage and rule names)
are shown as text: escaped in plotly figures (charts.style.escape_text) and in markdown (formatting.md_text),
checked on the helpers, on every page (AppTest) and in a real browser."""

from __future__ import annotations

import html
import json
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from apptest import run_page
from conftest import running_app, wait_idle
from google.protobuf.json_format import MessageToDict
from hypothesis import given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from smarketing import demo, store
from smarketing.charts import attribution as attribution_charts
from smarketing.charts import funnel as funnel_charts
from smarketing.charts import planner as planner_charts
from smarketing.charts.style import apply
from smarketing.formatting import md_code, md_text
from smarketing.reach import refresh_reach
from smarketing.schema import TABLES
from smarketing.scoring.rules import FitRule, agreement_markdown
from smarketing.scoring.rules_file import dump_rules
from smarketing.scoring.versions import load_rules, shipped_rules_path

ROOT = Path(__file__).resolve().parents[1]
IMG = '<img src=x onerror="window.__xss=1">'
SCRIPT = "<script>window.__xss=2</script>"
TAG = "<b>x</b>"
LINK = '<a href="javascript:window.__xss=3">x</a>'
PIXEL = "![t](http://evil.example/p.png)"
BOLD = "**bold**"
PAYLOADS = (IMG, SCRIPT, TAG, LINK, PIXEL, BOLD, "<script>alert(1)</script>")
RAW = ("<img", "<script", "<b>", "<a ", "![t](", "**bold**")  # none may reach markdown or a figure as is
# demo values replaced in every text column of every table
REPLACE = {"Referrals": IMG, "Events": SCRIPT, "Bing Ads": TAG, "Bing – Brand": LINK, "Media": PIXEL,
           "Kira Novak": BOLD, "No budget": "<script>alert(1)</script>"}
RULES_NAME = f"{BOLD} <script>alert(1)</script>"


# ------------------------------------------------------------------------------------------ helpers


def test_md_text_escapes_markup_but_keeps_plain_text():
    assert md_text("Grace O'Neill (EMEA) 1.5 – 客户") == "Grace O'Neill (EMEA) 1.5 – 客户"
    assert md_text(PIXEL) == r"!\[t\](http://evil.example/p.png)"
    assert md_text("<b>x</b> **y** $1 :red[z] a|b ~~s~~") == r"\<b\>x\</b\> \*\*y\*\* \$1 :red\[z\] a\|b \~\~s\~\~"
    assert md_text("# title\n- item") == r"\# title - item"  # one line, no heading or list
    assert md_text("1. first") == r"1\. first" and md_text("../x.csv") == "../x.csv"
    assert md_code("demo_request") == "`demo_request`" and md_code("a`b") == r"a\`b"


@settings(max_examples=300, deadline=None)
@given(text=st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=60))
def test_md_text_renders_as_the_literal_text(text):
    """Rendered by a CommonMark parser (+ strikethrough), md_text(x) is exactly x as text."""
    markdown_it = pytest.importorskip("markdown_it")
    from markdown_it.common.utils import escapeHtml

    shown = " ".join(text.split())
    rendered = markdown_it.MarkdownIt("commonmark").enable("strikethrough").render(md_text(text))
    assert rendered == (f"<p>{escapeHtml(shown)}</p>\n" if shown else "")


def unescaped(markdown: str) -> bool:
    """Whether markdown holds one of RAW with none of its characters backslash-escaped."""
    bare = re.sub(r"\\.", "", markdown)
    return any(raw in bare for raw in RAW)


def strings(spec, key: str = ""):
    """(key, text) of every string in a figure's JSON, the layout's template left out."""
    if isinstance(spec, str):
        yield key, spec
    elif isinstance(spec, dict):
        for k, v in spec.items():
            if k != "template":
                yield from strings(v, k)
    elif isinstance(spec, list):
        for v in spec:
            yield from strings(v, key)


def assert_safe_figure(spec: dict) -> list[str]:
    """No text of the figure holds a tag; data never goes into a template. Returns the texts as shown."""
    shown = []
    for key, text in strings(spec):
        if key.endswith("template"):
            assert not any(raw in text for raw in RAW), (key, text)
        else:
            assert "<" not in text and ">" not in text, (key, text)
            shown.append(html.unescape(text))
    return shown


def test_every_text_of_a_figure_is_escaped_and_shows_as_the_original():
    stages = pd.DataFrame({"stage": [IMG, SCRIPT, "MQL & more"], "leads": [10, 5, 2],
                           "conversion_from_previous": [1.0, 0.5, 0.4]})
    fig = funnel_charts.funnel_chart(stages, title=f"Funnel of {TAG}")
    shown = assert_safe_figure(json.loads(fig.to_json()))
    assert {IMG, SCRIPT, "MQL & more", f"Funnel of {TAG}"} <= set(shown)

    split = pd.DataFrame({"source": [LINK, LINK, PIXEL, PIXEL], "stage": ["Lead", "MQL"] * 2,
                          "leads": [4, 2, 3, 1], "conversion_from_first": [1, 0.5, 1, 1 / 3]})
    shown = assert_safe_figure(json.loads(funnel_charts.breakdown_chart(split, "source").to_json()))
    assert {LINK, PIXEL} <= set(shown)

    flows = pd.DataFrame({"source": [f"1. {TAG}", f"1. {IMG}"], "target": ["Converted", "No conversion"],
                          "journeys": [3, 4]})
    shown = assert_safe_figure(json.loads(attribution_charts.journey_sankey(flows).to_json()))
    assert {f"1. {TAG}", f"1. {IMG}"} <= set(shown)

    budget = pd.DataFrame({"month": ["2026-01-01", "2026-02-01"], "channel": [SCRIPT, SCRIPT], "budget": [1.0, 2.0]})
    shown = assert_safe_figure(json.loads(planner_charts.monthly_budget_chart(budget, date(2026, 1, 1)).to_json()))
    assert SCRIPT in shown  # the channel is the trace name, shown in the hover through %{fullData.name}


def test_escaping_keeps_category_order_consistent():
    import plotly.express as px

    frame = pd.DataFrame({"x": [TAG, "b"], "y": [1, 2]})
    fig = apply(px.bar(frame, x="x", y="y", category_orders={"x": ["b", TAG]}))
    spec = json.loads(fig.to_json())
    assert spec["layout"]["xaxis"]["categoryarray"] == ["b", html.escape(TAG)]
    assert list(spec["data"][0]["x"]) == [html.escape(TAG), "b"]


def test_agreement_shows_rule_names_and_values_as_text():
    rules = load_rules(shipped_rules_path())
    rules = replace(rules, name=RULES_NAME, owner=LINK, description=PIXEL,
                    fit=(*rules.fit, FitRule(BOLD, "industry", 5, equals=IMG), FitRule("c", "a`b", 1, contains=(TAG,))))
    text = agreement_markdown(rules)
    assert not unescaped(text), text
    assert md_text(RULES_NAME) in text and md_text(repr(IMG)) in text and "per `demo_request`" in text


# ------------------------------------------------------------------------------------------ pages


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory) -> Path:
    """An 800-lead demo database whose source groups, sources, campaigns, an industry, an owner, a return
    reason and companies are HTML, script or markdown; the saved scoring rules have such names and values."""
    path = tmp_path_factory.mktemp("hostile") / "hostile.duckdb"
    con = store.connect(path)
    demo.generate(con, leads=800, seed=3, end=date(2026, 11, 1), progress=False)
    db = store.raw(con)
    for table in TABLES.values():
        for column in (c.name for c in table.columns if c.sql_type == "VARCHAR"):
            for old, new in REPLACE.items():
                db.execute(f'UPDATE "{table.name}" SET "{column}" = ? WHERE "{column}" = ?', [new, old])
    db.execute("UPDATE leads SET company = ? WHERE source_group = ?", [IMG, IMG])
    refresh_reach(con)
    con.disconnect()
    rules = load_rules(shipped_rules_path())
    rules = replace(rules, name=RULES_NAME, owner=LINK, description=PIXEL,
                    fit=(*rules.fit, FitRule(f"{BOLD} {TAG}", "industry", 5, equals=PIXEL)))
    (path.parent / "scoring_rules").mkdir()
    (path.parent / "scoring_rules" / "v90.toml").write_text(dump_rules(replace(rules, version=90)), "utf-8")
    return path




def markdown_texts(node) -> list[str]:
    """Every markdown-rendered text of the page: bodies (markdown, captions, alerts, metrics), labels
    (widgets, expanders, tabs, metrics) and help tooltips."""
    found = []
    proto = getattr(node, "proto", None)
    if proto is not None and getattr(node, "type", "") not in ("plotly_chart", "arrow_data_frame"):
        found += [v for k, v in MessageToDict(proto).items() if k in ("body", "label", "help") and isinstance(v, str)]
    for child in getattr(node, "children", {}).values():
        found += markdown_texts(child)
    return found


def check_page(at: AppTest) -> set[str]:
    """No markdown text holds data unescaped, no figure a tag; returns every text the figures show."""
    for text in markdown_texts(at._tree):
        assert not unescaped(text), text
    shown = set()
    for chart in at.get("plotly_chart"):
        shown |= set(assert_safe_figure(json.loads(chart.proto.spec)))
    return shown


PAGES = [  # (page, widgets to set, hostile values its charts must show)
    ("app.py", {}, set()),
    ("pages/funnel.py", {}, {IMG, SCRIPT}),
    ("pages/funnel.py", {("selectbox", "breakdown_by"): "owner", ("selectbox", "leaks_by"): "campaign"}, set()),
    ("pages/attribution.py", {}, {IMG, SCRIPT}),
    ("pages/lead_flow.py", {("selectbox", "lf_dedupe_by"): "owner"}, {BOLD, "<script>alert(1)</script>"}),
    ("pages/planner.py", {}, {IMG, SCRIPT}),
    ("pages/fit_interest.py", {("selectbox", "fi_by"): "industry"}, {PIXEL}),
]


@pytest.mark.parametrize(("path", "widgets", "expected"), PAGES, ids=[f"{p}-{len(w)}" for p, w, _ in PAGES])
def test_pages_show_hostile_data_as_text(hostile_db, monkeypatch, path, widgets, expected):
    monkeypatch.setenv("SMARKETING_DB", str(hostile_db))
    shown = check_page(run_page(path, widgets))
    assert expected <= shown, "the page's charts should show these hostile values (as text)"


def test_scoring_tuner_shows_rule_names_and_suggestions_as_text(hostile_db, monkeypatch):
    monkeypatch.setenv("SMARKETING_DB", str(hostile_db))
    at = run_page("pages/scoring_tuner.py")
    check_page(at)
    labels = [s.label for s in at.slider]
    assert md_text(f"{BOLD} {TAG}") in labels  # the rule's name, escaped
    at.button(key="sc_adopt").click().run()  # the suggestion names rules after values in the data
    assert not at.exception
    check_page(at)


def test_data_page_shows_file_values_and_names_as_text(tmp_path, monkeypatch):
    db = tmp_path / "crm.duckdb"
    store.connect(db).disconnect()
    monkeypatch.setenv("SMARKETING_DB", str(db))
    monkeypatch.setenv("SMARKETING_MAPPINGS", str(tmp_path / "mappings"))
    at = run_page("pages/data.py")
    before = sorted(p.name for p in tmp_path.rglob("*"))
    csv = f'lead_id,created_at,"{TAG}"\nL1,2024-03-01,{PIXEL}\nL2,"{IMG}",{BOLD}\n'.encode()
    at.file_uploader(key="wiz_files").set_value([("../../evil.csv", csv, "text/csv")]).run()
    assert not at.exception, at.exception
    check_page(at)
    error = " ".join(e.value for e in at.error)
    assert md_text('<img src=x o') in error  # the bad date is named (shortened), as text
    assert sorted(p.name for p in tmp_path.rglob("*")) == before  # the upload was read, never written
    assert not (tmp_path.parent / "evil.csv").exists() and not (ROOT.parent / "evil.csv").exists()

    at.text_input(key="wiz_name").set_value("x" * 10_000).run()  # shortened to a safe file name
    at.button(key="wiz_save").click().run()
    assert not at.exception
    assert [len(p.name) <= 100 for p in (tmp_path / "mappings").glob("*.toml")] == [True]
    at.text_input(key="wiz_name").set_value("../../etc/x").run()
    at.button(key="wiz_save").click().run()
    assert not at.exception
    assert "etc-x.toml" in [p.name for p in (tmp_path / "mappings").glob("*.toml")]
    assert not list(tmp_path.parent.glob("etc*")) and all(p.parent == tmp_path / "mappings"
                                                          for p in tmp_path.rglob("*.toml"))


# ------------------------------------------------------------------------------------ real browser


@pytest.fixture(scope="module")
def hostile_app_url(hostile_db, tmp_path_factory):
    with running_app({"SMARKETING_DB": str(hostile_db)}, tmp_path_factory.mktemp("hostile_app")) as url:
        yield url


@pytest.mark.browser
def test_browser_shows_injected_markup_as_text_and_runs_none_of_it(page, hostile_app_url):
    timeout = 120_000
    page.goto(f"{hostile_app_url}/funnel")
    wait_idle(page)
    chart = page.locator(".js-plotly-plot").filter(has_text=IMG).first  # breakdown by source group
    expect_visible(chart, timeout)
    texts = chart.locator("text").all_text_contents()
    assert IMG in texts and SCRIPT in texts  # the legend shows the names literally
    assert page.evaluate("window.__xss") is None
    assert page.locator("img[src='x'], a[href^='javascript']").count() == 0

    page.goto(f"{hostile_app_url}/fit_interest")
    wait_idle(page)
    caption = page.locator("[data-testid='stCaptionContainer']").filter(has_text=RULES_NAME)
    expect_visible(caption, timeout)  # the rules' name, markdown and tag shown as typed
    assert caption.locator("strong, script").count() == 0
    page.get_by_role("tab").filter(has_text="by source group").click()  # only the open tab is drawn
    wait_idle(page)
    expect_visible(page.locator(".js-plotly-plot").filter(has_text=IMG).first, timeout)  # quadrants by source group
    assert page.locator("img[src*='evil.example'], img[src='x'], a[href^='javascript']").count() == 0
    assert page.evaluate("window.__xss") is None
    assert page.locator("[data-testid='stException']").count() == 0


def expect_visible(locator, timeout: int) -> None:
    from playwright.sync_api import expect

    expect(locator).to_be_visible(timeout=timeout)
