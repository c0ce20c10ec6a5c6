"""What the API layer does when the domains below announce something."""

from typing import Any

from storefeed.api import push
from storefeed.api.tasks import deliver_push

# A post's fan-out may notify thousands at once: looked at (and queued) in slices.
CHUNK = 500


def on_notifications_made(*, notification_ids: list[int], **_kwargs: Any) -> None:
    """Enqueue Web Push delivery when a recipient has a subscription (after the commit)."""
    for start in range(0, len(notification_ids), CHUNK):
        chunk = notification_ids[start : start + CHUNK]
        if push.accounts_with_subscriptions(chunk):
            deliver_push.enqueue(chunk)
