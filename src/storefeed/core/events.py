"""Events for live clients (the streaming API and the live web pages), published when the
writing transaction commits.

Domain services call `publish(kind, **data)` with ids only (what happened, not how a reader
sees it); the streaming process (storefeed.streaming) decides who receives it and renders it
for each receiver. Where the event goes:

- with `STOREFEED_REDIS_URL`: `PUBLISH storefeed:events`, so any number of web, worker and
  streaming processes on any number of machines share one stream of events;
- without Redis (the embedded default): a row in the `core.Event` table, which the streaming
  process polls (`STOREFEED_STREAMING_POLL`, 0.2 s). Rows older than `KEEP_SECONDS` are
  deleted now and then by the publishers.

Published after the commit (`transaction.on_commit`): a rolled-back change announces nothing,
and nothing is announced before readers can see it. An event that cannot be sent (Redis down)
is logged and dropped: live clients miss an update, the data itself is safe, and the next
read shows it. Events are never part of a request's answer, so a failure costs nothing else.
"""

import datetime as dt
import logging
import random
from typing import Any

import orjson
from django.conf import settings
from django.db import transaction
from django.utils import timezone

log = logging.getLogger(__name__)

CHANNEL = "storefeed:events"
KEEP_SECONDS = 60
_redis: Any = None


def publish(kind: str, **data: Any) -> None:
    """Announce `kind` with `data` (JSON-able: ids, short strings) once the current
    transaction commits (at once outside one)."""
    if not settings.STREAMING_EVENTS:
        return
    body = orjson.dumps({"kind": kind, **data}).decode()
    transaction.on_commit(lambda: send(body), robust=True)


def send(body: str) -> None:
    try:
        if settings.REDIS_URL:
            _client().publish(CHANNEL, body)
        else:
            _relay(body)
    except Exception:
        log.exception("Could not publish a live event; live clients will miss it")


def _client() -> Any:
    global _redis
    if _redis is None:
        import redis

        _redis = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5
        )
    return _redis


def _relay(body: str) -> None:
    from storefeed.core.models import Event

    Event.objects.create(body=body)
    # Pruning on about one publish in a hundred keeps the table to a minute of events
    # without a sweep of its own (the streaming process reads only the newest).
    if random.random() < 0.01:
        cutoff = timezone.now() - dt.timedelta(seconds=KEEP_SECONDS)
        Event.objects.filter(created_at__lt=cutoff).delete()


def streaming_url(secure: bool, host: str) -> str | None:
    """Where clients find the streaming API (the instance entity's `streaming_api`, the web
    pages' live updates): STOREFEED_STREAMING_URL, else the host the client reached on the
    streaming port; None when this site runs none."""
    if settings.STREAMING_URL:
        return settings.STREAMING_URL
    if not settings.STREAMING_PORT:
        return None
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    return f"{'wss' if secure else 'ws'}://{name}:{settings.STREAMING_PORT}"
