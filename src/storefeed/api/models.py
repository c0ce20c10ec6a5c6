"""What the Mastodon API keeps beside django-oauth-toolkit's tables: a registered client's
scopes and website (DOT's Application has neither), and which app an account signed up
through."""

from django.conf import settings
from django.db import models
from oauth2_provider.models import Application


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
