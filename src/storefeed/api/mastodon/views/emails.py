"""Mastodon API: emails (https://docs.joinmastodon.org/methods/emails/): resending the
confirmation email of a sign-up, and asking whether the address is confirmed yet. Both answer
accounts that wait for confirmation (every other endpoint refuses them)."""

from django.http import HttpResponse
from django.urls import URLPattern

from storefeed.accounts.errors import ConfirmationTooSoon, EmailAlreadyConfirmed
from storefeed.api import services
from storefeed.api.mastodon.base import ApiError, ApiRequest, endpoint, ok
from storefeed.api.mastodon.routing import route
from storefeed.api.mastodon.views.accounts import validation_error
from storefeed.core.errors import Forbidden, ValidationFailed


@endpoint("POST", scope="write:accounts", unconfirmed=True)
def confirmation_resend(api: ApiRequest) -> HttpResponse:
    """POST /api/v1/emails/confirmations: `{}`, and a new link on its way (to `email`, if
    given, which replaces the unconfirmed address)."""
    email = api.params.str("email") if api.params.has("email") else None
    try:
        services.app_email_confirmation_resend(
            application=api.token.application,
            account=api.user,
            email=email,
            site_url=api.build_url("/"),
        )
    except Forbidden as exc:
        if exc.details.get("reason") != "other_app":
            raise
        raise ApiError(
            403,
            "This method is only available to the application the user originally signed-up with",
        ) from None
    except EmailAlreadyConfirmed:
        raise ApiError(
            403, "This method is only available while the e-mail is awaiting confirmation"
        ) from None
    except ConfirmationTooSoon as exc:
        raise ApiError(429, exc.message) from None
    except ValidationFailed as exc:
        raise validation_error(exc) from None
    return ok({})


@endpoint("GET", scope="read:accounts", unconfirmed=True)
def check_confirmation(api: ApiRequest) -> HttpResponse:
    """GET /api/v1/emails/check_confirmation (Mastodon 4.3): `true` or `false`."""
    return ok(api.user.email_confirmed)


urlpatterns: list[URLPattern] = [
    route("api/v1/emails/confirmations", confirmation_resend),
    route("api/v1/emails/check_confirmation", check_confirmation),
]
