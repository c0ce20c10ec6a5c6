"""With STOREFEED_REDIS_URL set, the cache and the limits' counters live in Redis and are
shared by every process (and machine) of a site: what one web process counts against an API
token's rate limit, another sees. CI runs this with Redis up (STOREFEED_REQUIRE_SERVICES=1:
it cannot skip there)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from tests.mastodon.conftest import Api


def shell_in_another_process(script: str, redis_url: str, var: Path) -> str:
    """The last line `storefeed shell -c script` prints, in a process of its own."""
    env = {**os.environ, "STOREFEED_REDIS_URL": redis_url, "STOREFEED_VAR_DIR": str(var)}
    env["DJANGO_SETTINGS_MODULE"] = "storefeed.config.settings"
    shown = subprocess.run(
        [sys.executable, "-m", "storefeed", "shell", "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return shown.stdout.strip().splitlines()[-1]


def test_the_setting_switches_the_cache_to_redis(redis_url, tmp_path):
    script = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    shown = shell_in_another_process(script, redis_url, tmp_path)
    assert shown == "django.core.cache.backends.redis.RedisCache"


@pytest.mark.django_db
@pytest.mark.parametrize("limits_store", ["redis"], indirect=True)
def test_rate_limits_are_shared_across_processes_through_redis(
    limits_store, redis_url, alice, tmp_path
):
    api = Api(alice)
    response = api.get("/api/v1/timelines/home")
    assert response["X-RateLimit-Remaining"] == "299"
    # Another process (another web server) reads the same counter from Redis.
    script = (
        "import time; from storefeed.core import limits; "
        # This window or, if a 5-minute boundary passed meanwhile, the one before.
        f"w = int(time.time() // 300); k = limits.PREFIX + 'api:t{api.token.pk}:'; "
        "c = limits._redis(); print(int(c.get(f'{k}{w}') or c.get(f'{k}{w - 1}')))"
    )
    assert shell_in_another_process(script, redis_url, tmp_path) == "1"
    assert Client().get("/health").status_code == 200
