"""Real browser: an analyst saves the Funnel page with its filters as a view; its link, opened in another
browser tab from the Overview's address, shows the same page with the same filters."""

import shutil

import pytest
from conftest import running_app, wait_idle
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

TIMEOUT = 120_000


@pytest.fixture(scope="module")
def views_app(demo_db, tmp_path_factory):
    folder = tmp_path_factory.mktemp("views_app")
    shutil.copyfile(demo_db, folder / "demo.duckdb")
    with running_app({"SMARKETING_DB": str(folder / "demo.duckdb")}, folder) as url:
        yield url, folder


def test_save_a_view_and_open_its_link(page: Page, views_app):
    url, folder = views_app
    page.goto(f"{url}/funnel?since=2026-07-01&until=2026-09-30&mode=period&region=EMEA")
    expect(page.get_by_role("heading", name="Lifecycle funnel")).to_be_visible(timeout=TIMEOUT)
    wait_idle(page)
    sidebar = page.locator("[data-testid='stSidebar']")
    sidebar.get_by_text("Saved views", exact=True).click()
    name = sidebar.get_by_role("textbox", name="Save this page and its filters as")
    name.fill("Q3 EMEA")
    name.press("Enter")
    wait_idle(page)
    sidebar.get_by_role("button", name="Save view").click()
    wait_idle(page)
    expect(sidebar.get_by_text("Saved “Q3 EMEA”")).to_be_visible(timeout=TIMEOUT)
    address = sidebar.locator("[data-testid='stCode']").inner_text().strip()
    assert address == f"{url}/funnel?view=q3-emea"
    assert (folder / "views" / "q3-emea.toml").exists()

    other = page.context.new_page()
    other.goto(f"{url}/?view=q3-emea")  # on the Overview's address: the view moves to its page
    expect(other.get_by_text("Showing the view “Q3 EMEA”")).to_be_visible(timeout=TIMEOUT)
    expect(other.get_by_role("heading", name="Lifecycle funnel")).to_be_visible(timeout=TIMEOUT)
    wait_idle(other)
    assert "/funnel?" in other.url and "since=2026-07-01" in other.url and "region=EMEA" in other.url
    expect(other.get_by_role("radio", name="Period: stage entries that happened in the range")).to_be_checked()
    other.close()
