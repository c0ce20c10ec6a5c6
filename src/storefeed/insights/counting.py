"""Counting the top of the funnel where it happens, for the price of one buffered write.

A page of posts (web or API) reports the product posts it showed once (posts.hydration's
`shown` hook), and the page's impressions are appended to a list in this process's memory:
no I/O on the request. A daemon thread per process writes the list out every
`STOREFEED_INSIGHTS_FLUSH_SECONDS` (5; and when it holds 5,000 pages, and when the process
exits): with Redis configured, one pipelined round trip adds each viewer to a HyperLogLog per
post and day and marks those posts for the worker; otherwise multi-row INSERTs append a row
per post and page to `Seen`. A process killed outright loses its last few seconds of
impressions (counts, never money or orders). With 0 seconds (the tests) every page writes its
own impressions at once, synchronously. Either way the viewer is a keyed hash of who it is and the
day (the same viewer is the same value all day, and nothing links two days), the seller's
own views and obvious bots (by User-Agent) are left out, and a buffer that fails is logged
and skipped: counting never fails or holds up a page. Taps (a card opened) and adds to cart
are rarer and are appended to `Event`. The worker (`rollup.insights_rollup`) turns all of it
into the daily rows.
"""

import atexit
import datetime as dt
import hashlib
import logging
import os
import re
import threading
import time
from collections.abc import Sequence
from functools import cache
from typing import Any

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from storefeed.core import sql
from storefeed.insights.models import Event, EventKind, Seen

log = logging.getLogger(__name__)

# Crawlers, link previewers, monitors and HTTP libraries used without a name of their own; and
# no User-Agent at all (no browser or client app sends none).
BOTS = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|preview|monitor|headless|curl/|wget/|python-requests|"
    r"python-urllib|go-http-client|aiohttp|scrapy|httpclient|facebookexternalhit|lighthouse",
    re.IGNORECASE,
)
PREFIX = "sfi:"
DIRTY = f"{PREFIX}dirty"  # "day:post" of posts seen since the last rollup
WORKING = f"{PREFIX}dirty:working"  # what the rollup is counting
KEEP_SECONDS = 3 * 24 * 3600  # a day's HyperLogLogs outlive the day, for late rollups
RESTING = 5.0  # seconds without trying Redis after it failed


def is_bot(request: Any) -> bool:
    agent = request.META.get("HTTP_USER_AGENT", "")
    return not agent.strip() or BOTS.search(agent) is not None


def viewer_key(request: Any, day: dt.date, who: int | None) -> int:
    """The viewer as a signed 64-bit keyed hash of who it is (the account `who`, else the
    address and User-Agent) and the day: the same all day, unrelated from one day to the next."""
    if who is not None:
        text = f"u{who}"
    else:
        text = f"a{request.META.get('REMOTE_ADDR', '')}|{request.META.get('HTTP_USER_AGENT', '')}"
    digest = hashlib.blake2b(
        f"{day.isoformat()}|{text}".encode(), key=_key(), digest_size=8
    ).digest()
    return int.from_bytes(digest, "big", signed=True)


@cache
def _key() -> bytes:
    return hashlib.blake2b(settings.SECRET_KEY.encode(), person=b"sf-insight").digest()[:32]


def buffer_kind() -> str:
    return settings.INSIGHTS_BUFFER or ("redis" if settings.REDIS_URL else "database")


def seen_key(day: dt.date, status_id: int) -> str:
    return f"{PREFIX}seen:{day.isoformat()}:{status_id}"


def record_shown(request: Any, me: int | None, posts: Sequence[tuple[int, int]]) -> None:
    """posts.hydration's `shown` step: count each post once per viewer and day (`me`: the
    reader's account id, None for a visitor)."""
    ids = [status_id for status_id, author_id in posts if author_id != me]
    if not ids or is_bot(request):
        return
    day = timezone.now().date()
    page = (day, ids, viewer_key(request, day, me))
    if settings.INSIGHTS_FLUSH_SECONDS <= 0:
        _write([page])
        return
    with _Pending.lock:
        if _Pending.pid != os.getpid():  # first use in this process (or a forked child)
            _Pending.start()
        _Pending.pages.append(page)
        full = len(_Pending.pages) >= MAX_PENDING
    if full:
        flush()


Page = tuple[dt.date, Sequence[int], int]
MAX_PENDING = 5000


class _Pending:
    """This process's impressions not written yet, and the thread that writes them."""

    lock = threading.Lock()
    pages: list[Page] = []
    pid = 0

    @classmethod
    def start(cls) -> None:
        cls.pid, cls.pages = os.getpid(), []
        seconds = settings.INSIGHTS_FLUSH_SECONDS
        threading.Thread(target=_flusher, args=(seconds,), name="insights", daemon=True).start()
        atexit.register(flush)


def _flusher(seconds: float) -> None:
    pid = os.getpid()
    while _Pending.pid == pid:
        time.sleep(seconds)
        try:
            flush()
        finally:
            connections.close_all()  # this thread's own connection, opened by the write


def flush() -> int:
    """Write out this process's pending impressions; how many pages they came from."""
    with _Pending.lock:
        pages, _Pending.pages = _Pending.pages, []
    if pages:
        _write(pages)
    return len(pages)


def _write(pages: Sequence[Page]) -> None:
    # A viewer who reloads a page is the same impressions again: write each once.
    pages = list({(day, tuple(ids), who): None for day, ids, who in pages})
    try:
        if buffer_kind() == "redis":
            _redis_seen(pages)
        else:
            _sql_seen(pages)
    except Exception:  # a full disk or a locked database costs counts, never the page
        log.warning("insights: impressions not recorded", exc_info=True)


def _sql_seen(pages: Sequence[Page]) -> None:
    rows = [(day, status_id, who) for day, ids, who in pages for status_id in ids]
    name = connection.ops.quote_name
    head = f"INSERT INTO {sql.table(Seen)} ({name('day')}, {name('status_id')}, {name('viewer')})"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 300):
            chunk = rows[start : start + 300]
            cursor.execute(
                f"{head} VALUES {', '.join(['(%s, %s, %s)'] * len(chunk))}",
                [value for row in chunk for value in row],
            )


class _Redis:
    failed_at = -RESTING


@cache
def redis_client(url: str) -> Any:
    import redis

    return redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)


def _redis_seen(pages: Sequence[Page]) -> None:
    if time.monotonic() - _Redis.failed_at < RESTING:
        return
    try:
        pipe = redis_client(settings.REDIS_URL).pipeline(transaction=False)
        keys: dict[str, str] = {}  # HyperLogLog -> its mark for the worker
        for day, ids, who in pages:
            member = who.to_bytes(8, "big", signed=True)
            for status_id in ids:
                key = seen_key(day, status_id)
                pipe.pfadd(key, member)
                keys[key] = f"{day.isoformat()}:{status_id}"
        for key in keys:
            pipe.expire(key, KEEP_SECONDS)
        pipe.sadd(DIRTY, *keys.values())
        pipe.execute()
    except Exception:
        _Redis.failed_at = time.monotonic()
        log.warning("insights: Redis did not take the impressions", exc_info=True)


def record_event(*, kind: EventKind, status_id: int | None, product_id: int | None) -> None:
    if status_id is None and product_id is None:
        return
    Event.objects.create(
        day=timezone.now().date(), kind=kind, status_id=status_id, product_id=product_id
    )
