"""Rows of the database timeline store: one per (owner, status) delivered to a home timeline."""

from django.conf import settings
from django.db import models

from storefeed.core.ids import new_id


class HomeEntry(models.Model):
    """Indexed for exactly the store's queries (bench/home_indexes.py prints their plans): the
    unique (owner, status_id) serves pages in either direction, cursors, trim, the conflict
    check of a push and an owner's deletion (so `owner` needs no index of its own); (owner,
    author_id) serves removing an account from a home and a list's page; (status_id) serves
    deleting a post and `holding`, which would otherwise scan every home."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # The status as delivered (a repost is its own status). Kept as a plain id column so the
    # store works in ids only; a deleted status's rows are removed by the posts service.
    status_id = models.BigIntegerField()
    # Whose post it is, and for a repost whose post was reposted, so that unfollowing,
    # blocking or muting can remove an account's entries without joining statuses.
    author_id = models.BigIntegerField()
    origin_author_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "status_id"], name="timelines_home_unique")
        ]
        indexes = [
            models.Index(fields=["owner", "author_id"], name="timelines_home_author"),
            models.Index(fields=["status_id"], name="timelines_home_status"),
        ]


class RepliesPolicy(models.TextChoices):
    FOLLOWED = "followed", "followed"
    LIST = "list", "list"
    NONE = "none", "none"


class List(models.Model):
    """A named subset of the accounts one follows; its timeline is read from the home store."""

    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lists"
    )
    title = models.CharField(max_length=100)
    replies_policy = models.CharField(
        max_length=10, choices=RepliesPolicy.choices, default=RepliesPolicy.LIST
    )
    exclusive = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)


class ListMember(models.Model):
    list = models.ForeignKey(List, on_delete=models.CASCADE, related_name="members")
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["list", "account"], name="timelines_listmember_unique")
        ]


class MarkerTimeline(models.TextChoices):
    HOME = "home", "home"
    NOTIFICATIONS = "notifications", "notifications"


class Marker(models.Model):
    """Where an account stopped reading a timeline (Mastodon's Marker), saved by its apps so
    another app can carry on from there. `version` counts the changes (Mastodon's lock_version)."""

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="markers"
    )
    timeline = models.CharField(max_length=20, choices=MarkerTimeline.choices)
    last_read_id = models.BigIntegerField()
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "timeline"], name="timelines_marker_unique")
        ]
