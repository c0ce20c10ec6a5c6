"""Follow, follow requests, block and mute: the rules, the counts, the events."""

import pytest

from storefeed.accounts.models import User
from storefeed.accounts.services import profile_update
from storefeed.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from storefeed.notifications.models import Notification
from storefeed.social.models import Block, Follow, FollowRequest, Mute
from storefeed.social.services import (
    block_create,
    block_delete,
    follow_create,
    follow_delete,
    follow_request_authorize,
    follow_request_reject,
    follow_update,
    mute_create,
    mute_delete,
)

pytestmark = pytest.mark.django_db


def counts(user: User) -> tuple[int, int]:
    user.refresh_from_db()
    return user.followers_count, user.following_count


def assert_counts_exact(*users: User) -> None:
    for user in users:
        user.refresh_from_db()
        assert user.followers_count == Follow.objects.filter(target=user).count(), user
        assert user.following_count == Follow.objects.filter(follower=user).count(), user


def test_follow_creates_the_edge_counts_notifies_and_signals(alice, bob, sent):
    assert follow_create(follower=alice, target=bob) == "following"
    assert Follow.objects.filter(follower=alice, target=bob).exists()
    assert counts(alice) == (0, 1)
    assert counts(bob) == (1, 0)
    note = Notification.objects.get()
    assert (note.recipient, note.actor, note.type) == (bob, alice, "follow")
    assert sent == [("follow_created", alice.pk, bob.pk)]


def test_follow_options_are_kept(alice, bob):
    follow_create(follower=alice, target=bob, show_reblogs=False, notify=True)
    edge = Follow.objects.get()
    assert edge.show_reblogs is False
    assert edge.notify is True


def test_following_yourself_is_refused(alice, sent):
    with pytest.raises(ValidationFailed) as exc:
        follow_create(follower=alice, target=alice)
    assert exc.value.message == "You can't follow yourself."
    assert not Follow.objects.exists()
    assert counts(alice) == (0, 0)
    assert sent == []


def test_following_twice_is_refused_and_counts_once(alice, bob, sent):
    follow_create(follower=alice, target=bob)
    with pytest.raises(Conflict) as exc:
        follow_create(follower=alice, target=bob)
    assert "already follow @bob" in exc.value.message
    assert Follow.objects.count() == 1
    assert counts(bob) == (1, 0)
    assert Notification.objects.count() == 1
    assert len(sent) == 1


def test_following_again_with_update_existing_changes_only_the_options_named(alice, bob, sent):
    follow_create(follower=alice, target=bob, show_reblogs=True, notify=False)
    state = follow_create(follower=alice, target=bob, show_reblogs=False, update_existing=True)
    assert state == "following"
    edge = Follow.objects.get()
    assert (edge.show_reblogs, edge.notify) == (False, False)
    follow_create(follower=alice, target=bob, notify=True, update_existing=True)
    edge.refresh_from_db()
    assert (edge.show_reblogs, edge.notify) == (False, True)
    # Nothing named: nothing changes, and it is still not a second follow.
    assert follow_create(follower=alice, target=bob, update_existing=True) == "following"
    edge.refresh_from_db()
    assert (edge.show_reblogs, edge.notify) == (False, True)
    assert Follow.objects.count() == 1
    assert counts(bob) == (1, 0)
    assert Notification.objects.count() == 1
    assert len(sent) == 1


def test_update_existing_changes_a_pending_request(alice, bob):
    bob.locked = True
    bob.save()
    follow_create(follower=alice, target=bob)
    state = follow_create(
        follower=alice, target=bob, show_reblogs=False, notify=True, update_existing=True
    )
    assert state == "requested"
    request = FollowRequest.objects.get()
    assert (request.show_reblogs, request.notify) == (False, True)
    assert not Follow.objects.exists()
    assert Notification.objects.count() == 1
    follow_request_authorize(target=bob, account=alice)
    edge = Follow.objects.get()
    assert (edge.show_reblogs, edge.notify) == (False, True)


def test_update_existing_with_nothing_to_update_follows(alice, bob):
    assert follow_create(follower=alice, target=bob, notify=True, update_existing=True) == (
        "following"
    )
    edge = Follow.objects.get()
    assert (edge.show_reblogs, edge.notify) == (True, True)


