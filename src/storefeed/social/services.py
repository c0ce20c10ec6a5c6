"""Writes to the social graph: follows, follow requests, blocks, mutes.

Counters: `followers_count` and `following_count` move with F() in the same transaction as
the row they count, and only when a row really was inserted or deleted (the unique
constraint decides an insert, the delete's row count decides a delete). Two requests racing
on the same edge therefore move the counts once.

Locking: every write first locks the two accounts' rows, in id order, before touching an
edge. Transactions on the same pair queue up instead of deadlocking, and a follow cannot
slip past a block being made at the same moment.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from storefeed.accounts.models import User
from storefeed.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from storefeed.notifications import services as notifications
from storefeed.notifications.models import NotificationType
from storefeed.social import signals
from storefeed.social.models import (
    AccountNote,
    Block,
    Endorsement,
    Follow,
    FollowRequest,
    Mute,
)

# The longest timed mute (`duration`, seconds): ten years. Longer is refused, as its end
# would not be a date the databases keep.
MUTE_MAX_SECONDS = 10 * 366 * 24 * 3600
NOTE_MAX_LENGTH = 2000

FOLLOWING = "following"
REQUESTED = "requested"


def _lock_pair(a_id: int, b_id: int) -> dict[int, bool]:
    """Lock both accounts (id order) and return their `locked` flags by id."""
    rows = (
        User.objects.select_for_update()
        .filter(pk__in=[a_id, b_id])
        .order_by("pk")
        .values_list("pk", "locked")
    )
    return dict(rows)


def _move_follow_counts(*, follower_id: int, target_id: int, delta: int) -> None:
    # Both rows are already locked by _lock_pair; id order all the same.
    updates = sorted([(follower_id, "following_count"), (target_id, "followers_count")])
    for pk, column in updates:
        User.objects.filter(pk=pk).update(**{column: F(column) + delta})


def _insert_follow(*, follower_id: int, target_id: int, show_reblogs: bool, notify: bool) -> bool:
    """Insert the edge and count it; False (nothing changed) if it already existed."""
    try:
        with transaction.atomic():
            Follow.objects.create(
                follower_id=follower_id,
                target_id=target_id,
                show_reblogs=show_reblogs,
                notify=notify,
            )
    except IntegrityError:
        return False
    _move_follow_counts(follower_id=follower_id, target_id=target_id, delta=1)
    signals.follow_created.send(sender=Follow, account_id=follower_id, target_id=target_id)
    return True


def _remove_follow(*, follower_id: int, target_id: int) -> bool:
    deleted, _counts = Follow.objects.filter(follower_id=follower_id, target_id=target_id).delete()
    if not deleted:
        return False
    # Only followed accounts can be endorsed (as in Mastodon).
    Endorsement.objects.filter(account_id=follower_id, target_id=target_id).delete()
    _move_follow_counts(follower_id=follower_id, target_id=target_id, delta=-1)
    return True


def _check_blocks(*, follower: User, target: User) -> None:
    if Block.objects.filter(account=follower, target=target).exists():
        raise Forbidden(
            _("You have blocked @%(name)s; unblock them to follow.") % {"name": target.username}
        )
    if Block.objects.filter(account=target, target=follower).exists():
        raise Forbidden(_("You can't follow @%(name)s.") % {"name": target.username})


def _set_options(
    *, follower: User, target: User, show_reblogs: bool | None, notify: bool | None
) -> str | None:
    """Change the options of an existing follow, or of a pending request, leaving those
    given as None alone (inside the caller's transaction, which holds the pair's locks).
    Returns "following" or "requested", or None when there is neither."""
    changes = {
        field: value
        for field, value in (("show_reblogs", show_reblogs), ("notify", notify))
        if value is not None
    }
    edges = (
        (FOLLOWING, Follow.objects.filter(follower=follower, target=target)),
        (REQUESTED, FollowRequest.objects.filter(account=follower, target=target)),
    )
    for state, edge in edges:
        if edge.exists():
            if changes:
                edge.update(**changes)
            return state
    return None


def follow_create(
    *,
    follower: User,
    target: User,
    show_reblogs: bool | None = None,
    notify: bool | None = None,
    update_existing: bool = False,
) -> str:
    """Follow `target`, or ask to if the account is locked. Returns "following" or
    "requested". `show_reblogs` (default True) and `notify` (default False) are the follow's
    options. Refused: yourself (ValidationFailed), across a block in either direction
    (Forbidden), and twice (Conflict), unless `update_existing`: then, as in Mastodon, a
    second follow changes the options it names on the follow or the pending request."""
    if follower.pk == target.pk:
        raise ValidationFailed(_("You can't follow yourself."), field="target")
    if not target.is_active:
        raise NotFound(_("That account no longer exists."))
    with transaction.atomic(durable=True):
        # The target's lock flag is read under the row lock: it decides which row we write.
        locked = _lock_pair(follower.pk, target.pk)[target.pk]
        _check_blocks(follower=follower, target=target)
        if update_existing:
            state = _set_options(
                follower=follower, target=target, show_reblogs=show_reblogs, notify=notify
            )
            if state is not None:
                return state
        if Follow.objects.filter(follower=follower, target=target).exists():
            raise Conflict(_("You already follow @%(name)s.") % {"name": target.username})
        options = {
            "show_reblogs": True if show_reblogs is None else show_reblogs,
            "notify": bool(notify),
        }
        if not locked:
            if not _insert_follow(follower_id=follower.pk, target_id=target.pk, **options):
                raise Conflict(_("You already follow @%(name)s.") % {"name": target.username})
            notifications.notify(
                recipient_id=target.pk, actor_id=follower.pk, type=NotificationType.FOLLOW
            )
            return FOLLOWING
        try:
            with transaction.atomic():
                FollowRequest.objects.create(account=follower, target=target, **options)
        except IntegrityError:
            raise Conflict(
                _("You already asked to follow @%(name)s.") % {"name": target.username}
            ) from None
        notifications.notify(
            recipient_id=target.pk, actor_id=follower.pk, type=NotificationType.FOLLOW_REQUEST
        )
        return REQUESTED


def follow_update(
    *,
    follower: User,
    target: User,
    show_reblogs: bool | None = None,
    notify: bool | None = None,
) -> str:
    """Change the options of a follow or of a pending request (those given as None stay as
    they are). Returns "following" or "requested"; Conflict when there is neither."""
    with transaction.atomic(durable=True):
        _lock_pair(follower.pk, target.pk)
        state = _set_options(
            follower=follower, target=target, show_reblogs=show_reblogs, notify=notify
        )
    if state is None:
        raise Conflict(_("You don't follow @%(name)s.") % {"name": target.username})
    return state


def follow_delete(*, follower: User, target: User) -> None:
    """Unfollow, or withdraw a pending request. Unfollowing someone you don't follow
    changes nothing and is not an error (as in Mastodon)."""
    with transaction.atomic(durable=True):
        _lock_pair(follower.pk, target.pk)
        if _remove_follow(follower_id=follower.pk, target_id=target.pk):
            signals.follow_deleted.send(sender=Follow, account_id=follower.pk, target_id=target.pk)
        deleted, _counts = FollowRequest.objects.filter(account=follower, target=target).delete()
        if deleted:
            notifications.notification_withdraw(
                recipient_id=target.pk,
                actor_id=follower.pk,
                type=NotificationType.FOLLOW_REQUEST,
            )


def _authorize(request: FollowRequest) -> None:
    """Turn a request into a follow (inside the caller's transaction, which holds the pair's
    row locks)."""
    deleted, _counts = FollowRequest.objects.filter(pk=request.pk).delete()
    if not deleted:
        return
    _insert_follow(
        follower_id=request.account_id,
        target_id=request.target_id,
        show_reblogs=request.show_reblogs,
        notify=request.notify,
    )


def follow_request_authorize(*, target: User, account: User) -> None:
    """`target` lets `account` follow them. As in Mastodon nobody gets a new notification:
    the target already has the request's, the requester sees the follow."""
    with transaction.atomic(durable=True):
        _lock_pair(account.pk, target.pk)
        request = FollowRequest.objects.filter(account=account, target=target).first()
        if request is None:
            raise NotFound(
                _("@%(name)s has no pending request to follow you.") % {"name": account.username}
            )
        _authorize(request)


