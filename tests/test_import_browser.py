"""Real browser: a new user uploads a HubSpot export on the Data page, imports it and sees their funnel."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, _free_port, _wait_healthy
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

TIMEOUT = 120_000
DATA = Path(__file__).parent / "data" / "hubspot"


@pytest.fixture(scope="module")
def fresh_app_url(tmp_path_factory):
    """The app on a database that does not exist yet (a new user), in its own streamlit process."""
    home = tmp_path_factory.mktemp("fresh")
    port = _free_port()
    env = dict(os.environ, SMARKETING_DB=str(home / "crm.duckdb"), SMARKETING_MAPPINGS=str(home / "mappings"))
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
           "--server.headless", "true", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    with (home / "streamlit.log").open("w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def wait_idle(page: Page) -> None:
    page.wait_for_timeout(500)
    expect(page.locator("[data-testid='stStatusWidget']")).to_have_count(0, timeout=TIMEOUT)


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
