"""Real browser: the Chinese interface. A browser whose language is Chinese gets it without asking, the URL keeps
`lang=zh` with the filters, the language stays when another page opens from the navigation, and the sidebar's
switch goes back to English."""

import pytest
from conftest import wait_idle
from playwright.sync_api import Browser, expect

from smarketing import labels

pytestmark = pytest.mark.browser

TIMEOUT = 120_000
EN, ZH = labels.table("en"), labels.table("zh")


def test_chinese_from_the_browser_kept_across_pages_and_switched_back(browser: Browser, app_url):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    page.goto(app_url)  # no ?lang=: the browser's language decides
    expect(page.get_by_role("heading", name=ZH["home_title"])).to_be_visible(timeout=TIMEOUT)
    wait_idle(page)
    assert "lang=zh" in page.url
    sidebar = page.locator("[data-testid='stSidebar']")
    sidebar.get_by_role("link", name=ZH["page_funnel"]).click()
    expect(page.get_by_role("heading", name=ZH["funnel_title"])).to_be_visible(timeout=TIMEOUT)
    wait_idle(page)
    assert "/funnel" in page.url and "lang=zh" in page.url
    sidebar.get_by_text("English", exact=True).click()
    expect(page.get_by_role("heading", name=EN["funnel_title"])).to_be_visible(timeout=TIMEOUT)
    wait_idle(page)
    assert "lang=en" in page.url
    context.close()


def test_a_link_with_lang_opens_in_that_language_whatever_the_browser(browser: Browser, app_url):
    context = browser.new_context(locale="en-US", viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    page.goto(f"{app_url}/lead_flow?lang=zh&mode=period")
    expect(page.get_by_role("heading", name=ZH["lf_title"])).to_be_visible(timeout=TIMEOUT)
    wait_idle(page)
    assert "lang=zh" in page.url and "mode=period" in page.url
    context.close()
