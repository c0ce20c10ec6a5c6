"""Reads of grouped notifications (Mastodon 4.3's `/api/v2/notifications`): a page of groups,
each with its size, its newest accounts and where it lies in the page."""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Max, QuerySet, Window
from django.db.models.functions import RowNumber

from storefeed.accounts.models import User
from storefeed.notifications.models import GROUPED_TYPES, Notification, NotificationType
from storefeed.notifications.selectors import _visible

SAMPLE_ACCOUNTS = 8
# A page scans at most this many batches of rows: a post liked ten thousand times fills a
# page with one group instead of reading every like (Mastodon bounds its scan the same way).
SCAN_BATCHES = 4


@dataclass
class Group:
    key: str
    type: str
    status_id: int | None
    page_max_id: int
    page_min_id: int
    latest_page_at: dt.datetime
    count: int = 1
    most_recent_id: int = 0
    sample_account_ids: list[int] = field(default_factory=list)
    newest: Notification | None = None


def client_key(row: Mapping[str, Any], grouped_types: Iterable[str]) -> str:
    """The key a client sees: the stored one for a type it groups, else one per notification."""
    if row["group_key"] and row["type"] in grouped_types:
        return str(row["group_key"])
    return f"ungrouped-{row['id']}"


def _filtered(
    account: User,
    *,
    types: Iterable[str] | None,
    exclude_types: Iterable[str],
    actor_id: int | None,
    include_filtered: bool,
) -> QuerySet[Notification]:
    qs = _visible(account, include_filtered=include_filtered)
    if types is not None:
        qs = qs.filter(type__in=[t for t in types if t in NotificationType.values])
    if exclude_types:
        qs = qs.exclude(type__in=list(exclude_types))
    if actor_id is not None:
        qs = qs.filter(actor_id=actor_id)
    return qs


def notification_groups(
    *,
    account: User,
    max_id: int | None = None,
    since_id: int | None = None,
    min_id: int | None = None,
    limit: int = 40,
    types: Iterable[str] | None = None,
    exclude_types: Iterable[str] = (),
    actor_id: int | None = None,
    grouped_types: Iterable[str] = GROUPED_TYPES,
    include_filtered: bool = False,
) -> list[Group]:
    """Newest group first. The page is made of notifications in id order from the cursor,
    cut into groups by key, until `limit` groups; a group's `page_max_id`/`page_min_id` say
    which of its notifications the page covered (an older part may come on the next page)."""
    grouped = frozenset(grouped_types)
    base = _filtered(
        account,
        types=types,
        exclude_types=exclude_types,
        actor_id=actor_id,
        include_filtered=include_filtered,
    )
    ascending = min_id is not None and max_id is None
    qs = base
    if max_id is not None:
        qs = qs.filter(id__lt=max_id)
    if since_id is not None:
        qs = qs.filter(id__gt=since_id)
    if min_id is not None:
        qs = qs.filter(id__gt=min_id)
    qs = qs.order_by("id" if ascending else "-id")
    groups: dict[str, Group] = {}
    batch = limit * 2
    cursor: int | None = None
    for _ in range(SCAN_BATCHES):
        page = qs
        if cursor is not None:
            page = page.filter(id__gt=cursor) if ascending else page.filter(id__lt=cursor)
        rows = list(
            page.values("id", "type", "group_key", "status_id", "actor_id", "created_at")[:batch]
        )
        for row in rows:
            key = client_key(row, grouped)
            group = groups.get(key)
            if group is None:
                if len(groups) == limit:
                    break
                groups[key] = Group(
                    key=key,
                    type=row["type"],
                    status_id=row["status_id"],
                    page_max_id=row["id"],
                    page_min_id=row["id"],
                    latest_page_at=row["created_at"],
                    most_recent_id=row["id"],
                    sample_account_ids=[row["actor_id"]],
                )
            else:
                group.page_max_id = max(group.page_max_id, row["id"])
                group.page_min_id = min(group.page_min_id, row["id"])
                if row["created_at"] > group.latest_page_at:
                    group.latest_page_at = row["created_at"]
        else:
            if len(rows) == batch:
                cursor = rows[-1]["id"]
                continue
        break
    ordered = sorted(groups.values(), key=lambda g: g.page_max_id, reverse=True)
    _complete(base, [g for g in ordered if not g.key.startswith("ungrouped-")])
    newest = Notification.objects.select_related("actor", "actor__expert_field").in_bulk(
        [g.page_max_id for g in ordered]
    )
    for g in ordered:
        g.newest = newest.get(g.page_max_id)
    return ordered


