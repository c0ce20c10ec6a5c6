"""Statuses, modelled on Mastodon's so the client API can expose them one to one."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from storefeed.core.fulltext import DocumentField
from storefeed.core.ids import new_id


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    UNLISTED = "unlisted", _("Unlisted")
    PRIVATE = "private", _("Followers only")
    DIRECT = "direct", _("Mentioned people only")


class QuotePolicy(models.TextChoices):
    """Who may quote a post (Mastodon 4.5's quote approval policy)."""

    PUBLIC = "public", _("Anyone")
    FOLLOWERS = "followers", _("Followers only")
    NOBODY = "nobody", _("Just me")


class QuoteState(models.TextChoices):
    """What became of a quote's link to the quoted post."""

    ACCEPTED = "accepted", _("accepted")
    REVOKED = "revoked", _("removed by the author of the quoted post")
    DELETED = "deleted", _("the quoted post was deleted")


class Tag(models.Model):
    name = models.CharField(max_length=100)  # as first typed
    key = models.CharField(max_length=100, unique=True)  # normalized (NFKC, case-folded)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"#{self.name}"


class Status(models.Model):
    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="statuses"
    )
    text = models.TextField(blank=True)  # the source, as typed
    content = models.TextField(blank=True)  # cleaned HTML rendered from `text`
    spoiler_text = models.CharField(max_length=200, blank=True)
    sensitive = models.BooleanField(default=False)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    language = models.CharField(max_length=10, blank=True)
    in_reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    in_reply_to_account = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A plain repost is a status with no text of its own that points at the original.
    reblog_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="reblogs"
    )
    # A repost with a comment (a quote) has its own text and points at the original.
    quote_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="quotes"
    )
    # For a quote: accepted, or revoked by the quoted post's author (the link is cut) or
    # deleted with the quoted post. Read live with the counters (posts.live).
    quote_state = models.CharField(
        max_length=10, choices=QuoteState.choices, default=QuoteState.ACCEPTED
    )
    # Who may quote this post; a followers-only or direct post is never quoted by others.
    quote_policy = models.CharField(
        max_length=10, choices=QuotePolicy.choices, default=QuotePolicy.PUBLIC
    )
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    # Moves (to a new random value) whenever what every reader sees of the post changes:
    # an edit, an image description. Cached renderings are keyed by it (counters are live).
    version = models.PositiveIntegerField(default=0)
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Mention", related_name="mentioned_in"
    )
    tags = models.ManyToManyField(Tag, through="StatusTag", related_name="statuses")
    replies_count = models.PositiveIntegerField(default=0)
    reblogs_count = models.PositiveIntegerField(default=0)
    favourites_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "statuses"
        constraints = [
            models.UniqueConstraint(
                fields=["account", "reblog_of"],
                condition=Q(reblog_of__isnull=False),
                name="posts_status_one_reblog",
            ),
        ]
        indexes = [
            models.Index(fields=["account", "-id"]),
            models.Index(fields=["visibility", "-id"]),
            models.Index(fields=["in_reply_to", "id"]),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}/{self.id}"

    @property
    def is_reblog(self) -> bool:
        return self.reblog_of_id is not None


class StatusEdit(models.Model):
    """One version of an edited status, append-only (Mastodon's StatusEdit). The first edit
    also records the version as first posted (at the status's `created_at`); each edit then
    records the version it produced. Images are kept as ids and descriptions, so the history
    shows the descriptions of the time."""

    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    status = models.ForeignKey(Status, on_delete=models.CASCADE, related_name="edits")
    text = models.TextField(blank=True)
    content = models.TextField(blank=True)
    spoiler_text = models.CharField(max_length=200, blank=True)
    sensitive = models.BooleanField(default=False)
    media = models.JSONField(default=list, blank=True)  # [{"id": "...", "description": "..."}]
    poll_options = models.JSONField(null=True, blank=True)  # option titles, or null: no poll
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["status", "created_at"])]


class Mention(models.Model):
    status = models.ForeignKey(Status, on_delete=models.CASCADE, related_name="mention_rows")
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["status", "account"], name="posts_mention_unique")
        ]


class StatusTag(models.Model):
    status = models.ForeignKey(Status, on_delete=models.CASCADE)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["status", "tag"], name="posts_statustag_unique")
        ]
        indexes = [models.Index(fields=["tag", "-status"])]


