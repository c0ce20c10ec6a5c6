"""Responses are gzipped for clients that accept it: HTML pages and the JSON API; static files
are left to WhiteNoise (collectstatic precompresses them)."""

import gzip
import json

import pytest

pytestmark = pytest.mark.django_db

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


def test_the_home_page_comes_back_gzipped(alice_client):
    plain = alice_client.get("/")
    assert plain.status_code == 200
    assert not plain.has_header("Content-Encoding")

    response = alice_client.get("/", **GZIP)

    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    html = gzip.decompress(response.content)
    assert b"<html" in html
    assert len(response.content) < len(html) / 3


def test_the_json_api_is_gzipped_and_intact(alice_client):
    response = alice_client.get("/api/v2/instance", **GZIP)
    assert response["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(response.content))["api_versions"] == {"mastodon": 2}


def test_static_files_are_left_to_whitenoise(client):
    response = client.get("/static/web/app.css", **GZIP)
    assert response.status_code == 200
    # WhiteNoise answered before GZipMiddleware ran: the body is the file as it is on disk
    # (after collectstatic, WhiteNoise itself serves its precompressed app.css.gz).
    assert not response.has_header("Content-Encoding")
    assert b"{" in b"".join(response.streaming_content)
