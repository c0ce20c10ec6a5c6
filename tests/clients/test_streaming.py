"""The streaming API through real clients against `storefeed serve` (gunicorn, the worker and
the uvicorn streaming process, no Redis: the event table relay): a WebSocket client (the
`websockets` library) subscribing to several streams on one socket, and Mastodon.py's
streaming helpers (`stream_user`, `stream_public`, `stream_hashtag`) with listeners in a
thread. Events are waited for with timeouts, never slept for."""

import json
import queue
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from mastodon import StreamListener
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from storefeed.posts import services as posts
from storefeed.social import services as social
from tests.clients.conftest import settle

WAIT = 20.0  # seconds an event may take (it usually takes well under one)


@pytest.fixture
def streaming(base_url: str) -> str:
    """The streaming API's root, as the instance entity gives it (ws://127.0.0.1:<port>)."""
    urls = requests.get(f"{base_url}/api/v1/instance", timeout=10).json()["urls"]
    assert urls["streaming_api"].startswith("ws://127.0.0.1:")
    return urls["streaming_api"]


def token_of(masto: Any) -> str:
    return str(masto.access_token)


def frames(ws: ClientConnection, until: Callable[[dict], bool], timeout: float = WAIT) -> list:
    """Every frame received until one satisfies `until` (that one last); fails on timeout."""
    seen: list[dict] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            raw = ws.recv(timeout=max(0.05, deadline - time.monotonic()))
        except TimeoutError:
            break
        frame = json.loads(raw)
        seen.append(frame)
        if until(frame):
            return seen
    raise AssertionError(f"no matching frame within {timeout}s; got {seen}")


def is_update(status_id: int, stream: str = "user") -> Callable[[dict], bool]:
    def check(frame: dict) -> bool:
        return (
            frame.get("event") == "update"
            and frame.get("stream", [None])[0] == stream
            and json.loads(frame["payload"])["id"] == str(status_id)
        )

    return check


def test_instance_and_health_say_where_streaming_is(base_url, streaming):
    v2 = requests.get(f"{base_url}/api/v2/instance", timeout=10).json()
    assert v2["configuration"]["urls"]["streaming"] == streaming
    root = "http://" + urlsplit(streaming).netloc
    health = requests.get(f"{root}/api/v1/streaming/health", timeout=10)
    assert (health.status_code, health.text) == (200, "OK")


def test_one_websocket_many_streams(streaming, masto_for, alice, bob):
    """Subscribe to the home and a hashtag on one socket; each post arrives on the streams it
    belongs to, rendered for the reader; after unsubscribing the hashtag, only the home."""
    social.follow_create(follower=alice, target=bob)
    settle()
    bob_api = masto_for(bob)
    with connect(f"{streaming}/api/v1/streaming?access_token={token_of(masto_for(alice))}") as ws:
        ws.send(json.dumps({"type": "subscribe", "stream": "user"}))
        ws.send(json.dumps({"type": "subscribe", "stream": "hashtag", "tag": "OolongTea"}))
        time.sleep(0.3)  # the subscriptions are read before the next event is routed
        posted = bob_api.status_post("First flush is in #oolongtea")
        got = frames(ws, is_update(posted["id"]))
        streams = {tuple(f["stream"]) for f in got if f["event"] == "update"}
        assert ("hashtag", "oolongtea") in streams
        home = json.loads(got[-1]["payload"])
        assert home["account"]["username"] == "bob" and home["favourited"] is False

        ws.send(json.dumps({"type": "unsubscribe", "stream": "hashtag", "tag": "oolongtea"}))
        time.sleep(0.3)
        second = bob_api.status_post("Second flush #oolongtea")
        got = frames(ws, is_update(second["id"]))
        assert all(f["stream"][0] != "hashtag" for f in got)


def test_token_as_websocket_protocol_and_notifications(streaming, masto_for, alice, bob):
    post = posts.status_create(account=alice, text="Tea tasting tonight")
    with connect(f"{streaming}/api/v1/streaming", subprotocols=[token_of(masto_for(alice))]) as ws:
        assert ws.subprotocol == token_of(masto_for(alice)) or ws.subprotocol
        ws.send(json.dumps({"type": "subscribe", "stream": "user:notification"}))
        time.sleep(0.3)
        masto_for(bob).status_favourite(post.pk)
        got = frames(ws, lambda f: f.get("event") == "notification")
        note = json.loads(got[-1]["payload"])
        assert got[-1]["stream"] == ["user:notification"]
        assert note["type"] == "favourite" and note["account"]["username"] == "bob"
        assert note["status"]["id"] == str(post.pk)