def follow_request_reject(*, target: User, account: User) -> None:
    with transaction.atomic(durable=True):
        _lock_pair(account.pk, target.pk)
        deleted, _counts = FollowRequest.objects.filter(account=account, target=target).delete()
        if not deleted:
            raise NotFound(
                _("@%(name)s has no pending request to follow you.") % {"name": account.username}
            )


def follow_requests_authorize_all(*, target_id: int) -> int:
    """Approve every pending request of an account that was unlocked (inside the caller's
    transaction). Returns how many were approved."""
    pending = list(FollowRequest.objects.filter(target_id=target_id).order_by("id"))
    for request in pending:
        # profile_update already holds the target's row, so this one pair is locked out of
        # id order; a requester acting on this account in the same instant could meet a
        # deadlock, which PostgreSQL breaks by failing one of the two. Rare, and harmless.
        _lock_pair(request.account_id, target_id)
        _authorize(request)
    return len(pending)


def block_create(*, account: User, target: User) -> None:
    """Block `target`: follows and follow requests both ways are removed (counts adjusted).
    Blocking again changes nothing."""
    if account.pk == target.pk:
        raise ValidationFailed(_("You can't block yourself."), field="target")
    with transaction.atomic(durable=True):
        _lock_pair(account.pk, target.pk)
        try:
            with transaction.atomic():
                Block.objects.create(account=account, target=target)
        except IntegrityError:
            return
        _remove_follow(follower_id=account.pk, target_id=target.pk)
        _remove_follow(follower_id=target.pk, target_id=account.pk)
        FollowRequest.objects.filter(account=account, target=target).delete()
        FollowRequest.objects.filter(account=target, target=account).delete()
        signals.block_created.send(sender=Block, account_id=account.pk, target_id=target.pk)


