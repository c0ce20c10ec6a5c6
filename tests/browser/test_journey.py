"""The browser journey of issue 2: a newcomer signs up, follows an expert, posts two images,
likes and reposts, sees it all on the home timeline, and switches the site to Chinese.

Drives Debian's Chromium through Playwright against Django's live test server.
"""

import re
from pathlib import Path

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from storefeed.accounts.models import ExpertField, User
from storefeed.posts import services as post_services
from storefeed.posts.models import Favourite, Status
from storefeed.social.models import Follow
from tests.conftest import make_user

pytestmark = pytest.mark.browser

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def expert_post(transactional_db):
    """Mei, a verified beauty expert, and her public post."""
    beauty, _ = ExpertField.objects.get_or_create(
        slug="beauty", defaults={"name_en": "Beauty", "name_zh": "美妆", "position": 1}
    )
    mei = make_user(
        "mei", display_name="Mei Lin", expert_field=beauty, expert_verified_at=timezone.now()
    )
    return post_services.status_create(account=mei, text="My spring lipstick picks #美妆")


def photo(path: Path, colour: str) -> str:
    Image.new("RGB", (640, 480), colour).save(path, "PNG")
    return str(path)


def status_card(page, status_id: int):
    """The article for a status (a repost's article carries the original's id)."""
    return page.locator(f'[data-testid="status"][data-status-id="{status_id}"]').first


def sign_up(page) -> None:
    """Sign up as New Fan (@newfan) on the sign-up page."""
    page.goto("/signup")
    page.fill("#id_username", "newfan")
    page.fill("#id_display_name", "New Fan")
    page.fill("#id_email", "newfan@example.com")
    page.fill("#id_password", "lipstick-and-tea-7")
    page.click('[data-testid="signup-submit"]')


def test_newcomer_journey(browser_page, expert_post, tmp_path):
    page = browser_page

    sign_up(page)
    # The step after signing up: the fields one cares about, then whom to follow.
    expect(page.locator("body")).to_have_attribute("data-testid", "page-interests")
    page.check('[data-testid="interest-beauty"]')
    page.click('[data-testid="interests-save"]')
    expect(page.locator("body")).to_have_attribute("data-testid", "page-suggestions")
    page.click('[data-testid="welcome-done"]')
    expect(page.locator("body")).to_have_attribute("data-testid", "page-home")
    newfan = User.objects.get(username="newfan")

    # Follow the expert from her profile (in place, through htmx).
    page.goto("/@mei")
    expect(page.locator('[data-testid="expert-badge"]').first).to_be_visible()
    page.click('[data-testid="follow-button"]')
    expect(page.locator('[data-testid="follow-button"]')).to_have_attribute(
        "data-state", "following"
    )
    assert Follow.objects.filter(follower=newfan, target__username="mei").exists()

    # Like and repost her post.
    card = status_card(page, expert_post.pk)
    card.locator('button[data-action="favourite"]').click()
    expect(card.locator('button[data-action="favourite"]')).to_have_attribute(
        "aria-pressed", "true"
    )
    card.locator('button[data-action="reblog"]').click()
    expect(card.locator('button[data-action="reblog"]')).to_have_attribute("aria-pressed", "true")
    assert Favourite.objects.filter(account=newfan, status=expert_post).exists()
    assert Status.objects.filter(account=newfan, reblog_of=expert_post).exists()

    # Post with two images.
    page.goto("/compose")
    page.fill('[data-testid="compose-text"]', "Unboxing my first haul #美妆")
    page.set_input_files(
        '[data-testid="compose-images"]',
        [photo(tmp_path / "one.png", "#e4572e"), photo(tmp_path / "two.png", "#29335c")],
    )
    page.click('[data-testid="compose-submit"]')
    page.wait_for_load_state()
    mine = Status.objects.get(account=newfan, reblog_of=None)
    assert mine.media.count() == 2

    # The home timeline shows the new post with both images, and the repost.
    page.goto("/")
    own = status_card(page, mine.pk)
    expect(own).to_contain_text("Unboxing my first haul")
    expect(own.locator('[data-testid="media-grid"]')).to_have_attribute("data-count", "2")
    expect(own.locator('[data-testid="media-grid"] img')).to_have_count(2)
    repost = page.locator('[data-testid="status"].is-reblog', has_text="spring lipstick picks")
    expect(repost).to_have_count(1)
    expect(repost.locator('[data-testid="reblog-by"]')).to_contain_text("New Fan")
    expect(repost.locator('button[data-action="favourite"]')).to_have_attribute(
        "aria-pressed", "true"
    )

    # Switch the language to Chinese from the footer.
    page.click('[data-testid="lang-zh-hans"]')
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator('[data-testid="lang-zh-hans"]')).to_have_attribute("aria-current", "true")
    # Storefeed's own strings, not ones Django's catalogues happen to translate ("Home").
    for text in (
        page.locator('[data-testid="nav-public"]').inner_text(),
        page.locator(".footer-note").inner_text(),
    ):
        assert CJK.search(text), f"not in Chinese after switching: {text!r}"


@pytest.mark.browser(javascript=False)
def test_follow_like_and_repost_work_without_javascript(browser_page, expert_post, alice):
    page = browser_page
    page.goto("/login")
    page.fill("#id_username", "alice")
    page.fill("#id_password", "correct-horse-9")
    page.click('[data-testid="login-submit"]')
    expect(page.locator("body")).to_have_attribute("data-testid", "page-home")

    page.goto("/@mei")
    page.click('[data-testid="follow-button"]')  # a plain form post, then a redirect back
    expect(page.locator('[data-testid="follow-button"]')).to_have_attribute(
        "data-state", "following"
    )
    card = status_card(page, expert_post.pk)
    card.locator('button[data-action="favourite"]').click()
    card = status_card(page, expert_post.pk)
    expect(card.locator('button[data-action="favourite"]')).to_have_attribute(
        "aria-pressed", "true"
    )
    card.locator('button[data-action="reblog"]').click()
    expect(
        status_card(page, expert_post.pk).locator('button[data-action="reblog"]')
    ).to_have_attribute("aria-pressed", "true")

    assert Follow.objects.filter(follower=alice, target__username="mei").exists()
    assert Favourite.objects.filter(account=alice, status=expert_post).exists()
    assert Status.objects.filter(account=alice, reblog_of=expert_post).exists()