def _complete(base: QuerySet[Notification], groups: list[Group]) -> None:
    """Each real group's size, newest notification and newest accounts, in two queries."""
    if not groups:
        return
    keys = [g.key for g in groups]
    totals = {
        row["group_key"]: row
        for row in base.filter(group_key__in=keys)
        .values("group_key")
        .annotate(count=Count("id"), most=Max("id"))
    }
    # One notification per account and group (the unique constraint on the event), so the
    # newest rows are the newest accounts.
    samples = (
        base.filter(group_key__in=keys)
        .annotate(rank=Window(RowNumber(), partition_by=F("group_key"), order_by=F("id").desc()))
        .filter(rank__lte=SAMPLE_ACCOUNTS)
        .order_by("group_key", "rank")
        .values_list("group_key", "actor_id")
    )
    accounts: dict[str, list[int]] = {}
    for key, actor in samples:
        accounts.setdefault(key, []).append(actor)
    for g in groups:
        total = totals.get(g.key)
        if total is not None:
            g.count = total["count"]
            g.most_recent_id = total["most"]
        g.sample_account_ids = accounts.get(g.key, g.sample_account_ids)


def group_notifications(
    *, account: User, group_key: str, include_filtered: bool = True
) -> QuerySet[Notification]:
    """The notifications of one group as the client names it, newest first."""
    qs = _visible(account, include_filtered=include_filtered)
    if group_key.startswith("ungrouped-"):
        number = group_key.removeprefix("ungrouped-")
        if not number.isascii() or not number.isdigit() or len(number) > 19:
            return qs.none()
        return qs.filter(pk=int(number))
    return qs.filter(group_key=group_key).order_by("-id")


def group_one(*, account: User, group_key: str) -> Group | None:
    """One group, whole (as `GET /api/v2/notifications/:group_key` shows it)."""
    rows = list(
        group_notifications(account=account, group_key=group_key).values(
            "id", "type", "group_key", "status_id", "actor_id", "created_at"
        )[:1]
    )
    if not rows:
        return None
    row = rows[0]
    group = Group(
        key=group_key,
        type=row["type"],
        status_id=row["status_id"],
        page_max_id=row["id"],
        page_min_id=row["id"],
        latest_page_at=row["created_at"],
        most_recent_id=row["id"],
        sample_account_ids=[row["actor_id"]],
    )
    if not group_key.startswith("ungrouped-"):
        base = _visible(account, include_filtered=True)
        _complete(base, [group])
        first = base.filter(group_key=group_key).order_by("id").values_list("id", flat=True)
        group.page_min_id = first.first() or group.page_min_id
    group.newest = (
        Notification.objects.select_related("actor", "actor__expert_field")
        .filter(pk=group.most_recent_id)
        .first()
    )
    return group


def group_accounts(*, account: User, group_key: str, limit: int = 80) -> list[User]:
    """The accounts of a group, newest first."""
    actor_ids = list(
        group_notifications(account=account, group_key=group_key).values_list(
            "actor_id", flat=True
        )[:limit]
    )
    users = User.objects.select_related("expert_field").in_bulk(actor_ids)
    return [users[pk] for pk in actor_ids if pk in users]


def unread_group_count(
    *,
    account: User,
    limit: int = 100,
    types: Iterable[str] | None = None,
    exclude_types: Iterable[str] = (),
    actor_id: int | None = None,
    grouped_types: Iterable[str] = GROUPED_TYPES,
) -> int:
    """How many groups hold unread notifications, counted up to `limit`."""
    grouped = frozenset(grouped_types)
    qs = _filtered(
        account, types=types, exclude_types=exclude_types, actor_id=actor_id, include_filtered=False
    ).filter(read=False)
    keys: set[str] = set()
    for row in qs.order_by("-id").values("id", "type", "group_key")[: limit * 4]:
        keys.add(client_key(row, grouped))
        if len(keys) >= limit:
            break
    return len(keys)
