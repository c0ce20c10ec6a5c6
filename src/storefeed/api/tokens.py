"""Bearer tokens of both APIs (the Mastodon API and the shop API), checked in one plain query.

Every API call starts here, so the token and its user are read together by the token's
checksum (core/sql.py) instead of through oauthlib's `verify_request`, which makes the same
lookup inside several layers of request handling: about a sixth of a checkout's CPU and a
fifth of a timeline page's. What it decides is what `verify_request` decides for a bearer
token: found, not expired. A token restricted to a resource (RFC 8707) still goes through
oauthlib, which checks the audience.
"""

import hashlib

from django.http import HttpRequest
from oauth2_provider.models import AccessToken
from oauth2_provider.oauth2_backends import get_oauthlib_core

from storefeed.accounts.models import User
from storefeed.core import sql


def bearer_token(request: HttpRequest, token: str) -> AccessToken | None:
    """The valid access token `token` names, with its user loaded (None for an app's
    token), or None. Read once per request (the shop API's rate limit and its
    authentication both ask)."""
    remembered = getattr(request, "_storefeed_bearer", None)
    if remembered is not None and remembered[0] == token:
        return remembered[1]
    found = _bearer_token(request, token)
    request._storefeed_bearer = (token, found)  # type: ignore[attr-defined]
    return found


def presented_token(request: HttpRequest) -> str | None:
    """The bearer token this request was let in with, as the client sent it (the database
    keeps only its checksum), or None."""
    remembered = getattr(request, "_storefeed_bearer", None)
    return remembered[0] if remembered is not None and remembered[1] is not None else None


def bearer_of(request: HttpRequest) -> AccessToken | None:
    """The valid token of the request's `Authorization: Bearer` header, or None."""
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("bearer "):
        return None
    return bearer_token(request, header[7:].strip())


def _bearer_token(request: HttpRequest, token: str) -> AccessToken | None:
    checksum = hashlib.sha256(token.encode()).hexdigest()
    found = sql.rows(
        f"SELECT {sql.columns(AccessToken, 't')}, {sql.columns(User, 'u')} "  # noqa: S608
        f"FROM {sql.table(AccessToken)} t LEFT JOIN {sql.table(User)} u ON u.id = t.user_id "
        "WHERE t.token_checksum = %s",
        [checksum],
    )
    if not found:
        return None
    width = sql.width(AccessToken)
    access = sql.instance(AccessToken, found[0][:width])
    if access.resource:
        return _by_oauthlib(request)
    if access.is_expired():
        return None
    user = sql.instance(User, found[0][width:]) if access.user_id else None
    AccessToken.user.field.set_cached_value(access, user)
    return access


def _by_oauthlib(request: HttpRequest) -> AccessToken | None:
    valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[])
    return oauth_request.access_token if valid and oauth_request is not None else None
