"""Real browser: a new user uploads a HubSpot export on the Data page, imports it and sees their funnel."""

from pathlib import Path

import pytest
from conftest import running_app, wait_idle
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

TIMEOUT = 120_000
DATA = Path(__file__).parent / "data" / "hubspot"


@pytest.fixture(scope="module")
def fresh_app_url(tmp_path_factory):
    """The app on a database that does not exist yet (a new user), in its own streamlit process."""
    home = tmp_path_factory.mktemp("fresh")
    env = {"SMARKETING_DB": str(home / "crm.duckdb"), "SMARKETING_MAPPINGS": str(home / "mappings")}
    with running_app(env, home) as url:
        yield url


def test_upload_hubspot_export_and_see_the_funnel(page: Page, fresh_app_url):
    page.goto(f"{fresh_app_url}/data")
    expect(page.get_by_role("heading", name="Data")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text("There is no database yet")).to_be_visible(timeout=TIMEOUT)
    inputs = page.locator("[data-testid='stFileUploaderDropzoneInput']")
    inputs.nth(0).set_input_files(str(DATA / "hubspot-crm-exports-all-contacts-2024-06-03.csv"))
    # the contacts alone are checked first; only then add the deals (a second upload during the rerun of
    # the first one would race with it)
    expect(page.get_by_text("Checked: ready to import 30 rows into Leads")).to_be_visible(timeout=TIMEOUT)
    wait_idle(page)
    inputs.nth(1).set_input_files(str(DATA / "hubspot-crm-exports-all-deals-2024-06-03.csv"))
    expect(page.get_by_text("11 rows into Deals")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text("1 deal(s) left out")).to_be_visible(timeout=TIMEOUT)
    wait_idle(page)
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("Imported 30 rows into Leads, 96 rows into Stage changes, 11 rows into Deals")
           ).to_be_visible(timeout=TIMEOUT)
    assert page.locator("[data-testid='stException']").count() == 0

    page.get_by_role("link", name="See your funnel").first.click()
    expect(page.get_by_role("heading", name="Lifecycle funnel")).to_be_visible(timeout=TIMEOUT)
    wait_idle(page)
    chart = page.locator(".js-plotly-plot").first
    expect(chart).to_contain_text("Subscriber", timeout=TIMEOUT)
    texts = [x.strip() for x in chart.locator("text").all_text_contents()]
    assert texts[0] == "30", texts  # all 30 contacts reached the first stage, drawn on the first bar
    assert "Customer" in texts
    assert page.locator("[data-testid='stException']").count() == 0
