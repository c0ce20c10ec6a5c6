"""What the emails to an account say, in the account's language."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from storefeed.accounts.models import User


def confirmation_path(token: str) -> str:
    """The path of the page that confirms an address (served by the web pages)."""
    return reverse("web:confirm_email", kwargs={"token": token})


def confirmation_email(account: User, *, link: str) -> tuple[str, str]:
    """The subject and plain-text body of the email carrying the confirmation link."""
    with translation.override(account.locale or settings.LANGUAGE_CODE):
        subject = _("Confirm your email address for Storefeed")
        paragraphs = [
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
        ]
    return subject, "\n\n".join(paragraphs) + "\n"
