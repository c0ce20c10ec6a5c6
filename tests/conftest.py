"""Shared fixtures: small named accounts and clients, the services rule, and the browser.

Services rule: a test marked `postgres`, `redis`, `browser` or `ffmpeg` (the Redis, browser and
ffmpeg markers are added automatically to tests using the `redis_url`, `browser_page` and
`make_video` fixtures) skips with a reason when its service (or program) is missing, and fails instead when STOREFEED_REQUIRE_SERVICES=1 (CI).
`postgres` tests run in the PostgreSQL pass (STOREFEED_DATABASE_URL=postgres://...) and skip in
the SQLite pass, whatever STOREFEED_REQUIRE_SERVICES says: there PostgreSQL is not missing, it
is just not the database under test. Package conftests add their own fixtures.
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SERVICE_MARKERS = ("postgres", "redis", "browser", "ffmpeg")


def require_services() -> bool:
    return os.environ.get("STOREFEED_REQUIRE_SERVICES", "").strip().lower() in {
        "1",
        "true",
        "yes",
        "on",
    }


def chromium_path() -> str | None:
    for candidate in (os.environ.get("STOREFEED_CHROMIUM"), "/usr/bin/chromium"):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


def redis_test_url() -> str:
    # A database of its own (15 by default): Redis tests may flush it.
    return os.environ.get("STOREFEED_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def missing_service(marker: str) -> str | None:
    """Why the service behind `marker` is unavailable, or None if it is there."""
    if marker == "postgres":
        from django.db import connection

        if connection.vendor != "postgresql":
            return (
                f"needs PostgreSQL; the database under test is {connection.vendor} "
                "(runs in the PostgreSQL pass: STOREFEED_DATABASE_URL=postgres://...)"
            )
        return None
    if marker == "redis":
        try:
            import redis

            redis.Redis.from_url(redis_test_url(), socket_connect_timeout=1).ping()
        except Exception as error:
            return f"needs Redis at {redis_test_url()}: {error}"
        return None
    if marker == "browser":
        if chromium_path() is None:
            return "needs Chromium (/usr/bin/chromium or STOREFEED_CHROMIUM)"
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError as error:
            return f"needs Playwright: {error}"
        return None
    if marker == "ffmpeg":
        from storefeed.posts.video import ffmpeg_missing

        return ffmpeg_missing()
    raise ValueError(marker)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "browser_page" in fixtures and not item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.browser)
        if "redis_url" in fixtures and not item.get_closest_marker("redis"):
            item.add_marker(pytest.mark.redis)
        if "make_video" in fixtures and not item.get_closest_marker("ffmpeg"):
            item.add_marker(pytest.mark.ffmpeg)
    # Tests marked `commerce` in files that test the microblog too: left out (not skipped)
    # when commerce is off, like the commerce-only files of COMMERCE_TESTS.
    from django.conf import settings

    if not settings.COMMERCE:
        dropped = [item for item in items if item.get_closest_marker("commerce")]
        if dropped:
            items[:] = [item for item in items if not item.get_closest_marker("commerce")]
            config.hook.pytest_deselected(items=dropped)


def pytest_runtest_setup(item: pytest.Item) -> None:
    for marker in SERVICE_MARKERS:
        if not item.get_closest_marker(marker):
            continue
        reason = missing_service(marker)
        if reason is None:
            continue
        if require_services() and marker != "postgres":
            pytest.fail(f"STOREFEED_REQUIRE_SERVICES=1 and this test {reason}", pytrace=False)
        pytest.skip(reason)


# Tests of commerce (and those that import it) are not collected when commerce is switched off
# (STOREFEED_COMMERCE=off): its models cannot even be imported then. The rest, the
# microblog's tests, must pass either way; .ci/run checks that in a pass of its own.
COMMERCE_TESTS = (
    "sellers",
    "catalog",
    "wallet",
    "orders",
    "shop_api",
    "web_shop",
    "insights",
    "promotions",
    "mastodon/test_product_posts.py",
    "browser/test_live_shop.py",
    "browser/test_everyday_shop.py",
    "demo/test_demo_command.py",
    "demo/test_demo_orders.py",
    "discovery/test_commerce.py",
)


# Tests that start servers of their own on their own embedded database, whatever the pass's:
# collected once, in the SQLite pass with commerce on (the same run in every pass proves
# nothing more and costs minutes).
OWN_SERVERS_TESTS = ("test_limits_processes.py",)


def pytest_ignore_collect(collection_path, config) -> bool | None:
    from django.conf import settings

    relative = collection_path.relative_to(Path(__file__).parent).as_posix()
    if relative in OWN_SERVERS_TESTS and (
        os.environ.get("STOREFEED_DATABASE_URL") or not settings.COMMERCE
    ):
        return True
    if settings.COMMERCE:
        return None
    return (
        True if any(relative == t or relative.startswith(f"{t}/") for t in COMMERCE_TESTS) else None
    )


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """A request in Chinese leaves Chinese active in its thread; the next test starts in the
    site's default language whatever ran before it."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache and no rendered parts in this process's memory
    (the limits' counters are in the test's database, or in a Redis the test flushes)."""
    from django.core.cache import cache

    from storefeed.core import parts

    cache.clear()
    parts.clear_local()


def make_user(username: str, **extra):
    from storefeed.accounts.models import User

    return User.objects.create_user(
        username=username, email=f"{username}@example.com", password="correct-horse-9", **extra
    )


@pytest.fixture
def alice(db):
    return make_user("alice", display_name="Alice")


@pytest.fixture
def bob(db):
    return make_user("bob", display_name="Bob")


@pytest.fixture
def carol(db):
    return make_user("carol", display_name="Carol")


@pytest.fixture
def client_for():
    def _client(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return _client


@pytest.fixture
def make_video(tmp_path):
    """make_video(kind="mp4", seconds=1, audio=True, size="160x120") -> the bytes of a small
    test clip made with ffmpeg's lavfi sources (marks the test `ffmpeg`). Kinds: mp4, webm,
    mov, gif."""
    import subprocess

    from django.conf import settings

    def make(
        kind: str = "mp4", *, seconds: float = 1, audio: bool = True, size: str = "160x120"
    ) -> bytes:
        out = tmp_path / f"clip-{len(list(tmp_path.iterdir()))}.{kind}"
        args = [settings.FFMPEG, "-v", "error", "-f", "lavfi", "-i"]
        args.append(f"testsrc=size={size}:rate=25:duration={seconds}")
        if audio and kind != "gif":
            args += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}", "-shortest"]
        codecs = {
            "mp4": ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac"],
            "mov": ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac"],
            "webm": ["-c:v", "libvpx", "-b:v", "200k", "-c:a", "libvorbis"],
            "gif": ["-r", "10"],
        }[kind]
        subprocess.run([*args, *codecs, str(out)], check=True, timeout=60)
        return out.read_bytes()

    return make


@pytest.fixture
def redis_url() -> str:
    """The URL of a Redis database the test may flush (marks the test `redis`)."""
    return redis_test_url()


@pytest.fixture(params=["database", pytest.param("redis", marks=pytest.mark.redis)])
def limits_store(request, settings, monkeypatch) -> str:
    """Run the test with the limits' counters (core/limits.py) in the database, then in a
    flushed Redis."""
    from storefeed.core import limits

    if request.param == "redis":
        import redis

        url = request.getfixturevalue("redis_url")
        redis.Redis.from_url(url).flushdb()
        settings.REDIS_URL = url
        monkeypatch.setattr(limits, "_redis_down_until", 0.0)
    else:
        settings.REDIS_URL = ""
    return request.param


@pytest.fixture(params=["database", pytest.param("redis", marks=pytest.mark.redis)])
def each_timeline_store(request, settings) -> str:
    """Runs the test once per home timeline store: the database, and Redis (on the flushed
    test database, selected as STOREFEED_TIMELINE_STORE=redis would)."""
    if request.param == "redis":
        import redis

        redis.Redis.from_url(redis_test_url()).flushdb()
        settings.TIMELINE_STORE = "redis"
        settings.REDIS_URL = redis_test_url()
    return request.param


@pytest.fixture
def browser_page(request, live_server, transactional_db, monkeypatch, settings) -> Iterator[Any]:
    """A Playwright page in headless Chromium, pointed at Django's live test server.

    Relative URLs go to the live server: `browser_page.goto("/")`. Mark a test
    `@pytest.mark.browser(javascript=False)` to browse with JavaScript off, and
    `@pytest.mark.browser(locale="zh-CN", timezone_id="Asia/Shanghai")` to be a browser set up
    for China (its Accept-Language and its clock's zone; en-US and UTC by default); parametrize it
    indirectly (`@pytest.mark.parametrize("browser_page", ["phone", "desktop"],
    indirect=True)`) to browse at both sizes. Playwright's sync
    API runs an event loop in this thread, so the ORM's async-safety guard is lifted.

    Every Content-Security-Policy violation on any page the test visits (the page's
    `securitypolicyviolation` events, and Chromium's console errors about the policy) fails
    the test: the pages and htmx must work under the site's CSP.
    """
    from django.db import connections
    from playwright.sync_api import sync_playwright

    marker = request.node.get_closest_marker("browser")
    options = marker.kwargs if marker else {}
    javascript = options.get("javascript", True)
    # A phone unless the test asks for a desktop (`browser_size = "desktop"` param or fixture).
    size = getattr(request, "param", None) or "phone"
    viewport = {"phone": {"width": 412, "height": 915}, "desktop": {"width": 1366, "height": 900}}
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # No streaming API unless the test starts one (`live_stream` sets STREAMING_URL, which
    # wins): otherwise the pages' live.js would connect to whatever listens on the default
    # port (8001) of this machine, someone else's server or nothing.
    settings.STREAMING_PORT = 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(
            base_url=live_server.url,
            locale=options.get("locale", "en-US"),
            timezone_id=options.get("timezone_id", "UTC"),
            viewport=viewport[size],  # a phone by default: most users are on one
            java_script_enabled=javascript,
        )
        violations: list[str] = []
        context.expose_binding(
            "__storefeedCspViolation", lambda _source, report: violations.append(report)
        )
        context.add_init_script(
            "document.addEventListener('securitypolicyviolation', (e) => "
            "window.__storefeedCspViolation(`${e.violatedDirective} blocked ${e.blockedURI} "
            "at ${e.sourceFile}:${e.lineNumber} on ${document.location.pathname}`));"
        )
        page = context.new_page()
        page.on(
            "console",
            lambda message: (
                violations.append(message.text)
                if message.type == "error" and "Content Security Policy" in message.text
                else None
            ),
        )
        page.set_default_timeout(15_000)
        try:
            yield page
            assert violations == [], "CSP violations:\n" + "\n".join(violations)
        finally:
            context.close()
            browser.close()
            # Inside sync_playwright() the ORM runs in another context, hence on a connection
            # of its own: close it here, or it outlives the test and blocks the test database's
            # teardown on PostgreSQL.
            connections.close_all()
