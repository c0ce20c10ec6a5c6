"""Reports of accounts and posts to the staff, and what the staff did about them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from storefeed.core.ids import new_id


class ReportCategory(models.TextChoices):
    SPAM = "spam", _("Spam")
    LEGAL = "legal", _("Illegal content")
    VIOLATION = "violation", _("Breaks the rules")
    OTHER = "other", _("Other")


class ReportState(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")


class Report(models.Model):
    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports_made"
    )
    target_account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports_received"
    )
    # The reported posts, as ids: a post the author deletes stays part of the report's record.
    status_ids = models.JSONField(default=list, blank=True)
    comment = models.TextField(max_length=1000, blank=True)
    category = models.CharField(
        max_length=10, choices=ReportCategory.choices, default=ReportCategory.OTHER
    )
    rule_ids = models.JSONField(default=list, blank=True)
    forward = models.BooleanField(default=False)  # asked for; nothing is remote to forward to
    state = models.CharField(max_length=10, choices=ReportState.choices, default=ReportState.OPEN)
    action_taken_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["state", "-id"])]

    def __str__(self) -> str:
        return f"#{self.pk}"


class ReportEvent(models.Model):
    """The report's history, append-only: who resolved or reopened it, or noted something."""

    class Kind(models.TextChoices):
        RESOLVED = "resolved", _("resolved the report")
        REOPENED = "reopened", _("reopened the report")
        NOTE = "note", _("added a note")

    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    note = models.TextField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
