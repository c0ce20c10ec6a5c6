"""The everyday journeys of issue 14, as a person on a phone or a desktop, in English or Chinese,
sees them in Chromium: a newcomer signs up, picks fields, follows a suggested expert, posts
described images and finds the post on top of the home, looks through them in the viewer
(swiping), votes in a poll, and reads the notification that clears the badge, with every time
in the reader's zone. No page may have a script error, a failed request, a CSP violation (the
fixture) or, on a phone, anything wider than the screen.

Each journey runs twice, not four times: once on a phone and once on a desktop, with the
languages crossed between the journeys (tests/browser/test_everyday_shop.py has the other
pairing), so both sizes meet both languages in a few minutes."""

import datetime as dt
import re
import zoneinfo
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from storefeed.accounts.models import User
from storefeed.discovery import services as discovery_services
from storefeed.posts import services as post_services
from storefeed.posts.models import PollVote, Status
from tests.browser.test_journey import expert_post, sign_up  # noqa: F401 (fixture)

CJK = re.compile(r"[\u4e00-\u9fff]")

# (viewport, language): the browser set up as its reader's would be.
ENGLISH = pytest.mark.browser(locale="en-US", timezone_id="UTC")
CHINESE = pytest.mark.browser(locale="zh-CN", timezone_id="Asia/Shanghai")
WORDS = {
    "en": {"posted": "Posted.", "vote": "Vote", "your_vote": "your vote"},
    "zh-hans": {"posted": "发布成功。", "vote": "投票", "your_vote": "你的选择"},
}


class Watch:
    """What went wrong on the pages a test visits: script errors, failed requests, and (on a
    phone) pages wider than the screen."""

    def __init__(self, page):
        self.page = page
        self.problems: list[str] = []
        # Journeys of a dozen pages on a shared machine: a slow page is not a broken one.
        page.set_default_timeout(30_000)
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        page.on(
            "response",
            lambda r: self.problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
        )

    def fits(self) -> None:
        wide = self.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if wide > 1:
            self.problems.append(f"{self.page.url} is {wide}px wider than the screen")

    def in_language(self, language: str, where: str = "main h1") -> None:
        """The page's own words (its title, by default: posts may be in any language)."""
        text = self.page.locator(where).first.inner_text()
        if bool(CJK.search(text)) != (language != "en"):
            self.problems.append(f"{self.page.url} is not in {language}: {text[:120]!r}")


def photo(path: Path, colour: str) -> str:
    Image.new("RGB", (640, 480), colour).save(path, "PNG")
    return str(path)


def swipe(page, selector: str, dx: int) -> None:
    """A finger moving `dx` pixels across the element (negative: to the left)."""
    page.evaluate(
        """([selector, dx]) => {
            const el = document.querySelector(selector);
            const box = el.getBoundingClientRect();
            const y = box.top + box.height / 2, x = box.left + box.width / 2;
            const touch = (cx) => new Touch({identifier: 1, target: el, clientX: cx, clientY: y});
            el.dispatchEvent(new TouchEvent("touchstart", {touches: [touch(x)], bubbles: true}));
            el.dispatchEvent(new TouchEvent("touchend",
                {touches: [], changedTouches: [touch(x + dx)], bubbles: true}));
        }""",
        [selector, dx],
    )