def test_follow_update_changes_the_follow_or_the_request(alice, bob, carol):
    follow_create(follower=alice, target=bob)
    assert follow_update(follower=alice, target=bob, notify=True) == "following"
    assert Follow.objects.get().notify is True
    carol.locked = True
    carol.save()
    follow_create(follower=alice, target=carol)
    assert follow_update(follower=alice, target=carol, show_reblogs=False) == "requested"
    assert FollowRequest.objects.get().show_reblogs is False


def test_follow_update_without_a_follow_is_refused_and_changes_nothing(alice, bob, sent):
    with pytest.raises(Conflict) as exc:
        follow_update(follower=alice, target=bob, notify=True)
    assert exc.value.message == "You don't follow @bob."
    assert not Follow.objects.exists()
    assert not FollowRequest.objects.exists()
    assert not Notification.objects.exists()
    assert sent == []


def test_following_across_a_block_is_refused(alice, bob, carol):
    block_create(account=bob, target=alice)
    with pytest.raises(Forbidden) as exc:
        follow_create(follower=alice, target=bob)
    assert exc.value.message == "You can't follow @bob."
    block_create(account=alice, target=carol)
    with pytest.raises(Forbidden) as exc:
        follow_create(follower=alice, target=carol)
    assert "unblock" in exc.value.message
    assert not Follow.objects.exists()
    assert not FollowRequest.objects.exists()
    assert not Notification.objects.exists()
    assert_counts_exact(alice, bob, carol)


def test_following_an_inactive_account_is_refused(alice, bob):
    User.objects.filter(pk=bob.pk).update(is_active=False)
    bob.refresh_from_db()
    with pytest.raises(NotFound):
        follow_create(follower=alice, target=bob)
    assert not Follow.objects.exists()


def test_unfollow_removes_the_edge_and_counts(alice, bob, sent):
    follow_create(follower=alice, target=bob)
    follow_delete(follower=alice, target=bob)
    assert not Follow.objects.exists()
    assert counts(alice) == (0, 0)
    assert counts(bob) == (0, 0)
    assert sent[-1] == ("follow_deleted", alice.pk, bob.pk)


def test_unfollowing_someone_not_followed_changes_nothing(alice, bob, carol, sent):
    follow_create(follower=carol, target=bob)
    follow_delete(follower=alice, target=bob)
    follow_delete(follower=alice, target=bob)
    assert counts(bob) == (1, 0)
    assert counts(alice) == (0, 0)
    assert [name for name, *_ in sent] == ["follow_created"]


def test_refollowing_refreshes_the_notification_instead_of_adding_one(alice, bob):
    follow_create(follower=alice, target=bob)
    first = Notification.objects.get()
    Notification.objects.update(read=True)
    follow_delete(follower=alice, target=bob)
    follow_create(follower=alice, target=bob)
    again = Notification.objects.get()
    assert again.id > first.id
    assert again.read is False


def test_following_a_locked_account_makes_a_request(alice, bob, sent):
    bob.locked = True
    bob.save()
    assert follow_create(follower=alice, target=bob, show_reblogs=False) == "requested"
    request = FollowRequest.objects.get()
    assert (request.account, request.target, request.show_reblogs) == (alice, bob, False)
    assert not Follow.objects.exists()
    assert counts(bob) == (0, 0)
    note = Notification.objects.get()
    assert (note.recipient, note.actor, note.type) == (bob, alice, "follow_request")
    assert sent == []


def test_asking_twice_is_refused(alice, bob):
    bob.locked = True
    bob.save()
    follow_create(follower=alice, target=bob)
    with pytest.raises(Conflict) as exc:
        follow_create(follower=alice, target=bob)
    assert "already asked" in exc.value.message
    assert FollowRequest.objects.count() == 1
    assert Notification.objects.count() == 1


def test_authorize_turns_the_request_into_a_follow(alice, bob, sent):
    bob.locked = True
    bob.save()
    follow_create(follower=alice, target=bob, show_reblogs=False, notify=True)
    follow_request_authorize(target=bob, account=alice)
    assert not FollowRequest.objects.exists()
    edge = Follow.objects.get()
    assert (edge.follower, edge.target, edge.show_reblogs, edge.notify) == (alice, bob, False, True)
    assert counts(bob) == (1, 0)
    assert counts(alice) == (0, 1)
    assert sent == [("follow_created", alice.pk, bob.pk)]
    # Nobody gets a new notification: bob keeps the request's, alice gets none.
    assert list(Notification.objects.values_list("recipient", "type")) == [
        (bob.pk, "follow_request")
    ]


