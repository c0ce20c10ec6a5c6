"""What the emails to an account say, in the account's language and time zone."""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from storefeed.accounts.models import User
from storefeed.accounts.timezones import zone_name_for


@contextmanager
def as_recipient(account: User) -> Iterator[None]:
    """Write in `account`'s language (its email language, else the site's) and state times in
    its zone: its chosen one, else its language's (Asia/Shanghai for Chinese), else UTC. An
    email has no browser to ask, unlike a page."""
    language = account.locale or settings.LANGUAGE_CODE
    zone = zone_name_for(chosen=account.time_zone, language=language)
    with translation.override(language), timezone.override(zone):
        yield


def local_time(value: dt.datetime) -> str:
    """`value` as the recipient reads it (inside `as_recipient`): date, time and zone name,
    "December 5, 2026, 03:40 (Asia/Shanghai)"."""
    local = timezone.localtime(value)
    return _("%(time)s (%(zone)s)") % {
        "time": date_format(local, _("F j, Y, H:i")),
        "zone": timezone.get_current_timezone_name(),
    }


def _link_email(
    account: User, *, subject: str, invitation: str, link: str, validity: str, until: dt.datetime
) -> tuple[str, str]:
    """The subject and plain-text body of an email that carries a link: a greeting, what the
    link is for (`invitation`, which may name %(username)s), the link, and until when it
    works (`validity`, naming %(time)s). The texts are msgids (marked with gettext_noop),
    translated here into the recipient's language."""
    with as_recipient(account):
        paragraphs = [
            _("Hello %(name)s,") % {"name": account.name},
            _(invitation) % {"username": account.username},
            link,
            _(validity) % {"time": local_time(until)},
        ]
        return _(subject), "\n\n".join(paragraphs) + "\n"


def confirmation_path(token: str) -> str:
    """The path of the page that confirms an address (served by the web pages)."""
    return reverse("web:confirm_email", kwargs={"token": token})


def confirmation_email(account: User, *, link: str, sent_at: dt.datetime) -> tuple[str, str]:
    """The email carrying the confirmation link made at `sent_at`."""
    return _link_email(
        account,
        subject=gettext_noop("Confirm your email address for Storefeed"),
        invitation=gettext_noop(
            "Thanks for signing up to Storefeed as @%(username)s. Open this link to "
            "confirm your email address:"
        ),
        link=link,
        validity=gettext_noop(
            "The link works until %(time)s. If you did not sign up, ignore this email: "
            "nothing happens without the link."
        ),
        until=sent_at + dt.timedelta(hours=settings.EMAIL_CONFIRMATION_HOURS),
    )


def password_reset_path(*, uidb64: str, token: str) -> str:
    """The path of the page that sets a new password (served by the web pages)."""
    return reverse("web:password_reset_confirm", kwargs={"uidb64": uidb64, "token": token})


def password_reset_email(account: User, *, link: str, sent_at: dt.datetime) -> tuple[str, str]:
    """The email carrying a password reset link made at `sent_at`."""
    return _link_email(
        account,
        subject=gettext_noop("Reset your Storefeed password"),
        invitation=gettext_noop(
            "Someone (we hope you) asked to reset the password of @%(username)s on "
            "Storefeed. Open this link to choose a new one:"
        ),
        link=link,
        validity=gettext_noop(
            "The link works once, until %(time)s. If you did not ask, ignore this email: "
            "your password stays as it is."
        ),
        until=sent_at + dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT),
    )
