"""CORS for browser clients: any origin, the headers a Mastodon client sends, the headers it
reads; the web pages are not opened to other origins."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_preflight_allows_the_headers_clients_send(anon):
    response = anon.options(
        "/api/v1/statuses",
        headers={
            "Origin": "https://app.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
        },
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    allowed = {h.strip() for h in response["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type", "idempotency-key"} <= allowed
    assert "POST" in response["Access-Control-Allow-Methods"]


def test_api_answers_expose_the_link_and_rate_limit_headers(anon):
    response = anon.get("/api/v1/timelines/public", headers={"Origin": "https://app.example"})
    exposed = {h.strip() for h in response["Access-Control-Expose-Headers"].split(",")}
    assert {"Link", "X-RateLimit-Remaining"} <= exposed


def test_web_pages_are_not_opened_to_other_origins(anon):
    response = anon.get("/login", headers={"Origin": "https://app.example"})
    assert "Access-Control-Allow-Origin" not in response
