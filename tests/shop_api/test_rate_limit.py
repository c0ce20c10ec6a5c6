"""The shop API counts against the same rate limit as the Mastodon API (api/ratelimit.py):
per token, per address without one, with the same headers and 429 in its error shape."""

import pytest

from tests.api.conftest import api_client, oauth_app  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def anon():
    from django.test import Client

    return Client()


def test_the_shop_api_shares_the_tokens_limit(limits_store, api_client, alice, settings):
    settings.API_RATE_LIMIT = 3
    api = api_client(alice)
    assert api.get("/api/v1/timelines/home")["X-RateLimit-Remaining"] == "2"
    wallet = api.get("/api/shop/v1/wallet")
    assert wallet.status_code == 200
    assert wallet["X-RateLimit-Remaining"] == "1"
    assert api.get("/api/shop/v1/wallet").status_code == 200
    refused = api.get("/api/shop/v1/wallet")
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert refused["X-RateLimit-Limit"] == "3"
    assert int(refused["Retry-After"]) >= 1
    assert api.get("/api/v1/timelines/home").status_code == 429


def test_anonymous_shop_calls_are_counted_per_address(limits_store, anon, settings):
    settings.API_RATE_LIMIT = 1
    assert anon.get("/api/shop/v1/openapi.json").status_code == 200
    assert anon.get("/api/shop/v1/openapi.json").status_code == 429
