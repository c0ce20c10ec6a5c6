"""What the Mastodon API keeps beside django-oauth-toolkit's tables: a registered client's
scopes and website (DOT's Application has neither), and which app an account signed up
through."""

from django.conf import settings
from django.db import models
from oauth2_provider.models import Application
from oauth2_provider.settings import oauth2_settings


class ClientApp(models.Model):
    """One app registered through POST /api/v1/apps. Tokens for it may carry only scopes
    within `scopes`."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, primary_key=True, related_name="client_app"
    )
    scopes = models.CharField(max_length=1000, default="read")
    website = models.URLField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.application.name

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()


class AppSignUp(models.Model):
    """An account made through POST /api/v1/accounts, and the app that made it (Mastodon's
    `created_by_application`): only that app may resend its confirmation email."""

    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="app_sign_up",
    )
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.account_id} via {self.application_id}"


class PushPolicy(models.TextChoices):
    """From whom a push subscription hears (Mastodon's `policy`)."""

    ALL = "all"
    FOLLOWED = "followed"  # accounts the subscriber follows
    FOLLOWER = "follower"  # accounts that follow the subscriber
    NONE = "none"


# Mastodon's alert names, in the order of its entity.
PUSH_ALERTS = (
    "mention",
    "status",
    "reblog",
    "follow",
    "follow_request",
    "favourite",
    "poll",
    "update",
    "admin.sign_up",
    "admin.report",
    "quote",
    "quoted_update",
)


class PushSubscription(models.Model):
    """A Web Push subscription (POST /api/v1/push/subscription): one per access token, gone
    with the token. `alerts` maps each of PUSH_ALERTS to whether it is pushed."""

    access_token = models.OneToOneField(
        oauth2_settings.ACCESS_TOKEN_MODEL,
        on_delete=models.CASCADE,
        related_name="push_subscription",
    )
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.CharField(max_length=2000)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    # RFC 8291 (aes128gcm) when true; Mastodon's default, the legacy draft (aesgcm), when false.
    standard = models.BooleanField(default=False)
    alerts = models.JSONField(default=dict)
    policy = models.CharField(max_length=10, choices=PushPolicy.choices, default=PushPolicy.ALL)
    # Where the web site is, for the icon's absolute URL (the worker has no request).
    site_url = models.CharField(max_length=200)
    # The access token as the client presented it, for the payload's `access_token` (tokens
    # are stored as checksums only), encrypted with a key derived from SECRET_KEY: the
    # database alone does not give it away (push.seal / push.unseal).
    sealed_token = models.TextField(blank=True, default="")
    # The newest notification pushed: a task run twice claims nothing the second time.
    pushed_up_to = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"push {self.pk} of {self.account_id}"


class PushServerKey(models.Model):
    """The VAPID key pair generated when the settings name none: one row, shared by every
    process (base64url, the raw private key and the uncompressed public point)."""

    private_key = models.CharField(max_length=100)
    public_key = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
