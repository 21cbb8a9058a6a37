"""Real browser: a new user brings their own files on the Data page, imports them in one flow, and every
page then works on that data (no exception, no error alert, no "no data" state, not every lead in one quadrant)."""

from pathlib import Path

import pytest
from conftest import running_app, wait_idle
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

TIMEOUT = 120_000
DATA = Path(__file__).parent / "data"
HUBSPOT = DATA / "hubspot"
OLIST = DATA / "exports" / "olist"
PAGES = [("funnel", "Lifecycle funnel"), ("drivers", "What drives conversion"), ("audit", "Data trust"),
         ("fit_interest", "Fit vs interest"), ("scoring_tuner", "Scoring tuner"), ("attribution", "Attribution"),
         ("lead_flow", "Lead flow"), ("planner", "Goal planner"), ("forecast", "Forecast"),
         ("", "Marketing & sales overview")]


def fresh_app(tmp_path_factory):
    """The app on a database that does not exist yet (a new user), in its own streamlit process."""
    home = tmp_path_factory.mktemp("fresh")
    env = {"SMARKETING_DB": str(home / "crm.duckdb"), "SMARKETING_MAPPINGS": str(home / "mappings")}
    return running_app(env, home)


def no_exception(page: Page) -> None:
    """No traceback and no error alert (st.error: "The scoring rules cannot be used", say) on the page."""
    assert page.locator("[data-testid='stException']").count() == 0
    errors = page.locator("[data-testid='stAlertContentError']")
    assert errors.count() == 0, errors.all_inner_texts()


def test_an_mql_list_and_a_won_file_in_one_flow_then_every_page(page: Page, tmp_path_factory):
    with fresh_app(tmp_path_factory) as url:
        page.goto(f"{url}/data")
        expect(page.get_by_text("There is no database yet")).to_be_visible(timeout=TIMEOUT)
        page.locator("[data-testid='stFileUploaderDropzoneInput']").first.set_input_files(
            [str(OLIST / "olist_marketing_qualified_leads_dataset.csv"), str(OLIST / "olist_closed_deals_dataset.csv")])
        expect(page.get_by_text("Checked (add new): Leads: 300 added")).to_be_visible(timeout=TIMEOUT)
        wait_idle(page)
        # every row of the MQL list is an MQL (its name says so): 300 MQL dates and 33 won dates
        expect(page.get_by_text("Stage changes: 333 added")).to_be_visible(timeout=TIMEOUT)
        page.get_by_role("button", name="Import", exact=True).click()
        expect(page.get_by_text("Imported: Leads: 300 added; Stage changes: 333 added; Deals: 33 added")
               ).to_be_visible(timeout=TIMEOUT)
        no_exception(page)
        for path, heading in PAGES:
            page.goto(f"{url}/{path}")
            expect(page.get_by_role("heading", name=heading).first).to_be_visible(timeout=TIMEOUT)
            wait_idle(page)
            page.wait_for_timeout(1000)
            no_exception(page)
            assert page.get_by_text("No data in this range").count() == 0, path
            assert page.get_by_text("(100.0%) are hot").count() == 0, path  # not every lead in one quadrant


def test_upload_hubspot_export_and_see_the_funnel(page: Page, tmp_path_factory):
    with fresh_app(tmp_path_factory) as url:
        page.goto(f"{url}/data")
        expect(page.get_by_text("There is no database yet")).to_be_visible(timeout=TIMEOUT)
        page.get_by_role("tab", name="HubSpot export").click()
        inputs = page.locator("[data-testid='stTabPanel']:visible [data-testid='stFileUploaderDropzoneInput']")
        inputs.nth(0).set_input_files(str(HUBSPOT / "hubspot-crm-exports-all-contacts-2024-06-03.csv"))
        # the contacts alone are checked first; only then add the deals (a second upload during the rerun of
        # the first one would race with it)
        expect(page.get_by_text("Checked (add new): Leads: 30 added")).to_be_visible(timeout=TIMEOUT)
        wait_idle(page)
        inputs.nth(1).set_input_files(str(HUBSPOT / "hubspot-crm-exports-all-deals-2024-06-03.csv"))
        expect(page.get_by_text("Deals: 11 added")).to_be_visible(timeout=TIMEOUT)
        expect(page.get_by_text("1 deal(s) left out")).to_be_visible(timeout=TIMEOUT)
        wait_idle(page)
        page.get_by_role("button", name="Import", exact=True).click()
        expect(page.get_by_text("Imported: Leads: 30 added; Stage changes: 96 added; Deals: 11 added")
               ).to_be_visible(timeout=TIMEOUT)
        no_exception(page)
        page.get_by_role("link", name="See your funnel").first.click()
        expect(page.get_by_role("heading", name="Lifecycle funnel")).to_be_visible(timeout=TIMEOUT)
        wait_idle(page)
        chart = page.locator(".js-plotly-plot").first
        expect(chart).to_contain_text("Subscriber", timeout=TIMEOUT)
        texts = [x.strip() for x in chart.locator("text").all_text_contents()]
        assert texts[0] == "30", texts  # all 30 contacts reached the first stage, drawn on the first bar
        assert "Customer" in texts
        no_exception(page)
