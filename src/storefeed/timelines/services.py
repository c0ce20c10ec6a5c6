"""Fan-out: deciding whose home timeline a status reaches (and who hears of it through a
follow's `notify`), and keeping homes in step with follows, unfollows, blocks, mutes and
deletions. Called by tasks (see tasks.py)."""

from collections.abc import Sequence
from itertools import batched, chain

from django.conf import settings
from django.db.models import Q, QuerySet

from storefeed.accounts.models import User
from storefeed.core import events
from storefeed.notifications import services as notifications
from storefeed.notifications.models import NotificationType
from storefeed.posts.models import Mention, Status, Visibility
from storefeed.social.models import Follow
from storefeed.social.selectors import active_mutes
from storefeed.timelines.models import ListMember
from storefeed.timelines.store import BATCH, Entry, home_store


def is_pulled(followers_count: int) -> bool:
    """Whether an account with this many followers is a celebrity, whose posts followers'
    homes pull when read instead of having them pushed (settings.CELEBRITY_FOLLOWERS)."""
    return followers_count >= settings.CELEBRITY_FOLLOWERS


def entry_for(status: Status) -> Entry:
    origin = status.reblog_of.account_id if status.reblog_of is not None else None
    return Entry(status_id=status.pk, author_id=status.account_id, origin_author_id=origin)


def status_fan_out(*, status_id: int) -> int:
    """Deliver a status to its author's home and to the homes of those who should see it
    there (not to a celebrity's followers: they pull it, see `is_pulled`), and tell the
    followers who asked to hear of new posts; returns how many homes.
    Running it twice delivers and notifies nothing twice."""
    status = Status.objects.select_related("reblog_of", "account").filter(pk=status_id).first()
    if status is None:
        return 0
    owners: set[int] = {status.account_id}
    followers = Follow.objects.filter(target_id=status.account_id)
    if status.visibility == Visibility.DIRECT:
        mentioned = set(Mention.objects.filter(status=status).values_list("account_id", flat=True))
        owners |= mentioned
        followers = followers.filter(follower_id__in=mentioned)
    else:
        if status.reblog_of is not None:
            followers = followers.filter(show_reblogs=True)
        replied_to = status.in_reply_to_account_id
        if replied_to not in (None, status.account_id):
            # A reply to someone else reaches those who follow both people, and the one it
            # answers (Mastodon's rule).
            followers = followers.filter(
                Q(follower__following_edges__target_id=replied_to) | Q(follower_id=replied_to)
            )
        if not is_pulled(status.account.followers_count):
            reached = set(followers.values_list("follower_id", flat=True))
            if status.reblog_of is not None:
                reached -= _showing(status.reblog_of, reached)
            owners |= reached
        # else hybrid delivery: a celebrity's post stays in its author's home only, and each
        # follower's home pulls it when read, by the same rules (selectors.pulled_ids).
    home_store().push(owners, entry_for(status))
    _notify_subscribers(status, followers)
    # Live clients: the post is in the homes now (pushed) or readable there (pulled); the
    # streaming process checks each connected reader's home by the same selectors.
    events.publish("home", id=status.pk)
    return len(owners)


def _showing(original: Status, owner_ids: set[int]) -> set[int]:
    """Those of `owner_ids` whose home shows `original`: a repost does not reach them (as
    Mastodon). An original kept for an exclusive list is not shown in the home, so there the
    repost is welcome."""
    holding = home_store().holding(original.pk, owner_ids)
    if not holding:
        return set()
    exclusive = ListMember.objects.filter(list__exclusive=True, account_id=original.account_id)
    return holding - set(exclusive.values_list("list__owner_id", flat=True))


def _notify_subscribers(status: Status, followers: QuerySet[Follow]) -> None:
    """Mastodon's "status" notification: an original post or a reply to oneself (not a
    repost, not a reply to someone else) tells those among `followers` who follow with
    `notify` on, unless they muted the author."""
    if status.reblog_of_id is not None:
        return
    if status.in_reply_to_account_id not in (None, status.account_id):
        return
    muters = active_mutes().filter(target_id=status.account_id).values("account_id")
    subscribers = followers.filter(notify=True).exclude(follower_id__in=muters)
    notifications.notify_once(
        recipient_ids=subscribers.values_list("follower_id", flat=True),
        actor_id=status.account_id,
        type=NotificationType.STATUS,
        status_id=status.pk,
    )


def home_backfill(*, owner_id: int, author_id: int) -> None:
    """After a follow: bring the author's recent posts into the new follower's home (their
    reposts too, unless the follow hides them)."""
    follow = Follow.objects.filter(follower_id=owner_id, target_id=author_id).first()
    if follow is None:
        return
    home_store().push_many(owner_id, _recent_entries(author_id, show_reblogs=follow.show_reblogs))


