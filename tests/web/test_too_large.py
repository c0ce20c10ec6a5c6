"""A body too large to read (over DATA_UPLOAD_MAX_MEMORY_SIZE): web pages answer 413 with a
page saying so in the reader's language; the API the same status in its JSON shape."""

import pytest

pytestmark = pytest.mark.django_db


def test_an_oversized_form_gets_a_413_page_in_both_languages(client_for, alice, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = client_for(alice)
    body = {"text": "x" * 5000}
    page = client.post("/compose", body)
    assert page.status_code == 413
    assert page["Content-Type"].startswith("text/html")
    assert "Too much sent at once" in page.content.decode()
    zh = client.post("/compose", body, headers={"Accept-Language": "zh-hans"})
    assert zh.status_code == 413 and "一次发送的内容太多" in zh.content.decode()
    # Signed out too (the CSRF check reads the body first).
    from django.test import Client

    assert Client().post("/login", body).status_code == 413


def test_an_ordinary_bad_request_is_still_400(client):
    from django.core.exceptions import SuspiciousOperation
    from django.test import RequestFactory

    from storefeed.web.views.errors import bad_request_or_too_large

    answer = bad_request_or_too_large(RequestFactory().get("/"), SuspiciousOperation("x"))
    assert answer.status_code == 400


def test_the_api_answers_413_in_json(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post("/api/v1/apps", {"client_name": "x" * 5000})
    assert response.status_code == 413
    assert response.json() == {"error": "Request body too large"}
