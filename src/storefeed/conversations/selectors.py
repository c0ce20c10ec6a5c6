"""Reads of direct-message conversations."""

from storefeed.accounts.models import User
from storefeed.conversations.models import AccountConversation


def conversations_for(
    *,
    account: User,
    max_id: int | None = None,
    since_id: int | None = None,
    min_id: int | None = None,
    limit: int = 20,
) -> list[AccountConversation]:
    """The account's conversations, newest post first; cursors are the last posts' ids, as
    Mastodon pages them."""
    qs = AccountConversation.objects.filter(account=account, last_status__isnull=False)
    if max_id is not None:
        qs = qs.filter(last_status_id__lt=max_id)
    if since_id is not None:
        qs = qs.filter(last_status_id__gt=since_id)
    if min_id is not None:
        rows = list(qs.filter(last_status_id__gt=min_id).order_by("last_status_id")[:limit])
        return rows[::-1]
    return list(qs.order_by("-last_status_id")[:limit])