def block_delete(*, account: User, target: User) -> None:
    """Unblock. Follows removed by the block are not restored."""
    with transaction.atomic(durable=True):
        Block.objects.filter(account=account, target=target).delete()


def mute_create(
    *,
    account: User,
    target: User,
    hide_notifications: bool = True,
    duration: int | None = None,
) -> None:
    """Mute `target`: their posts leave the home timeline; with `hide_notifications` their
    notifications too. `duration` (seconds; None or 0: until undone) makes it a timed mute,
    which stops applying when it ends. Muting again updates both options."""
    if account.pk == target.pk:
        raise ValidationFailed(_("You can't mute yourself."), field="target")
    if duration is not None and not 0 <= duration <= MUTE_MAX_SECONDS:
        raise ValidationFailed(
            _("A mute's duration is 0 (until undone) or up to %(max)d seconds.")
            % {"max": MUTE_MAX_SECONDS},
            field="duration",
        )
    now = timezone.now()
    expires_at = now + dt.timedelta(seconds=duration) if duration else None
    with transaction.atomic(durable=True):
        before = Mute.objects.filter(account=account, target=target).first()
        mute, _created = Mute.objects.update_or_create(
            account=account,
            target=target,
            defaults={"hide_notifications": hide_notifications, "expires_at": expires_at},
        )
        # An ended mute that the sweep has not deleted yet counts as none.
        if before is None or (before.expires_at is not None and before.expires_at <= now):
            signals.mute_created.send(sender=Mute, account_id=account.pk, target_id=target.pk)
        if expires_at is not None:
            _schedule_mute_expiry(mute.pk, expires_at)


