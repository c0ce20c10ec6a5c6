"""Writes the Mastodon API owns: registering client apps, and signing up through an app
(the account is made by accounts.services; this adds the token the app gets back)."""

import datetime as dt
from collections.abc import Sequence
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from oauth2_provider.generators import generate_client_id, generate_client_secret
from oauth2_provider.models import AccessToken, Application, set_token_value
from oauth2_provider.settings import oauth2_settings
from oauthlib.common import generate_token

from storefeed.accounts.models import User
from storefeed.accounts.services import account_signup, email_confirmation_resend
from storefeed.api.mastodon.base import ALL_SCOPES
from storefeed.api.models import AppSignUp, ClientApp
from storefeed.core.errors import Forbidden, ValidationFailed
from storefeed.core.text import clean_plain, text_length
from storefeed.instance.services import login_record

OOB = "urn:ietf:wg:oauth:2.0:oob"
CLIENT_NAME_MAX = 60
REDIRECT_URIS_MAX = 10


def _clean_redirect_uris(redirect_uris: Sequence[str]) -> list[str]:
    uris = [u.strip() for u in redirect_uris if u and u.strip()]
    if not uris:
        raise ValidationFailed(
            _("Give at least one redirect URI (urn:ietf:wg:oauth:2.0:oob to show the code)."),
            field="redirect_uris",
            reason="blank",
        )
    if len(uris) > REDIRECT_URIS_MAX:
        raise ValidationFailed(
            _("An app can register at most %(max)d redirect URIs.") % {"max": REDIRECT_URIS_MAX},
            field="redirect_uris",
            reason="too_long",
        )
    for uri in uris:
        parts = urlsplit(uri)
        # Apps on phones use their own schemes (com.example.app://callback); any absolute URI
        # without a fragment is allowed, as in Mastodon.
        absolute = bool(parts.scheme) and (bool(parts.netloc) or bool(parts.path))
        if uri != OOB and (not absolute or "#" in uri or any(c.isspace() for c in uri)):
            raise ValidationFailed(
                _("“%(uri)s” is not an absolute URI without a fragment.") % {"uri": uri[:200]},
                field="redirect_uris",
                reason="invalid",
            )
    return list(dict.fromkeys(uris))


def _clean_scopes(scopes: Sequence[str]) -> list[str]:
    wanted = list(dict.fromkeys(s for s in scopes if s)) or ["read"]
    unknown = [s for s in wanted if s not in ALL_SCOPES]
    if unknown:
        raise ValidationFailed(
            _("Unknown scope: %(scopes)s.") % {"scopes": ", ".join(unknown)[:200]},
            field="scopes",
            reason="invalid",
        )
    return wanted


def client_app_create(
    *, name: str, redirect_uris: Sequence[str], scopes: Sequence[str] = (), website: str = ""
) -> tuple[Application, ClientApp, str]:
    """Register a client app. Returns the OAuth application, its Mastodon details and the
    client secret in clear (stored hashed, so this is the only time it can be shown)."""
    name = clean_plain(name or "")
    if not name:
        raise ValidationFailed(_("Give the app a name."), field="client_name", reason="blank")
    if text_length(name) > CLIENT_NAME_MAX:
        raise ValidationFailed(
            _("An app name can be at most %(max)d characters.") % {"max": CLIENT_NAME_MAX},
            field="client_name",
            reason="too_long",
        )
    uris = _clean_redirect_uris(redirect_uris)
    scope_list = _clean_scopes(scopes)
    website = (website or "").strip()
    if website:
        try:
            URLValidator(schemes=["http", "https"])(website)
        except ValidationError:
            raise ValidationFailed(
                _("The website must be an http or https address."),
                field="website",
                reason="invalid",
            ) from None
    secret = generate_client_secret()
    with transaction.atomic(durable=True):
        application = Application(
            name=name,
            client_id=generate_client_id(),
            client_secret=secret,
            client_type=Application.CLIENT_CONFIDENTIAL,
            # One grant type per DOT application; the API's validator allows the others
            # (password, client credentials, refresh) to every registered app.
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=" ".join(uris),
            skip_authorization=False,
        )
        application.save()
        client_app = ClientApp.objects.create(
            application=application, scopes=" ".join(scope_list), website=website
        )
    return application, client_app, secret


def app_scopes(application: Application) -> list[str]:
    """The scopes an app registered (apps made outside the API, in the admin: `read`)."""
    client_app = ClientApp.objects.filter(application=application).first()
    return client_app.scope_list if client_app is not None else ["read"]


def _access_token_create(*, application: Application, account: User, scopes: Sequence[str]) -> str:
    value = generate_token()
    expires = timezone.now() + dt.timedelta(seconds=oauth2_settings.ACCESS_TOKEN_EXPIRE_SECONDS)
    token = AccessToken(
        user=account, application=application, expires=expires, scope=" ".join(scopes)
    )
    set_token_value(token, value)  # stored as its checksum only (settings: RFC 9700 storage)
    token.save()
    return value


def access_token_issue(*, application: Application, account: User, scopes: Sequence[str]) -> str:
    """A bearer token for `account` through `application`; returns the token in clear. It
    counts as a sign-in in the week's activity."""
    with transaction.atomic(durable=True):
        token = _access_token_create(application=application, account=account, scopes=scopes)
        login_record(account_id=account.pk)
        return token


def account_register(
    *,
    application: Application,
    username: str,
    email: str,
    password: str,
    agreement: bool,
    display_name: str = "",
    locale: str = "",
    site_url: str = "",
) -> tuple[User, str]:
    """Sign up through an app: the account, and a token for it with the app's scopes (it works
    at once unless sign-ups wait for approval or email confirmation: then from the approval
    and the confirmation on). The confirmation email is in `locale`. Refusals are
    ValidationFailed naming the field (as account_create's)."""
    if not agreement:
        raise ValidationFailed(
            _("You must accept the rules and terms to sign up."),
            field="agreement",
            reason="accepted",
        )
    user = account_signup(
        username=username,
        email=email,
        password=password,
        display_name=display_name,
        locale=locale,
        site_url=site_url,
    )
    with transaction.atomic(durable=True):
        AppSignUp.objects.create(account=user, application=application)
        token = _access_token_create(
            application=application, account=user, scopes=app_scopes(application)
        )
    return user, token


def app_email_confirmation_resend(
    *, application: Application, account: User, email: str | None = None, site_url: str = ""
) -> User:
    """POST /api/v1/emails/confirmations: as accounts' email_confirmation_resend, but only
    for the app the account signed up through (Forbidden, reason "other_app", otherwise)."""
    if not AppSignUp.objects.filter(account=account, application=application).exists():
        raise Forbidden(
            _("Only the app you signed up with can send the confirmation email again."),
            reason="other_app",
        )
    return email_confirmation_resend(account=account, email=email, site_url=site_url)
