"""With STOREFEED_REDIS_URL set, the cache lives in Redis and is shared by every process (and
machine) of a site: what one web process counts against an API token's rate limit, another
sees. CI runs this with Redis up (STOREFEED_REQUIRE_SERVICES=1: it cannot skip there)."""

import os
import subprocess
import sys

import pytest
from django.core.cache import caches
from django.test import Client, override_settings

from tests.mastodon.conftest import Api


def _redis_caches(url: str) -> dict:
    return {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}


def test_the_setting_switches_the_cache_to_redis(redis_url, tmp_path):
    env = {**os.environ, "STOREFEED_REDIS_URL": redis_url, "STOREFEED_VAR_DIR": str(tmp_path)}
    env["DJANGO_SETTINGS_MODULE"] = "storefeed.config.settings"
    shown = subprocess.run(
        [
            sys.executable,
            "-m",
            "storefeed",
            "shell",
            "-c",
            "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert shown.stdout.strip().splitlines()[-1] == "django.core.cache.backends.redis.RedisCache"


@pytest.mark.django_db
def test_rate_limits_are_shared_across_processes_through_redis(redis_url, alice, tmp_path):
    with override_settings(CACHES=_redis_caches(redis_url)):
        caches["default"].clear()
        api = Api(alice)
        response = api.get("/api/v1/timelines/home")
        assert response["X-RateLimit-Remaining"] == "299"
        # Another process (another web server) reads the same counter from Redis.
        env = {**os.environ, "STOREFEED_REDIS_URL": redis_url, "STOREFEED_VAR_DIR": str(tmp_path)}
        env["DJANGO_SETTINGS_MODULE"] = "storefeed.config.settings"
        script = (
            "import time; from django.core.cache import cache; "
            # This window or, if a 5-minute boundary passed meanwhile, the one before.
            f"w = int(time.time() // 300); k = 'ratelimit:t{api.token.pk}:'; "
            "print(cache.get(f'{k}{w}') or cache.get(f'{k}{w - 1}'))"
        )
        seen = subprocess.run(
            [sys.executable, "-m", "storefeed", "shell", "-c", script],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        assert seen.stdout.strip().splitlines()[-1] == "1"
        caches["default"].clear()
    assert Client().get("/health").status_code == 200
