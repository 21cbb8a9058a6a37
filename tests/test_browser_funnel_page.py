"""Real browser: start the app on the demo database, open the Funnel page, change a filter, see the chart redrawn."""

import re
import time

import pytest
from conftest import wait_idle
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

TIMEOUT = 120_000


def funnel_labels(page: Page) -> list[str]:
    """The text drawn on the bars of the first funnel chart."""
    texts = page.locator(".js-plotly-plot").first.locator(".funnellayer text")
    expect(texts.first).to_be_attached(timeout=TIMEOUT)
    return [texts.nth(i).text_content() for i in range(texts.count())]


def redrawn(page: Page, before: list[str], seconds: float = 120) -> list[str]:
    """The funnel labels once they differ from `before` (or the last ones read when time runs out)."""
    deadline = time.time() + seconds
    labels = funnel_labels(page)
    while labels == before and time.time() < deadline:
        page.wait_for_timeout(500)
        labels = funnel_labels(page)
    return labels


def test_funnel_page_redraws_when_the_time_mode_changes(page: Page, app_url):
    page.goto(f"{app_url}/funnel")
    expect(page.get_by_role("heading", name="Lifecycle funnel")).to_be_visible(timeout=TIMEOUT)
    wait_idle(page)
    # a deep link runs the app's navigation (all pages, titled), not the page file on its own
    nav = page.locator("[data-testid='stSidebarNav']")
    expect(nav.get_by_text("Overview")).to_be_visible()
    expect(nav.get_by_text("Goal planner")).to_be_visible()
    before = funnel_labels(page)
    assert before and re.match(r"^[\d,]+", before[0])

    page.get_by_text("Period: stage entries that happened in the range").click()
    wait_idle(page)
    expect(page).to_have_url(re.compile(r"mode=period"), timeout=TIMEOUT)
    after = redrawn(page, before)
    assert after != before, "the funnel chart should show the period-mode counts"

    # the view is in the URL: reopening it shows the same counts
    page.goto(page.url)
    wait_idle(page)
    assert funnel_labels(page) == after


def test_overview_opens_with_kpis(page: Page, app_url):
    page.goto(app_url)
    expect(page.get_by_role("heading", name="Marketing & sales overview")).to_be_visible(timeout=TIMEOUT)
    wait_idle(page)
    expect(page.locator("[data-testid='stMetric']")).to_have_count(8, timeout=TIMEOUT)
    assert page.locator("[data-testid='stException']").count() == 0
