"""Discovery (instance, nodeinfo, webfinger, health) and the start-up calls that answer empty."""

import pytest

import storefeed
from storefeed.api import push
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_instance_v2_describes_the_real_limits(anon, alice):
    response = anon.get("/api/v2/instance")
    assert response.status_code == 200
    data = response.json()
    assert data["domain"] == "testserver"
    assert data["version"] == f"4.3.0 (compatible; Storefeed {storefeed.__version__})"
    assert data["api_versions"] == {"mastodon": 2}
    config = data["configuration"]
    assert config["statuses"] == {
        "max_characters": 2000,
        "max_media_attachments": 9,
        "characters_reserved_per_url": 23,
    }
    assert config["media_attachments"]["supported_mime_types"] == [
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/webp",
        "video/mp4",
        "video/webm",
        "video/quicktime",
    ]
    assert config["media_attachments"]["image_size_limit"] == 10485760
    assert config["media_attachments"]["video_size_limit"] == 40 * 1024 * 1024
    assert config["vapid"]["public_key"] == push.server_public_key()
    assert config["polls"] == {
        "max_options": 4,
        "max_characters_per_option": 50,
        "min_expiration": 300,
        "max_expiration": 2629746,
    }
    assert config["accounts"]["max_featured_tags"] > 0
    assert data["registrations"]["enabled"] is True
    assert data["languages"] == ["en", "zh"]
    assert data["rules"] == []
    assert "email" in data["contact"]


def test_instance_v1_counts_users_and_posts(anon, alice, bob):
    from storefeed.posts.services import status_create

    status_create(account=alice, text="hello")
    data = anon.get("/api/v1/instance/").json()
    assert data["uri"] == "testserver"
    assert data["version"].startswith("4.3.0 (compatible; Storefeed ")
    assert data["stats"]["user_count"] == 2
    assert data["stats"]["status_count"] == 1
    assert data["configuration"]["statuses"]["max_characters"] == 2000
    assert data["configuration"]["media_attachments"]["image_size_limit"] == 10485760
    assert data["registrations"] is True
    assert data["languages"] == ["en", "zh"]


STATS_PATHS = ("/api/v1/instance", "/api/v2/instance", "/nodeinfo/2.0")


def shown_counts(anon) -> tuple[int, int, int, int]:
    """(users, posts) from v1, active this month from v2, users from nodeinfo."""
    v1 = anon.get("/api/v1/instance").json()["stats"]
    v2 = anon.get("/api/v2/instance").json()["usage"]["users"]
    nodeinfo = anon.get("/nodeinfo/2.0").json()["usage"]
    assert nodeinfo["localPosts"] == v1["status_count"]
    return v1["user_count"], v1["status_count"], v2["active_month"], nodeinfo["users"]["total"]


def test_instance_counts_are_the_workers_last_refresh(anon, alice, bob):
    from django.utils import timezone

    from storefeed.accounts.models import User
    from storefeed.posts.services import status_create
    from storefeed.posts.tasks import refresh_site_stats

    User.objects.filter(pk=alice.pk).update(last_login=timezone.now())
    # No refresh has run yet: the first request computes the counts, once.
    assert shown_counts(anon) == (2, 0, 1, 2)
    make_user("carol")
    status_create(account=alice, text="hello")
    assert shown_counts(anon) == (2, 0, 1, 2)  # not counted again on a request

    refresh_site_stats.enqueue()  # what the beat queues every SITE_STATS_SECONDS

    assert shown_counts(anon) == (3, 1, 1, 3)


