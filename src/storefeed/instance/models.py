"""Rules, the about text, announcements with their reads and reactions, and sign-ins per
week (what `/api/v1/instance/activity` counts as logins)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from storefeed.core.ids import new_id


class Rule(models.Model):
    """One of the server's rules, shown at sign-up and in the instance entities."""

    text = models.CharField(_("rule"), max_length=300)
    hint = models.TextField(_("explanation"), blank=True, max_length=2000)
    text_zh = models.CharField(_("rule (Chinese)"), max_length=300, blank=True)
    hint_zh = models.TextField(_("explanation (Chinese)"), blank=True, max_length=2000)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("rule")
        verbose_name_plural = _("rules")

    def __str__(self) -> str:
        return self.text


class About(models.Model):
    """The one row holding the extended description (`/api/v1/instance/extended_description`,
    HTML, cleaned when saved)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    extended_description = models.TextField(_("extended description"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("about this server")
        verbose_name_plural = _("about this server")

    def __str__(self) -> str:
        return str(_("about this server"))


class Announcement(models.Model):
    """A staff announcement, shown to every signed-in account while published."""

    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    text = models.TextField(_("text"), max_length=2000)
    # The text as HTML (links made), rendered when saved.
    content = models.TextField(editable=False, default="")
    published = models.BooleanField(_("published"), default=True)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    starts_at = models.DateTimeField(_("starts at"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    all_day = models.BooleanField(_("all day"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_at__isnull=True)
                | models.Q(ends_at__isnull=True)
                | models.Q(ends_at__gt=models.F("starts_at")),
                name="announcements_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.text[:60]


class AnnouncementRead(models.Model):
    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["announcement", "account"], name="announcement_reads_unique"
            )
        ]


class AnnouncementReaction(models.Model):
    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, related_name="reactions"
    )
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["announcement", "account", "name"], name="announcement_reactions_unique"
            )
        ]


class WeeklyLogin(models.Model):
    """An account signed in (web, or a new access token) during the week starting `week`
    (a Monday, UTC): one row per account and week."""

    week = models.DateField()
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["week", "account"], name="weekly_logins_unique")
        ]
