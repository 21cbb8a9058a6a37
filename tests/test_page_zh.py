"""Every page in Chinese (AppTest, `?lang=zh`, the demo database): no exception, the Chinese title, no English
label and no label key left anywhere on the page (texts, widgets, help, tables' headers and chart titles); the
language chosen in the sidebar, kept in the URL and across pages, taken from the browser by default; cached
figures kept apart per language."""

from __future__ import annotations

import json
import re

import pytest
from apptest import figures, run_page
from google.protobuf.message import Message

from smarketing import labels
from smarketing.stages import active_stages
from smarketing.ui.pages import PAGES

EN, ZH = labels.table("en"), labels.table("zh")
TITLES = {"home": "home_title", "funnel": "funnel_title", "drivers": "drv_title", "audit": "audit_title",
          "fit_interest": "fi_title", "scoring_tuner": "sc_title", "attribution": "attribution_title",
          "lead_flow": "lf_title", "planner": "pl_title", "forecast": "fc_title", "data": "data_title"}
# English labels that would give themselves away: translated, a few words long, no placeholder (a formatted
# label is checked through its fixed words' translation elsewhere)
ENGLISH = sorted({text for key, text in EN.items() if text != ZH.get(key, text) and "{" not in text and len(text.split()) >= 3},
                 key=len, reverse=True)
STAGES = {name for name, shown in active_stages().display_names("zh").items() if name != shown}  # Lead, Customer …
SPEC_TEXT = ("text", "name", "title", "hovertemplate", "label", "ticktext")  # words in a figure's JSON


def _strings(message: Message, out: list[str]) -> None:
    for field, value in message.ListFields():
        values = value if not isinstance(value, str | bytes | Message) and hasattr(value, "__iter__") else [value]
        for item in values:
            if isinstance(item, Message):
                _strings(item, out)
            elif isinstance(item, str) and field.name == "spec":
                _spec_strings(json.loads(item), out)
            elif isinstance(item, str) and field.name == "columns" and item.startswith("{"):  # a table's headers
                out += [v for conf in json.loads(item).values() if isinstance(conf, dict)
                        for k, v in conf.items() if k in ("label", "help") and isinstance(v, str)]
            elif isinstance(item, str) and field.name in ("body", "label", "help", "placeholder", "options",
                                                           "caption", "value", "default", "column_config"):
                out.append(item)


def _spec_strings(node, out: list[str], key: str = "") -> None:
    if isinstance(node, dict):
        for k, v in node.items():
            if k != "template":
                _spec_strings(v, out, k)
    elif isinstance(node, list):
        for v in node:
            _spec_strings(v, out, key)
    elif isinstance(node, str) and key in SPEC_TEXT:
        out.append(node)


def page_texts(at) -> list[str]:
    """Every text a user can read on the page: markdown, captions, alerts, widget labels, help and options, table
    headers (column configs), chart titles, names, labels and hovers."""
    out: list[str] = []

    def visit(node):
        proto = getattr(node, "proto", None)
        if isinstance(proto, Message):
            _strings(proto, out)
        for child in getattr(node, "children", {}).values():
            visit(child)

    visit(at._tree)
    return out


def english_left(texts: list[str]) -> list[str]:
    """English labels or raw label keys among the texts."""
    found = []
    for text in texts:
        plain = text.replace("\\", "")  # markdown escapes
        found += [f"English {e!r} in {text[:80]!r}" for e in ENGLISH if e in plain]
        if labels.KEY.fullmatch(text) and "_" in text and text in EN:
            found.append(f"label key {text!r}")
        found += [f"stage {s!r} in {text[:80]!r}" for s in STAGES if text == s or f"*{s}*" in text or f"{s} →" in text]
    return found


@pytest.fixture()
def analyst(demo_env, monkeypatch):
    monkeypatch.setenv("SMARKETING_ROLE", "analyst")  # the Data page too
    return demo_env


@pytest.mark.parametrize("page", [p.key for p in PAGES])
def test_every_page_in_chinese(analyst, page):
    at = run_page(page, run=False)
    at.query_params["lang"] = "zh"
    at.run(timeout=300)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert [t.value for t in at.title] == [ZH[TITLES[page]]]
    assert not english_left(page_texts(at)), english_left(page_texts(at))[:10]
    assert at.query_params["lang"] == "zh"  # kept in the URL with the filters


def test_the_check_finds_english_and_keys():
    for text in ("x " + EN["lf_no_handoffs"], "help_kpi_leads", "Opportunity", "*Customer* y", "Lead → MQL"):
        assert english_left([text]), text
    assert not english_left([ZH["lf_no_handoffs"], "Paid Search", "MQL → SQL"])


def test_the_language_is_kept_when_navigating(analyst):
    at = run_page("app.py", run=False)
    at.query_params["lang"] = "zh"
    at.run(timeout=300)
    assert [t.value for t in at.title] == [ZH["home_title"]]
    with labels.using("zh"):  # AppTest reads the widgets (their format_func) in this thread: as the page shows them
        at.switch_page("pages/funnel.py").run(timeout=300)
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == [ZH["funnel_title"]]
    assert at.query_params["lang"] == "zh"


def test_the_sidebar_switches_the_language_and_writes_it_into_the_url(analyst):
    at = run_page("home")
    assert [t.value for t in at.title] == [EN["home_title"]] and at.query_params["lang"] == "en"
    at.segmented_control(key="ui_lang").set_value("zh").run(timeout=300)
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == [ZH["home_title"]] and at.query_params["lang"] == "zh"
    with labels.using("zh"):  # AppTest reads the widgets (their format_func) in this thread: as the page shows them
        assert at.segmented_control(key="ui_lang").value == "zh"
        at.segmented_control(key="ui_lang").set_value("en").run(timeout=300)
    assert [t.value for t in at.title] == [EN["home_title"]] and at.query_params["lang"] == "en"


@pytest.mark.parametrize(("locale", "title"), [("zh-CN", "home_title"), ("en-US", "home_title"), (None, "home_title")])
def test_the_browsers_language_is_the_default(analyst, locale, title):
    at = run_page("home", run=False)
    at.context["locale"] = locale
    at.run(timeout=300)
    expected = ZH if locale and locale.startswith("zh") else EN
    assert [t.value for t in at.title] == [expected[title]]


def test_cached_figures_are_kept_apart_per_language(analyst):
    english = run_page("home")  # fills the figure cache in English first
    chinese = run_page("home", run=False)
    chinese.query_params["lang"] = "zh"
    chinese.run(timeout=300)
    axis = [f["layout"]["yaxis"]["title"]["text"] for f in figures(chinese)]
    assert axis == [ZH["chart_log_scale"].format(title=ZH["leads"])]
    assert [f["layout"]["yaxis"]["title"]["text"] for f in figures(english)] == [
        EN["chart_log_scale"].format(title=EN["leads"])]
    months = figures(chinese)[0]["layout"]["xaxis"]["tickformat"]
    assert months == "%Y年%-m月" and re.search(r"%\{x\|%Y年%-m月\}", figures(chinese)[0]["data"][0]["hovertemplate"])
