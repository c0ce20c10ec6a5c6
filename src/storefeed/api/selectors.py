"""Reads the Mastodon API needs that no domain selector gives yet: the accounts a user has
blocked or muted, newest first, with the edge id as the paging cursor."""

from django.db.models import F

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
    """Whom `account` mutes (each with `edge_id`, the mute's id)."""
    return _edges(relation="muted_by", account=account, max_id=max_id, limit=limit)