def _recent_entries(
    author_id: int, *, show_reblogs: bool, replies_to: Sequence[int] = ()
) -> list[Entry]:
    """What a follower's home gets of an author's past: their recent posts that are not
    direct, nor replies to others than themselves and `replies_to` (and their reposts, if
    shown)."""
    recent = Status.objects.filter(
        account_id=author_id,
        visibility__in=[Visibility.PUBLIC, Visibility.UNLISTED, Visibility.PRIVATE],
    ).filter(
        Q(in_reply_to_account__isnull=True) | Q(in_reply_to_account_id__in=[author_id, *replies_to])
    )
    if not show_reblogs:
        recent = recent.filter(reblog_of__isnull=True)
    recent = recent.select_related("reblog_of").order_by("-pk")[: settings.HOME_BACKFILL]
    return [entry_for(s) for s in recent]


def pull_ended(*, author_id: int) -> int:
    """After a celebrity fell below settings.CELEBRITY_FOLLOWERS (an unfollow or a block):
    their followers' homes stop pulling their posts, so push their recent ones, as a follow's
    backfill does, into each follower's home (what was pushed already is not doubled);
    returns how many homes. Does nothing if the author is pulled again. Costs one push per
    follower, once, bounded by the threshold."""
    count = User.objects.filter(pk=author_id).values_list("followers_count", flat=True).first()
    if count is None or is_pulled(count):
        return 0
    every = _recent_entries(author_id, show_reblogs=True)
    originals = [e for e in every if e.origin_author_id is None]
    store = home_store()
    follows = Follow.objects.filter(target_id=author_id).values_list("follower_id", "show_reblogs")
    homes = 0
    for follower_id, show_reblogs in follows.iterator(chunk_size=BATCH):
        store.push_many(follower_id, every if show_reblogs else originals)
        homes += 1
    return homes


def home_rebuild(*, owner_id: int) -> int:
    """Refill one home from what it would have been delivered, as far as a backfill reaches:
    the owner's own recent posts, the recent posts of everyone they follow (as after a
    follow, with their replies to the owner and to those the owner follows, which fan-out
    delivered), and recent direct posts that mention them; returns how many entries. For a
    home that was lost or lives in a newly chosen store. Running it twice adds nothing.
    Unlike fan-out it does not hold back a repost of a post the home already shows."""
    own = Status.objects.filter(account_id=owner_id).select_related("reblog_of")
    entries = [entry_for(s) for s in own.order_by("-pk")[: settings.HOME_BACKFILL]]
    follows = dict(
        Follow.objects.filter(follower_id=owner_id).values_list("target_id", "show_reblogs")
    )
    replies_to = [owner_id, *follows]
    for author_id, show_reblogs in follows.items():
        entries += _recent_entries(author_id, show_reblogs=show_reblogs, replies_to=replies_to)
    direct = Status.objects.filter(
        visibility=Visibility.DIRECT, mention_rows__account_id=owner_id
    ).select_related("reblog_of")
    entries += [entry_for(s) for s in direct.order_by("-pk")[: settings.HOME_BACKFILL]]
    home_store().push_many(owner_id, entries)
    return len({e.status_id for e in entries})


def home_remove_author(*, owner_id: int, author_id: int, with_reposts_of: bool = False) -> None:
    home_store().remove_author(owner_id, author_id, with_reposts_of=with_reposts_of)


def status_reach(*, status_ids: Sequence[int]) -> tuple[list[int], list[int]]:
    """Whose homes may hold these statuses, named while their rows still exist (as they are
    deleted): their authors, whose followers' homes are where fan-out, a backfill,
    `pull_ended` and a rebuild put them, and the accounts they mention (a direct post)."""
    authors = Status.objects.filter(pk__in=status_ids).values_list("account_id", flat=True)
    mentioned = Mention.objects.filter(status_id__in=status_ids).values_list(
        "account_id", flat=True
    )
    return sorted(set(authors)), sorted(set(mentioned))


def home_remove_statuses(
    *,
    status_ids: Sequence[int],
    authors: Sequence[int] | None = None,
    mentioned: Sequence[int] = (),
) -> None:
    """Take deleted statuses out of the homes that may hold them (see `status_reach`): the
    authors', the mentioned accounts' and the authors' followers', BATCH homes at a time.
    Someone who stopped following an author had the author's posts taken out then
    (`home_remove_author`), so the present followers are enough. Without `authors` (a task
    queued by an earlier version) the store looks in every home."""
    store = home_store()
    if authors is None:
        store.remove_statuses(list(status_ids))
        return
    # A home may come twice (following two of the authors): removing again is harmless.
    followers = Follow.objects.filter(target_id__in=authors).values_list("follower_id", flat=True)
    homes = chain(authors, mentioned, followers.iterator(chunk_size=BATCH))
    for chunk in batched(homes, BATCH):
        store.remove_statuses(list(status_ids), chunk)
