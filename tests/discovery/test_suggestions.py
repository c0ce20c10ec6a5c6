"""Who to follow: experts in one's fields, accounts followed by those one follows, popular
accounts; never oneself, followed, requested, blocked, muted or dismissed ones. The API (v1
and v2 shapes, DELETE) and the web (the step after sign-up, the page, the home page's box)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from storefeed.discovery import services
from storefeed.discovery.models import Interest, SuggestionDismissal
from storefeed.social.services import block_create, follow_create, mute_create
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def with_followers(user, count: int):
    from storefeed.accounts.models import User

    User.objects.filter(pk=user.pk).update(followers_count=count)
    user.refresh_from_db()
    return user


@pytest.fixture
def scene(expert_factory):
    """alice cares about beauty; bob (whom she follows) follows carol and dave; erin is
    popular; two beauty experts and a tech expert."""
    alice, bob = make_user("alice"), make_user("bob")
    carol, dave = make_user("carol"), make_user("dave")
    erin = with_followers(make_user("erin"), 500)
    top = with_followers(expert_factory("top_beauty", "beauty"), 50)
    new = expert_factory("new_beauty", "beauty")
    techie = with_followers(expert_factory("techie", "tech"), 80)
    follow_create(follower=alice, target=bob)
    follow_create(follower=bob, target=carol)
    follow_create(follower=bob, target=dave)
    follow_create(follower=make_user("zed"), target=dave)
    services.interests_set(account=alice, field_slugs=["beauty"])
    services.expert_ranks_refresh()
    return {"alice": alice, "bob": bob, "carol": carol, "dave": dave, "erin": erin,
            "top": top, "new": new, "techie": techie}  # fmt: skip


def _names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [s["account"]["username"] for s in response.json()]


def test_v2_suggests_experts_in_ones_fields_then_friends_then_popular(api_client, scene):
    client = api_client(scene["alice"])
    response = client.get("/api/v2/suggestions")
    names = _names(response)
    assert names[:2] == ["top_beauty", "new_beauty"]
    assert set(names[2:4]) == {"carol", "dave"}
    assert "erin" in names and "techie" in names
    assert "alice" not in names and "bob" not in names
    by_name = {s["account"]["username"]: s for s in response.json()}
    assert by_name["top_beauty"]["sources"][0] == "featured"
    assert by_name["top_beauty"]["source"] == "staff"
    assert by_name["carol"]["sources"][0] == "friends_of_friends"
    assert by_name["carol"]["source"] == "past_interactions"
    assert by_name["erin"]["sources"] == ["most_followed"] and by_name["erin"]["source"] == "global"
    assert by_name["top_beauty"]["account"]["expert"]["field"] == "beauty"
    v1 = client.get("/api/v1/suggestions", {"limit": 2}).json()
    assert [a["username"] for a in v1] == ["top_beauty", "new_beauty"]


def test_never_suggests_followed_requested_blocked_muted_or_dismissed(api_client, scene):
    alice = scene["alice"]
    locked = make_user("locked", locked=True)
    with_followers(locked, 900)
    follow_create(follower=alice, target=locked)  # a request, not a follow
    follow_create(follower=alice, target=scene["top"])
    block_create(account=alice, target=scene["carol"])
    block_create(account=scene["erin"], target=alice)
    mute_create(account=alice, target=scene["techie"])
    services.expert_ranks_refresh()  # the worker's list of the most followed now has `locked`
    client = api_client(alice)
    assert client.delete(f"/api/v1/suggestions/{scene['dave'].pk}").json() == {}
    assert client.delete(f"/api/v1/suggestions/{scene['dave'].pk}").status_code == 200
    names = _names(client.get("/api/v2/suggestions"))
    for gone in ("locked", "top_beauty", "carol", "erin", "techie", "dave", "alice", "bob"):
        assert gone not in names
    assert "new_beauty" in names
    assert SuggestionDismissal.objects.filter(account=alice).count() == 1


def test_dismissing_refuses_unknown_accounts(api_client, scene):
    client = api_client(scene["alice"])
    assert client.delete("/api/v1/suggestions/123456").status_code == 404
    assert client.delete("/api/v1/suggestions/nope").status_code == 404
    assert not SuggestionDismissal.objects.exists()


def test_the_most_followed_come_from_the_workers_list(api_client, scene):
    with_followers(make_user("rising"), 9_000)
    client = api_client(scene["alice"])
    assert "rising" not in _names(client.get("/api/v2/suggestions"))
    services.expert_ranks_refresh()
    names = _names(client.get("/api/v2/suggestions"))
    assert names.index("rising") < names.index("erin")


def test_suggestions_need_a_user_and_refuse_bad_limits(api_client, anon, scene):
    assert anon.get("/api/v2/suggestions").status_code == 401
    client = api_client(scene["alice"])
    assert client.get("/api/v2/suggestions", {"limit": "lots"}).status_code == 422
    assert len(client.get("/api/v2/suggestions", {"limit": 500}).json()) <= 80


def test_suggestions_cost_a_fixed_number_of_queries(api_client, scene, crowd):
    alice = scene["alice"]
    for fan in crowd(12):
        follow_create(follower=alice, target=fan)
        follow_create(follower=fan, target=scene["carol"])
    client = api_client(alice)
    client.get("/api/v2/suggestions")
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v2/suggestions", {"limit": 2})
    with CaptureQueriesContext(connection) as many:
        client.get("/api/v2/suggestions", {"limit": 40})
    assert len(few) == len(many) <= 6


def test_signup_leads_to_fields_then_who_to_follow(client, scene):
    response = client.post(
        "/signup",
        {"username": "newbie", "email": "newbie@example.com", "password": "correct-horse-9",
         "agreement": "on"},
    )  # fmt: skip
    assert response.status_code == 302, response.content
    assert response["Location"] == "/settings/interests?welcome=1"
    page = client.get(response["Location"])
    assert page.status_code == 200 and 'data-testid="interests-skip"' in page.content.decode()
    chosen = client.post("/settings/interests", {"welcome": "1", "field": ["beauty", "tech"]})
    assert chosen["Location"] == "/suggestions?welcome=1"
    newbie = Interest.objects.filter(account__username="newbie")
    assert sorted(newbie.values_list("field__slug", flat=True)) == ["beauty", "tech"]
    follow = client.get(chosen["Location"]).content.decode()
    shown = re.findall(r'data-testid="suggestion" data-username="(\w+)"', follow)
    assert set(shown[:3]) == {"top_beauty", "new_beauty", "techie"}
    assert 'data-testid="welcome-done"' in follow


def test_interests_refuse_unknown_fields_and_change_nothing(client_for, scene):
    client = client_for(scene["alice"])
    response = client.post("/settings/interests", {"field": ["beauty", "astrology"]})
    assert response.status_code == 400
    assert "astrology" in response.content.decode()
    assert list(
        Interest.objects.filter(account=scene["alice"]).values_list("field__slug", flat=True)
    ) == ["beauty"]
    cleared = client.post("/settings/interests", {})
    assert cleared.status_code == 302
    assert not Interest.objects.filter(account=scene["alice"]).exists()


def test_home_page_box_and_dismiss_on_the_web(client_for, scene):
    client = client_for(scene["alice"])
    home = client.get("/").content.decode()
    assert 'data-testid="who-to-follow-slot"' in home and 'href="/suggestions"' in home
    box = client.get("/suggestions?box=1", headers={"HX-Request": "true"})
    html = box.content.decode()
    assert html.count('data-testid="suggestion"') == 3
    assert "top_beauty" in html
    dismissed = client.post("/suggestions/top_beauty/dismiss", {"next": "/suggestions"})
    assert dismissed.status_code == 302
    assert "top_beauty" not in client.get("/suggestions").content.decode()
    followed = client.post("/@new_beauty/follow", {"next": "/suggestions"})
    assert followed.status_code == 302
    assert "new_beauty" not in client.get("/suggestions").content.decode()


def test_the_welcome_step_speaks_chinese(client_for, scene):
    page = client_for(scene["alice"]).get(
        "/settings/interests?welcome=1", headers={"Accept-Language": "zh-hans"}
    )
    html = page.content.decode()
    assert "你对什么感兴趣？" in html and "继续" in html and "跳过" in html and "美妆" in html
