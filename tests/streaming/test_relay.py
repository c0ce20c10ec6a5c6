"""The streaming process end to end, on both ways events reach it: the event table it polls
(the embedded default) and Redis pub/sub (marker `redis`). A post made here, in the test
process, arrives on a WebSocket subscribed to the public stream."""

import json

import pytest
from django.conf import settings as django_settings
from websockets.sync.client import connect

from storefeed.core import events
from storefeed.posts import services as posts
from tests.clients.conftest import database_url
from tests.streaming_process import streaming_process


@pytest.fixture(params=["table", pytest.param("redis", marks=pytest.mark.redis)])
def relay(request, transactional_db, settings, tmp_path):
    """The streaming process, with the publisher (this process) on the same relay."""
    from django.db import connection

    redis_url = ""
    if request.param == "redis":
        redis_url = request.getfixturevalue("redis_url")
    settings.REDIS_URL = redis_url
    events._redis = None
    url = database_url(connection.settings_dict)
    with streaming_process(url, django_settings.SECRET_KEY, tmp_path, redis_url) as root:
        yield root.replace("http://", "ws://")
    events._redis = None


def test_a_post_reaches_an_open_socket(relay, alice):
    with connect(f"{relay}/api/v1/streaming?stream=public") as ws:
        status = posts.status_create(account=alice, text="Live from the relay")
        frame = json.loads(ws.recv(timeout=20))
    assert frame["event"] == "update" and frame["stream"] == ["public"]
    assert json.loads(frame["payload"])["id"] == str(status.pk)
