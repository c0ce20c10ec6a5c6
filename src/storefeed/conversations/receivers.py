"""How conversations answer the posts package's events (inside the post's transaction)."""

from typing import Any

from django.dispatch import receiver

from storefeed.conversations.services import conversation_add_status, conversation_remove_statuses
from storefeed.posts.signals import status_created, status_deleted


@receiver(status_created, dispatch_uid="conversations.add_status")
def add_status(sender: Any, *, status_id: int, **kwargs: Any) -> None:
    conversation_add_status(status_id=status_id)


@receiver(status_deleted, dispatch_uid="conversations.remove_statuses")
def remove_statuses(sender: Any, *, status_id: int, **kwargs: Any) -> None:
    conversation_remove_statuses(status_ids=kwargs.get("status_ids") or [status_id])
