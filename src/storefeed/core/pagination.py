"""Mastodon's cursors over time-sortable ids: one page of ids out of any queryset."""

from typing import Any

from django.db.models import QuerySet


def ids_page(
    qs: QuerySet[Any],
    field: str = "pk",
    *,
    max_id: int | None = None,
    since_id: int | None = None,
    min_id: int | None = None,
    limit: int = 20,
) -> list[int]:
    """The ids in `field` of `qs` within the cursor bounds, newest first: the newest `limit`
    below `max_id` and above `since_id`, or with `min_id` the `limit` just above it (read
    oldest first, then reversed), as Mastodon's cursors do."""
    if max_id is not None:
        qs = qs.filter(**{f"{field}__lt": max_id})
    if since_id is not None:
        qs = qs.filter(**{f"{field}__gt": since_id})
    if min_id is not None:
        ids = qs.filter(**{f"{field}__gt": min_id}).order_by(field)
        return list(ids.values_list(field, flat=True)[:limit])[::-1]
    return list(qs.order_by(f"-{field}").values_list(field, flat=True)[:limit])
