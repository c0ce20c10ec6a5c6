"""Fixtures for the cached-parts tests: every test runs on both cache backends."""

from collections.abc import Iterator

import pytest
from django.test import override_settings

from storefeed.core import parts
from tests.conftest import redis_test_url
from tests.mastodon.conftest import api_for  # noqa: F401 (fixture)


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def each_cache(request) -> Iterator[str]:
    """Runs the test with Django's cache in process memory and in Redis (the flushed test
    database). Between the reads of a test, `cold()` forgets this process's parts so the
    shared cache is exercised too."""
    if request.param == "memory":
        caches = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    else:
        import redis

        redis.Redis.from_url(redis_test_url()).flushdb()
        caches = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": redis_test_url(),
            }
        }
    with override_settings(CACHES=caches):
        from django.core.cache import caches as handler

        handler["default"].clear()
        parts.clear_local()
        yield request.param
        parts.clear_local()
