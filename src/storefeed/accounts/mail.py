"""What the emails to an account say, in the account's language."""

from collections.abc import Callable

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from storefeed.accounts.models import User


def confirmation_path(token: str) -> str:
    """The path of the page that confirms an address (served by the web pages)."""
    return reverse("web:confirm_email", kwargs={"token": token})


def _in_language(account: User, build: Callable[[], tuple[str, list[str]]]) -> tuple[str, str]:
    """An email's subject and plain-text body (`build()`'s paragraphs), written in the
    account's language."""
    with translation.override(account.locale or settings.LANGUAGE_CODE):
        subject, paragraphs = build()
    return subject, "\n\n".join(paragraphs) + "\n"


def confirmation_email(account: User, *, link: str) -> tuple[str, str]:
    """The subject and plain-text body of the email carrying the confirmation link."""
    return _in_language(
        account,
        lambda: (
            _("Confirm your email address for Storefeed"),
            [
                _("Hello %(name)s,") % {"name": account.name},
                _(
                    "Thanks for signing up to Storefeed as @%(username)s. Open this link to "
                    "confirm your email address:"
                )
                % {"username": account.username},
                link,
                _(
                    "The link works for %(hours)d hours. If you did not sign up, ignore this "
                    "email: nothing happens without the link."
                )
                % {"hours": settings.EMAIL_CONFIRMATION_HOURS},
            ],
        ),
    )


def password_reset_path(*, uidb64: str, token: str) -> str:
    """The path of the page that sets a new password (served by the web pages)."""
    return reverse("web:password_reset_confirm", kwargs={"uidb64": uidb64, "token": token})


def password_reset_email(account: User, *, link: str) -> tuple[str, str]:
    """The subject and plain-text body of the email carrying a password reset link."""
    return _in_language(
        account,
        lambda: (
            _("Reset your Storefeed password"),
            [
                _("Hello %(name)s,") % {"name": account.name},
                _(
                    "Someone (we hope you) asked to reset the password of @%(username)s on "
                    "Storefeed. Open this link to choose a new one:"
                )
                % {"username": account.username},
                link,
                _(
                    "The link works once, for %(hours)d hours. If you did not ask, ignore "
                    "this email: your password stays as it is."
                )
                % {"hours": settings.PASSWORD_RESET_TIMEOUT // 3600},
            ],
        ),
    )
