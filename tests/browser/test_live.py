"""The live home in a browser: Chromium (Playwright) reads pages from Django's live server while
the streaming process (uvicorn, started here on the same test database, reading the event
table as on the embedded default) pushes new posts and notifications to them. The live shop
windows are in test_live_shop.py (commerce)."""

import re

import pytest
from playwright.sync_api import expect

from storefeed.posts import services as posts
from storefeed.social import services as social
from tests.conftest import make_user

pytestmark = pytest.mark.browser


def test_home_counts_new_posts_and_the_badge_moves(browser_page, live_stream):
    reader = make_user("reader")
    writer = make_user("writer")
    social.follow_create(follower=reader, target=writer)
    page = browser_page
    page.goto("/login")
    page.fill("#id_username", "reader")
    page.fill("#id_password", "correct-horse-9")
    with page.expect_response(re.compile(r"/api/v1/streaming/user")):
        page.click('[data-testid="login-submit"]')
    expect(page.locator("body")).to_have_attribute("data-testid", "page-home")
    assert page.locator('[data-testid="new-posts"]').is_hidden()

    posts.status_create(account=writer, text="Fresh tea in the shop")
    posts.status_create(account=writer, text="And cups")
    bar = page.locator('[data-testid="new-posts"]')
    expect(bar).to_have_text("2 new posts", timeout=5000)

    mine = posts.status_create(account=reader, text="Tasting notes")
    posts.status_favourite(account=writer, status_id=mine.pk)
    expect(page.locator('[data-testid="unread-badge"]')).to_have_text("1", timeout=5000)