def test_bad_requests_are_refused_clearly(streaming, masto_for, alice):
    with pytest.raises(InvalidStatus):
        connect(f"{streaming}/api/v1/streaming?access_token=not-a-token").close()
    with connect(f"{streaming}/api/v1/streaming?access_token={token_of(masto_for(alice))}") as ws:
        ws.send("{not json")
        assert json.loads(ws.recv(timeout=WAIT)) == {"error": "Invalid JSON message", "status": 400}
        ws.send(json.dumps({"type": "subscribe", "stream": "nonsense"}))
        assert json.loads(ws.recv(timeout=WAIT)) == {"error": "Unknown stream type", "status": 400}
        ws.send(json.dumps({"type": "subscribe", "stream": "hashtag"}))
        assert json.loads(ws.recv(timeout=WAIT))["error"] == "No tag for stream provided"
        ws.send(json.dumps({"type": "subscribe", "stream": "list", "list": "12345"}))
        assert json.loads(ws.recv(timeout=WAIT))["status"] == 401
    root = "http://" + urlsplit(streaming).netloc
    anonymous = requests.get(f"{root}/api/v1/streaming/user", timeout=10)
    assert anonymous.status_code == 401 and anonymous.json() == {"error": "Missing access token"}
    unknown = requests.get(f"{root}/api/v1/streaming/nowhere", timeout=10)
    assert unknown.status_code == 404


class Collect(StreamListener):
    """Puts every event a Mastodon.py stream hands over into a queue."""

    def __init__(self) -> None:
        self.events: queue.Queue[tuple[str, Any]] = queue.Queue()

    def on_update(self, status: Any) -> None:
        self.events.put(("update", status))

    def on_status_update(self, status: Any) -> None:
        self.events.put(("status.update", status))

    def on_delete(self, status_id: Any) -> None:
        self.events.put(("delete", status_id))

    def on_notification(self, notification: Any) -> None:
        self.events.put(("notification", notification))

    def on_unknown_event(self, name: str, unknown_event: Any = None) -> None:
        self.events.put((name, unknown_event))

    def wait_for(self, check: Callable[[str, Any], bool], timeout: float = WAIT) -> list:
        seen = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                name, value = self.events.get(timeout=max(0.05, deadline - time.monotonic()))
            except queue.Empty:
                break
            seen.append((name, value))
            if check(name, value):
                return seen
        raise AssertionError(f"no matching event within {timeout}s; got {seen}")


def open_stream(start: Callable[..., Any], listener: Collect) -> Any:
    """Start a Mastodon.py stream in its thread and wait until the server holds it."""
    handle = start(listener, run_async=True, timeout=30, reconnect_async=False)
    deadline = time.monotonic() + WAIT
    while not handle.is_receiving() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    return handle


def test_mastodonpy_stream_user_update_edit_delete_notification(masto_for, alice, bob):
    social.follow_create(follower=alice, target=bob)
    settle()
    alice_api, bob_api = masto_for(alice), masto_for(bob)
    listener = Collect()
    handle = open_stream(alice_api.stream_user, listener)
    try:
        posted = bob_api.status_post("Spring tea has landed")
        listener.wait_for(lambda n, v: n == "update" and v["id"] == posted["id"])
        bob_api.status_update(posted["id"], "Spring tea has landed (edited)")
        seen = listener.wait_for(lambda n, v: n == "status.update" and v["id"] == posted["id"])
        assert "(edited)" in seen[-1][1]["content"]
        bob_api.status_delete(posted["id"])
        listener.wait_for(lambda n, v: n == "delete" and str(v) == str(posted["id"]))
        mine = alice_api.status_post("Who wants some?")
        bob_api.status_reblog(mine["id"])
        seen = listener.wait_for(lambda n, v: n == "notification" and v["type"] == "reblog")
        assert seen[-1][1]["status"]["id"] == mine["id"]
    finally:
        handle.close()


def test_mastodonpy_stream_public_respects_blocks(masto_for, alice, bob, carol):
    """Carol is blocked by Alice: Alice's public stream leaves her posts out; an anonymous
    stream shows them."""
    social.block_create(account=alice, target=carol)
    alice_listener, anonymous = Collect(), Collect()
    alice_handle = open_stream(masto_for(alice).stream_public, alice_listener)
    from tests.clients.conftest import mastodon_for

    anonymous_api = mastodon_for(masto_for(bob).api_base_url)
    anonymous_handle = open_stream(anonymous_api.stream_public, anonymous)
    try:
        hidden = masto_for(carol).status_post("Carol's tea notes")
        marker = masto_for(bob).status_post("Bob's tea notes")
        seen = alice_listener.wait_for(lambda n, v: n == "update" and v["id"] == marker["id"])
        assert hidden["id"] not in [v["id"] for n, v in seen if n == "update"]
        anonymous.wait_for(lambda n, v: n == "update" and v["id"] == hidden["id"])
    finally:
        alice_handle.close()
        anonymous_handle.close()


def test_mastodonpy_hashtag_stream(masto_for, alice, bob):
    listener = Collect()
    handle = open_stream(
        lambda lst, **kw: masto_for(alice).stream_hashtag("matcha", lst, **kw), listener
    )
    try:
        masto_for(bob).status_post("Plain post, no tag")
        tagged = masto_for(bob).status_post("Whisked #Matcha")
        seen = listener.wait_for(lambda n, v: n == "update" and v["id"] == tagged["id"])
        assert len([n for n, _v in seen if n == "update"]) == 1
    finally:
        handle.close()
