"""What readers do to a post: repost, like, bookmark, pin, vote in its poll."""

from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from storefeed.accounts.models import User
from storefeed.core import events
from storefeed.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from storefeed.core.parse import lookup_id, parse_count
from storefeed.notifications import services as notifications
from storefeed.notifications.models import NotificationType
from storefeed.posts import signals
from storefeed.posts.models import (
    Bookmark,
    Favourite,
    Pin,
    Poll,
    PollVote,
    Status,
    Visibility,
)
from storefeed.posts.selectors import status_for_viewer
from storefeed.posts.services.compose import _decrement, _original, _own_status

MAX_PINS = 5


@transaction.atomic(durable=True)
def status_reblog(
    *, account: User, status_id: int | str, visibility: str = Visibility.PUBLIC
) -> Status:
    """Repost (plainly) a post the account can see; reposting a repost reposts the original."""
    original = _original(status_for_viewer(viewer=account, status_id=status_id))
    if original.visibility == Visibility.DIRECT or (
        original.visibility == Visibility.PRIVATE and original.account_id != account.pk
    ):
        raise Forbidden(_("This post is not public, so it cannot be reposted."))
    if visibility not in (Visibility.PUBLIC, Visibility.UNLISTED, Visibility.PRIVATE):
        visibility = Visibility.PUBLIC
    try:
        with transaction.atomic():
            reblog = Status.objects.create(
                account=account, reblog_of=original, visibility=visibility
            )
    except IntegrityError:
        raise Conflict(_("You have already reposted this post.")) from None
    Status.objects.filter(pk=original.pk).update(reblogs_count=F("reblogs_count") + 1)
    User.objects.filter(pk=account.pk).update(
        statuses_count=F("statuses_count") + 1, last_status_at=reblog.created_at
    )
    notifications.notify(
        recipient_id=original.account_id,
        actor_id=account.pk,
        type=NotificationType.REBLOG,
        status_id=original.pk,
    )
    signals.status_created.send(sender=Status, status_id=reblog.pk)
    events.publish("status.created", id=reblog.pk)
    reblog.reblog_of = original
    return reblog


@transaction.atomic(durable=True)
def status_unreblog(*, account: User, status_id: int | str) -> Status:
    original = _original(status_for_viewer(viewer=account, status_id=status_id))
    rows = list(
        Status.objects.filter(account=account, reblog_of=original).values_list("pk", flat=True)
    )
    if not rows:
        raise Conflict(_("You have not reposted this post."))
    signals.status_deleted.send(
        sender=Status, status_id=rows[0], account_id=account.pk, status_ids=rows
    )
    events.publish("status.deleted", ids=rows)
    Status.objects.filter(pk__in=rows).delete()
    _decrement(Status, original.pk, "reblogs_count")
    User.objects.filter(pk=account.pk).update(statuses_count=Greatest(F("statuses_count") - 1, 0))
    original.refresh_from_db()
    return original


def _toggle_row(
    *,
    account: User,
    status_id: int | str,
    model: type[Favourite] | type[Bookmark],
    add: bool,
    counter: str | None,
    already: str,
    missing: str,
    notify_type: str | None = None,
) -> Status:
    original = _original(status_for_viewer(viewer=account, status_id=status_id))
    if add:
        try:
            with transaction.atomic():
                model.objects.create(account=account, status=original)
        except IntegrityError:
            raise Conflict(already) from None
        if counter:
            Status.objects.filter(pk=original.pk).update(**{counter: F(counter) + 1})
        if notify_type:
            notifications.notify(
                recipient_id=original.account_id,
                actor_id=account.pk,
                type=notify_type,
                status_id=original.pk,
            )
    else:
        deleted, _rows = model.objects.filter(account=account, status=original).delete()
        if not deleted:
            raise Conflict(missing)
        if counter:
            _decrement(Status, original.pk, counter)
    original.refresh_from_db()
    return original


@transaction.atomic(durable=True)
def status_favourite(*, account: User, status_id: int | str) -> Status:
    return _toggle_row(
        account=account,
        status_id=status_id,
        model=Favourite,
        add=True,
        counter="favourites_count",
        already=_("You already like this post."),
        missing="",
        notify_type=NotificationType.FAVOURITE,
    )


