"""What the API layer does when the domains below announce something."""

from typing import Any

from storefeed.api import push
from storefeed.api.tasks import deliver_push


def on_notifications_made(*, notification_ids: list[int], **_kwargs: Any) -> None:
    """Enqueue Web Push delivery when a recipient has a subscription (after the commit)."""
    if push.accounts_with_subscriptions(notification_ids):
        deliver_push.enqueue(notification_ids)
