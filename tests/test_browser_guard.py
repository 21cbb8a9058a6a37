"""Real browser, a fresh server each time: a deep link that reaches the server before any session has run
app.py runs the page file on its own (Streamlit's pages/ folder); the page's guard must still apply the login
and the roles, and hand over to the navigation with the link's filters."""

import re

import pytest
from conftest import running_app, wait_idle
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

TIMEOUT = 120_000


def test_a_deep_link_to_a_fresh_server_opens_inside_the_navigation_with_its_filters(page: Page, demo_db, tmp_path):
    with running_app({"SMARKETING_DB": demo_db}, tmp_path) as url:
        page.goto(f"{url}/funnel?since=2026-01-01&until=2026-03-31&mode=period")
        expect(page.get_by_role("heading", name="Lifecycle funnel")).to_be_visible(timeout=TIMEOUT)
        wait_idle(page)
        nav = page.locator("[data-testid='stSidebarNav']")
        expect(nav.get_by_text("Goal planner")).to_be_visible()
        expect(page).to_have_url(re.compile(r"/funnel\?.*since=2026-01-01.*mode=period"))


def test_a_viewer_deep_link_to_the_data_page_of_a_fresh_server_is_refused(page: Page, demo_db, tmp_path):
    with running_app({"SMARKETING_DB": demo_db, "SMARKETING_ROLE": "viewer"}, tmp_path) as url:
        page.goto(f"{url}/data")
        wait_idle(page)
        page.wait_for_timeout(1500)
        assert page.locator("[data-testid='stFileUploader']").count() == 0
        assert page.get_by_role("heading", name="Data", exact=True).count() == 0
        nav = page.locator("[data-testid='stSidebarNav']")
        expect(nav.get_by_text("Overview")).to_be_visible(timeout=TIMEOUT)
        assert nav.get_by_text("Data", exact=True).count() == 0


def test_a_deep_link_to_a_fresh_server_with_login_shows_the_login_screen(page: Page, demo_db, tmp_path):
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(
        '[auth]\nredirect_uri = "http://localhost:8501/oauth2callback"\ncookie_secret = "x" \n'
        'client_id = "id"\nclient_secret = "secret"\n'
        'server_metadata_url = "https://accounts.example.com/.well-known/openid-configuration"\n')
    with running_app({"SMARKETING_DB": demo_db}, tmp_path, cwd=tmp_path) as url:
        page.goto(f"{url}/funnel")
        expect(page.get_by_role("button", name="Log in")).to_be_visible(timeout=TIMEOUT)
        wait_idle(page)
        assert page.get_by_role("heading", name="Lifecycle funnel").count() == 0
        assert page.locator(".js-plotly-plot").count() == 0
