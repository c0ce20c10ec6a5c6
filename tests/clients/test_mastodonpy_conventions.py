"""Mastodon.py against `storefeed serve`: the conventions clients rely on. String ids and
datetimes with milliseconds and a Z on the wire, Link headers on the lists that page by their
own cursors, bad input refused with the right exception and status code (changing nothing),
CORS for browser clients, GETs with a trailing slash, and POSTs never answered with a redirect."""

import datetime as dt
import re
from typing import Any

import pytest
import requests
from django.utils import timezone
from mastodon import (
    MastodonAPIError,
    MastodonNotFoundError,
    MastodonUnauthorizedError,
)

from storefeed.notifications.models import Notification
from storefeed.posts.models import Favourite, MediaAttachment, PollVote, ScheduledStatus, Status
from storefeed.social.models import Follow
from tests.clients.conftest import mastodon_for
from tests.clients.wire import status_code, wire

DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
DATE = re.compile(r"^\d{4}-\d\d-\d\d$")
DATE_ONLY = {"last_status_at"}  # Mastodon sends a day here, not a moment


def check_shapes(value: Any, path: str = "$") -> int:
    """Every id is a string and every datetime is UTC with milliseconds and a Z; returns how
    many of them it checked (so a test can tell it looked at something)."""
    checked = 0
    if isinstance(value, list):
        return sum(check_shapes(v, f"{path}[{i}]") for i, v in enumerate(value))
    if not isinstance(value, dict):
        return 0
    for key, item in value.items():
        where = f"{path}.{key}"
        if (key == "id" or key.endswith("_id")) and item is not None:
            assert isinstance(item, str), where
            checked += 1
        elif key.endswith("_ids") and item is not None:
            assert all(isinstance(i, str) for i in item), where
        elif key.endswith("_at") and item is not None:
            pattern = DATE if key in DATE_ONLY else DATETIME
            assert pattern.match(item), (where, item)
            checked += 1
        else:
            checked += check_shapes(item, where)
    return checked


def test_ids_and_datetimes_on_the_wire(masto_for, alice, bob, png_file):
    alice_api, bob_api = masto_for(alice), masto_for(bob)
    alice_id = alice_api.me().id
    bob_api.account_follow(alice_id)
    media = alice_api.media_post(png_file())
    post = alice_api.status_post("A poll", poll=alice_api.make_poll(["Yes", "No"], expires_in=3600))
    reply = bob_api.status_post("@alice yes", in_reply_to_id=post.id)
    bob_api.poll_vote(post.poll.id, [0])
    scheduled = alice_api.status_post(
        "Later", media_ids=[media], scheduled_at=timezone.now() + dt.timedelta(hours=1)
    )
    alice_api.list_create("Friends")

    checked = 0
    for path in (
        f"/api/v1/statuses/{reply.id}",
        f"/api/v1/statuses/{post.id}/context",
        f"/api/v1/polls/{post.poll.id}",
        f"/api/v1/accounts/{alice_id}",
        f"/api/v1/accounts/{alice_id}/statuses",
        "/api/v1/accounts/verify_credentials",
        f"/api/v1/accounts/relationships?id[]={bob_api.me().id}",
        "/api/v1/notifications",
        f"/api/v1/media/{media.id}",
        f"/api/v1/scheduled_statuses/{scheduled.id}",
        "/api/v1/lists",
        "/api/v1/timelines/home",
        "/api/v2/instance",
    ):
        response = wire(alice_api, "GET", path)
        assert response.status_code == 200, (path, response.text)
        assert response.headers["Content-Type"].startswith("application/json")
        checked += check_shapes(response.json())
    assert checked > 60

    # Mastodon.py reads them back as aware datetimes, to the millisecond of what is stored.
    stored = Status.objects.get(pk=int(reply.id)).created_at
    parsed = bob_api.status(reply.id).created_at
    assert parsed.utcoffset() == dt.timedelta(0)
    assert abs(parsed - stored) < dt.timedelta(milliseconds=1)
    # Ids sort by time: a later post has a larger id.
    assert int(reply.id) > int(post.id)