def _schedule_mute_expiry(mute_id: int, when: dt.datetime) -> None:
    """A deferred task at the mute's end when the task backend can defer; the periodic sweep
    (`mutes_expire_due`) catches whatever this misses. Reads need neither: they compare
    `expires_at` with the clock."""
    from storefeed.social import tasks

    if tasks.expire_mute.get_backend().supports_defer:
        tasks.expire_mute.using(run_after=when).enqueue(mute_id)


def mute_delete(*, account: User, target: User) -> None:
    with transaction.atomic(durable=True):
        deleted, _counts = Mute.objects.filter(account=account, target=target).delete()
        if deleted:
            signals.mute_deleted.send(sender=Mute, account_id=account.pk, target_id=target.pk)


def mute_expire(*, mute_id: int, now: dt.datetime | None = None) -> bool:
    """Delete one mute if its time is up (a mute renewed or undone meanwhile is left alone);
    True if it was deleted. Idempotent."""
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        row = (
            Mute.objects.filter(pk=mute_id, expires_at__lte=now)
            .values_list("account_id", "target_id")
            .first()
        )
        if row is None:
            return False
        deleted, _counts = Mute.objects.filter(pk=mute_id, expires_at__lte=now).delete()
        if deleted:
            signals.mute_deleted.send(sender=Mute, account_id=row[0], target_id=row[1])
        return bool(deleted)


def mutes_expire_due(*, now: dt.datetime | None = None, batch: int = 500) -> int:
    """The sweep: delete every mute whose time is up; how many."""
    now = now or timezone.now()
    count = 0
    while ids := list(
        Mute.objects.filter(expires_at__lte=now).order_by("pk").values_list("pk", flat=True)[:batch]
    ):
        count += sum(mute_expire(mute_id=pk, now=now) for pk in ids)
        if len(ids) < batch:
            break
    return count


def account_note_set(*, account: User, target: User, comment: str) -> None:
    """Keep a private note about `target` (an empty one deletes it). As in Mastodon, a note
    about oneself is allowed."""
    comment = comment.strip()
    if len(comment) > NOTE_MAX_LENGTH:
        raise ValidationFailed(
            _("A note is at most %(max)d characters.") % {"max": NOTE_MAX_LENGTH},
            field="comment",
            reason="too_long",
        )
    with transaction.atomic(durable=True):
        if not comment:
            AccountNote.objects.filter(account=account, target=target).delete()
            return
        AccountNote.objects.update_or_create(
            account=account, target=target, defaults={"comment": comment}
        )


def endorsement_create(*, account: User, target: User) -> None:
    """Feature `target` on `account`'s profile. Only an account one follows (Mastodon's
    rule); endorsing again changes nothing."""
    if account.pk == target.pk:
        raise ValidationFailed(_("You can't endorse yourself."), field="target")
    with transaction.atomic(durable=True):
        _lock_pair(account.pk, target.pk)
        if not Follow.objects.filter(follower=account, target=target).exists():
            raise ValidationFailed(
                _("Follow @%(name)s before endorsing them.") % {"name": target.username},
                field="target",
            )
        Endorsement.objects.get_or_create(account=account, target=target)


def endorsement_delete(*, account: User, target: User) -> None:
    """Stop featuring `target`; not an error if they were not."""
    with transaction.atomic(durable=True):
        Endorsement.objects.filter(account=account, target=target).delete()


def follower_remove(*, account: User, follower: User) -> None:
    """`account` makes `follower` stop following them (Mastodon's remove_from_followers), as
    if `follower` had unfollowed: counts, homes and lists follow suit. Not an error if
    they did not follow."""
    if account.pk == follower.pk:
        raise ValidationFailed(_("You can't remove yourself from your followers."), field="target")
    with transaction.atomic(durable=True):
        _lock_pair(account.pk, follower.pk)
        if _remove_follow(follower_id=follower.pk, target_id=account.pk):
            signals.follow_deleted.send(sender=Follow, account_id=follower.pk, target_id=account.pk)
