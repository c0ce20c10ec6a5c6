"""The Mastodon API's rate limit: STOREFEED_API_RATE_LIMIT calls per token (or per address
without one) in each 5-minute window, then 429 with the X-RateLimit-* headers."""

import pytest

from storefeed.posts.models import Status

pytestmark = pytest.mark.django_db


def test_past_the_limit_a_token_gets_429_and_nothing_happens(api_client, alice, bob, settings):
    settings.API_RATE_LIMIT = 3
    api = api_client(alice)
    remaining = [api.get("/api/v1/timelines/home")["X-RateLimit-Remaining"] for _ in range(3)]
    assert remaining == ["2", "1", "0"]

    refused = api.post("/api/v1/statuses", {"status": "one too many"})
    assert refused.status_code == 429
    assert refused.json() == {"error": "Too many requests"}
    assert refused["X-RateLimit-Limit"] == "3"
    assert refused["X-RateLimit-Remaining"] == "0"
    assert refused["X-RateLimit-Reset"].endswith(".000Z")
    assert not Status.objects.exists()

    # Another account's token has a window of its own.
    other = api_client(bob).post("/api/v1/statuses", {"status": "fine"})
    assert other.status_code == 200
    assert other["X-RateLimit-Remaining"] == "2"


def test_anonymous_calls_are_counted_per_address(anon, settings):
    settings.API_RATE_LIMIT = 2
    assert anon.get("/api/v1/timelines/public").status_code == 200
    assert anon.get("/api/v1/timelines/public").status_code == 200
    refused = anon.get("/api/v1/timelines/public")
    assert refused.status_code == 429
    assert refused["X-RateLimit-Remaining"] == "0"
