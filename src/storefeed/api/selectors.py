"""Reads the Mastodon API needs that no domain selector gives yet: the accounts a user has
blocked or muted, newest first, with the edge id as the paging cursor."""

from django.db.models import F, Q
from django.utils import timezone

from storefeed.accounts.models import User


def _edges(*, relation: str, account: User, max_id: int | None, limit: int) -> list[User]:
    filters: dict[str, object] = {f"{relation}__account": account}
    if max_id is not None:
        filters[f"{relation}__id__lt"] = max_id
    return list(
        User.objects.filter(**filters)
        .select_related("expert_field")
        .annotate(edge_id=F(f"{relation}__id"))
        .order_by("-edge_id")[: max(1, min(limit, 80))]
    )


def blocked_accounts(*, account: User, max_id: int | None = None, limit: int = 40) -> list[User]:
    """Whom `account` blocks (each with `edge_id`, the block's id)."""
    return _edges(relation="blocked_by", account=account, max_id=max_id, limit=limit)


def muted_accounts(*, account: User, max_id: int | None = None, limit: int = 40) -> list[User]:
    """Whom `account` mutes now (each with `edge_id`, the mute's id, and `mute_expires_at`,
    the end of a timed mute or None); ended timed mutes are left out."""
    filters: dict[str, object] = {"muted_by__account": account}
    if max_id is not None:
        filters["muted_by__id__lt"] = max_id
    # One filter() call: every condition applies to the same mute row.
    return list(
        User.objects.filter(
            Q(muted_by__expires_at__isnull=True) | Q(muted_by__expires_at__gt=timezone.now()),
            **filters,
        )
        .select_related("expert_field")
        .annotate(edge_id=F("muted_by__id"), mute_expires_at=F("muted_by__expires_at"))
        .order_by("-edge_id")[: max(1, min(limit, 80))]
    )
