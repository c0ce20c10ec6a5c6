"""Refusals as Mastodon.py sees them: the exception class and status code a client gets for no
token, the wrong scope, someone else's status or list, a deleted status, a locked account's
posts, a followers-only post, and bad posts; and each time, nothing changed."""

import pytest
from mastodon import MastodonAPIError, MastodonNotFoundError, MastodonUnauthorizedError

from storefeed.posts.models import Favourite, MediaAttachment, Poll, Status
from storefeed.timelines.models import List as UserList


def status_code(error: pytest.ExceptionInfo) -> int:
    # Mastodon.py's errors carry (message, status code, reason, error text) in args.
    return error.value.args[1]


def server_message(error: pytest.ExceptionInfo) -> str:
    return str(error.value.args[3])


@pytest.fixture
def alice_api(masto_for, alice):
    return masto_for(alice)


@pytest.fixture
def bob_api(masto_for, bob):
    return masto_for(bob)


def test_no_token(client_app, alice_api):
    post = alice_api.status_post("Public, readable by anyone")
    anonymous = client_app.client()
    assert anonymous.status(post.id).id == post.id  # reading a public post needs no token
    with pytest.raises(MastodonUnauthorizedError) as home:
        anonymous.timeline_home()
    assert status_code(home) == 401
    with pytest.raises(MastodonUnauthorizedError) as write:
        anonymous.status_post("Who am I?")
    assert server_message(write) == "The access token is invalid"
    with pytest.raises(MastodonUnauthorizedError):
        anonymous.status_favourite(post.id)
    with pytest.raises(MastodonUnauthorizedError):
        anonymous.account_verify_credentials()
    forged = client_app.client(access_token="not-a-real-token")
    with pytest.raises(MastodonUnauthorizedError):
        forged.timeline_public()
    assert Status.objects.count() == 1
    assert not Favourite.objects.exists()


def test_wrong_scope(masto_for, alice, bob):
    reader = masto_for(alice, scopes=["read"])
    with pytest.raises(MastodonAPIError) as post:
        reader.status_post("I may only read")
    assert status_code(post) == 403
    assert server_message(post) == "This action is outside the authorized scopes"
    with pytest.raises(MastodonAPIError) as follow:
        reader.account_follow(bob.pk)
    assert status_code(follow) == 403
    assert reader.timeline_home() == []

    writer = masto_for(alice, scopes=["write:statuses"])
    posted = writer.status_post("I may post, not read")
    with pytest.raises(MastodonAPIError) as home:
        writer.timeline_home()
    assert status_code(home) == 403
    with pytest.raises(MastodonAPIError) as like:
        writer.status_favourite(posted.id)
    assert status_code(like) == 403
    assert Status.objects.count() == 1
    assert not Favourite.objects.exists()


def test_someone_elses_status_and_media(alice_api, bob_api, png_file):
    post = alice_api.status_post("Mine")
    # As Mastodon: deleting someone else's post is 404, pinning it 422.
    with pytest.raises(MastodonNotFoundError):
        bob_api.status_delete(post.id)
    with pytest.raises(MastodonAPIError) as pin:
        bob_api.status_pin(post.id)
    assert status_code(pin) == 422
    assert "You can only change your own posts." in server_message(pin)
    assert alice_api.status(post.id).content

    media = alice_api.media_post(png_file(), description="Alice's photo")
    with pytest.raises(MastodonNotFoundError):
        bob_api.media_update(media.id, description="Bob was here")
    with pytest.raises(MastodonAPIError) as borrowed:
        bob_api.status_post("With her photo", media_ids=[media.id])
    assert status_code(borrowed) == 422
    assert MediaAttachment.objects.get(pk=int(media.id)).description == "Alice's photo"
    assert Status.objects.count() == 1


def test_someone_elses_list(alice_api, bob_api):
    bob_api.account_follow(alice_api.me().id)
    alice_api.account_follow(bob_api.me().id)
    mine = alice_api.list_create("Alice's list")
    for call in (
        lambda: bob_api.list(mine.id),
        lambda: bob_api.timeline_list(mine.id),
        lambda: bob_api.list_accounts(mine.id),
        lambda: bob_api.list_update(mine.id, title="Bob's now"),
        lambda: bob_api.list_accounts_add(mine.id, [alice_api.me().id]),
        lambda: bob_api.list_delete(mine.id),
    ):
        with pytest.raises(MastodonNotFoundError):
            call()
    kept = UserList.objects.get(pk=int(mine.id))
    assert kept.title == "Alice's list"
    assert alice_api.list_accounts(mine.id) == []


