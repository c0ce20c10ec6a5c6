"""`notifications_made`: sent after the commit that made notifications, with their ids, for the
layers above that deliver them elsewhere (Web Push, in storefeed.api) without this package
knowing them."""

from collections.abc import Sequence

from django.db import transaction
from django.dispatch import Signal

# Keyword argument: notification_ids (list[int]). Some may not exist by the time a receiver
# reads them (an insert that met an identical notification, a dismissal): receivers re-read.
notifications_made = Signal()


def announce(notification_ids: Sequence[int]) -> None:
    """Send `notifications_made` once the current transaction commits (at once outside one)."""
    ids = list(notification_ids)
    if ids:
        transaction.on_commit(
            lambda: notifications_made.send_robust(sender=None, notification_ids=ids), robust=True
        )
