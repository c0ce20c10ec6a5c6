"""Direct-message threads as each participant sees them (Mastodon's AccountConversation)."""

from django.conf import settings
from django.db import models

from storefeed.core.ids import new_id


class AccountConversation(models.Model):
    """One participant's view of one thread of direct posts: who else is in it, its newest
    direct post, and whether that is unread. A new direct post in the thread brings a
    deleted view back."""

    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversations"
    )
    # The thread's first post (kept as an id: the post may be deleted, the thread goes on).
    root_id = models.BigIntegerField()
    participant_ids = models.JSONField(default=list)  # the others, ascending
    last_status = models.ForeignKey(
        "posts.Status", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    unread = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "root_id"], name="conversations_one_per_thread"
            )
        ]
        indexes = [models.Index(fields=["account", "-last_status"])]