def test_list_members_must_be_followed(alice_api, bob_api):
    mine = alice_api.list_create("Only people I follow")
    with pytest.raises(MastodonAPIError) as refused:
        alice_api.list_accounts_add(mine.id, [bob_api.me().id])
    assert status_code(refused) == 422
    assert alice_api.list_accounts(mine.id) == []


def test_a_deleted_status(alice_api, bob_api):
    post = alice_api.status_post("Soon gone")
    deleted = alice_api.status_delete(post.id)
    assert deleted.text == "Soon gone"
    for call in (
        lambda: bob_api.status(post.id),
        lambda: bob_api.status_context(post.id),
        lambda: bob_api.status_favourite(post.id),
        lambda: bob_api.status_reblog(post.id),
        lambda: alice_api.status_delete(post.id),
    ):
        with pytest.raises(MastodonNotFoundError):
            call()
    with pytest.raises(MastodonNotFoundError):
        bob_api.status_post("Replying to nothing", in_reply_to_id=post.id)
    assert not Status.objects.filter(account__username="bob").exists()
    assert not Favourite.objects.exists()


def test_a_locked_accounts_posts_to_a_stranger(alice_api, bob_api):
    alice_api.account_update_credentials(locked=True)
    private = alice_api.status_post("Fans only", visibility="private")
    public = alice_api.status_post("Everyone may read this")
    alice_id = alice_api.me().id

    assert [s.id for s in bob_api.account_statuses(alice_id)] == [public.id]
    with pytest.raises(MastodonNotFoundError):
        bob_api.status(private.id)
    # Asking to follow does not open the door until she approves.
    bob_api.account_follow(alice_id)
    assert [s.id for s in bob_api.account_statuses(alice_id)] == [public.id]
    with pytest.raises(MastodonNotFoundError):
        bob_api.status(private.id)


def test_a_followers_only_post_to_a_non_follower(alice_api, bob_api, carol, masto_for):
    carol_api = masto_for(carol)
    carol_api.account_follow(alice_api.me().id)
    post = alice_api.status_post("Followers only", visibility="private")
    assert carol_api.status(post.id).id == post.id  # a follower sees it

    for call in (
        lambda: bob_api.status(post.id),
        lambda: bob_api.status_context(post.id),
        lambda: bob_api.status_favourite(post.id),
        lambda: bob_api.status_bookmark(post.id),
        lambda: bob_api.status_favourited_by(post.id),
    ):
        with pytest.raises(MastodonNotFoundError):
            call()
    with pytest.raises(MastodonNotFoundError):
        bob_api.status_post("Let me in", in_reply_to_id=post.id)
    assert post.id not in [s.id for s in bob_api.timeline_public()]
    assert post.id not in [s.id for s in bob_api.account_statuses(alice_api.me().id)]
    # Not even a follower may repost a followers-only post.
    with pytest.raises(MastodonAPIError) as reblog:
        carol_api.status_reblog(post.id)
    assert status_code(reblog) == 403
    assert not Favourite.objects.exists()
    assert Status.objects.count() == 1


def test_bad_posts_are_refused_with_422(alice_api, png_file):
    with pytest.raises(MastodonAPIError) as one_option:
        alice_api.status_post("Pick one", poll=alice_api.make_poll(["Only"], expires_in=600))
    assert status_code(one_option) == 422
    many = [f"Option {n}" for n in range(100)]
    with pytest.raises(MastodonAPIError) as hundred:
        alice_api.status_post("Pick one", poll=alice_api.make_poll(many, expires_in=600))
    assert status_code(hundred) == 422
    with pytest.raises(MastodonAPIError) as empty:
        alice_api.status_post("")
    assert status_code(empty) == 422
    with pytest.raises(MastodonAPIError) as long:
        alice_api.status_post("x" * 2001)
    assert status_code(long) == 422

    media = [alice_api.media_post(png_file(f"p{n}.png")) for n in range(10)]
    with pytest.raises(MastodonAPIError) as ten:
        alice_api.status_post("Ten photos", media_ids=media)
    assert status_code(ten) == 422
    with pytest.raises(MastodonNotFoundError):
        alice_api.status("123456789")
    assert not Status.objects.exists()
    assert not Poll.objects.exists()
    assert not MediaAttachment.objects.filter(status__isnull=False).exists()
