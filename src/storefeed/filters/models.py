"""What a reader asked not to see: keyword and post filters (Mastodon's filters v2), muted
threads (a post's "mute conversation") and blocked domains."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from storefeed.core.ids import new_id


class FilterAction(models.TextChoices):
    WARN = "warn", _("Hide with a warning")
    HIDE = "hide", _("Hide completely")
    BLUR = "blur", _("Hide media with a warning")


class FilterContext(models.TextChoices):
    HOME = "home", _("Home and lists")
    NOTIFICATIONS = "notifications", _("Notifications")
    PUBLIC = "public", _("Public timelines")
    THREAD = "thread", _("Conversations")
    ACCOUNT = "account", _("Profiles")


class Filter(models.Model):
    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="filters"
    )
    title = models.CharField(max_length=200)
    context = models.JSONField(default=list)  # FilterContext values, at least one
    action = models.CharField(
        max_length=10, choices=FilterAction.choices, default=FilterAction.WARN
    )
    expires_at = models.DateTimeField(null=True, blank=True)
    # Moves (to a new random value) on every change of the filter, its keywords or its posts:
    # a reader's compiled filters are cached by these (selectors.active_filters).
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["account", "id"])]

    def __str__(self) -> str:
        return self.title


class FilterKeyword(models.Model):
    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    filter = models.ForeignKey(Filter, on_delete=models.CASCADE, related_name="keywords")
    keyword = models.CharField(max_length=200)
    whole_word = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class FilterStatus(models.Model):
    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    filter = models.ForeignKey(Filter, on_delete=models.CASCADE, related_name="statuses")
    # A string reference: posts sits below this package, but this way the model module
    # stays free of imports from it.
    status = models.ForeignKey("posts.Status", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["filter", "status"], name="filters_status_unique")
        ]


class ThreadMute(models.Model):
    """A muted thread (Mastodon's conversation mute), kept on the thread's first post: no
    more notifications about any post in it (notifications.threads reads it)."""

    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="thread_mutes"
    )
    status = models.ForeignKey("posts.Status", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "status"], name="filters_thread_mute_unique")
        ]


class DomainBlock(models.Model):
    """A domain whose accounts one does not want to see (Mastodon's user domain block).
    Storefeed is one server without federation, so no account is affected yet."""

    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="domain_blocks"
    )
    domain = models.CharField(max_length=253)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "domain"], name="filters_domain_block_unique"
            )
        ]
