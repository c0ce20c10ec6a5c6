"""Writes to notifications. `notify`, `notify_once` and `notification_withdraw` run inside
the caller's work (the follow or the like that caused them, the fan-out of a new post), so
they open a savepoint at most, never a durable transaction."""

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from storefeed.accounts.models import User
from storefeed.core import events
from storefeed.core.errors import NotFound
from storefeed.core.ids import new_id
from storefeed.core.parse import lookup_id
from storefeed.notifications import policy
from storefeed.notifications.models import (
    Notification,
    NotificationPermission,
    NotificationPolicy,
    NotificationRequest,
    NotificationType,
    PolicyChoice,
    group_key_for,
)
from storefeed.notifications.shop import Part
from storefeed.notifications.signals import announce
from storefeed.notifications.threads import muting_thread


def _suppressing(actor_id: int) -> Q:
    """Recipients who block the actor, whom the actor blocks, or who muted the actor with
    notifications hidden. The social tables are read through the user model's reverse
    relations, so this package does not import social (it sits below social in the layers)."""
    return (
        Q(blocks_made__target_id=actor_id)
        | Q(blocked_by__account_id=actor_id)
        | Q(
            Q(mutes_made__expires_at__isnull=True) | Q(mutes_made__expires_at__gt=timezone.now()),
            mutes_made__target_id=actor_id,
            mutes_made__hide_notifications=True,
        )
    )


def _suppressed(*, recipient_id: int, actor_id: int) -> bool:
    return User.objects.filter(pk=recipient_id).filter(_suppressing(actor_id)).exists()


def _same_event(
    *, recipient_id: int, actor_id: int, type: str, status_id: int | None
) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient_id=recipient_id, actor_id=actor_id, type=type)
    if status_id is None:
        return qs.filter(status__isnull=True)
    return qs.filter(status_id=status_id)


def notify(
    *, recipient_id: int, actor_id: int, type: str, status_id: int | None = None
) -> Notification | None:
    """Tell `recipient_id` that `actor_id` did `type` (to `status_id`). Nothing for one's
    own actions, or from blocked or notification-muted accounts. A repeated event (liking
    again after an unlike) refreshes the existing notification: it comes back to the top,
    unread, instead of piling up a second one. The recipient's notification policy may drop
    it (None) or hold it back in a notification request (`filtered`)."""
    if type not in NotificationType.values:
        raise ValueError(f"unknown notification type {type!r}")
    if recipient_id == actor_id or _suppressed(recipient_id=recipient_id, actor_id=actor_id):
        return None
    if status_id is not None and muting_thread([recipient_id], status_id):
        return None  # the recipient muted this thread
    decision = policy.decide(
        recipient_ids=[recipient_id], actor_id=actor_id, type=type, status_id=status_id
    )[recipient_id]
    if decision == PolicyChoice.DROP:
        return None
    filtered = decision == PolicyChoice.FILTER
    same = _same_event(recipient_id=recipient_id, actor_id=actor_id, type=type, status_id=status_id)
    existing = same.first()
    now = timezone.now()
    if filtered:
        policy.request_record(recipient_id=recipient_id, actor_id=actor_id, status_id=status_id)
    else:
        events.publish("notification", recipients=[recipient_id])
    if existing is None:
        try:
            with transaction.atomic():
                made = Notification.objects.create(
                    recipient_id=recipient_id,
                    actor_id=actor_id,
                    type=type,
                    status_id=status_id,
                    group_key=group_key_for(type, status_id, now),
                    filtered=filtered,
                )
            if not filtered:
                announce([made.pk])
            return made
        except IntegrityError:
            # A concurrent identical event won the insert; refresh that one below.
            existing = same.first()
            if existing is None:
                raise
    # Refresh: a new time-sortable id moves it to the top (nothing references the id).
    fresh_id = new_id()
    Notification.objects.filter(pk=existing.pk).update(
        id=fresh_id,
        read=False,
        created_at=now,
        group_key=group_key_for(type, status_id, now),
        filtered=filtered,
    )
    if not filtered:
        announce([fresh_id])
    return Notification.objects.get(pk=fresh_id)


def _recipients(recipient_ids: Iterable[int], actor_id: int, status_id: int) -> list[int]:
    """`recipient_ids` without the actor, the suppressed (see `_suppressing`) and those who
    muted `status_id`'s thread, sorted."""
    wanted = set(recipient_ids) - {actor_id}
    if not wanted:
        return []
    suppressed = set(
        User.objects.filter(pk__in=wanted)
        .filter(_suppressing(actor_id))
        .values_list("pk", flat=True)
    )
    wanted -= suppressed
    return sorted(wanted - muting_thread(wanted, status_id))


