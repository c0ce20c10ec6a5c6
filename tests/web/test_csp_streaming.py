"""The Content-Security-Policy lets the pages' live updates reach the streaming API, which
runs on its own port without a proxy (another origin): its address, for the host the reader
reached, is added to connect-src; behind one address ('self') nothing is."""

import pytest

pytestmark = pytest.mark.django_db


def connect_src(response) -> str:
    policy = response["Content-Security-Policy"]
    return next(part.strip() for part in policy.split(";") if "connect-src" in part)


def test_the_streaming_port_on_the_readers_host_is_allowed(client, settings):
    settings.STREAMING_PORT, settings.STREAMING_URL = 8001, ""
    settings.ALLOWED_HOSTS = ["shop.example.com"]
    allowed = connect_src(client.get("/public", HTTP_HOST="shop.example.com:8000")).split()
    assert {"ws://shop.example.com:8001", "http://shop.example.com:8001", "'self'"} <= set(allowed)


def test_a_configured_streaming_address_is_allowed(client, settings):
    settings.STREAMING_URL = "wss://stream.example.com"
    allowed = connect_src(client.get("/public")).split()
    assert {"wss://stream.example.com", "https://stream.example.com"} <= set(allowed)


def test_no_streaming_api_adds_nothing(client, settings):
    settings.STREAMING_PORT, settings.STREAMING_URL = 0, ""
    assert connect_src(client.get("/public")) == "connect-src 'self'"