def test_authorizing_or_rejecting_a_request_that_does_not_exist(alice, bob):
    with pytest.raises(NotFound) as exc:
        follow_request_authorize(target=bob, account=alice)
    assert exc.value.message == "@alice has no pending request to follow you."
    with pytest.raises(NotFound):
        follow_request_reject(target=bob, account=alice)
    assert not Follow.objects.exists()
    assert counts(bob) == (0, 0)


def test_only_the_target_can_authorize(alice, bob, carol):
    bob.locked = True
    bob.save()
    follow_create(follower=alice, target=bob)
    with pytest.raises(NotFound):
        follow_request_authorize(target=carol, account=alice)
    assert FollowRequest.objects.filter(account=alice, target=bob).exists()
    assert not Follow.objects.exists()


def test_reject_removes_the_request_only(alice, bob):
    bob.locked = True
    bob.save()
    follow_create(follower=alice, target=bob)
    follow_request_reject(target=bob, account=alice)
    assert not FollowRequest.objects.exists()
    assert not Follow.objects.exists()
    assert counts(bob) == (0, 0)
    # Alice may ask again.
    assert follow_create(follower=alice, target=bob) == "requested"


def test_withdrawing_a_request_removes_its_notification(alice, bob):
    bob.locked = True
    bob.save()
    follow_create(follower=alice, target=bob)
    follow_delete(follower=alice, target=bob)
    assert not FollowRequest.objects.exists()
    assert not Notification.objects.exists()
    assert counts(bob) == (0, 0)


def test_unlocking_approves_pending_requests(alice, bob, carol):
    profile_update(account=bob, locked=True)
    follow_create(follower=alice, target=bob)
    follow_create(follower=carol, target=bob)
    profile_update(account=bob, locked=False)
    assert not FollowRequest.objects.exists()
    assert set(Follow.objects.values_list("follower", flat=True)) == {alice.pk, carol.pk}
    assert counts(bob) == (2, 0)
    assert_counts_exact(alice, bob, carol)


def test_block_removes_follows_and_requests_both_ways(alice, bob, carol, sent):
    follow_create(follower=alice, target=bob)
    follow_create(follower=bob, target=alice)
    follow_create(follower=carol, target=alice)
    profile_update(account=carol, locked=True)
    follow_create(follower=bob, target=carol)
    sent.clear()
    block_create(account=alice, target=bob)
    block_create(account=carol, target=bob)
    assert Block.objects.count() == 2
    assert list(Follow.objects.values_list("follower", "target")) == [(carol.pk, alice.pk)]
    assert not FollowRequest.objects.exists()
    assert_counts_exact(alice, bob, carol)
    assert counts(alice) == (1, 0)
    assert counts(bob) == (0, 0)
    assert sent == [("block_created", alice.pk, bob.pk), ("block_created", carol.pk, bob.pk)]


def test_blocking_twice_changes_nothing(alice, bob, sent):
    block_create(account=alice, target=bob)
    block_create(account=alice, target=bob)
    assert Block.objects.count() == 1
    assert len(sent) == 1


def test_blocking_or_muting_yourself_is_refused(alice):
    with pytest.raises(ValidationFailed):
        block_create(account=alice, target=alice)
    with pytest.raises(ValidationFailed):
        mute_create(account=alice, target=alice)
    assert not Block.objects.exists()
    assert not Mute.objects.exists()


def test_unblock_allows_following_again(alice, bob):
    follow_create(follower=alice, target=bob)
    block_create(account=bob, target=alice)
    block_delete(account=bob, target=alice)
    assert not Block.objects.exists()
    assert not Follow.objects.exists()  # the block's removals stay
    assert follow_create(follower=alice, target=bob) == "following"
    assert_counts_exact(alice, bob)


def test_mute_and_unmute(alice, bob, sent):
    follow_create(follower=alice, target=bob)
    sent.clear()
    mute_create(account=alice, target=bob)
    mute = Mute.objects.get()
    assert mute.hide_notifications is True
    assert Follow.objects.filter(follower=alice, target=bob).exists()  # muting keeps the follow
    assert sent == [("mute_created", alice.pk, bob.pk)]
    mute_create(account=alice, target=bob, hide_notifications=False)
    assert Mute.objects.get().hide_notifications is False
    assert len(sent) == 1
    mute_delete(account=alice, target=bob)
    assert not Mute.objects.exists()
