"""Notifications: who gets one, refreshing instead of duplicating, reading them cheaply."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from storefeed.notifications.models import Notification
from storefeed.notifications.selectors import notifications_for, unread_count
from storefeed.notifications.services import (
    notification_withdraw,
    notifications_mark_all_read,
    notifications_mark_read_up_to,
    notify,
    notify_once,
)
from storefeed.social.services import block_create, block_delete, mute_create
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def post_of(db):
    """A status of the given author, made straight in the table (posts' services are not
    under test here)."""
    from storefeed.posts.models import Status

    def _make(author, text="hello"):
        return Status.objects.create(account=author, text=text, content=f"<p>{text}</p>")

    return _make


def test_notify_creates_one(alice, bob):
    note = notify(recipient_id=alice.pk, actor_id=bob.pk, type="follow")
    assert note is not None
    assert (note.recipient_id, note.actor_id, note.type, note.read) == (
        alice.pk,
        bob.pk,
        "follow",
        False,
    )
    assert unread_count(account=alice) == 1
    assert unread_count(account=bob) == 0


def test_no_notification_for_your_own_actions(alice, post_of):
    status = post_of(alice)
    assert (
        notify(recipient_id=alice.pk, actor_id=alice.pk, type="favourite", status_id=status.pk)
        is None
    )
    assert not Notification.objects.exists()


def test_unknown_type_is_a_programming_error(alice, bob):
    with pytest.raises(ValueError, match="unknown notification type"):
        notify(recipient_id=alice.pk, actor_id=bob.pk, type="poke")
    assert not Notification.objects.exists()


@pytest.mark.parametrize("direction", ["recipient_blocks", "actor_blocks"])
def test_no_notification_across_a_block(alice, bob, direction):
    if direction == "recipient_blocks":
        block_create(account=alice, target=bob)
    else:
        block_create(account=bob, target=alice)
    assert notify(recipient_id=alice.pk, actor_id=bob.pk, type="mention") is None
    assert not Notification.objects.exists()


def test_mute_hides_notifications_only_when_asked(alice, bob, carol):
    mute_create(account=alice, target=bob)
    mute_create(account=alice, target=carol, hide_notifications=False)
    assert notify(recipient_id=alice.pk, actor_id=bob.pk, type="follow") is None
    assert notify(recipient_id=alice.pk, actor_id=carol.pk, type="follow") is not None
    assert list(Notification.objects.values_list("actor", flat=True)) == [carol.pk]


def test_a_repeated_event_refreshes_instead_of_duplicating(alice, bob, post_of):
    status = post_of(alice)
    first = notify(recipient_id=alice.pk, actor_id=bob.pk, type="favourite", status_id=status.pk)
    other = notify(recipient_id=alice.pk, actor_id=bob.pk, type="reblog", status_id=status.pk)
    notifications_mark_all_read(account=alice)
    again = notify(recipient_id=alice.pk, actor_id=bob.pk, type="favourite", status_id=status.pk)
    assert Notification.objects.count() == 2
    assert again.id > other.id > first.id
    assert again.read is False
    assert [n.type for n in notifications_for(account=alice)] == ["favourite", "reblog"]
    assert unread_count(account=alice) == 1


def test_same_event_on_another_status_is_another_notification(alice, bob, post_of):
    one, two = post_of(alice), post_of(alice)
    notify(recipient_id=alice.pk, actor_id=bob.pk, type="favourite", status_id=one.pk)
    notify(recipient_id=alice.pk, actor_id=bob.pk, type="favourite", status_id=two.pk)
    assert Notification.objects.count() == 2


def test_withdraw_removes_the_event(alice, bob):
    notify(recipient_id=alice.pk, actor_id=bob.pk, type="follow_request")
    notify(recipient_id=alice.pk, actor_id=bob.pk, type="mention")
    assert notification_withdraw(recipient_id=alice.pk, actor_id=bob.pk, type="follow_request") == 1
    assert list(Notification.objects.values_list("type", flat=True)) == ["mention"]


def test_mark_all_read(alice, bob, carol):
    notify(recipient_id=alice.pk, actor_id=bob.pk, type="follow")
    notify(recipient_id=alice.pk, actor_id=carol.pk, type="follow")
    notify(recipient_id=bob.pk, actor_id=carol.pk, type="follow")
    assert notifications_mark_all_read(account=alice) == 2
    assert unread_count(account=alice) == 0
    assert unread_count(account=bob) == 1
    assert notifications_mark_all_read(account=alice) == 0


def test_what_was_seen_is_read_and_what_came_after_is_not(alice, bob, carol):
    seen = notify(recipient_id=alice.pk, actor_id=bob.pk, type="follow")
    notify(recipient_id=alice.pk, actor_id=carol.pk, type="follow")  # arrived meanwhile
    assert notifications_mark_read_up_to(account=alice, newest_id=seen.pk) == 1
    assert unread_count(account=alice) == 1


def test_list_is_newest_first_paged_and_filtered(alice, bob, carol, post_of):
    status = post_of(alice)
    notify(recipient_id=alice.pk, actor_id=bob.pk, type="follow")
    notify(recipient_id=alice.pk, actor_id=carol.pk, type="follow")
    notify(recipient_id=alice.pk, actor_id=bob.pk, type="favourite", status_id=status.pk)
    page = notifications_for(account=alice, limit=2)
    assert [(n.actor.username, n.type) for n in page] == [("bob", "favourite"), ("carol", "follow")]
    rest = notifications_for(account=alice, max_id=page[-1].id)
    assert [(n.actor.username, n.type) for n in rest] == [("bob", "follow")]
    assert [n.type for n in notifications_for(account=alice, types=["favourite"])] == ["favourite"]
    assert notifications_for(account=alice, types=["nonsense"]) == []
    assert notifications_for(account=bob) == []


def test_notifications_from_an_account_blocked_later_are_hidden(alice, bob, carol):
    notify(recipient_id=alice.pk, actor_id=bob.pk, type="follow")
    notify(recipient_id=alice.pk, actor_id=carol.pk, type="follow")
    block_create(account=alice, target=bob)
    assert [n.actor_id for n in notifications_for(account=alice)] == [carol.pk]
    assert unread_count(account=alice) == 1
    block_delete(account=alice, target=bob)
    assert unread_count(account=alice) == 2


def test_a_page_costs_one_query_whatever_its_size(alice, post_of):
    status = post_of(alice)
    for i in range(8):
        fan = make_user(f"fan{i}")
        notify(recipient_id=alice.pk, actor_id=fan.pk, type="favourite", status_id=status.pk)
        notify(recipient_id=alice.pk, actor_id=fan.pk, type="follow")
    for limit in (3, 16):
        with CaptureQueriesContext(connection) as ctx:
            page = notifications_for(account=alice, limit=limit)
            shown = [
                (n.actor.name, n.actor.expert_field, n.status and n.status.account.username)
                for n in page
            ]
        assert len(shown) == limit
        assert len(ctx.captured_queries) == 1


def test_follow_and_request_notifications_come_from_the_social_services(alice, bob, carol):
    from storefeed.social.services import follow_create

    carol.locked = True
    carol.save()
    follow_create(follower=alice, target=bob)
    follow_create(follower=alice, target=carol)
    assert [n.type for n in notifications_for(account=bob)] == ["follow"]
    assert [n.type for n in notifications_for(account=carol)] == ["follow_request"]


def test_notify_once_tells_each_recipient_once_and_leaves_out_actor_and_suppressed(
    alice, bob, carol, post_of
):
    dave, erin = make_user("dave"), make_user("erin")
    status = post_of(bob)
    block_create(account=carol, target=bob)
    mute_create(account=dave, target=bob)
    told = notify_once(
        recipient_ids=[alice.pk, bob.pk, carol.pk, dave.pk, erin.pk, alice.pk],
        actor_id=bob.pk,
        type="status",
        status_id=status.pk,
    )
    assert told == 2
    rows = Notification.objects.values_list("recipient__username", "actor_id", "type", "status")
    assert sorted(rows) == [
        ("alice", bob.pk, "status", status.pk),
        ("erin", bob.pk, "status", status.pk),
    ]


def test_notify_once_again_changes_nothing(alice, bob, post_of):
    status = post_of(bob)
    notify_once(recipient_ids=[alice.pk], actor_id=bob.pk, type="status", status_id=status.pk)
    notifications_mark_all_read(account=alice)
    first = Notification.objects.get()
    notify_once(recipient_ids=[alice.pk], actor_id=bob.pk, type="status", status_id=status.pk)
    again = Notification.objects.get()
    assert (again.pk, again.read) == (first.pk, True)


def test_notify_once_refuses_an_unknown_type(alice, bob, post_of):
    status = post_of(bob)
    with pytest.raises(ValueError, match="unknown notification type"):
        notify_once(recipient_ids=[alice.pk], actor_id=bob.pk, type="poke", status_id=status.pk)
    assert not Notification.objects.exists()


def test_the_unread_count_leaves_out_blocked_and_hidden_accounts(alice, bob, carol):
    dave, erin = make_user("dave"), make_user("erin")
    for actor in (bob, carol, dave, erin):
        notify(recipient_id=alice.pk, actor_id=actor.pk, type="follow")
    assert unread_count(account=alice) == 4
    block_create(account=alice, target=bob)  # made after the event: hides it too
    block_create(account=carol, target=alice)
    mute_create(account=alice, target=dave)
    mute_create(account=alice, target=erin, hide_notifications=False)
    assert unread_count(account=alice) == 1
    block_delete(account=alice, target=bob)
    assert unread_count(account=alice) == 2
    notifications_mark_all_read(account=alice)
    assert unread_count(account=alice) == 0
