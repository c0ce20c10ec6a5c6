"""The streaming API as a small raw-ASGI application, served by uvicorn (`storefeed serve`
starts it beside gunicorn; `uvicorn storefeed.streaming.asgi:application` alone on another
machine). Mastodon's endpoints:

- `GET /api/v1/streaming/health`: `OK`;
- Server-Sent Events at `/api/v1/streaming/<user|user/notification|public|public/local|
  public/remote|hashtag|hashtag/local|list|direct>` (and `/api/v1/streaming?stream=...`),
  plus Storefeed's `storefeed/products` (only `storefeed.product` events, no sign-in);
- a WebSocket at `/api/v1/streaming`, with `{"type": "subscribe"|"unsubscribe", "stream":
  ..., "tag"/"list": ...}` messages for any number of streams on one socket.

Why not Django's own ASGI handler: every connection here is long and idle, and Django's async
path would hold a request object, middleware and (for sync code) a thread per event; this app
keeps a few hundred bytes per connection and does its database work in a worker thread.
"""

import asyncio
import contextlib
import logging
import os
from typing import Any
from urllib.parse import parse_qs

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "storefeed.config.settings")
django.setup()

import orjson  # noqa: E402

from storefeed.streaming.auth import (  # noqa: E402
    PATHS,
    Client,
    Refused,
    authenticate,
    latest_notification,
    media_variant,
    origin_allowed,
    stream_for,
)
from storefeed.streaming.hub import Connection, Hub  # noqa: E402
from storefeed.streaming.route import NOTIFICATIONS, USER, Delivery  # noqa: E402

log = logging.getLogger(__name__)

PREFIX = "/api/v1/streaming"
HEARTBEAT_SECONDS = 15.0
Scope = dict[str, Any]

hub = Hub()


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


def _query(scope: Scope) -> dict[str, str]:
    parsed = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    return {k: v[-1] for k, v in parsed.items()}


async def application(scope: Scope, receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        await _lifespan(receive, send)
    elif scope["type"] == "http":
        await _http(scope, receive, send)
    elif scope["type"] == "websocket":
        await _websocket(scope, receive, send)


async def _lifespan(receive: Any, send: Any) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await hub.start()
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await hub.stop()
            await send({"type": "lifespan.shutdown.complete"})
            return


# HTTP: health and Server-Sent Events --------------------------------------------------------


def _cors(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    """Any page may stream with a token (as from Mastodon); only our own pages with their
    session cookie, which needs the exact origin and credentials allowed."""
    origin = headers.get("origin", "")
    if origin and origin_allowed(origin):
        return [
            (b"access-control-allow-origin", origin.encode("latin-1")),
            (b"access-control-allow-credentials", b"true"),
            (b"vary", b"Origin"),
        ]
    return [(b"access-control-allow-origin", b"*")]


async def _answer(send: Any, status: int, body: bytes, cors: list, kind: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", kind), *cors],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _error(send: Any, status: int, message: str, cors: list) -> None:
    body = orjson.dumps({"error": message})
    await _answer(send, status, body, cors, b"application/json; charset=utf-8")


async def _http(scope: Scope, receive: Any, send: Any) -> None:
    path = scope["path"].rstrip("/")
    headers = _headers(scope)
    cors = _cors(headers)
    if scope["method"] == "OPTIONS":
        allow = [
            (b"access-control-allow-headers", b"Authorization, Accept-Language"),
            (b"access-control-allow-methods", b"GET, OPTIONS"),
        ]
        await _answer(send, 204, b"", cors + allow, b"text/plain")
        return
    if path == f"{PREFIX}/health":
        await _answer(send, 200, b"OK", cors, b"text/plain; charset=utf-8")
        return
    if scope["method"] != "GET":
        await _error(send, 405, "Method not allowed", cors)
        return
    query = _query(scope)
    if path == PREFIX:
        name = query.get("stream", "")
    elif path.startswith(f"{PREFIX}/") and path[len(PREFIX) + 1 :] in PATHS:
        name = PATHS[path[len(PREFIX) + 1 :]]
    else:
        await _error(send, 404, "Not found", cors)
        return
    origin = headers.get("origin", "")
    try:
        client = await hub.in_thread(
            authenticate,
            headers=headers,
            query_token=query.get("access_token", ""),
            protocol_token="",
            scheme=scope.get("scheme", "http"),
            lang=query.get("lang", ""),
            cookies_allowed=not origin or origin_allowed(origin),
        )
        stream = await hub.in_thread(
            stream_for,
            client,
            media_variant(name, query.get("only_media", "")),
            tag=query.get("tag", ""),
            list_id=query.get("list", ""),
        )
        await _prepare(client, {stream.name})
    except Refused as refused:
        await _error(send, refused.status, refused.message, cors)
        return
    await _sse(send, receive, client, stream, cors)


async def _prepare(client: Client, names: set[str]) -> None:
    """Notifications start after the newest one the reader has now."""
    user = client.user
    if user is not None and names & {USER, NOTIFICATIONS}:
        # Never behind the newest: a reader who comes back is not sent what came meanwhile.
        latest = await hub.in_thread(latest_notification, user)
        hub.notified[user.pk] = max(hub.notified.get(user.pk, 0), latest)


def _sse_message(delivery: Delivery) -> bytes:
    payload = "undefined" if delivery.payload is None else delivery.payload
    lines = "".join(f"data: {line}\n" for line in payload.split("\n"))
    return f"event: {delivery.event}\n{lines}\n".encode()


async def _sse(send: Any, receive: Any, client: Client, stream: Any, cors: list) -> None:
    # Registered before the answer starts: an event routed once the client has the headers
    # reaches it.
    connection = Connection(client)
    connection.streams.add(stream)
    hub.add(connection)
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"text/event-stream; charset=utf-8"),
                (b"cache-control", b"no-store"),
                (b"x-accel-buffering", b"no"),  # nginx: pass events on at once
                *cors,
            ],
        }
    )
    await send({"type": "http.response.body", "body": b":)\n\n", "more_body": True})
    watcher = asyncio.create_task(_until_disconnect(receive, connection))
    try:
        while not connection.closed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(connection.wake.wait(), HEARTBEAT_SECONDS)
            connection.wake.clear()
            if connection.closed:
                break
            chunk = b"".join(_sse_message(d) for d in _drain(connection)) or b":thump\n\n"
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
    except OSError:
        pass  # the client went away while we wrote
    finally:
        hub.remove(connection)
        watcher.cancel()


