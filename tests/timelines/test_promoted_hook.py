"""The home's top slot (timelines.promoted): what a package above timelines registers is put
on top of the first page of home, once, with Storefeed's `promoted`; a failing step costs the
page nothing; with nothing registered (commerce off) the home is as it always was."""

import pytest
from django.test import Client

from storefeed.posts.services import status_create
from storefeed.social.services import follow_create
from storefeed.timelines import promoted
from storefeed.timelines.promoted import Top
from tests.mastodon.conftest import Api

pytestmark = pytest.mark.django_db


@pytest.fixture
def steps(monkeypatch):
    """The hook's registry, emptied for the test (commerce's own step put back after)."""
    monkeypatch.setattr(promoted, "_steps", [])
    return promoted._steps


def test_nothing_registered_leaves_the_home_as_it_was(steps, alice, bob):
    follow_create(follower=alice, target=bob)
    post = status_create(account=bob, text="hello")
    page = Api(alice).get("/api/v1/timelines/home").json()
    assert [s["id"] for s in page] == [str(post.pk)]
    assert "promoted" not in page[0]


def test_a_step_puts_an_older_post_on_top_of_the_first_page_only(steps, alice, bob, carol):
    follow_create(follower=alice, target=bob)
    older = status_create(account=carol, text="an older post from someone not followed")
    newer = status_create(account=bob, text="newest")
    given: list[int] = []

    def step(viewer_id: int) -> Top | None:
        given.append(viewer_id)
        return Top(status_id=older.pk, promotion_id=7, seller_id=carol.pk)

    promoted.register(step)
    response = Api(alice).get("/api/v1/timelines/home")
    page = response.json()
    assert [s["id"] for s in page] == [str(older.pk), str(newer.pk)]
    assert page[0]["promoted"] == {"id": "7", "account_id": str(carol.pk)}
    assert f"max_id={older.pk}" not in response["Link"]  # not among the cursors
    assert given == [alice.pk]
    Api(alice).get("/api/v1/timelines/home", {"max_id": str(newer.pk)})
    assert given == [alice.pk]  # an older page never asks


def test_a_failing_step_costs_the_page_nothing(steps, alice, bob):
    follow_create(follower=alice, target=bob)
    status_create(account=bob, text="hello")

    def broken(viewer_id: int) -> Top | None:
        raise RuntimeError("promotions are down")

    promoted.register(broken)
    assert Api(alice).get("/api/v1/timelines/home").status_code == 200
    web = Client()
    web.force_login(alice)
    assert web.get("/").status_code == 200