def local_minute(moment: dt.datetime, zone: str) -> str:
    return moment.astimezone(zoneinfo.ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


@pytest.fixture
def mei(expert_post):
    """Mei, the verified beauty expert of test_journey, with a poll running, ranked in her
    field as the worker ranks experts (whom a newcomer is suggested)."""
    poll = post_services.status_create(
        account=expert_post.account,
        text="What should I review next?",
        poll=post_services.PollSpec(options=["Lipstick", "Sunscreen"], expires_in=86400),
    )
    discovery_services.expert_ranks_refresh()
    return {"user": expert_post.account, "poll_status": poll}


@pytest.mark.parametrize(
    ("browser_page", "language", "zone"),
    [
        pytest.param("phone", "zh-hans", "Asia/Shanghai", marks=CHINESE, id="phone-zh"),
        pytest.param("phone", "en", "UTC", marks=ENGLISH, id="phone-en"),
        pytest.param("desktop", "en", "UTC", marks=ENGLISH, id="desktop-en"),
        pytest.param("desktop", "zh-hans", "Asia/Shanghai", marks=CHINESE, id="desktop-zh"),
    ],
    indirect=["browser_page"],
)
def test_newcomer_posts_looks_votes_and_reads(browser_page, mei, tmp_path, language, zone):
    page = browser_page
    watch = Watch(page)
    words = WORDS[language]

    # Sign up; the browser's language is the site's.
    sign_up(page)
    expect(page.locator("html")).to_have_attribute("lang", language)

    # Pick the fields one cares about, then follow a suggested expert of that field.
    expect(page.locator("body")).to_have_attribute("data-testid", "page-interests")
    watch.fits()
    page.check('[data-testid="interest-beauty"]')
    page.click('[data-testid="interests-save"]')
    expect(page.locator("body")).to_have_attribute("data-testid", "page-suggestions")
    watch.fits()
    watch.in_language(language)
    suggestion = page.locator('[data-testid="suggestion"]', has_text="Mei Lin")
    expect(suggestion).to_be_visible()
    suggestion.locator('[data-testid="follow-button"]').click()
    expect(suggestion.locator('[data-testid="follow-button"]')).to_have_attribute(
        "data-state", "following"
    )
    page.click('[data-testid="welcome-done"]')
    expect(page.locator("body")).to_have_attribute("data-testid", "page-home")
    newfan = User.objects.get(username="newfan")
    assert newfan.locale == language

    # Post two described images from the home's composer: the post is on top at once.
    page.fill('[data-testid="composer"] [data-testid="compose-text"]', "My first haul #makeup")
    page.set_input_files(
        '[data-testid="composer"] [data-testid="compose-images"]',
        [photo(tmp_path / "one.png", "#e4572e"), photo(tmp_path / "two.png", "#29335c")],
    )
    described = page.locator('[data-testid="describe-image"]')
    expect(described).to_have_count(2)
    described.nth(0).fill("A red lipstick")
    described.nth(1).fill("A navy compact")
    page.click('[data-testid="composer"] [data-testid="compose-submit"]')
    expect(page.locator("body")).to_have_attribute("data-testid", "page-home")
    expect(page.locator('[data-testid="messages"]')).to_contain_text(words["posted"])
    mine = Status.objects.get(account=newfan, reblog_of=None)
    top = page.locator('[data-testid="feed"] [data-testid="status"]').first
    expect(top).to_have_attribute("data-status-id", str(mine.pk))
    expect(top).to_contain_text("My first haul")
    watch.fits()
    watch.in_language(language)
    # Its time, hovered, is the reader's local time.
    expect(top.locator('[data-testid="status-link"] time')).to_have_attribute(
        "title", local_minute(mine.created_at, zone)
    )

    # Look at the images: the viewer opens on the first, a swipe left shows the next.
    top.locator('[data-testid="media-grid"] a').first.click()
    viewer = page.locator('[data-testid="image-viewer"]')
    expect(viewer).to_be_visible()
    expect(viewer.locator("img")).to_have_attribute("alt", "A red lipstick")
    expect(viewer.locator(".viewer-count")).to_have_text("1 / 2")
    swipe(page, '[data-testid="image-viewer"]', -120)
    expect(viewer.locator("img")).to_have_attribute("alt", "A navy compact")
    expect(viewer.locator(".viewer-count")).to_have_text("2 / 2")
    swipe(page, '[data-testid="image-viewer"]', 120)
    expect(viewer.locator(".viewer-count")).to_have_text("1 / 2")
    page.keyboard.press("Escape")
    expect(viewer).to_be_hidden()

    # Vote in Mei's poll, on her profile.
    page.goto("/@mei")
    poll = page.locator(f'[data-testid="poll"][data-poll-id="{mei["poll_status"].poll.pk}"]')
    expect(poll.locator('[data-testid="poll-vote"]')).to_have_text(words["vote"])
    poll.get_by_label("Sunscreen").check()
    poll.locator('[data-testid="poll-vote"]').click()
    poll = page.locator('[data-testid="poll"]').first
    expect(poll.locator('[data-testid="poll-results"]')).to_be_visible()
    expect(poll.locator(".poll-result.mine")).to_contain_text("Sunscreen")
    expect(poll.locator('[data-testid="poll-mine"]')).to_have_text(words["your_vote"])
    assert PollVote.objects.filter(account=newfan, choice=1).count() == 1
    watch.fits()

    # Mei likes the post: the badge says so until the notifications are read.
    post_services.status_favourite(account=mei["user"], status_id=mine.pk)
    page.goto("/")
    badge = page.locator('[data-testid="unread-badge"]')
    expect(badge.first).to_have_text("1")
    page.locator('[data-testid="nav-notifications"]').first.click()
    expect(page.locator("body")).to_have_attribute("data-testid", "page-notifications")
    expect(page.locator('[data-testid="notification"]').first).to_contain_text("Mei Lin")
    expect(badge).to_have_count(0)
    watch.fits()
    watch.in_language(language)
    page.goto("/")
    expect(badge).to_have_count(0)

    assert watch.problems == []
