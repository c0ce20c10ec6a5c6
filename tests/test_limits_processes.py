"""Limits hold across processes: two `storefeed serve` servers (each its own gunicorn) on one
site, asked in turn. Sign-in throttling (OAuth's password grant and the web sign-in) and the
APIs' rate limit (the Mastodon API and the shop API) count once for the site, in the
database (the embedded SQLite default) and in Redis."""

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from tests.serving import serving

SETUP = """
from storefeed.accounts.models import User
from storefeed.api.services import client_app_create
User.objects.create_user(username="owner", email="owner@example.com", password="correct-horse-9")
app, _c, secret = client_app_create(name="t", redirect_uris=["urn:ietf:wg:oauth:2.0:oob"],
                                    scopes=["read", "write"])
print(app.client_id, secret)
"""
RESET = "from storefeed.core.models import LimitCounter; LimitCounter.objects.all().delete()"


@pytest.fixture(params=["database", pytest.param("redis", marks=pytest.mark.redis)])
def site(request, tmp_path: Path) -> Iterator[dict]:
    env = {
        "STOREFEED_VAR_DIR": str(tmp_path / "var"),
        "STOREFEED_DATABASE_URL": "",
        "STOREFEED_REDIS_URL": "",
        "WEB_CONCURRENCY": "1",
        "STOREFEED_API_RATE_LIMIT": "6",
        "STOREFEED_COMMERCE": "on",
    }
    if request.param == "redis":
        import redis

        url = request.getfixturevalue("redis_url")
        redis.Redis.from_url(url).flushdb()
        env["STOREFEED_REDIS_URL"] = url
    with ExitStack() as stack:
        urls = [
            stack.enter_context(serving(env, "--no-worker", log=tmp_path / f"serve{n}.log"))[1]
            for n in (1, 2)
        ]

        def shell(script: str) -> str:
            done = subprocess.run(
                [sys.executable, "-m", "storefeed", "shell", "-c", script],
                env={**os.environ, "DJANGO_SETTINGS_MODULE": "storefeed.config.settings", **env},
                capture_output=True,
                text=True,
                timeout=120,
                check=True,
            )
            return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""

        def reset() -> None:
            shell(RESET)
            if request.param == "redis":
                redis.Redis.from_url(url).flushdb()

        client_id, secret = shell(SETUP).split()
        yield {"urls": urls, "app": (client_id, secret), "reset": reset, "mode": request.param}


def tries_before_429(calls) -> tuple[int, list[int]]:
    """Alternate between the servers until one answers 429: the tries before it, and the
    statuses seen."""
    seen = []
    for n in range(60):
        status = calls[n % len(calls)]()
        seen.append(status)
        if status == 429:
            return n, seen
    raise AssertionError(f"never throttled: {seen}")


def test_limits_are_counted_once_across_two_servers(site, capsys):
    urls = site["urls"]
    client_id, secret = site["app"]
    http = httpx.Client(timeout=30)

    def grant(url: str, password: str) -> httpx.Response:
        return http.post(
            f"{url}/oauth/token",
            data={
                "grant_type": "password",
                "client_id": client_id,
                "client_secret": secret,
                "username": "owner",
                "password": password,
                "scope": "read write",
            },
        )

    oauth_tries, statuses = tries_before_429(
        [lambda u=u: grant(u, "wrong").status_code for u in urls]
    )
    # 10 free tries for the address, whichever server they reach (20 if each server counted
    # its own); then waits of 1 s, 2 s, ..., which a slow password check may outlast once or
    # twice before the next try comes.
    assert 10 <= oauth_tries <= 14, statuses
    assert set(statuses[:oauth_tries]) == {400}

    site["reset"]()
    page = http.get(f"{urls[0]}/login")
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert csrf is not None

    def web_sign_in(url: str) -> int:
        answer = http.post(
            f"{url}/login",
            data={"username": "owner", "password": "wrong", "csrfmiddlewaretoken": csrf[1]},
            headers={"Referer": f"{url}/login"},
        )
        return answer.status_code

    web_tries, statuses = tries_before_429([lambda u=u: web_sign_in(u) for u in urls])
    assert 10 <= web_tries <= 14, statuses
    assert set(statuses[:web_tries]) == {200}

    site["reset"]()
    token = grant(urls[0], "correct-horse-9").json()["access_token"]
    bearer = {"Authorization": f"Bearer {token}"}
    calls = [
        lambda: http.get(f"{urls[0]}/api/v1/accounts/verify_credentials", headers=bearer),
        lambda: http.get(f"{urls[1]}/api/shop/v1/wallet", headers=bearer),
    ]
    answers = [calls[n % 2]() for n in range(8)]
    assert [a.status_code for a in answers] == [200] * 6 + [429] * 2
    assert [a.headers["X-RateLimit-Remaining"] for a in answers] == [
        "5", "4", "3", "2", "1", "0", "0", "0",
    ]  # fmt: skip
    with capsys.disabled():
        print(
            f"\n[{site['mode']}] tries before 429 across two "
            f"servers: password grant {oauth_tries}, web sign-in {web_tries}; API calls "
            f"allowed {sum(a.status_code == 200 for a in answers)} of limit 6"
        )
