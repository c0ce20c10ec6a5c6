"""Follows, follow requests, blocks and mutes between accounts."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from storefeed.core.ids import new_id


class _Edge(models.Model):
    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class Follow(_Edge):
    follower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="following_edges"
    )
    target = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follower_edges"
    )
    show_reblogs = models.BooleanField(default=True)
    notify = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["follower", "target"], name="social_follow_unique"),
            models.CheckConstraint(
                condition=~Q(follower=F("target")), name="social_follow_not_self"
            ),
        ]
        indexes = [models.Index(fields=["target", "-id"])]


class FollowRequest(_Edge):
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follow_requests_sent"
    )
    target = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follow_requests_received"
    )
    show_reblogs = models.BooleanField(default=True)
    notify = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "target"], name="social_followrequest_unique"
            ),
            models.CheckConstraint(
                condition=~Q(account=F("target")), name="social_followrequest_not_self"
            ),
        ]


class Block(_Edge):
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_made"
    )
    target = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocked_by"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "target"], name="social_block_unique"),
            models.CheckConstraint(condition=~Q(account=F("target")), name="social_block_not_self"),
        ]


class Mute(_Edge):
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mutes_made"
    )
    target = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="muted_by"
    )
    hide_notifications = models.BooleanField(default=True)
    # A timed mute (`duration`): from then on it no longer applies (every read compares it
    # with the clock), and the sweep deletes it. None: until undone.
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "target"], name="social_mute_unique"),
            models.CheckConstraint(condition=~Q(account=F("target")), name="social_mute_not_self"),
        ]


class AccountNote(_Edge):
    """A private note an account keeps about another (Mastodon's `note` on the relationship)."""

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notes_made"
    )
    target = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    comment = models.TextField(max_length=2000)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "target"], name="social_note_unique"),
        ]


class Endorsement(_Edge):
    """An account featured on another's profile (Mastodon's endorse, once "pin"): only
    accounts one follows; unfollowing (or a block) ends it."""

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="endorsements_made"
    )
    target = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="endorsed_by"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "target"], name="social_endorsement_unique"),
            models.CheckConstraint(
                condition=~Q(account=F("target")), name="social_endorsement_not_self"
            ),
        ]
