"""Experts by field (ranked by the worker) and GET /api/v1/directory."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from storefeed.discovery import services
from storefeed.discovery.models import ExpertRank
from storefeed.posts.services import status_create
from storefeed.social.services import follow_create

pytestmark = pytest.mark.django_db


def test_experts_are_ranked_by_followers_then_activity(expert_factory, crowd):
    quiet = expert_factory("quiet", "beauty")
    busy = expert_factory("busy", "beauty")
    famous = expert_factory("famous", "beauty")
    techie = expert_factory("techie", "tech")
    fans = crowd(5)
    for fan in fans:
        follow_create(follower=fan, target=famous)
    follow_create(follower=fans[0], target=busy)
    follow_create(follower=fans[0], target=quiet)
    for n in range(3):
        status_create(account=busy, text=f"Swatches, part {n}")
    assert services.expert_ranks_refresh() == 4
    beauty = list(ExpertRank.objects.filter(field__slug="beauty").order_by("position"))
    assert [r.account_id for r in beauty] == [famous.pk, busy.pk, quiet.pk]
    assert [r.position for r in beauty] == [1, 2, 3]
    assert beauty[1].recent_posts == 3 and beauty[0].followers == 5
    assert ExpertRank.objects.get(account=techie).position == 1
    # Running it again changes nothing.
    services.expert_ranks_refresh()
    assert ExpertRank.objects.filter(field__slug="beauty").count() == 3


def test_unverified_and_suspended_accounts_are_not_ranked(expert_factory, alice):
    expert_factory("gone", "beauty", is_active=False)
    alice.expert_field_id = expert_factory("kept", "beauty").expert_field_id
    alice.save(update_fields=["expert_field"])  # a field without verification
    services.expert_ranks_refresh()
    assert list(ExpertRank.objects.values_list("account__username", flat=True)) == ["kept"]


def test_directory_orders_by_activity_or_age_and_filters_by_field(anon, expert_factory, alice, bob):
    beauty = expert_factory("lipstick_li", "beauty")
    expert_factory("gadget_gu", "tech")
    status_create(account=bob, text="first")
    status_create(account=beauty, text="later")
    active = anon.get("/api/v1/directory", {"order": "active"})
    assert active.status_code == 200
    assert [a["username"] for a in active.json()] == ["lipstick_li", "bob"]
    new = anon.get("/api/v1/directory", {"order": "new", "limit": 2})
    assert [a["username"] for a in new.json()] == ["gadget_gu", "lipstick_li"]
    page2 = anon.get("/api/v1/directory", {"order": "new", "limit": 2, "offset": 2})
    assert [a["username"] for a in page2.json()] == ["bob", "alice"]
    assert anon.get("/api/v1/directory", {"order": "new", "offset": 50}).json() == []
    field = anon.get("/api/v1/directory", {"order": "new", "field": "beauty", "local": "true"})
    found = field.json()
    assert [a["username"] for a in found] == ["lipstick_li"]
    assert found[0]["expert"] == {"field": "beauty", "name_en": "Beauty", "name_zh": "美妆"}


@pytest.mark.parametrize(
    "params",
    [
        {"order": "popular"},
        {"field": "astrology"},
        {"limit": "many"},
        {"limit": "0"},
        {"offset": "-1"},
        {"local": "perhaps"},
    ],
)
def test_directory_refuses_bad_input_with_422(anon, alice, params):
    response = anon.get("/api/v1/directory", params)
    assert response.status_code == 422
    assert "error" in response.json()


def test_directory_costs_one_query_whatever_the_page(anon, expert_factory, crowd):
    crowd(30)
    for n in range(10):
        expert_factory(f"exp{n}", "food")
    anon.get("/api/v1/directory")  # warm the rate limit and caches
    with CaptureQueriesContext(connection) as small:
        anon.get("/api/v1/directory", {"order": "new", "limit": 2, "field": "food"})
    with CaptureQueriesContext(connection) as big:
        anon.get("/api/v1/directory", {"order": "new", "limit": 40, "field": "food"})
    assert len(small) == len(big) <= 2


def test_experts_page_and_badge_link(client, expert_factory, crowd):
    famous = expert_factory("famous", "beauty", display_name="Famous Fang")
    expert_factory("rising", "beauty", display_name="Rising Ren")
    for fan in crowd(3):
        follow_create(follower=fan, target=famous)
    services.expert_ranks_refresh()
    page = client.get("/experts/beauty")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index("Famous Fang") < html.index("Rising Ren")
    fields = client.get("/experts")
    assert fields.status_code == 200
    assert 'href="/experts/beauty"' in fields.content.decode()
    assert client.get("/experts/astrology").status_code == 404
    profile = client.get("/@famous").content.decode()
    assert 'href="/experts/beauty"' in profile


def test_expert_ranks_refresh_counts_only_recent_posts(expert_factory, time_machine):
    old = expert_factory("old_hand", "books")
    time_machine.move_to(dt.datetime(2026, 11, 1, tzinfo=dt.UTC), tick=False)
    status_create(account=old, text="Long ago")
    time_machine.move_to(dt.datetime(2026, 11, 20, tzinfo=dt.UTC), tick=False)
    status_create(account=old, text="This week")
    services.expert_ranks_refresh()
    assert ExpertRank.objects.get(account=old).recent_posts == 1
