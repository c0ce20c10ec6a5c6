"""Accounts: the user, their public profile, and the expert fields staff verify them in."""

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from storefeed.core.fulltext import DocumentField
from storefeed.core.ids import new_id, new_version
from storefeed.core.text import render


class ExpertField(models.Model):
    """A field an expert is verified in (Beauty, Tech, ...). Staff may add more in the admin."""

    slug = models.SlugField(unique=True)
    name_en = models.CharField(max_length=60)
    name_zh = models.CharField(max_length=60)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "slug"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        # The field's names are part of its experts' cached renderings.
        if self.pk is not None:
            User.objects.filter(expert_field=self).update(profile_version=new_version())

    @property
    def name(self) -> str:
        return self.name_zh if (get_language() or "").startswith("zh") else self.name_en


# What a reader sees of an account besides its counters (which are read live).
# What people search accounts by (accounts/search.py): saving one rewrites the index row.
SEARCHED_FIELDS = frozenset({"username", "display_name", "note"})
PROFILE_FIELDS = frozenset(
    {
        "username",
        "display_name",
        "note",
        "avatar",
        "header",
        "fields",
        "locked",
        "expert_field",
        "expert_verified_at",
        "bot",
        "discoverable",
        "hide_collections",
    }
)


class User(AbstractUser):
    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    username = models.CharField(
        _("username"),
        max_length=30,
        unique=True,
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9_]{1,30}$",
                _("Use 1 to 30 letters, digits or underscores (no spaces or symbols)."),
            )
        ],
        error_messages={"unique": _("That username is taken.")},
    )
    display_name = models.CharField(_("display name"), max_length=60, blank=True)
    note = models.TextField(_("bio"), max_length=500, blank=True)
    avatar = models.ImageField(upload_to="avatars/%Y/%m/", blank=True)
    header = models.ImageField(upload_to="headers/%Y/%m/", blank=True)
    # Profile metadata: up to four {"name": ..., "value": ...} pairs, as Mastodon's "fields".
    fields = models.JSONField(default=list, blank=True)
    locked = models.BooleanField(
        _("locked"), default=False, help_text=_("Approve each new follower by hand.")
    )
    # Mastodon's account flags, shown on the account: an automated account; one that agrees
    # to be listed in discovery (the directory, suggestions); one whose followers and
    # followed accounts are not listed to others (the counts still are).
    bot = models.BooleanField(_("automated account"), default=False)
    discoverable = models.BooleanField(_("listed in discovery"), default=True)
    hide_collections = models.BooleanField(
        _("hide whom you follow and who follows you"), default=False
    )
    # Posting defaults a client applies to new posts (Mastodon's `source[privacy]`,
    # `source[sensitive]` and `source[language]`).
    default_visibility = models.CharField(
        _("default post visibility"),
        max_length=10,
        choices=[
            ("public", _("Public")),
            ("unlisted", _("Unlisted")),
            ("private", _("Followers only")),
        ],
        default="public",
    )
    default_sensitive = models.BooleanField(_("mark media as sensitive by default"), default=False)
    default_language = models.CharField(_("default post language"), max_length=10, blank=True)
    # Who may quote one's new posts unless a post says otherwise (Mastodon 4.5's
    # `source[quote_policy]`).
    default_quote_policy = models.CharField(
        _("who may quote your posts"),
        max_length=10,
        choices=[
            ("public", _("Anyone")),
            ("followers", _("Followers only")),
            ("nobody", _("Just me")),
        ],
        default="public",
    )
    expert_field = models.ForeignKey(
        ExpertField, null=True, blank=True, on_delete=models.SET_NULL, related_name="experts"
    )
    expert_verified_at = models.DateTimeField(null=True, blank=True)
    # Counters, kept exact by the services with F() updates inside the writing transaction.
    followers_count = models.PositiveIntegerField(default=0)
    following_count = models.PositiveIntegerField(default=0)
    statuses_count = models.PositiveIntegerField(default=0)
    last_status_at = models.DateTimeField(null=True, blank=True)
    # Email confirmation (STOREFEED_EMAIL_CONFIRMATION). Only a sign-up while it is on starts
    # unconfirmed (None); accounts made any other way (staff, createsuperuser, the demo, a
    # sign-up while it is off) count as confirmed from the start, hence the default.
    email_confirmed_at = models.DateTimeField(
        _("email confirmed at"), null=True, blank=True, default=timezone.now
    )
    # When the latest confirmation link was asked for (the resend throttle) and when the
    # email carrying it went out (what makes the sending task run once per request).
    email_confirmation_requested_at = models.DateTimeField(null=True, blank=True)
    email_confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    # The language of the emails Storefeed sends the account ("en" or "zh-hans").
    locale = models.CharField(_("email language"), max_length=10, blank=True)
    # The IANA time zone every time is shown in ("Asia/Shanghai"); blank: the browser's, or
    # the language's default (accounts.timezones.zone_for).
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    # The bio as HTML, rendered when it is saved (never on read).
    note_html = models.TextField(blank=True, editable=False)
    # Moves whenever what every reader sees of the profile changes (PROFILE_FIELDS): cached
    # renderings of the account are keyed by it, so the next read after a change misses.
    profile_version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("username"), name="accounts_user_username_ci"),
        ]
        # The profile directory's two orders (GET /api/v1/directory): a page is an index
        # range, not a sort of every account.
        indexes = [
            models.Index(fields=["-last_status_at", "-id"], name="accounts_user_active"),
            models.Index(fields=["-date_joined", "-id"], name="accounts_user_new"),
        ]

    def __str__(self) -> str:
        return f"@{self.username}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Every path that changes the profile (services, the admin, createsuperuser) saves
        # through here, so the rendered bio and the version cannot fall behind.
        update_fields = kwargs.get("update_fields")
        if update_fields is None or PROFILE_FIELDS.intersection(update_fields):
            self.note_html = render(self.note) if self.note else ""
            # Random rather than +1: two concurrent saves must never end on the same
            # version with different contents.
            self.profile_version = new_version()
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "note_html", "profile_version"}
        super().save(*args, **kwargs)
        if update_fields is None or SEARCHED_FIELDS.intersection(update_fields):
            from storefeed.accounts.search import account_index  # it imports this module

            account_index([self.pk])

    @property
    def name(self) -> str:
        return self.display_name or self.username

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    @property
    def is_expert(self) -> bool:
        return self.expert_field_id is not None and self.expert_verified_at is not None


class AccountSearch(models.Model):
    """An account's row in the full-text index (accounts/search.py): its username, display
    name and bio, and what packages above add (a seller's shop name), as core/fulltext.py
    tokens. Written whenever the profile is saved, and by those packages."""

    account = models.OneToOneField(
        User, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    document = DocumentField()
