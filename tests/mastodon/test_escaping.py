"""HTML and script typed into any text field come back as text, never as markup."""

import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

EVIL = "<script>alert(1)</script><img src=x onerror=alert(2)>"
SHORT_EVIL = "<script>alert(1)</script>"  # fits a poll option (50 characters)


def test_text_fields_are_text_in_the_api(api_for, alice, make_image):
    api = api_for(alice)
    media = api.form("/api/v2/media", {"file": make_image(), "description": EVIL}).json()
    assert media["description"] == EVIL  # plain text in a JSON string: clients show it as text
    res = api.post(
        "/api/v1/statuses",
        {
            "status": EVIL,
            "spoiler_text": EVIL,
            "poll": {"options": [SHORT_EVIL, "ok"], "expires_in": 600},
        },
    )
    assert res.status_code == 200, res.content
    status = res.json()
    assert "<script" not in status["content"] and "<img" not in status["content"]
    assert status["spoiler_text"] == EVIL and status["poll"]["options"][0]["title"] == SHORT_EVIL
    lst = api.post("/api/v1/lists", {"title": EVIL}).json()
    assert lst["title"] == EVIL
    res = api.client.patch(
        "/api/v1/accounts/update_credentials",
        json.dumps({"fields_attributes": [{"name": "site", "value": EVIL}]}),
        content_type="application/json",
    )
    assert res.status_code == 200, res.content
    account = api.get("/api/v1/accounts/verify_credentials").json()
    # Field values are HTML in Mastodon's entity, so ours are escaped.
    assert account["fields"][0]["value"].startswith("&lt;script&gt;")
    assert account["source"]["fields"][0]["value"] == EVIL


def test_text_fields_are_escaped_on_the_web_pages(api_for, alice, make_image):
    api = api_for(alice)
    api.post("/api/v1/statuses", {"status": "cw post", "spoiler_text": EVIL})
    api.post(
        "/api/v1/statuses", {"status": "poll", "poll": {"options": [EVIL, "ok"], "expires_in": 600}}
    )
    page = Client().get("/@alice").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
