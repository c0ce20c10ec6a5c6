"""A notification tells one account that another did something to them or their post."""

import datetime as dt

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
    # A post of one's was quoted (Mastodon 4.5's "quote").
    QUOTE = "quote", _("quoted your post")
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
    # Mastodon's grouped notifications: likes, reposts and follows of the same target on the
    # same day share a key (`group_key_for`); "" for the others ("ungrouped-<id>" to clients).
    group_key = models.CharField(max_length=64, blank=True, default="")
    # Held back by the recipient's notification policy: shown only in its request, until the
    # request is accepted.
    filtered = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["recipient", "-id"]),
            models.Index(fields=["recipient", "read"]),
            models.Index(fields=["recipient", "group_key", "-id"], name="notifications_group"),
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


# Types Mastodon groups by default, and how long a group gathers (one UTC day).
GROUPED_TYPES = ("favourite", "follow", "reblog")
GROUP_SECONDS = 86400


def group_key_for(type: str, status_id: int | None, at: dt.datetime) -> str:
    if type not in GROUPED_TYPES:
        return ""
    return f"{type}-{status_id or 0}-{int(at.timestamp()) // GROUP_SECONDS}"


class PolicyChoice(models.TextChoices):
    ACCEPT = "accept", _("accept")
    FILTER = "filter", _("filter")
    DROP = "drop", _("drop")


class NotificationPolicy(models.Model):
    """Mastodon 4.3's notification policy: what happens to notifications from accounts one
    does not follow, that do not follow one, that are new, and to unsolicited private
    mentions. No row: Mastodon's defaults."""

    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="notification_policy",
    )
    for_not_following = models.CharField(
        max_length=6, choices=PolicyChoice.choices, default=PolicyChoice.ACCEPT
    )
    for_not_followers = models.CharField(
        max_length=6, choices=PolicyChoice.choices, default=PolicyChoice.ACCEPT
    )
    for_new_accounts = models.CharField(
        max_length=6, choices=PolicyChoice.choices, default=PolicyChoice.ACCEPT
    )
    for_private_mentions = models.CharField(
        max_length=6, choices=PolicyChoice.choices, default=PolicyChoice.FILTER
    )
    # Storefeed limits no accounts (no moderation "silence"): stored for clients, never met.
    for_limited_accounts = models.CharField(
        max_length=6, choices=PolicyChoice.choices, default=PolicyChoice.FILTER
    )


class NotificationRequest(models.Model):
    """The notifications from one account that the recipient's policy filtered."""

    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_requests"
    )
    from_account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    last_status = models.ForeignKey(
        "posts.Status", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notifications_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "from_account"], name="notification_requests_unique"
            )
        ]


class NotificationPermission(models.Model):
    """An accepted request: notifications from `from_account` always reach `recipient`."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    from_account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "from_account"], name="notification_permissions_unique"
            )
        ]
