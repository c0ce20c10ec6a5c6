"""How the social graph answers events from the accounts package."""

from typing import Any

from django.dispatch import receiver

from storefeed.accounts.signals import account_unlocked
from storefeed.social.services import follow_requests_authorize_all


@receiver(account_unlocked, dispatch_uid="social.approve_requests_on_unlock")
def approve_requests_on_unlock(sender: Any, *, account_id: int, **kwargs: Any) -> None:
    # An unlocked account takes followers without approval, so whoever was waiting is in.
    follow_requests_authorize_all(target_id=account_id)
