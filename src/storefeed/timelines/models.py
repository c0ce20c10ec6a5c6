"""Rows of the database timeline store: one per (owner, status) delivered to a home timeline."""

from django.conf import settings
from django.db import models


class HomeEntry(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
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
            models.Index(fields=["owner", "-status_id"], name="timelines_home_page"),
            models.Index(fields=["owner", "author_id"], name="timelines_home_author"),
        ]
