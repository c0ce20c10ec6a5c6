"""Likes, reposts, bookmarks, pins, deletes and follows: each works as a plain form post
(redirecting back) and through htmx (answering with the fragment to swap in place)."""

import pytest

from storefeed.notifications.models import Notification
from storefeed.posts.models import Bookmark, Favourite, Pin, Status
from storefeed.social.models import Follow, FollowRequest
from tests.web.conftest import HTMX

pytestmark = pytest.mark.django_db


def act(client, status, action, htmx=False, next_url="/public"):
    extra = HTMX if htmx else {}
    return client.post(f"/statuses/{status.pk}/{action}", {"next": next_url}, **extra)


def test_like_without_javascript_redirects_back(alice, bob, alice_client, post):
    status = post(bob, "nice")
    response = act(alice_client, status, "favourite")
    assert response.status_code == 302
    assert response["Location"] == "/public"
    assert Favourite.objects.filter(account=alice, status=status).exists()
    status.refresh_from_db()
    assert status.favourites_count == 1


def test_like_with_htmx_answers_with_the_action_bar(alice, bob, alice_client, post):
    status = post(bob, "nice")
    response = act(alice_client, status, "favourite", htmx=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<footer class="status-actions"')
    assert 'data-action="favourite" aria-pressed="true"' in html
    assert f"/statuses/{status.pk}/unfavourite" in html
    assert 'name="next" value="/public"' in html
    response = act(alice_client, status, "unfavourite", htmx=True)
    assert 'data-action="favourite" aria-pressed="false"' in response.content.decode()
    assert not Favourite.objects.exists()


def test_liking_twice_is_refused_with_a_message_and_counted_once(alice, bob, alice_client, post):
    status = post(bob, "nice")
    act(alice_client, status, "favourite")
    response = act(alice_client, status, "favourite")
    assert response.status_code == 302
    page = alice_client.get("/public").content.decode()
    assert "flash-error" in page
    htmx = act(alice_client, status, "favourite", htmx=True)
    assert 'class="action-error"' in htmx.content.decode()
    status.refresh_from_db()
    assert status.favourites_count == 1
    assert Favourite.objects.count() == 1


def test_repost_both_ways(alice, bob, alice_client, post):
    status = post(bob, "share me")
    assert act(alice_client, status, "reblog").status_code == 302
    assert Status.objects.filter(account=alice, reblog_of=status).exists()
    html = act(alice_client, status, "unreblog", htmx=True).content.decode()
    assert 'data-action="reblog" aria-pressed="false"' in html
    assert not Status.objects.filter(account=alice, reblog_of=status).exists()
    html = act(alice_client, status, "reblog", htmx=True).content.decode()
    assert 'data-action="reblog" aria-pressed="true"' in html


def test_a_repost_shows_who_reposted_on_home(alice, bob, carol, client_for, post, follow):
    from storefeed.posts.services import status_reblog

    follow(alice, carol)
    original = post(bob, "from bob")
    status_reblog(account=carol, status_id=original.pk)
    body = client_for(alice).get("/").content.decode()
    assert 'data-testid="reblog-by"' in body
    assert "Carol reposted" in body
    assert "from bob" in body


def test_bookmark_and_the_bookmarks_page(alice, bob, alice_client, post):
    status = post(bob, "keep this")
    act(alice_client, status, "bookmark")
    assert Bookmark.objects.filter(account=alice, status=status).exists()
    assert "keep this" in alice_client.get("/bookmarks").content.decode()
    html = act(alice_client, status, "unbookmark", htmx=True).content.decode()
    assert 'data-action="bookmark" aria-pressed="false"' in html


def test_pin_own_post(alice, alice_client, post):
    status = post(alice, "pin me")
    act(alice_client, status, "pin")
    assert Pin.objects.filter(account=alice, status=status).exists()
    assert 'data-testid="pinned"' in alice_client.get("/@alice").content.decode()


def test_delete_own_post_both_ways(alice, alice_client, post):
    first = post(alice, "one")
    response = act(alice_client, first, "delete", next_url=f"/@alice/{first.pk}")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert not Status.objects.filter(pk=first.pk).exists()
    second = post(alice, "two")
    response = act(alice_client, second, "delete", htmx=True)
    assert response.status_code == 200
    assert response.content == b""
    assert not Status.objects.filter(pk=second.pk).exists()


def test_deleting_or_pinning_someone_elses_post_changes_nothing(alice, bob, alice_client, post):
    status = post(bob, "not yours")
    for action in ("delete", "pin"):
        response = act(alice_client, status, action)
        assert response.status_code in (302, 404)
    assert Status.objects.filter(pk=status.pk).exists()
    assert not Pin.objects.exists()
    assert 'data-testid="more-menu"' not in alice_client.get("/public").content.decode()


def test_unknown_actions_posts_and_methods(alice, bob, alice_client, client, post):
    status = post(bob, "x")
    assert alice_client.post(f"/statuses/{status.pk}/explode").status_code == 404
    assert alice_client.post("/statuses/123/favourite").status_code == 404
    assert alice_client.get(f"/statuses/{status.pk}/favourite").status_code == 405
    response = client.post(f"/statuses/{status.pk}/favourite")
    assert response.status_code == 302
    assert response["Location"].startswith("/login")
    assert not Favourite.objects.exists()


def test_next_pointing_elsewhere_is_ignored(alice, bob, alice_client, post):
    status = post(bob, "x")
    response = act(alice_client, status, "favourite", next_url="https://evil.example/")
    assert response["Location"] == "/"


def test_follow_and_unfollow_without_javascript(alice, bob, alice_client):
    response = alice_client.post("/@bob/follow", {"next": "/@bob"})
    assert response.status_code == 302
    assert response["Location"] == "/@bob"
    assert Follow.objects.filter(follower=alice, target=bob).exists()
    alice_client.post("/@bob/unfollow", {"next": "/@bob"})
    assert not Follow.objects.exists()


def test_follow_with_htmx_answers_with_the_button(alice, bob, alice_client):
    response = alice_client.post("/@bob/follow", {"next": "/@bob"}, **HTMX)
    html = response.content.decode()
    assert html.startswith('<div class="follow-box"')
    assert 'data-state="following"' in html
    html = alice_client.post("/@bob/unfollow", {"next": "/@bob"}, **HTMX).content.decode()
    assert 'data-state="none"' in html


def test_following_twice_or_yourself_is_refused(alice, bob, alice_client):
    alice_client.post("/@bob/follow")
    alice_client.post("/@bob/follow", {"next": "/@bob"})
    assert "flash-error" in alice_client.get("/@bob").content.decode()
    html = alice_client.post("/@alice/follow", **HTMX).content.decode()
    assert 'class="action-error"' in html
    alice_client.post("/@alice/follow", {"next": "/@alice"})
    assert "flash-error" in alice_client.get("/@alice").content.decode()
    assert Follow.objects.count() == 1
    bob.refresh_from_db()
    assert bob.followers_count == 1


def test_following_unknown_people_is_404(alice_client):
    assert alice_client.post("/@nobody/follow").status_code == 404
    assert alice_client.post("/@bob/dance").status_code == 404


def test_locked_accounts_get_requests_which_they_approve_or_reject(alice, bob, carol, client_for):
    bob.locked = True
    bob.save(update_fields=["locked"])
    html = client_for(alice).post("/@bob/follow", **HTMX).content.decode()
    assert 'data-state="requested"' in html
    client_for(carol).post("/@bob/follow")
    bob_client = client_for(bob)
    page = bob_client.get("/follow_requests").content.decode()
    assert 'data-username="alice"' in page
    assert 'data-username="carol"' in page
    bob_client.post("/follow_requests/alice/authorize")
    bob_client.post("/follow_requests/carol/reject")
    assert Follow.objects.filter(follower=alice, target=bob).exists()
    assert not Follow.objects.filter(follower=carol, target=bob).exists()
    assert not FollowRequest.objects.exists()
    # Approving a request that is no longer there is a message, not an error page.
    response = bob_client.post("/follow_requests/carol/authorize", {"next": "/follow_requests"})
    assert response.status_code == 302
    assert "flash-error" in bob_client.get("/follow_requests").content.decode()


def test_block_and_mute_from_the_profile(alice, bob, alice_client, post):
    post(bob, "bob speaks")
    alice_client.post("/@bob/mute")
    assert "bob speaks" not in alice_client.get("/public").content.decode()
    alice_client.post("/@bob/unmute")
    alice_client.post("/@bob/block")
    assert 'data-action="unblock"' in alice_client.get("/@bob").content.decode()


def test_notifications_badge_page_and_mark_all_read(alice, bob, client_for, post):
    from storefeed.posts.services import status_favourite

    status = post(alice, "like me")
    status_favourite(account=bob, status_id=status.pk)
    alice_client = client_for(alice)
    home = alice_client.get("/").content.decode()
    assert 'data-testid="unread-badge">1<' in home
    page = alice_client.get("/notifications").content.decode()
    assert 'data-type="favourite"' in page
    assert "Bob" in page
    # Seen is read: the page marks it new once, and the badge is gone.
    assert 'class="notification card unread"' in page
    assert 'data-testid="unread-badge"' not in page
    assert not Notification.objects.filter(recipient=alice, read=False).exists()
    again = alice_client.get("/notifications").content.decode()
    assert 'class="notification card unread"' not in again
    response = alice_client.post("/notifications/read")
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=alice, read=False).exists()
    assert 'data-testid="unread-badge"' not in alice_client.get("/").content.decode()