def test_instance_endpoints_cost_the_same_few_queries_and_no_count(anon, alice, bob):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from storefeed.posts.services import status_create
    from storefeed.posts.tasks import refresh_site_stats

    def queries() -> list[list[str]]:
        sql = []
        for path in STATS_PATHS:
            with CaptureQueriesContext(connection) as captured:
                assert anon.get(path).status_code == 200
            sql.append([q["sql"] for q in captured.captured_queries])
        return sql

    refresh_site_stats.enqueue()
    queries()  # the rules are read once, then kept in the cache
    push.server_public_key()  # the VAPID key the instance shows, made on first use (then cached)
    small = queries()
    for n in range(30):
        make_user(f"reader{n}")
        status_create(account=alice, text=f"post {n}")
    refresh_site_stats.enqueue()
    large = queries()

    assert [len(q) for q in large] == [len(q) for q in small]
    assert all(len(q) <= 3 for q in large), large
    assert not [sql for q in large for sql in q if "COUNT(" in sql.upper()]
    assert shown_counts(anon)[:2] == (32, 30)


def test_instance_ignores_a_bad_token(anon):
    from django.test import Client

    response = Client(headers={"Authorization": "Bearer nonsense"}).get("/api/v1/instance")
    assert response.status_code == 200


def test_nodeinfo(anon, alice):
    links = anon.get("/.well-known/nodeinfo").json()["links"]
    assert links == [
        {
            "rel": "http://nodeinfo.diaspora.software/ns/schema/2.0",
            "href": "http://testserver/nodeinfo/2.0",
        }
    ]
    info = anon.get("/nodeinfo/2.0").json()
    assert info["version"] == "2.0"
    assert info["software"] == {"name": "storefeed", "version": storefeed.__version__}
    assert info["usage"]["users"]["total"] == 1
    assert info["openRegistrations"] is True


@pytest.mark.parametrize(
    "resource",
    [
        "acct:alice@testserver",
        "acct:Alice@testserver",
        "alice@testserver",
        "acct:alice",
        "http://testserver/@alice",
    ],
)
def test_webfinger_finds_local_accounts(anon, alice, resource):
    response = anon.get("/.well-known/webfinger", {"resource": resource})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/jrd+json"
    data = response.json()
    assert data["subject"] == "acct:alice@testserver"
    assert data["links"][0]["href"] == "http://testserver/@alice"


@pytest.mark.parametrize(
    ("resource", "status"),
    [
        ("", 400),
        ("acct:nobody@testserver", 404),
        ("acct:alice@elsewhere.example", 404),
        ("https://elsewhere.example/@alice", 404),
        ("acct:@testserver", 404),
    ],
)
def test_webfinger_refusals(anon, alice, resource, status):
    response = anon.get("/.well-known/webfinger", {"resource": resource})
    assert response.status_code == status
    assert "error" in response.json()


def test_health(anon):
    response = anon.get("/health")
    assert response.status_code == 200
    assert response.content == b"OK"
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/custom_emojis",
        "/api/v1/trends",
        "/api/v1/trends/tags",
        "/api/v1/trends/statuses",
        "/api/v1/trends/links",
        "/api/v1/instance/peers",
        "/api/v1/instance/rules",
    ],
)
def test_public_start_up_calls_answer_empty(anon, path):
    response = anon.get(path)
    assert response.status_code == 200
    assert response.json() == []


@pytest.mark.parametrize(
    ("path", "scope"),
    [
        ("/api/v1/filters", "read:filters"),
        ("/api/v2/filters", "read:filters"),
        ("/api/v1/announcements", "read"),
        ("/api/v1/conversations", "read:statuses"),
        ("/api/v1/suggestions", "read"),
        ("/api/v2/suggestions", "read"),
        ("/api/v1/endorsements", "read:accounts"),
        ("/api/v1/domain_blocks", "read:blocks"),
    ],
)
def test_signed_in_start_up_calls_answer_empty(anon, api_client, alice, path, scope):
    assert anon.get(path).status_code == 401
    response = api_client(alice, scopes=scope).get(path)
    assert response.status_code == 200
    assert response.json() == []


