"""Turn the events of posts and social into timeline tasks, enqueued inside the sender's
transaction (with the database queue the task row commits with the change, or not at all)."""

from typing import Any

from django.conf import settings
from django.dispatch import receiver

from storefeed.accounts.models import User
from storefeed.posts import signals as post_signals
from storefeed.social import signals as social_signals
from storefeed.timelines import lists, services, tasks


@receiver(post_signals.status_created)
def on_status_created(*, status_id: int, **_: Any) -> None:
    tasks.fan_out.enqueue(status_id)


@receiver(post_signals.status_deleted)
def on_status_deleted(*, status_id: int, status_ids: list[int] | None = None, **_: Any) -> None:
    ids = list(status_ids or [status_id])
    # Sent before the rows go: afterwards nothing says whose homes the statuses reached.
    authors, mentioned = services.status_reach(status_ids=ids)
    tasks.remove_statuses.enqueue(ids, authors, mentioned)


@receiver(social_signals.follow_created)
def on_follow_created(*, account_id: int, target_id: int, **_: Any) -> None:
    tasks.backfill.enqueue(account_id, target_id)


def _check_pull_ended(account_id: int) -> None:
    """An account that just lost a follower may have fallen below the celebrity threshold:
    its followers' homes then stop pulling its posts, and get its recent ones pushed."""
    count = User.objects.filter(pk=account_id).values_list("followers_count", flat=True).first()
    if count == settings.CELEBRITY_FOLLOWERS - 1:
        tasks.pull_ended.enqueue(account_id)


@receiver(social_signals.follow_deleted)
def on_follow_deleted(*, account_id: int, target_id: int, **_: Any) -> None:
    tasks.remove_author.enqueue(account_id, target_id)
    lists.list_memberships_drop(owner_id=account_id, account_id=target_id)
    _check_pull_ended(target_id)


@receiver(social_signals.block_created)
def on_block_created(*, account_id: int, target_id: int, **_: Any) -> None:
    tasks.remove_author.enqueue(account_id, target_id, True)
    tasks.remove_author.enqueue(target_id, account_id, True)
    # The block removed the follows both ways (without follow_deleted): lists follow suit.
    lists.list_memberships_drop(owner_id=account_id, account_id=target_id)
    lists.list_memberships_drop(owner_id=target_id, account_id=account_id)
    _check_pull_ended(account_id)
    _check_pull_ended(target_id)


@receiver(social_signals.mute_created)
def on_mute_created(*, account_id: int, target_id: int, **_: Any) -> None:
    tasks.remove_author.enqueue(account_id, target_id, True)


@receiver(social_signals.mute_deleted)
def on_mute_deleted(*, account_id: int, target_id: int, **_: Any) -> None:
    # The mute took the account's posts out of the home: bring its recent ones back, as a
    # follow does (nothing if the home's owner does not follow it).
    tasks.backfill.enqueue(account_id, target_id)