def _insert_missing(recipients: list[int], *, actor_id: int, type: str, status_id: int) -> int:
    """One notification per recipient; the unique constraint on (recipient, actor, type,
    status) turns one that exists already into nothing. The recipients' policies drop some
    and hold some back (`policy.decide`). Returns len(recipients)."""
    decided = policy.decide(
        recipient_ids=recipients, actor_id=actor_id, type=type, status_id=status_id
    )
    kept = [r for r in recipients if decided[r] != PolicyChoice.DROP]
    held = {r for r in kept if decided[r] == PolicyChoice.FILTER}
    if held:
        # A request counts a notification once: one already made (a task run twice) is not new.
        made = Notification.objects.filter(
            recipient_id__in=held, actor_id=actor_id, type=type, status_id=status_id
        ).values_list("recipient_id", flat=True)
        for r in sorted(held - set(made)):
            policy.request_record(recipient_id=r, actor_id=actor_id, status_id=status_id)
    events.publish("notification", recipients=[r for r in kept if r not in held])
    now = timezone.now()
    rows = [
        Notification(
            recipient_id=r,
            actor_id=actor_id,
            type=type,
            status_id=status_id,
            group_key=group_key_for(type, status_id, now),
            filtered=r in held,
        )
        for r in kept
    ]
    Notification.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    # The ids were drawn before the insert; a row that met an existing one is simply not
    # there. Held-back notifications are not pushed.
    announce([row.pk for row in rows if not row.filtered])
    return len(recipients)


def notify_once(*, recipient_ids: Iterable[int], actor_id: int, type: str, status_id: int) -> int:
    """Tell several accounts that `actor_id` did `type` with `status_id` (a new post, for
    those who asked to hear of them), leaving out the actor and the suppressed (see
    `_suppressed`). Unlike `notify`, an event already notified is left as it is: a task run
    twice must not bring it back to the top. Returns how many recipients remained."""
    if type not in NotificationType.values:
        raise ValueError(f"unknown notification type {type!r}")
    recipients = _recipients(recipient_ids, actor_id, status_id)
    if not recipients:
        return 0
    return _insert_missing(recipients, actor_id=actor_id, type=type, status_id=status_id)


def notify_since(
    *, recipient_ids: Iterable[int], actor_id: int, type: str, status_id: int, since: dt.datetime
) -> int:
    """Tell several accounts of an event that can happen again to the same status (an edit):
    a notification of it from before `since` is replaced by a fresh one, unread, on top; one
    from `since` on is left as it is, so a task run twice notifies once. The actor and the
    suppressed (see `_suppressing`) are left out. Returns how many recipients remained."""
    if type not in NotificationType.values:
        raise ValueError(f"unknown notification type {type!r}")
    recipients = _recipients(recipient_ids, actor_id, status_id)
    if not recipients:
        return 0
    Notification.objects.filter(
        recipient_id__in=recipients,
        actor_id=actor_id,
        type=type,
        status_id=status_id,
        created_at__lt=since,
    ).delete()
    return _insert_missing(recipients, actor_id=actor_id, type=type, status_id=status_id)


def notify_shop(
    *,
    recipient_id: int,
    actor_id: int,
    event: str,
    message: dict[str, Any],
    more: Sequence[Part] = (),
    url: str = "",
    save: bool = True,
    **data: object,
) -> Notification:
    """A commerce event (an application decided, an order shipped): always a new row, since
    each event matters on its own. `message` is a `shop.shop_text` (an untranslated msgid and
    its parameters) and `more` the parts that follow it (more `shop_text`s, or a person's own
    words as plain text): they are stored as such and translated when read (`shop_message`),
    in the language of whoever reads them. `save=False`: the row unsaved, for a service that
    inserts it with its own statements (checkout, `core.sql`)."""
    text: dict[str, object] = {"msgid": message["msgid"], "params": message.get("params", {})}
    if more:
        text["more"] = list(more)
    note = Notification(
        recipient_id=recipient_id,
        actor_id=actor_id,
        type=NotificationType.SHOP,
        data={"event": event, **text, "url": url, **data},
    )
    if save:
        note.save(force_insert=True)
    # Also when the caller inserts the row itself: the event goes out after its commit.
    events.publish("notification", recipients=[recipient_id])
    return note


