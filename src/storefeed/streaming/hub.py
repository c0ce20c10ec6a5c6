"""The streaming process's centre: the open connections, the source of events (Redis pub/sub,
or the `core.Event` table polled), and the dispatcher that routes each batch of events in one
worker thread (route.py, with the ORM) and hands the messages to the connections.

An idle connection costs a `Connection` (a few small fields and a deque) and the server's own
per-socket state: no thread, no database connection. Events are batched: whatever arrived
while the previous batch was being routed is routed together, and product events in a batch
are folded (one card read per product), so a flash sale costs one card read per product per
batch rather than per sale.
"""

import asyncio
import contextlib
import itertools
import logging
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import orjson
from django.conf import settings
from django.db import close_old_connections

from storefeed.core.events import CHANNEL
from storefeed.streaming.auth import Client
from storefeed.streaming.route import Delivery, Reader, Stream, route

log = logging.getLogger(__name__)
T = TypeVar("T")

# A client that reads too slowly is dropped rather than buffered without end.
MAX_BACKLOG = 1000
_keys = itertools.count(1)


class Connection:
    """One open SSE response or WebSocket, with the messages waiting to be written."""

    __slots__ = ("client", "closed", "key", "pending", "streams", "wake")

    def __init__(self, client: Client) -> None:
        self.key = next(_keys)
        self.client = client
        self.streams: set[Stream] = set()
        self.pending: deque[Delivery] = deque()
        self.wake = asyncio.Event()
        self.closed = False

    def push(self, delivery: Delivery) -> None:
        if len(self.pending) >= MAX_BACKLOG:
            self.closed = True
        else:
            self.pending.append(delivery)
        self.wake.set()


class Hub:
    def __init__(self) -> None:
        self.connections: dict[int, Connection] = {}
        self.notified: dict[int, int] = {}  # user id -> newest notification id sent
        self.events: list[dict[str, Any]] = []
        self.arrived = asyncio.Event()
        self.delivered = 0  # messages handed to connections (bench/streaming.py reads it)
        self._router = ThreadPoolExecutor(1, thread_name_prefix="stream-route")
        self._db = ThreadPoolExecutor(4, thread_name_prefix="stream-db")
        self._tasks: list[asyncio.Task[None]] = []

    # Threads -------------------------------------------------------------------------------

    async def in_thread(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run database work (authentication) off the event loop."""

        def job() -> T:
            try:
                return fn(*args, **kwargs)
            finally:
                close_old_connections()

        return await asyncio.get_running_loop().run_in_executor(self._db, job)

    # Life --------------------------------------------------------------------------------

    async def start(self) -> None:
        source = self._redis if settings.REDIS_URL else self._poll
        self._tasks = [asyncio.create_task(source()), asyncio.create_task(self._dispatch())]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for connection in self.connections.values():
            connection.closed = True
            connection.wake.set()
        self._router.shutdown(wait=False, cancel_futures=True)
        self._db.shutdown(wait=False, cancel_futures=True)

    def add(self, connection: Connection) -> None:
        self.connections[connection.key] = connection

    def remove(self, connection: Connection) -> None:
        connection.closed = True
        self.connections.pop(connection.key, None)

    def receive(self, event: dict[str, Any]) -> None:
        self.events.append(event)
        self.arrived.set()

    # Sources -------------------------------------------------------------------------------

    async def _redis(self) -> None:
        import redis.asyncio as aioredis

        while True:
            client = aioredis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2)
            try:
                async with client.pubsub() as pubsub:
                    await pubsub.subscribe(CHANNEL)
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            self._decode(message["data"])
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("Redis pub/sub lost; reconnecting in 1 s", exc_info=True)
                await asyncio.sleep(1)
            finally:
                with contextlib.suppress(Exception):
                    await client.aclose()

    def _decode(self, body: bytes | str) -> None:
        try:
            event = orjson.loads(body)
        except orjson.JSONDecodeError:
            log.warning("Ignoring an event that is not JSON: %r", body[:200])
            return
        if isinstance(event, dict):
            self.receive(event)

    async def _poll(self) -> None:
        """Without Redis: read new rows of the event table every STREAMING_POLL seconds. Rows
        are read a little behind the newest id seen (LOOKBACK) so that one committed late
        with a lower id (PostgreSQL assigns ids before commit) is still read; `seen`
        remembers which were read."""
        from storefeed.core.models import Event

        lookback = 100
        seen: deque[int] = deque(maxlen=5000)
        seen_set: set[int] = set()

        def newest() -> int:
            return Event.objects.order_by("-id").values_list("id", flat=True).first() or 0

        def fetch(after: int) -> list[tuple[int, str]]:
            rows = Event.objects.filter(id__gt=after).order_by("id").values_list("id", "body")
            return list(rows[:2000])

        last = await self.in_thread(newest)
        while True:
            await asyncio.sleep(settings.STREAMING_POLL_SECONDS)
            try:
                rows = await self.in_thread(fetch, max(0, last - lookback))
            except Exception:
                log.warning("Could not read the event table", exc_info=True)
                continue
            for pk, body in rows:
                if pk in seen_set:
                    continue
                if len(seen) == seen.maxlen:
                    seen_set.discard(seen[0])
                seen.append(pk)
                seen_set.add(pk)
                last = max(last, pk)
                self._decode(body)

    # Dispatch -----------------------------------------------------------------------------

    def _readers(self) -> list[Reader]:
        return [
            Reader(
                key=c.key,
                user=c.client.user,
                lang=c.client.lang,
                base=c.client.base,
                streams=frozenset(c.streams),
                web=c.client.web,
            )
            for c in self.connections.values()
            if c.streams and not c.closed
        ]

    async def _dispatch(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await self.arrived.wait()
            self.arrived.clear()
            batch, self.events = self.events, []
            readers = self._readers()
            if not readers:
                continue

            def job(batch: list[dict[str, Any]] = batch, readers: list[Reader] = readers) -> Any:
                try:
                    return route(batch, readers, self.notified)
                finally:
                    close_old_connections()

            try:
                deliveries = await loop.run_in_executor(self._router, job)
            except Exception:
                log.exception("Could not route %d events", len(batch))
                continue
            for delivery in deliveries:
                connection = self.connections.get(delivery.key)
                if connection is not None and not connection.closed:
                    connection.push(delivery)
                    self.delivered += 1