class MediaKind(models.TextChoices):
    IMAGE = "image"
    VIDEO = "video"
    GIFV = "gifv"  # an animated GIF or a short silent video: plays looped and muted


class MediaState(models.TextChoices):
    READY = "ready"
    PROCESSING = "processing"  # a video waiting for the worker: no file yet
    FAILED = "failed"


class MediaAttachment(models.Model):
    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="media"
    )
    status = models.ForeignKey(
        Status, null=True, blank=True, on_delete=models.CASCADE, related_name="media"
    )
    position = models.PositiveSmallIntegerField(default=0)
    # An image, or a video's H.264 MP4; empty while a video is processed.
    file = models.FileField(upload_to="media/%Y/%m/", blank=True)
    thumbnail = models.ImageField(upload_to="media/%Y/%m/small/", blank=True)
    kind = models.CharField(max_length=10, choices=MediaKind.choices, default=MediaKind.IMAGE)
    state = models.CharField(max_length=12, choices=MediaState.choices, default=MediaState.READY)
    # A video as uploaded, kept until the worker has transcoded it.
    source = models.FileField(upload_to="media/%Y/%m/source/", blank=True)
    # A video's `meta` as Mastodon gives it (posts/video.py: duration, frame_rate, bitrate...).
    meta = models.JSONField(default=dict, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    content_type = models.CharField(max_length=40, default="image/jpeg")
    description = models.TextField(max_length=1500, blank=True)
    blurhash = models.CharField(max_length=100, blank=True)
    focus_x = models.FloatField(default=0.0)
    focus_y = models.FloatField(default=0.0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(position__lt=settings.STATUS_MAX_MEDIA), name="posts_media_max_nine"
            )
        ]


class Favourite(models.Model):
    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favourites"
    )
    status = models.ForeignKey(Status, on_delete=models.CASCADE, related_name="favourite_rows")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "status"], name="posts_favourite_unique")
        ]


class Bookmark(models.Model):
    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bookmarks"
    )
    status = models.ForeignKey(Status, on_delete=models.CASCADE, related_name="bookmark_rows")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "status"], name="posts_bookmark_unique")
        ]


class Pin(models.Model):
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pins"
    )
    status = models.ForeignKey(Status, on_delete=models.CASCADE, related_name="pin_rows")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "status"], name="posts_pin_unique")
        ]


class Poll(models.Model):
    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    status = models.OneToOneField(Status, on_delete=models.CASCADE, related_name="poll")
    options = models.JSONField()  # list of option titles
    multiple = models.BooleanField(default=False)
    hide_totals = models.BooleanField(default=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    votes_count = models.PositiveIntegerField(default=0)
    voters_count = models.PositiveIntegerField(default=0)


class PollVote(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="votes")
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    choice = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "account", "choice"], name="posts_pollvote_unique"
            )
        ]


class StatusIdempotency(models.Model):
    """A retried post with the same Idempotency-Key (per account, for a day) creates nothing new."""

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(max_length=200)
    status = models.ForeignKey(Status, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "key"], name="posts_idempotency_unique")
        ]


class ScheduledStatus(models.Model):
    """A post to publish later; `params` holds status_create's arguments (media stay reserved
    by `media_ids`)."""

    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scheduled_statuses"
    )
    scheduled_at = models.DateTimeField(db_index=True)
    params = models.JSONField()
    media_ids = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)


class TagFollow(models.Model):
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "tag"], name="posts_tagfollow_unique")
        ]


class FeaturedTag(models.Model):
    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="featured_tags"
    )
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "tag"], name="posts_featuredtag_unique")
        ]


class SiteStats(models.Model):
    """The site's counts as the worker last computed them (`services.site_stats_refresh`, run
    on a beat): one row, which the instance endpoints read instead of counting big tables on
    every request."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    users = models.BigIntegerField()  # active accounts
    active_month = models.BigIntegerField()  # of those, signed in within 30 days
    active_halfyear = models.BigIntegerField()  # within 180 days
    statuses = models.BigIntegerField()
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="posts_sitestats_one_row")]


class StatusSearch(models.Model):
    """A post's row in the full-text index (core/fulltext.py): its text, content warning and
    poll options as tokens. A tsvector with a GIN index on PostgreSQL; on SQLite an FTS5
    table (`posts_statussearch_fts`, kept in step by triggers) indexes this column. Written
    by posts/search.py in the transaction that writes the post; goes with it."""

    status = models.OneToOneField(
        Status, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    document = DocumentField()