@transaction.atomic(durable=True)
def status_unfavourite(*, account: User, status_id: int | str) -> Status:
    return _toggle_row(
        account=account,
        status_id=status_id,
        model=Favourite,
        add=False,
        counter="favourites_count",
        already="",
        missing=_("You have not liked this post."),
    )


@transaction.atomic(durable=True)
def status_bookmark(*, account: User, status_id: int | str) -> Status:
    return _toggle_row(
        account=account,
        status_id=status_id,
        model=Bookmark,
        add=True,
        counter=None,
        already=_("This post is already in your bookmarks."),
        missing="",
    )


@transaction.atomic(durable=True)
def status_unbookmark(*, account: User, status_id: int | str) -> Status:
    return _toggle_row(
        account=account,
        status_id=status_id,
        model=Bookmark,
        add=False,
        counter=None,
        already="",
        missing=_("This post is not in your bookmarks."),
    )


@transaction.atomic(durable=True)
def status_pin(*, account: User, status_id: int | str) -> Status:
    """Pin one of one's own posts to the top of one's profile (at most five)."""
    status = _own_status(account, status_id)
    if status.reblog_of_id is not None:
        raise ValidationFailed(_("Reposts cannot be pinned; pin your own posts."))
    if status.visibility == Visibility.DIRECT:
        raise ValidationFailed(_("Direct posts cannot be pinned."))
    if Pin.objects.filter(account=account, status=status).exists():
        raise Conflict(_("This post is already pinned."))
    # Lock the account row so two pins at once cannot both pass the limit.
    User.objects.select_for_update().filter(pk=account.pk).first()
    if Pin.objects.filter(account=account).count() >= MAX_PINS:
        raise ValidationFailed(_("You can pin at most %(max)s posts.") % {"max": MAX_PINS})
    try:
        with transaction.atomic():
            Pin.objects.create(account=account, status=status)
    except IntegrityError:
        raise Conflict(_("This post is already pinned.")) from None
    return status


@transaction.atomic(durable=True)
def status_unpin(*, account: User, status_id: int | str) -> Status:
    status = _own_status(account, status_id)
    deleted, _rows = Pin.objects.filter(account=account, status=status).delete()
    if not deleted:
        raise Conflict(_("This post is not pinned."))
    return status


@transaction.atomic(durable=True)
def poll_vote(*, account: User, poll_id: int | str, choices: Sequence[int | str]) -> Poll:
    try:
        poll = Poll.objects.select_for_update().select_related("status").get(pk=lookup_id(poll_id))
    except (Poll.DoesNotExist, TypeError, ValueError):
        raise NotFound(_("This poll does not exist.")) from None
    status_for_viewer(viewer=account, status_id=poll.status_id)
    if poll.expires_at is not None and poll.expires_at <= timezone.now():
        raise ValidationFailed(_("This poll has ended."), field="choices")
    try:
        picked = sorted({parse_count(c, field="choices", maximum=1000) for c in choices})
    except ValidationFailed:
        raise ValidationFailed(_("Choose one of the poll's options."), field="choices") from None
    if not picked or any(c < 0 or c >= len(poll.options) for c in picked):
        raise ValidationFailed(_("Choose one of the poll's options."), field="choices")
    if len(picked) > 1 and not poll.multiple:
        raise ValidationFailed(_("This poll allows only one choice."), field="choices")
    if PollVote.objects.filter(poll=poll, account=account).exists():
        raise Conflict(_("You have already voted in this poll."), field="choices")
    PollVote.objects.bulk_create([PollVote(poll=poll, account=account, choice=c) for c in picked])
    Poll.objects.filter(pk=poll.pk).update(
        votes_count=F("votes_count") + len(picked), voters_count=F("voters_count") + 1
    )
    poll.refresh_from_db()
    return poll


def poll_results(poll: Poll) -> list[int]:
    """Votes per option, in option order."""
    counts = dict(PollVote.objects.filter(poll=poll).values_list("choice").annotate(n=Count("id")))
    return [counts.get(i, 0) for i in range(len(poll.options))]