def test_markers_are_stored_and_read_back(api_client, anon, alice, bob):
    from storefeed.timelines.models import Marker

    client = api_client(alice)
    assert client.get("/api/v1/markers", {"timeline[]": ["home"]}).json() == {}
    saved = client.post("/api/v1/markers", {"home[last_read_id]": "123"})
    assert saved.status_code == 200
    home = saved.json()["home"]
    assert home["last_read_id"] == "123" and home["version"] == 0
    assert home["updated_at"].endswith("Z") and len(home["updated_at"]) == 24
    as_json = client.post(
        "/api/v1/markers",
        {"notifications": {"last_read_id": "9"}, "home": {"last_read_id": "150"}},
        content_type="application/json",
    ).json()
    assert as_json["notifications"] == {
        "last_read_id": "9",
        "version": 0,
        "updated_at": as_json["notifications"]["updated_at"],
    }
    assert as_json["home"]["last_read_id"] == "150" and as_json["home"]["version"] == 1
    # The same position again changes nothing (Mastodon saves only a change).
    again = client.post("/api/v1/markers", {"home[last_read_id]": "150"}).json()
    assert again["home"]["version"] == 1
    read = client.get("/api/v1/markers?timeline[]=home&timeline[]=notifications").json()
    assert {k: v["last_read_id"] for k, v in read.items()} == {
        "home": "150",
        "notifications": "9",
    }
    only_home = client.get("/api/v1/markers", {"timeline[]": ["home"]}).json()
    assert list(only_home) == ["home"]
    # Another app of the same account reads the same positions; another account has none.
    assert (
        api_client(alice, scopes="read:statuses")
        .get("/api/v1/markers", {"timeline[]": ["home"]})
        .json()["home"]["last_read_id"]
        == "150"
    )
    assert api_client(bob).get("/api/v1/markers", {"timeline[]": ["home"]}).json() == {}
    assert Marker.objects.filter(account=alice).count() == 2


@pytest.mark.parametrize(
    "body",
    [
        {"home": "x"},
        {"home": {"last_read_id": "abc"}},
        {"home": {"last_read_id": ""}},
        {"home": {}},
        {"bogus": {"last_read_id": "1"}},
        {"home": {"last_read_id": "5"}, "notifications": {"last_read_id": "-1"}},
        {"home": {"last_read_id": str(2**64)}},
    ],
)
def test_markers_refuse_bad_input_and_change_nothing(api_client, alice, body):
    from storefeed.timelines.models import Marker

    client = api_client(alice)
    client.post("/api/v1/markers", {"home[last_read_id]": "1"})
    response = client.post("/api/v1/markers", body, content_type="application/json")
    assert response.status_code == 422, response.content
    assert response.json()["error"].startswith("Validation failed")
    assert [(m.timeline, m.last_read_id, m.version) for m in Marker.objects.all()] == [
        ("home", 1, 0)
    ]


def test_markers_refuse_an_unknown_timeline_name_and_check_scopes(api_client, anon, alice):
    client = api_client(alice)
    bad = client.get("/api/v1/markers", {"timeline[]": ["home", "public"]})
    assert bad.status_code == 422
    assert "public" in bad.json()["error"]
    assert client.post("/api/v1/markers", "{", content_type="application/json").status_code == 400
    assert api_client(alice, scopes="read").post("/api/v1/markers", {}).status_code == 403
    assert api_client(alice, scopes="write").get("/api/v1/markers").status_code == 403
    assert (
        api_client(alice, scopes="write:statuses")
        .post("/api/v1/markers", {"home[last_read_id]": "2"})
        .status_code
        == 200
    )
    assert anon.get("/api/v1/markers").status_code == 401
    assert anon.post("/api/v1/markers", {"home[last_read_id]": "2"}).status_code == 401


def test_preferences_show_the_posting_defaults(api_client, alice):
    from storefeed.accounts.services import profile_update

    profile_update(account=alice, default_visibility="private", default_language="zh")
    data = api_client(alice, scopes="read:accounts").get("/api/v1/preferences").json()
    assert data["posting:default:visibility"] == "private"
    assert data["posting:default:sensitive"] is False
    assert data["posting:default:language"] == "zh"
    assert data["reading:expand:spoilers"] is False
