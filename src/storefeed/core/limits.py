"""Counters shared by every process and machine, for limits: fixed windows (the APIs' rate
limits) and backoff counters (sign-in throttling).

They live in Redis when STOREFEED_REDIS_URL is set (one round trip per call: a pipeline or a
Lua script) and otherwise in the database (`core.models.LimitCounter`; one upsert per window
hit). Either way every web process and every machine shares them, unlike the per-process
cache they replace.

Faults: a window that cannot be counted lets the call through (`used == 0`): a store that is
down costs the limit, never availability. A backoff counter whose Redis is down is kept in
the database instead, so a sign-in is still throttled.
"""

import datetime as dt
import functools
import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
import redis
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from storefeed.core.models import LimitCounter

log = logging.getLogger(__name__)

PREFIX = "storefeed:limit:"
# After a Redis error, leave Redis alone this long (seconds): a Redis that hangs costs one
# slow call per process, not every call.
REDIS_PAUSE = 5.0
_redis_down_until = 0.0


@functools.cache
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)


def _redis() -> redis.Redis | None:
    if not settings.REDIS_URL or time.monotonic() < _redis_down_until:
        return None
    return _client(settings.REDIS_URL)


def _redis_failed() -> None:
    global _redis_down_until
    _redis_down_until = time.monotonic() + REDIS_PAUSE
    log.warning("limits: Redis could not be reached; using the fallback", exc_info=True)


# --- Fixed windows (rate limits) ---------------------------------------------------------


@dataclass(frozen=True)
class WindowCount:
    """Calls counted in the current window, this one included (0: not counted, let it
    through), and when the window ends (Unix seconds)."""

    used: int
    reset: int


