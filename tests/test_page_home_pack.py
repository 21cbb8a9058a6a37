"""AppTest: the Overview's Meeting pack buttons give the pack of the sidebar's filters, built only when a button
is clicked (Streamlit calls a deferred download's function then), never on a run of the page."""

from __future__ import annotations

from datetime import date

import pytest
from apptest import run_page
from packreader import PackReader
from streamlit.delta_generator import DeltaGenerator

from smarketing import report
from smarketing.filters import Filters
from smarketing.report import pdf


@pytest.fixture()
def deferred(monkeypatch):
    """The data function of each download button of a page run, by file name (not called)."""
    seen, real = {}, DeltaGenerator.download_button

    def spy(self, label, data, file_name=None, *args, **kwargs):
        seen[file_name] = data
        return real(self, label, data, file_name, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", spy)
    return seen


@pytest.fixture()
def builds(monkeypatch):
    """How many packs were gathered."""
    count, real = [], report.gather
    monkeypatch.setattr(report, "gather", lambda *a, **k: count.append(1) or real(*a, **k))
    return count


def test_the_pack_is_built_on_click_only_with_the_sidebars_filters(demo_env, deferred, builds, demo_con):
    at = run_page("home")
    labels = [b.label for b in at.get("download_button")]
    assert "Meeting pack" in labels
    assert not builds, "the page run built a pack"
    at.sidebar.radio(key="flt_mode").set_value("period").run()
    at.date_input(key="flt_range").set_value((date(2026, 9, 1), date(2026, 9, 30))).run()
    assert not at.exception and not builds
    name = "smarketing-pack-2026-09-01_2026-09-30.html"
    html = deferred[name]().decode("utf-8")  # the click
    assert len(builds) == 1
    expected = report.build_html(demo_con, report.PackOptions(
        Filters(since=date(2026, 9, 1), until=date(2026, 9, 30), mode="period")))
    assert html == expected  # the same pack as `smarketing pack --since … --until … --mode period`
    assert "Period: stage entries that happened in the range" in html
    assert PackReader(html).cards["Leads"][1] == next(m.value for m in at.metric if m.label == "Leads")


@pytest.mark.skipif(not pdf.available(), reason="WeasyPrint cannot load Pango here")
def test_the_pdf_button(demo_env, deferred, builds):
    at = run_page("home")
    assert "PDF" in [b.label for b in at.get("download_button")] and not builds
    data = next(f for name, f in deferred.items() if name.endswith(".pdf"))()
    assert data.startswith(b"%PDF-") and len(builds) == 1


def test_the_segment_and_the_romi_model_go_into_the_pack(demo_env, deferred):
    at = run_page("home", run=False)
    at.session_state["attr_romi_model"] = "linear"  # chosen on the Attribution page
    at.run()
    at.sidebar.multiselect(key="flt_source_group").set_value(["Events"]).run()
    assert not at.exception
    html = next(f for name, f in deferred.items() if name.endswith(".html"))().decode("utf-8")
    assert "Leads: Source group = Events" in html and "ROMI by channel, Linear attribution" in html
