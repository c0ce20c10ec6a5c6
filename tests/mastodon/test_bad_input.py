"""Bad input through the Mastodon API: each case once answered 500 (issue 10). Every one is
refused in the API's error shape, naming the field where there is one, and changes nothing."""

import json

import pytest
from django.test import Client

from storefeed.accounts.models import User
from storefeed.posts.models import ScheduledStatus, Status
from storefeed.timelines.models import Marker

pytestmark = pytest.mark.django_db

BEYOND = str(2**63)  # one past the largest signed 64-bit id
UNICODE_DIGITS = ["²", "①", "٣", "３"]


def _json(response):
    assert response["Content-Type"].startswith("application/json"), response.content
    return response.json()


@pytest.mark.parametrize("bad", [*UNICODE_DIGITS, BEYOND, "99999999999999999999999"])
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/polls/{}",
        "/api/v1/statuses/{}",
        "/api/v1/statuses/{}/context",
        "/api/v1/accounts/{}",
        "/api/v1/accounts/{}/statuses",
    ],
)
def test_odd_ids_reachable_anonymously_are_404(bad, path):
    response = Client().get(path.format(bad))
    assert response.status_code == 404
    assert _json(response) == {"error": "Record not found"}


@pytest.mark.parametrize("bad", [*UNICODE_DIGITS, BEYOND])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/polls/{}/votes"),
        ("get", "/api/v1/media/{}"),
        ("put", "/api/v1/media/{}"),
        ("get", "/api/v1/notifications/{}"),
        ("post", "/api/v1/notifications/{}/dismiss"),
        ("get", "/api/v1/scheduled_statuses/{}"),
        ("put", "/api/v1/scheduled_statuses/{}"),
        ("delete", "/api/v1/scheduled_statuses/{}"),
        ("get", "/api/v1/lists/{}"),
        ("post", "/api/v1/statuses/{}/favourite"),
        ("post", "/api/v1/accounts/{}/follow"),
        ("delete", "/api/v1/featured_tags/{}"),
    ],
)
def test_odd_ids_in_paths_are_404(api_for, alice, bad, method, path):
    response = getattr(api_for(alice), method)(path.format(bad))
    assert response.status_code == 404
    assert _json(response)["error"] == "Record not found"


@pytest.mark.parametrize("bad", [*UNICODE_DIGITS, BEYOND, "-1", "abc"])
def test_odd_ids_in_id_arrays_match_nothing(api_for, alice, bad):
    api = api_for(alice)
    mine = api.post("/api/v1/statuses", {"status": "hello"}).json()["id"]
    found = api.get("/api/v1/statuses", {"id[]": [bad, mine]})
    assert found.status_code == 200
    assert [s["id"] for s in found.json()] == [mine]
    relationships = api.get("/api/v1/accounts/relationships", {"id[]": [bad, str(alice.pk)]})
    assert [r["id"] for r in relationships.json()] == [str(alice.pk)]
    anon = Client().get("/api/v1/statuses", {"id[]": [bad]})
    assert anon.status_code == 200 and anon.json() == []


@pytest.mark.parametrize("bad", [*UNICODE_DIGITS, BEYOND, "+5", " 5"])
def test_markers_refuse_odd_ids_and_keep_nothing(api_for, alice, bad):
    response = api_for(alice).post("/api/v1/markers", {"home": {"last_read_id": bad}})
    assert response.status_code == 422
    assert "home[last_read_id]" in _json(response)["details"]
    assert not Marker.objects.exists()


def test_fields_attributes_indexed_with_odd_digits(api_for, alice):
    fields = {"²": {"name": "b", "value": "2"}, "0": {"name": "a", "value": "1"}}
    response = api_for(alice).post(
        "/api/v1/accounts/update_credentials", {"fields_attributes": fields}
    )
    assert response.status_code == 200, response.content
    assert [f["name"] for f in response.json()["fields"]] == ["a", "b"]


@pytest.mark.parametrize(
    "when",
    ["2027-02-30T10:00:00Z", "2027-02-03T12:99:00Z", "2027-02-03T24:30:00Z", "2027-13-01", "soon"],
)
def test_impossible_scheduled_at_is_422(api_for, alice, when):
    response = api_for(alice).post("/api/v1/statuses", {"status": "later", "scheduled_at": when})
    assert response.status_code == 422
    assert "scheduled_at" in _json(response)["details"]
    assert not ScheduledStatus.objects.exists() and not Status.objects.exists()


