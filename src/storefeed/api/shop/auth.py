"""Bearer-token authentication for the shop API: the same OAuth tokens as the Mastodon API,
with a scope per operation (reads need `read` or `read:shop`, writes `write` or `write:shop`)."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, AuthorizationError
from ninja.security import HttpBearer

from storefeed.accounts.models import User
from storefeed.accounts.selectors import email_confirmation_pending
from storefeed.api.mastodon.base import scope_allows
from storefeed.api.tokens import bearer_token


class OAuthBearer(HttpBearer):
    """Resolves `request.auth` to the token's user, or refuses: 401 for a missing, unknown
    or app-only token, 403 for a disabled or unconfirmed account or a token without the
    scope."""

    def __init__(self, scope: str) -> None:
        super().__init__()
        self.scope = scope

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get(self.header, "")
        if not header.lower().startswith("bearer "):
            raise AuthenticationError(401, _("Sign in first: send an OAuth bearer token."))
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, token: str) -> User:
        found = _token_and_user(request, token)
        if found is None:
            raise AuthenticationError(401, _("The access token is invalid."))
        scope, user = found
        if user is None:
            raise AuthenticationError(401, _("This method needs a user's token, not an app's."))
        if not user.is_active:
            raise AuthorizationError(403, _("Your login is currently disabled."))
        if email_confirmation_pending(user):
            raise AuthorizationError(
                403, _("Your login is missing a confirmed email address: open the link we sent.")
            )
        if not scope_allows(scope.split(), self.scope):
            raise AuthorizationError(
                403,
                _("This token does not allow it: it needs the “%(scope)s” scope.")
                % {"scope": self.scope.split(":", 1)[0]},
            )
        return user


def _token_and_user(request: HttpRequest, token: str) -> tuple[str, User | None] | None:
    """The token's scope and user (None for an app's token), or None when it is not valid."""
    access = bearer_token(request, token)
    if access is None:
        return None
    return access.scope, (access.user if access.user_id else None)


READ = OAuthBearer("read:shop")
WRITE = OAuthBearer("write:shop")


def account_of(request: HttpRequest) -> User:
    """The signed-in account of an authenticated operation."""
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user