def window_hit(name: str, *, window: int) -> WindowCount:
    """Count one call against `name` in the current `window`-second window."""
    number = int(time.time() // window)
    reset = (number + 1) * window
    key = f"{name}:{number}"
    if settings.REDIS_URL:
        client = _redis()
        if client is None:  # paused after an error: not counted
            return WindowCount(0, reset)
        try:
            pipe = client.pipeline(transaction=False)
            pipe.incr(PREFIX + key)
            pipe.expire(PREFIX + key, window + 5, nx=True)
            used = int(pipe.execute()[0])
        except redis.RedisError:
            _redis_failed()
            return WindowCount(0, reset)
        return WindowCount(used, reset)
    try:
        used = _database_increment(key, expires=dt.datetime.fromtimestamp(reset + 5, tz=dt.UTC))
    except Exception:  # a database that refuses the counter costs the limit, not the call
        log.warning("limits: the window counter could not be written", exc_info=True)
        return WindowCount(0, reset)
    return WindowCount(used, reset)


def _upsert_sql() -> str:
    table = connection.ops.quote_name(LimitCounter._meta.db_table)
    return (
        f"INSERT INTO {table} (name, count, expires_at, locked_until) "  # noqa: S608
        f"VALUES (%s, 1, %s, NULL) ON CONFLICT (name) DO UPDATE SET count = {table}.count + 1 "
        "RETURNING count"
    )


def _database_increment(key: str, *, expires: dt.datetime) -> int:
    """One statement, atomic in both databases: insert the window at 1 or add 1 to it.

    On PostgreSQL, outside a transaction, it commits without waiting for the WAL flush
    (`synchronous_commit` off for this transaction only, sent with it in one round trip): a
    count lost in a crash costs a client a few calls, while waiting for the disk cost every
    API call several milliseconds (bench/limits_cost.py)."""
    expires_value = LimitCounter._meta.get_field("expires_at").get_db_prep_value(
        expires, connection
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            raw = cursor.cursor
            binder = raw if hasattr(raw, "mogrify") else psycopg.ClientCursor(raw.connection)
            upsert = binder.mogrify(_upsert_sql(), [key, expires_value])
            cursor.execute(f"BEGIN; SET LOCAL synchronous_commit TO OFF; {upsert}; COMMIT")
            while raw.description is None and raw.nextset():
                pass
            row = raw.fetchone()
        else:
            cursor.execute(_upsert_sql(), [key, expires_value])
            row = cursor.fetchone()
    return int(row[0])


# --- Backoff counters (sign-in throttling) ------------------------------------------------


@dataclass(frozen=True)
class Backoff:
    """A counter of attempts: `free` of them go through back to back; from the last of
    those on, each attempt makes the next one wait, twice as long each time from `base`
    seconds up to `cap`. The count is forgotten `forget` seconds after the last attempt."""

    name: str
    free: int
    base: float
    cap: float
    forget: float

    def wait_after(self, count: int) -> float:
        if count < self.free:
            return 0.0
        return min(self.cap, self.base * 2.0 ** min(count - self.free, 60))


_ATTEMPT = """
local now = tonumber(ARGV[1])
local wait = 0
for i, k in ipairs(KEYS) do
  local l = tonumber(redis.call('HGET', k, 'l') or '0')
  if l - now > wait then wait = l - now end
end
if wait > 0 then return wait end
for i, k in ipairs(KEYS) do
  local o = 1 + (i - 1) * 4
  local free = tonumber(ARGV[o + 1])
  local base = tonumber(ARGV[o + 2])
  local cap = tonumber(ARGV[o + 3])
  local c = redis.call('HINCRBY', k, 'c', 1)
  if c >= free then
    local w = math.min(cap, base * 2 ^ math.min(c - free, 60))
    redis.call('HSET', k, 'l', string.format('%d', now + math.floor(w)))
  end
  redis.call('PEXPIRE', k, ARGV[o + 4])
end
return 0
"""

_SUCCEEDED = """
local clear = tonumber(ARGV[1])
for i, k in ipairs(KEYS) do
  if i <= clear then
    redis.call('DEL', k)
  else
    local c = redis.call('HINCRBY', k, 'c', -1)
    redis.call('HDEL', k, 'l')
    if c <= 0 then redis.call('DEL', k) end
  end
end
return 0
"""


def _ms(seconds: float) -> int:
    return int(seconds * 1000)


def backoff_attempt(counters: Sequence[Backoff]) -> float:
    """Count an attempt against every counter, unless one of them says to wait: then
    nothing is counted and the answer is the longest wait in seconds (0.0: go ahead)."""
    client = _redis()
    if client is not None:
        args: list[Any] = [_ms(time.time())]
        for c in counters:
            args += [c.free, _ms(c.base), _ms(c.cap), _ms(c.forget)]
        try:
            waited = client.eval(
                _ATTEMPT, len(counters), *[PREFIX + c.name for c in counters], *args
            )
        except redis.RedisError:
            _redis_failed()
        else:
            return int(waited) / 1000
    return _database_attempt(counters)


def backoff_succeeded(*, clear: Sequence[Backoff] = (), undo: Sequence[Backoff] = ()) -> None:
    """The attempt counted last succeeded: forget the `clear` counters, and take that one
    attempt back from the `undo` ones and lift their wait (the next failure sets it again),
    so that a success from a shared address does not leave the address waiting."""
    client = _redis()
    if client is not None:
        try:
            client.eval(
                _SUCCEEDED,
                len(clear) + len(undo),
                *[PREFIX + c.name for c in (*clear, *undo)],
                len(clear),
            )
        except redis.RedisError:
            _redis_failed()
        else:
            return
    _database_succeeded(clear=clear, undo=undo)


def _database_attempt(counters: Sequence[Backoff]) -> float:
    now = timezone.now()
    by_name = {c.name: c for c in counters}
    with transaction.atomic():
        LimitCounter.objects.bulk_create(
            [LimitCounter(name=name, count=0, expires_at=now) for name in sorted(by_name)],
            ignore_conflicts=True,
        )
        # Rows locked in a fixed order, so two attempts never wait on each other in a circle.
        rows = list(
            LimitCounter.objects.select_for_update().filter(name__in=by_name).order_by("name")
        )
        wait = 0.0
        for row in rows:
            if row.expires_at <= now:  # forgotten
                row.count, row.locked_until = 0, None
            if row.locked_until is not None and row.locked_until > now:
                wait = max(wait, (row.locked_until - now).total_seconds())
        if wait > 0:
            return wait
        for row in rows:
            counter = by_name[row.name]
            row.count += 1
            row.expires_at = now + dt.timedelta(seconds=counter.forget)
            delay = counter.wait_after(row.count)
            row.locked_until = now + dt.timedelta(seconds=delay) if delay else None
            row.save(update_fields=["count", "expires_at", "locked_until"])
    return 0.0


def _database_succeeded(*, clear: Sequence[Backoff], undo: Sequence[Backoff]) -> None:
    with transaction.atomic():
        if clear:
            LimitCounter.objects.filter(name__in=[c.name for c in clear]).delete()
        for counter in undo:
            row = LimitCounter.objects.select_for_update().filter(name=counter.name).first()
            if row is None:
                continue
            row.count = max(0, row.count - 1)
            row.locked_until = None
            row.save(update_fields=["count", "locked_until"])


def counters_purge() -> int:
    """Delete the database's counters that have expired (Redis expires its own)."""
    deleted, _rows = LimitCounter.objects.filter(
        expires_at__lt=timezone.now() - dt.timedelta(minutes=1)
    ).delete()
    return deleted


def seconds_text(seconds: float) -> int:
    """A wait as the whole seconds a client is told (never 0 for a real wait)."""
    return max(1, math.ceil(seconds))
