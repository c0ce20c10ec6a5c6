"""Reads of notifications: a page of them with everything a row shows, and the unread count."""

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from storefeed.accounts.models import User
from storefeed.core import sql
from storefeed.notifications.models import Notification, NotificationType


def _visible(account: User, *, include_filtered: bool = False) -> QuerySet[Notification]:
    """The account's notifications minus those from accounts it blocks, that block it, or
    that it muted with notifications hidden (a block made after the event hides it too), and
    minus those its notification policy held back unless `include_filtered`."""
    actor = OuterRef("actor_id")
    blocks = User.objects.filter(pk=account.pk, blocks_made__target_id=actor)
    blocked_by = User.objects.filter(pk=account.pk, blocked_by__account_id=actor)
    muted = User.objects.filter(
        Q(mutes_made__expires_at__isnull=True) | Q(mutes_made__expires_at__gt=timezone.now()),
        pk=account.pk,
        mutes_made__target_id=actor,
        mutes_made__hide_notifications=True,
    )
    qs = Notification.objects.filter(recipient=account)
    if not include_filtered:
        qs = qs.filter(filtered=False)
    return qs.exclude(Exists(blocks) | Exists(blocked_by) | Exists(muted))


def notifications_for(
    *,
    account: User,
    max_id: int | None = None,
    since_id: int | None = None,
    min_id: int | None = None,
    limit: int = 30,
    types: Iterable[str] | None = None,
    exclude_types: Iterable[str] | None = None,
    actor_id: int | None = None,
    include_filtered: bool = False,
) -> list[Notification]:
    """Newest first, before `max_id`, in one query whatever the page size: the actor, its
    expert field, and the status with its author are joined in."""
    limit = max(1, min(int(limit), 80))
    qs = _visible(account, include_filtered=include_filtered).select_related(
        "actor", "actor__expert_field", "status", "status__account"
    )
    if max_id is not None:
        qs = qs.filter(id__lt=max_id)
    if since_id is not None:
        qs = qs.filter(id__gt=since_id)
    if types is not None:
        wanted = [t for t in types if t in NotificationType.values]
        qs = qs.filter(type__in=wanted)
    if exclude_types:
        qs = qs.exclude(type__in=list(exclude_types))
    if actor_id is not None:
        qs = qs.filter(actor_id=actor_id)
    if min_id is not None:
        return list(qs.filter(id__gt=min_id).order_by("id")[:limit])[::-1]
    return list(qs.order_by("-id")[:limit])


def unread_count(*, account: User) -> int:
    """What `_visible` leaves of the unread ones, counted. Every web page shows it, so it is
    one plain query (core/sql.py; the ORM took longer to build it than the database to answer).
    Blocks and mutes are social's tables, reached through the User's relations: notifications
    sits below social and does not import it."""
    notes = sql.table(Notification)
    blocks = sql.table(User._meta.get_field("blocks_made").related_model)
    mutes = sql.table(User._meta.get_field("mutes_made").related_model)
    [(count,)] = sql.rows(
        f"""SELECT COUNT(*) FROM {notes} n
            WHERE n.recipient_id = %s AND NOT n.read AND NOT n.filtered
            AND NOT EXISTS (SELECT 1 FROM {blocks} b
                WHERE b.account_id = %s AND b.target_id = n.actor_id)
            AND NOT EXISTS (SELECT 1 FROM {blocks} b
                WHERE b.account_id = n.actor_id AND b.target_id = %s)
            AND NOT EXISTS (SELECT 1 FROM {mutes} m
                WHERE m.account_id = %s AND m.target_id = n.actor_id AND m.hide_notifications
                AND (m.expires_at IS NULL OR m.expires_at > %s))""",  # noqa: S608
        [account.pk] * 4 + [sql.datetime_param(timezone.now())],
    )
    return int(count)