def _drain(connection: Connection) -> list[Delivery]:
    out = list(connection.pending)
    connection.pending.clear()
    return out


async def _until_disconnect(receive: Any, connection: Connection) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            connection.closed = True
            connection.wake.set()
            return


# WebSocket -------------------------------------------------------------------------------


async def _websocket(scope: Scope, receive: Any, send: Any) -> None:
    if scope["path"].rstrip("/") != PREFIX:
        await send({"type": "websocket.close", "code": 4004})
        return
    headers = _headers(scope)
    query = _query(scope)
    protocols = scope.get("subprotocols") or []
    try:
        client = await hub.in_thread(
            authenticate,
            headers=headers,
            query_token=query.get("access_token", ""),
            protocol_token=protocols[0] if protocols else "",
            scheme=scope.get("scheme", "ws"),
            lang=query.get("lang", ""),
        )
        first = None
        if query.get("stream"):
            first = await hub.in_thread(
                stream_for,
                client,
                media_variant(query["stream"], query.get("only_media", "")),
                tag=query.get("tag", ""),
                list_id=query.get("list", ""),
            )
    except Refused as refused:
        # Before the handshake: the client sees the upgrade refused (uvicorn answers 403).
        log.info("WebSocket refused: %s", refused.message)
        await send({"type": "websocket.close", "code": 4000 + refused.status})
        return
    message = await receive()
    if message["type"] != "websocket.connect":
        return
    accept: dict[str, Any] = {"type": "websocket.accept"}
    if protocols:
        accept["subprotocol"] = protocols[0]  # the token, echoed as Mastodon does
    await send(accept)
    connection = Connection(client)
    if first is not None:
        await _prepare(client, {first.name})
        connection.streams.add(first)
    hub.add(connection)
    writer = asyncio.create_task(_ws_writer(send, connection))
    try:
        while True:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                break
            if message["type"] == "websocket.receive":
                await _ws_command(send, connection, message.get("text") or message.get("bytes"))
    finally:
        hub.remove(connection)
        connection.wake.set()
        writer.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await writer


async def _ws_writer(send: Any, connection: Connection) -> None:
    try:
        while not connection.closed:
            await connection.wake.wait()
            connection.wake.clear()
            for delivery in _drain(connection):
                frame: dict[str, Any] = {"stream": delivery.stream, "event": delivery.event}
                if delivery.payload is not None:
                    frame["payload"] = delivery.payload
                await send({"type": "websocket.send", "text": orjson.dumps(frame).decode()})
        if connection.closed:
            with contextlib.suppress(Exception):
                await send({"type": "websocket.close", "code": 1008})
    except OSError:
        connection.closed = True


async def _ws_command(send: Any, connection: Connection, raw: Any) -> None:
    """A subscribe or unsubscribe message. A bad one is answered with Mastodon's error frame
    and changes nothing."""
    try:
        command = orjson.loads(raw or b"")
        if not isinstance(command, dict):
            raise ValueError
        kind = command.get("type")
        name = media_variant(str(command.get("stream") or ""), str(command.get("only_media", "")))
        if kind not in ("subscribe", "unsubscribe"):
            raise Refused(400, "Unknown message type")
        stream = await hub.in_thread(
            stream_for,
            connection.client,
            name,
            tag=str(command.get("tag") or ""),
            list_id=str(command.get("list") or ""),
        )
    except (ValueError, orjson.JSONDecodeError):
        await _ws_error(send, "Invalid JSON message", 400)
        return
    except Refused as refused:
        await _ws_error(send, refused.message, refused.status)
        return
    if kind == "subscribe":
        await _prepare(connection.client, {stream.name})
        connection.streams.add(stream)
    else:
        connection.streams.discard(stream)


async def _ws_error(send: Any, message: str, status: int) -> None:
    frame = {"error": message, "status": status}
    await send({"type": "websocket.send", "text": orjson.dumps(frame).decode()})