def test_link_headers_on_lists_with_their_own_cursors(alice, bob, masto_for, base_url):
    alice_api, bob_api = masto_for(alice), masto_for(bob)
    from tests.conftest import make_user

    alice_id = alice_api.me().id
    fans = [make_user(f"fan{n}") for n in range(4)]
    for fan in fans:
        masto_for(fan, ["follow"]).account_follow(alice_id)
    alice_api.account_block(str(fans[0].pk))  # a block ends the follow
    newest_first = ["fan3", "fan2", "fan1"]

    first = bob_api.account_followers(alice_id, limit=1)
    assert [a.acct for a in first] == newest_first[:1]
    assert [a.acct for a in bob_api.fetch_next(first)] == newest_first[1:2]
    assert [a.acct for a in bob_api.fetch_remaining(first)] == newest_first
    assert [a.acct for a in alice_api.blocks()] == ["fan0"]

    response = wire(bob_api, "GET", f"/api/v1/accounts/{alice_id}/followers", params={"limit": 1})
    links = requests.utils.parse_header_links(response.headers["Link"])
    by_rel = {link["rel"]: link["url"] for link in links}
    assert set(by_rel) == {"next", "prev"}
    assert by_rel["next"].startswith(f"{base_url}/api/v1/accounts/{alice_id}/followers?")
    assert "limit=1" in by_rel["next"] and "max_id=" in by_rel["next"]
    assert "min_id=" in by_rel["prev"]
    # Browser clients may read it: the header is exposed to them.
    cross = wire(
        bob_api, "GET", "/api/v1/timelines/public", headers={"Origin": "https://app.example"}
    )
    assert cross.headers["Access-Control-Allow-Origin"] == "*"
    assert "link" in cross.headers["Access-Control-Expose-Headers"].lower()

    for n in range(3):
        alice_api.status_post(f"Later {n}", scheduled_at=timezone.now() + dt.timedelta(hours=n + 1))
    page = alice_api.scheduled_statuses(limit=2)
    assert len(page) == 2
    assert len(alice_api.fetch_remaining(page)) == 3


def test_bad_input_is_refused_and_changes_nothing(masto_for, alice, bob, png_file):
    alice_api, bob_api = masto_for(alice), masto_for(bob)
    post = alice_api.status_post("Vote", poll=alice_api.make_poll(["A", "B"], expires_in=600))
    private = alice_api.status_post(
        "Fans only", poll=alice_api.make_poll(["C", "D"], expires_in=600), visibility="private"
    )
    before = Status.objects.count()

    # Malformed JSON: 400 with Mastodon's error shape (Mastodon.py cannot send it).
    for path in ("/api/v1/statuses", f"/api/v1/polls/{post.poll.id}/votes", "/api/v1/markers"):
        broken = wire(
            alice_api,
            "POST",
            path,
            data=b'{"status": "half',
            headers={"Content-Type": "application/json"},
        )
        assert broken.status_code == 400, (path, broken.text)
        assert set(broken.json()) == {"error"}

    # Wrong types: 422 with the error, from the client library and from a raw JSON body.
    for call in (
        lambda: alice_api.poll_vote(post.poll.id, ["first"]),
        lambda: alice_api.timeline_home(limit="ten"),
        lambda: alice_api.account_update_credentials(locked="perhaps"),
        lambda: alice_api.media_update(alice_api.media_post(png_file()).id, focus=(1, "up")),
    ):
        with pytest.raises(MastodonAPIError) as wrong:
            call()
        assert status_code(wrong) == 422
        # (Mastodon.py drops the message when it casts a list endpoint's answer.)
        assert wrong.value.args[3] is None or wrong.value.args[3].startswith("Validation failed")
    for body in (
        {"status": ["a", "list"]},
        {"status": "x", "sensitive": "maybe"},
        {"status": "x", "poll": "yes please"},
        {"status": "x", "media_ids": ["photo"]},
        {"status": "x", "scheduled_at": "tomorrow-ish"},
    ):
        refused = wire(alice_api, "POST", "/api/v1/statuses", json=body)
        assert refused.status_code == 422, (body, refused.text)
        assert refused.json()["error"].startswith("Validation failed")

    # Unknown ids, numeric or not: 404 everywhere.
    by_id = (
        alice_api.status,
        alice_api.status_context,
        alice_api.status_favourite,
        alice_api.status_reblogged_by,
        alice_api.status_delete,
        alice_api.account,
        alice_api.account_statuses,
        alice_api.account_follow,
        alice_api.account_block,
        alice_api.poll,
        lambda unknown: alice_api.poll_vote(unknown, [0]),
        alice_api.media,
        lambda unknown: alice_api.media_update(unknown, description="x"),
        alice_api.scheduled_status,
        alice_api.scheduled_status_delete,
        lambda unknown: alice_api.notifications(id=unknown),
        alice_api.notifications_dismiss,
        alice_api.list,
        alice_api.timeline_list,
        alice_api.featured_tag_delete,
        alice_api.follow_request_authorize,
    )
    for unknown in ("1", "not-an-id"):
        for call in by_id:
            with pytest.raises(MastodonNotFoundError):
                call(unknown)
    for path in ("/api/v1/statuses/1", "/api/v1/accounts/x/statuses", "/api/v1/polls/1/votes"):
        missing = wire(alice_api, "POST" if path.endswith("votes") else "GET", path)
        assert (missing.status_code, missing.json()) == (404, {"error": "Record not found"})
    with pytest.raises(MastodonNotFoundError):
        alice_api.status_post("Reply to nothing", in_reply_to_id="1")

    # Another account's objects: a followers-only poll, a vote that is not an option.
    with pytest.raises(MastodonNotFoundError):
        bob_api.poll(private.poll.id)
    with pytest.raises(MastodonNotFoundError):
        bob_api.poll_vote(private.poll.id, [0])
    with pytest.raises(MastodonAPIError) as no_option:
        bob_api.poll_vote(post.poll.id, [2])
    assert status_code(no_option) == 422
    # A post scheduled in the past, or too soon.
    for when in (timezone.now() - dt.timedelta(days=1), timezone.now() + dt.timedelta(minutes=1)):
        with pytest.raises(MastodonAPIError) as past:
            alice_api.status_post("Back in time", scheduled_at=when)
        assert status_code(past) == 422
        assert "5 minutes" in past.value.args[3]
    # No token at all for a write: 401.
    with pytest.raises(MastodonUnauthorizedError):
        mastodon_for(alice_api.api_base_url).status_post("Anonymous")

    assert Status.objects.count() == before
    assert not ScheduledStatus.objects.exists()
    assert not PollVote.objects.exists()
    assert not Favourite.objects.exists()
    assert not Follow.objects.exists()
    assert not Notification.objects.exists()
    assert MediaAttachment.objects.filter(focus_x=0, focus_y=0).count() == 1