@pytest.mark.parametrize("bad", ["abc", "²", BEYOND, "-1"])
def test_non_numeric_media_ids_with_scheduled_at_are_422(api_for, alice, bad):
    response = api_for(alice).post(
        "/api/v1/statuses",
        {"status": "later", "scheduled_at": "2030-02-03T12:00:00Z", "media_ids": [bad]},
    )
    assert response.status_code == 422
    assert "media_ids" in _json(response)["details"]
    assert not ScheduledStatus.objects.exists()


def test_rescheduling_to_an_impossible_time_is_422(api_for, alice):
    api = api_for(alice)
    scheduled = api.post(
        "/api/v1/statuses", {"status": "x", "scheduled_at": "2030-02-03T12:00:00Z"}
    )
    assert scheduled.status_code == 200, scheduled.content
    response = api.put(
        f"/api/v1/scheduled_statuses/{scheduled.json()['id']}",
        {"scheduled_at": "2030-02-30T12:00:00Z"},
    )
    assert response.status_code == 422
    assert ScheduledStatus.objects.get().scheduled_at.day == 3


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/statuses", '{"status": "hi \\ud800"}', "status"),
        ("/api/v1/statuses", '{"status": "hi", "spoiler_text": "\\udfff"}', "spoiler_text"),
        (
            "/api/v1/statuses",
            '{"status": "q", "poll": {"options": ["a", "\\ud800"]}}',
            "poll[options][]",
        ),
        ("/api/v1/accounts/update_credentials", '{"display_name": "\\ud800"}', "display_name"),
        ("/api/v1/accounts/update_credentials", '{"note": "a\\u0000b"}', "note"),
        (
            "/api/v1/accounts/update_credentials",
            '{"fields_attributes": [{"name": "a", "value": "\\ud83d"}]}',
            "fields_attributes[][value]",
        ),
    ],
)
def test_unstorable_text_is_422_naming_the_field(api_for, alice, path, body, field):
    before = User.objects.values().get(pk=alice.pk)
    response = api_for(alice).client.post(path, body, content_type="application/json")
    assert response.status_code == 422
    assert field in _json(response)["details"]
    assert not Status.objects.exists()
    assert User.objects.values().get(pk=alice.pk) == before


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/v2/search", {"q": "tea\x00"}),
        ("/api/v1/accounts/lookup", {"acct": "alice\x00"}),
        ("/api/v1/accounts/search", {"q": "\x00"}),
        ("/api/v1/timelines/tag/tea", {"any[]": ["a\x00"]}),
    ],
)
def test_a_nul_byte_in_a_query_is_422(api_for, alice, path, params):
    response = api_for(alice).get(path, params)
    assert response.status_code == 422
    assert _json(response)["error"].startswith("Validation failed")


def test_deeply_nested_json_is_400(api_for, alice):
    body = "[" * 50_000 + "]" * 50_000
    response = api_for(alice).client.post("/api/v1/statuses", body, content_type="application/json")
    assert response.status_code == 400
    assert "error" in _json(response)
    options: list = ["a"]
    for _ in range(40):
        options = [options]
    nested = json.dumps({"status": "x", "poll": {"options": options}})
    response = api_for(alice).client.post(
        "/api/v1/statuses", nested, content_type="application/json"
    )
    assert response.status_code == 400
    assert not Status.objects.exists()


@pytest.mark.parametrize("method", ["post", "put", "patch"])
@pytest.mark.parametrize("content_type", ["multipart/form-data", "multipart/form-data; boundary="])
def test_a_broken_multipart_body_is_400(api_for, alice, method, content_type):
    api = api_for(alice)
    path = "/api/v1/statuses" if method == "post" else "/api/v1/accounts/update_credentials"
    if method == "put":
        path = "/api/v1/media/1"
    response = getattr(api.client, method)(path, b"--xx\r\nbroken", content_type=content_type)
    assert response.status_code == 400
    assert _json(response)["error"].startswith("Error while parsing request")
    assert not Status.objects.exists()


@pytest.mark.parametrize("bad", ["²", "-1", "1.5", "1e3"])
def test_odd_numbers_in_parameters_are_422(api_for, alice, bad):
    response = api_for(alice).get("/api/v1/timelines/home", {"limit": bad})
    assert response.status_code == 422
    poll = api_for(alice).post(
        "/api/v1/statuses", {"status": "q", "poll": {"options": ["a", "b"], "expires_in": bad}}
    )
    assert poll.status_code == 422
    assert not Status.objects.exists()
