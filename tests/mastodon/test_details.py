"""Details of issue 11 part B: a poll voted once, a poll with images refused, a repost of
one's own followers-only post, discoverable off, errors in the request's language."""

import pytest

from storefeed.discovery.services import expert_ranks_refresh
from storefeed.posts import services as posts
from storefeed.posts.models import PollVote, Status
from storefeed.posts.services import PollSpec
from storefeed.social import services as social
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_a_multiple_choice_poll_is_voted_once(api_for, alice, bob):
    post = posts.status_create(
        account=alice,
        text="which?",
        poll=PollSpec(options=["a", "b", "c"], expires_in=3600, multiple=True),
    )
    api = api_for(bob)
    poll_id = post.poll.pk
    assert api.post(f"/api/v1/polls/{poll_id}/votes", {"choices": [0, 2]}).status_code == 200
    again = api.post(f"/api/v1/polls/{poll_id}/votes", {"choices": [1]})
    assert again.status_code == 422
    assert again.json()["error"] == "Validation failed: You have already voted on this poll"
    assert sorted(PollVote.objects.values_list("choice", flat=True)) == [0, 2]


def test_a_poll_with_images_is_refused(api_for, alice, make_image):
    api = api_for(alice)
    media = api.form("/api/v2/media", {"file": make_image()}).json()
    r = api.post(
        "/api/v1/statuses",
        {
            "status": "pick",
            "media_ids": [media["id"]],
            "poll": {"options": ["a", "b"], "expires_in": 3600},
        },
    )
    assert r.status_code == 422
    assert not Status.objects.exists()


def test_a_repost_of_ones_own_private_post_stays_private(api_for, alice, bob):
    social.follow_create(follower=bob, target=alice)
    mine = posts.status_create(account=alice, text="fans only", visibility="private")
    r = api_for(alice).post(f"/api/v1/statuses/{mine.pk}/reblog", {"visibility": "public"})
    assert r.status_code == 200
    assert r.json()["visibility"] == "private"
    assert Status.objects.get(reblog_of=mine).visibility == "private"
    assert (
        api_for(make_user("stranger")).get(f"/api/v1/statuses/{r.json()['id']}").status_code == 404
    )


def test_source_is_for_the_author_only(api_for, alice, bob):
    post = posts.status_create(account=alice, text="public words")
    assert api_for(alice).get(f"/api/v1/statuses/{post.pk}/source").json()["text"] == "public words"
    # As Mastodon (Statuses::SourcesController finds the post among the caller's own).
    assert api_for(bob).get(f"/api/v1/statuses/{post.pk}/source").status_code == 404


def test_undiscoverable_accounts_stay_out_of_directory_and_suggestions(api_for, alice, bob, carol):
    dave = make_user("dave")
    for account in (bob, carol, dave):
        posts.status_create(account=account, text="hello")
    social.follow_create(follower=dave, target=bob)
    social.follow_create(follower=dave, target=carol)
    social.follow_create(follower=alice, target=dave)
    api = api_for(alice)
    r = api.client.patch(
        "/api/v1/accounts/update_credentials",
        '{"discoverable": false}',
        content_type="application/json",
    )
    assert r.status_code == 200
    api_for(bob).client.patch(
        "/api/v1/accounts/update_credentials",
        '{"discoverable": false}',
        content_type="application/json",
    )
    expert_ranks_refresh()
    listed = {a["username"] for a in api.get("/api/v1/directory", {"order": "new"}).json()}
    assert "bob" not in listed and "alice" not in listed and "carol" in listed
    suggested = {s["account"]["username"] for s in api.get("/api/v2/suggestions").json()}
    assert "carol" in suggested and "bob" not in suggested


def test_errors_come_in_the_requests_language(api_for, alice):
    api = api_for(alice)
    r = api.post("/api/v1/statuses", {"status": ""}, HTTP_ACCEPT_LANGUAGE="zh-Hans")
    assert r.status_code == 422
    english = api.post("/api/v1/statuses", {"status": ""}, HTTP_ACCEPT_LANGUAGE="en")
    assert r.json()["error"] != english.json()["error"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in r.json()["error"])


def test_exclude_direct_on_an_accounts_posts(api_for, alice, bob):
    public = posts.status_create(account=alice, text="hello all")
    direct = posts.status_create(account=alice, text="@bob just you", visibility="direct")
    api = api_for(bob)
    listed = [s["id"] for s in api.get(f"/api/v1/accounts/{alice.pk}/statuses").json()]
    assert listed == [str(direct.pk), str(public.pk)]
    without = api.get(f"/api/v1/accounts/{alice.pk}/statuses", {"exclude_direct": "true"}).json()
    assert [s["id"] for s in without] == [str(public.pk)]
    bad = api.get(f"/api/v1/accounts/{alice.pk}/statuses", {"exclude_direct": "maybe"})
    assert bad.status_code == 422