def test_cors_trailing_slashes_and_no_redirects(masto_for, alice, base_url):
    alice_api = masto_for(alice)
    preflight = requests.options(
        f"{base_url}/api/v1/statuses",
        headers={
            "Origin": "https://app.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
        timeout=30,
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    allowed = {h.strip() for h in preflight.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type"} <= allowed
    token = wire(
        alice_api,
        "OPTIONS",
        "/oauth/token",
        headers={"Origin": "https://app.example", "Access-Control-Request-Method": "POST"},
    )
    assert token.headers["Access-Control-Allow-Origin"] == "*"

    post = alice_api.status_post("Slash me")
    alice_id = alice_api.me().id
    for path in (
        f"/api/v1/statuses/{post.id}",
        f"/api/v1/accounts/{alice_id}",
        f"/api/v1/accounts/{alice_id}/statuses",
        "/api/v1/timelines/public",
        "/api/v1/accounts/verify_credentials",
        "/api/v2/instance",
    ):
        bare = wire(alice_api, "GET", path, allow_redirects=False)
        slashed = wire(alice_api, "GET", f"{path}/", allow_redirects=False)
        assert (bare.status_code, slashed.status_code) == (200, 200), path
        assert bare.json() == slashed.json(), path

    # POSTs are answered where they land: with or without a slash, signed in or not, known
    # path or not; never a redirect a client would follow as a GET.
    for path, token_sent in (
        ("/api/v1/statuses/", True),
        (f"/api/v1/statuses/{post.id}/favourite/", True),
        ("/api/v1/statuses", False),
        ("/api/v1/no/such/endpoint", True),
        ("/api/v1/apps/", False),
        ("/oauth/token/", False),
        ("/oauth/revoke", False),
    ):
        client = alice_api if token_sent else mastodon_for(base_url)
        answer = wire(
            client, "POST", path, data={"status": "Posted to a slash"}, allow_redirects=False
        )
        assert not 300 <= answer.status_code < 400, (path, answer.status_code)
        if "no/such" in path:
            assert answer.status_code == 404
        else:
            assert answer.headers["Content-Type"].startswith("application/json"), path
    assert Status.objects.filter(text="Posted to a slash").count() == 1
    assert Favourite.objects.filter(status_id=int(post.id)).count() == 1
