"""Fan-out: deciding whose home timeline a status reaches, and keeping homes in step with
follows, unfollows, blocks, mutes and deletions. Called by tasks (see tasks.py)."""

from collections.abc import Sequence

from django.conf import settings
from django.db.models import Q

from storefeed.posts.models import Mention, Status, Visibility
from storefeed.social.models import Follow
from storefeed.timelines.models import HomeEntry
from storefeed.timelines.store import Entry, home_store


def entry_for(status: Status) -> Entry:
    origin = status.reblog_of.account_id if status.reblog_of is not None else None
    return Entry(status_id=status.pk, author_id=status.account_id, origin_author_id=origin)


def status_fan_out(*, status_id: int) -> int:
    """Deliver a status to its author's home and to the homes of those who should see it
    there; returns how many homes. Running it twice delivers nothing twice."""
    status = Status.objects.select_related("reblog_of").filter(pk=status_id).first()
    if status is None:
        return 0
    owners: set[int] = {status.account_id}
    if status.visibility == Visibility.DIRECT:
        owners |= set(Mention.objects.filter(status=status).values_list("account_id", flat=True))
    else:
        followers = Follow.objects.filter(target_id=status.account_id)
        if status.reblog_of_id is not None:
            # A repost does not reach homes that already hold the original (as Mastodon).
            followers = followers.filter(show_reblogs=True).exclude(
                follower_id__in=HomeEntry.objects.filter(status_id=status.reblog_of_id).values(
                    "owner_id"
                )
            )
        if status.in_reply_to_account_id not in (None, status.account_id):
            # A reply to someone else reaches only those who follow both people (Mastodon's rule).
            followers = followers.filter(
                follower__following_edges__target_id=status.in_reply_to_account_id
            )
        owners |= set(followers.values_list("follower_id", flat=True))
    home_store().push(owners, entry_for(status))
    return len(owners)


def home_backfill(*, owner_id: int, author_id: int) -> None:
    """After a follow: bring the author's recent posts into the new follower's home."""
    if not Follow.objects.filter(follower_id=owner_id, target_id=author_id).exists():
        return
    recent = (
        Status.objects.filter(
            account_id=author_id,
            visibility__in=[Visibility.PUBLIC, Visibility.UNLISTED, Visibility.PRIVATE],
        )
        .filter(Q(in_reply_to_account__isnull=True) | Q(in_reply_to_account_id=author_id))
        .select_related("reblog_of")
        .order_by("-pk")[: settings.HOME_BACKFILL]
    )
    home_store().push_many(owner_id, [entry_for(s) for s in recent])


def home_remove_author(*, owner_id: int, author_id: int, with_reposts_of: bool = False) -> None:
    home_store().remove_author(owner_id, author_id, with_reposts_of=with_reposts_of)


def home_remove_statuses(*, status_ids: Sequence[int]) -> None:
    home_store().remove_statuses(list(status_ids))
