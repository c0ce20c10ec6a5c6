"""A notification tells one account that another did something to them or their post."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from storefeed.core.ids import new_id
from storefeed.notifications.shop import shop_message


class NotificationType(models.TextChoices):
    FOLLOW = "follow", _("followed you")
    FOLLOW_REQUEST = "follow_request", _("asked to follow you")
    MENTION = "mention", _("mentioned you")
    REPLY = "reply", _("replied to your post")
    REBLOG = "reblog", _("reposted your post")
    FAVOURITE = "favourite", _("liked your post")
    # A new post by an account followed with notify on (Mastodon's "status").
    STATUS = "status", _("posted something new")
    # A post one reposted was edited by its author (Mastodon's "update").
    UPDATE = "update", _("edited a post you reposted")
    # Commerce events (seller program decisions, order changes); what happened is in `data`.
    SHOP = "shop", _("shop update")


class Notification(models.Model):
    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=20, choices=NotificationType.choices)
    # A string reference keeps this package free of imports from posts (posts sits above it).
    status = models.ForeignKey(
        "posts.Status", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # For "shop" notifications: {"event", "msgid", "params", "more", "url", ...}, the text
    # translated when read (see `shop.py`); rows from before that hold a formatted "message".
    data = models.JSONField(default=dict, blank=True)
    read = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["recipient", "-id"]),
            models.Index(fields=["recipient", "read"]),
        ]
        constraints = [
            # One notification per event: a second like of the same post, or a follow
            # repeated after an unfollow, refreshes the first instead of piling up.
            models.UniqueConstraint(
                fields=["recipient", "actor", "type", "status"],
                condition=models.Q(status__isnull=False) & ~models.Q(type="shop"),
                name="notifications_unique_status_event",
            ),
            models.UniqueConstraint(
                fields=["recipient", "actor", "type"],
                condition=models.Q(status__isnull=True) & ~models.Q(type="shop"),
                name="notifications_unique_account_event",
            ),
        ]

    @property
    def shop_message(self) -> str:
        """A shop notification's text in the active language ("" for other types)."""
        return shop_message(self.data) if self.type == NotificationType.SHOP else ""