def notification_withdraw(
    *, recipient_id: int, actor_id: int, type: str, status_id: int | None = None
) -> int:
    """Remove the notification of an event that was undone (a withdrawn follow request).
    Returns how many were removed."""
    deleted, _counts = _same_event(
        recipient_id=recipient_id, actor_id=actor_id, type=type, status_id=status_id
    ).delete()
    return deleted


def notifications_mark_all_read(*, account: User) -> int:
    """Mark every notification of `account` read; returns how many changed."""
    with transaction.atomic(durable=True):
        return Notification.objects.filter(recipient=account, read=False).update(read=True)


def notifications_mark_read_up_to(*, account: User, newest_id: int) -> int:
    """Mark read what `account` has seen: every notification up to `newest_id` (one that
    arrives meanwhile stays unread). Returns how many changed."""
    with transaction.atomic(durable=True):
        return Notification.objects.filter(recipient=account, read=False, pk__lte=newest_id).update(
            read=True
        )


def notification_dismiss(*, account: User, notification_id: int | str) -> None:
    """Remove one of one's own notifications (NotFound for anyone else's)."""
    with transaction.atomic(durable=True):
        try:
            deleted, _rows = Notification.objects.filter(
                pk=lookup_id(notification_id), recipient=account
            ).delete()
        except (TypeError, ValueError):
            deleted = 0
        if not deleted:
            raise NotFound(_("This notification does not exist."))


def notifications_clear(*, account: User) -> int:
    with transaction.atomic(durable=True):
        deleted, _rows = Notification.objects.filter(recipient=account).delete()
        return deleted


def notification_group_dismiss(*, account: User, notifications: QuerySet[Notification]) -> None:
    """Remove every notification of one group (`grouped.group_notifications`); NotFound when
    it has none."""
    with transaction.atomic(durable=True):
        deleted, _rows = Notification.objects.filter(
            pk__in=list(notifications.values_list("pk", flat=True)), recipient=account
        ).delete()
        if not deleted:
            raise NotFound(_("This notification does not exist."))


POLICY_FIELDS = (
    "for_not_following",
    "for_not_followers",
    "for_new_accounts",
    "for_private_mentions",
    "for_limited_accounts",
)


def notification_policy_update(*, account: User, changes: dict[str, str]) -> NotificationPolicy:
    """Set some of the policy's choices (each accept, filter or drop: checked by the caller
    with `PolicyChoice`)."""
    for name, value in changes.items():
        if name not in POLICY_FIELDS or value not in PolicyChoice.values:
            raise ValueError(f"bad policy change {name}={value!r}")
    with transaction.atomic(durable=True):
        current, _created = NotificationPolicy.objects.select_for_update().get_or_create(
            account=account
        )
        for name, value in changes.items():
            setattr(current, name, value)
        if changes:
            current.save(update_fields=list(changes))
        return current


def notification_requests_accept(*, account: User, request_ids: Sequence[int]) -> int:
    """Accept requests: their notifications join the others, and what the accounts do from
    now on always reaches `account`. Returns how many requests there were."""
    with transaction.atomic(durable=True):
        requests = list(
            NotificationRequest.objects.select_for_update().filter(
                recipient=account, pk__in=request_ids
            )
        )
        senders = [r.from_account_id for r in requests]
        NotificationPermission.objects.bulk_create(
            [NotificationPermission(recipient=account, from_account_id=s) for s in senders],
            ignore_conflicts=True,
        )
        Notification.objects.filter(recipient=account, actor_id__in=senders, filtered=True).update(
            filtered=False
        )
        NotificationRequest.objects.filter(pk__in=[r.pk for r in requests]).delete()
    if senders:
        events.publish("notification", recipients=[account.pk])
    return len(requests)


def notification_requests_dismiss(*, account: User, request_ids: Sequence[int]) -> int:
    """Dismiss requests: they and the notifications they held go. A later notification from
    the same account is filtered again (a new request). Returns how many there were."""
    with transaction.atomic(durable=True):
        requests = list(
            NotificationRequest.objects.select_for_update().filter(
                recipient=account, pk__in=request_ids
            )
        )
        senders = [r.from_account_id for r in requests]
        Notification.objects.filter(recipient=account, actor_id__in=senders, filtered=True).delete()
        NotificationRequest.objects.filter(pk__in=[r.pk for r in requests]).delete()
    return len(requests)
