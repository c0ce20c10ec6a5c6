"""Where clients and pages find the streaming API: the instance entities and the web pages'
<body> attributes, from the same settings."""

import pytest


@pytest.mark.parametrize(
    ("url", "port", "expected"),
    [
        ("", 8001, "ws://testserver:8001"),
        ("wss://storefeed.example", 8001, "wss://storefeed.example"),
        ("", 0, None),
    ],
)
def test_instance_entities(client, settings, url, port, expected, db):
    settings.STREAMING_URL, settings.STREAMING_PORT = url, port
    v1 = client.get("/api/v1/instance").json()
    v2 = client.get("/api/v2/instance").json()
    assert v1["urls"]["streaming_api"] == expected
    assert v2["configuration"]["urls"]["streaming"] == expected


def test_pages_say_where_to_stream_from(client, settings, alice, db):
    settings.STREAMING_URL, settings.STREAMING_PORT = "", 8001
    page = client.get("/login").content.decode()
    assert 'data-stream="http://testserver:8001" data-stream-user="0"' in page
    assert "/static/web/live.js" in page
    client.force_login(alice)
    assert 'data-stream-user="1"' in client.get("/").content.decode()
    settings.STREAMING_PORT = 0
    assert "data-stream=" not in client.get("/").content.decode()
