"""The APIs' rate limit: STOREFEED_API_RATE_LIMIT calls per token (or per address without
one) in each 5-minute window, shared by the Mastodon API and the shop API
(tests/shop_api/test_rate_limit.py) and by every process (counted in the database, or in Redis when configured), then 429 with the
X-RateLimit-* headers and Retry-After. A counter store that is down lets calls through."""

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from storefeed.core import limits
from storefeed.core.models import LimitCounter
from storefeed.posts.models import Status

pytestmark = pytest.mark.django_db


def test_past_the_limit_a_token_gets_429_and_nothing_happens(
    limits_store, api_client, alice, bob, settings
):
    settings.API_RATE_LIMIT = 3
    api = api_client(alice)
    with time_machine.travel(timezone.now().replace(minute=2, second=30), tick=False):
        remaining = [api.get("/api/v1/timelines/home")["X-RateLimit-Remaining"] for _ in range(3)]
        assert remaining == ["2", "1", "0"]

        refused = api.post("/api/v1/statuses", {"status": "one too many"})
        assert refused.status_code == 429
        assert refused.json() == {"error": "Too many requests"}
        assert refused["X-RateLimit-Limit"] == "3"
        assert refused["X-RateLimit-Remaining"] == "0"
        assert refused["X-RateLimit-Reset"].endswith(":05:00.000Z")
        assert refused["Retry-After"] == "150"
        assert not Status.objects.exists()

        # Another account's token has a window of its own.
        other = api_client(bob).post("/api/v1/statuses", {"status": "fine"})
        assert other.status_code == 200
        assert other["X-RateLimit-Remaining"] == "2"


def test_the_next_window_starts_again(limits_store, api_client, alice, settings):
    settings.API_RATE_LIMIT = 1
    api = api_client(alice)
    start = timezone.now().replace(minute=0, second=10)
    with time_machine.travel(start, tick=False) as clock:
        assert api.get("/api/v1/timelines/home").status_code == 200
        assert api.get("/api/v1/timelines/home").status_code == 429
        clock.move_to(start.replace(minute=5, second=0))
        assert api.get("/api/v1/timelines/home").status_code == 200


def test_anonymous_calls_are_counted_per_address(limits_store, anon, settings):
    settings.API_RATE_LIMIT = 2
    assert anon.get("/api/v1/timelines/public").status_code == 200
    assert anon.get("/api/v1/timelines/public").status_code == 200
    refused = anon.get("/api/v1/timelines/public")
    assert refused.status_code == 429
    assert refused["X-RateLimit-Remaining"] == "0"
    other = Client().get("/api/v1/timelines/public", REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200


def test_the_count_is_in_the_database_every_process_reads(api_client, alice, settings):
    settings.REDIS_URL = ""
    api = api_client(alice)
    api.get("/api/v1/timelines/home")
    api.get("/api/v1/timelines/home")
    (row,) = LimitCounter.objects.filter(name__startswith="api:t")
    assert row.count == 2


def test_a_redis_that_is_down_lets_calls_through(api_client, alice, settings, monkeypatch):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    monkeypatch.setattr(limits, "_redis_down_until", 0.0)
    settings.API_RATE_LIMIT = 1
    api = api_client(alice)
    for _ in range(3):
        response = api.get("/api/v1/timelines/home")
        assert response.status_code == 200
        assert response["X-RateLimit-Remaining"] == "1"


def test_the_home_timeline_costs_one_statement_for_the_limit(
    api_client, alice, settings, django_assert_num_queries
):
    """The counter is one upsert; the same page with the limit's statement taken away
    (the counter in Redis) is one statement fewer."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.REDIS_URL = ""
    api = api_client(alice)
    api.get("/api/v1/timelines/home")
    with CaptureQueriesContext(connection) as seen:
        assert api.get("/api/v1/timelines/home").status_code == 200
    limit_statements = [q for q in seen.captured_queries if "core_limitcounter" in q["sql"]]
    assert len(limit_statements) == 1
    assert "ON CONFLICT" in limit_statements[0]["sql"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_count_outside_a_transaction_commits_in_one_round_trip(settings):
    """Outside a transaction (as in a web request) the count commits on its own, without
    waiting for the disk, and leaves the connection idle, in autocommit."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.REDIS_URL = ""
    with CaptureQueriesContext(connection) as seen:
        counts = [limits.window_hit("pg:check", window=300).used for _ in range(3)]
    assert counts == [1, 2, 3]
    assert len(seen.captured_queries) == 3
    assert "synchronous_commit" in seen.captured_queries[0]["sql"]
    assert connection.get_autocommit() and not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone() == ("on",)  # only those transactions skipped the wait
    assert LimitCounter.objects.get(name__startswith="pg:check").count == 3
