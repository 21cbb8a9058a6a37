"""Real browser: the Overview's Meeting pack button downloads the pack (one HTML file) of the sidebar's filters."""

import pytest
from conftest import wait_idle
from packreader import PackReader
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

TIMEOUT = 120_000


def test_meeting_pack_button_downloads_the_pack(page: Page, app_url, tmp_path):
    page.goto(f"{app_url}/?since=2026-09-01&until=2026-09-30&mode=period")
    expect(page.get_by_role("heading", name="Marketing & sales overview")).to_be_visible(timeout=TIMEOUT)
    wait_idle(page)
    leads = page.locator("[data-testid='stMetric']", has_text="Leads").first
    shown = leads.locator("[data-testid='stMetricValue']").inner_text()
    with page.expect_download(timeout=TIMEOUT) as download:
        page.get_by_role("button", name="Meeting pack").click()
    assert download.value.suggested_filename == "smarketing-pack-2026-09-01_2026-09-30.html"
    path = tmp_path / "pack.html"
    download.value.save_as(path)
    html = path.read_text("utf-8")
    assert html.startswith("<!DOCTYPE html>") and "2026-09-01 – 2026-09-30, compared with" in html
    assert PackReader(html).cards["Leads"][1] == shown.strip()  # the number the Overview shows
    wait_idle(page)
    expect(page.get_by_role("heading", name="Marketing & sales overview")).to_be_visible()  # the page is still there
