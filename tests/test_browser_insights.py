"""Real browser: the Data trust page down to the leads to fix, and the What drives conversion page from a driver to
its leads, on the demo database."""

import pytest
from conftest import wait_idle
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

TIMEOUT = 120_000


def test_data_trust_from_the_trust_score_to_the_leads_to_fix(page: Page, app_url):
    page.goto(f"{app_url}/audit")
    expect(page.get_by_role("heading", name="Data trust: how far the stage data can be trusted")).to_be_visible(
        timeout=TIMEOUT)
    wait_idle(page)
    expect(page.get_by_text("Trust per stage").first).to_be_visible()
    page.get_by_role("tab", name="Leads to fix").click()
    wait_idle(page)
    expect(page.get_by_text("latest first.")).to_be_visible(timeout=TIMEOUT)
    assert page.locator("[data-testid='stException']").count() == 0


def test_drivers_chart_and_the_leads_of_a_driver(page: Page, app_url):
    page.goto(f"{app_url}/drivers")
    expect(page.get_by_role("heading", name="What drives conversion")).to_be_visible(timeout=TIMEOUT)
    wait_idle(page)
    expect(page.get_by_text("Odds of taking the step, with and without each driver")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_role("heading", name="The leads behind a driver")).to_be_visible()
    page.get_by_text("Behaviour steps").click()
    wait_idle(page)
    expect(page.get_by_text("reached Demo request", exact=False)).to_be_visible(timeout=TIMEOUT)
    assert page.locator("[data-testid='stException']").count() == 0
