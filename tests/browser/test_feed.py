"""Timelines in a real browser: the next page comes as one scrolls (htmx, "revealed"); without
JavaScript "Load more" is a plain link."""

import pytest
from playwright.sync_api import expect

from storefeed.posts.services import status_create
from tests.conftest import make_user

pytestmark = pytest.mark.browser


@pytest.mark.browser
def test_the_public_timeline_continues_as_one_scrolls(browser_page):
    author = make_user("busy")
    for n in range(45):
        status_create(account=author, text=f"Note number {n}")
    page = browser_page
    page.goto("/public")
    posts = page.locator('[data-testid="status"]')
    expect(posts).to_have_count(20)
    page.mouse.wheel(0, 100_000)
    expect(posts).to_have_count(40)
    page.mouse.wheel(0, 100_000)
    expect(posts).to_have_count(45)
    expect(page.locator('[data-testid="load-more"]')).to_have_count(0)


@pytest.mark.browser(javascript=False)
def test_without_javascript_load_more_is_a_link(browser_page):
    author = make_user("busy")
    for n in range(25):
        status_create(account=author, text=f"Note number {n}")
    page = browser_page
    page.goto("/public")
    page.click('[data-testid="load-more"]')
    expect(page.locator('[data-testid="status"]')).to_have_count(5)
