"""The shared edge of every Mastodon endpoint: authentication and scopes, parameters, rate
limits, and the one mapping from domain errors to Mastodon's `{"error": ...}` shape."""

import functools
import logging
from collections.abc import Callable, Iterable
from typing import Any

import orjson
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from storefeed.accounts.models import User
from storefeed.accounts.selectors import account_entry_refusal
from storefeed.api.mastodon.params import Params
from storefeed.api.ratelimit import rate_limit
from storefeed.api.tokens import bearer_token
from storefeed.core.errors import Conflict, DomainError, Forbidden, NotFound
from storefeed.core.parse import id_or_none

log = logging.getLogger(__name__)

# Every scope a client may ask for; the first two words cover their granular scopes, and the
# legacy "follow" covers the follow, block and mute ones.
GRANULAR = {
    "read": [
        "accounts",
        "blocks",
        "bookmarks",
        "favourites",
        "filters",
        "follows",
        "lists",
        "mutes",
        "notifications",
        "search",
        "shop",  # Storefeed: the shop API (/api/shop/v1/)
        "statuses",
    ],
    "write": [
        "accounts",
        "blocks",
        "bookmarks",
        "conversations",
        "favourites",
        "filters",
        "follows",
        "lists",
        "media",
        "mutes",
        "notifications",
        "reports",
        "shop",  # Storefeed: the shop API
        "statuses",
    ],
}
FOLLOW_COVERS = {
    "read:blocks",
    "read:follows",
    "read:mutes",
    "write:blocks",
    "write:follows",
    "write:mutes",
}
ALL_SCOPES = ["read", "write", "follow", "push", "profile"] + [
    f"{top}:{sub}" for top, subs in GRANULAR.items() for sub in subs
]


def scope_allows(granted: Iterable[str], needed: str) -> bool:
    granted = set(granted)
    if needed in granted:
        return True
    top = needed.split(":", 1)[0]
    if top in granted and ":" in needed:
        return True
    if needed in FOLLOW_COVERS and "follow" in granted:
        return True
    return needed == "profile" and bool(granted & {"read", "read:accounts"})


class ApiError(Exception):
    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra


def error_response(status: int, message: str, **extra: Any) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status)


def _domain_error(exc: DomainError) -> JsonResponse:
    status = exc.http_status
    if isinstance(exc, NotFound):
        return error_response(404, "Record not found")
    if isinstance(exc, Forbidden):
        return error_response(403, exc.message)
    if isinstance(exc, Conflict):
        return error_response(422, exc.message)
    details = {}
    if exc.field:
        details = {"details": {exc.field: [{"error": "ERR_INVALID", "description": exc.message}]}}
    if status == 400:
        return error_response(400, exc.message)
    return error_response(422, f"Validation failed: {exc.message}", **details)


class ApiRequest:
    """What a view gets: the Django request, the merged parameters, the account and token."""

    def __init__(self, request: HttpRequest, params: Params, account: User | None, token: Any):
        self.request = request
        self.params = params
        self.account = account
        self.token = token

    @property
    def user(self) -> User:
        assert self.account is not None
        return self.account

    def build_url(self, path: str) -> str:
        return self.request.build_absolute_uri(path)


def _authenticate(request: HttpRequest) -> tuple[bool, Any]:
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("bearer "):
        return False, None
    return True, bearer_token(request, header[7:].strip())


ENTRY_REFUSALS = {
    "disabled": "Your login is currently disabled",
    "unconfirmed": "Your login is missing a confirmed e-mail address",
    "pending": "Your login is currently pending approval",
}


def _account_refusal(account: User, *, gated: bool) -> str | None:
    """Why a token's account may not call an endpoint, in Mastodon's words. Endpoints that
    are not `gated` refuse only disabled accounts."""
    refusal = account_entry_refusal(account)
    if refusal is None or (not gated and refusal != "disabled"):
        return None
    return ENTRY_REFUSALS[refusal]


def endpoint(
    *methods: str,
    scope: str | dict[str, str] | None = None,
    auth: str = "required",
    unconfirmed: bool = False,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Declare a Mastodon endpoint.

    `methods`: the HTTP methods it answers. `scope`: the scope needed (one for all methods, or
    a dict per method). `auth`: "required" (a user's token), "optional" (anonymous allowed,
    a bad token is still refused), "app" (any valid token, a user's or an app's), or "none".
    `unconfirmed`: the endpoint also answers accounts whose email address awaits confirmation
    or whose sign-up awaits approval (Mastodon's endpoints without `require_user!`: the
    emails ones and apps/verify_credentials); every other one refuses them with 403.
    """

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in methods:
                return error_response(405, "Method not allowed")
            sent_token, token = (False, None) if auth == "none" else _authenticate(request)
            if sent_token and token is None:
                return error_response(401, "The access token is invalid")
            account = token.user if token is not None and token.user_id else None
            if auth == "required" and account is None:
                message = (
                    "This method requires an authenticated user"
                    if token is not None
                    else "The access token is invalid"
                )
                return error_response(401, message if sent_token else "The access token is invalid")
            if auth == "app" and token is None:
                return error_response(401, "The access token is invalid")
            refusal = (
                _account_refusal(account, gated=not unconfirmed) if account is not None else None
            )
            if refusal is not None:
                return error_response(403, refusal)
            needed = scope.get(request.method or "GET") if isinstance(scope, dict) else scope
            if needed and token is not None and not scope_allows(token.scope.split(), needed):
                return error_response(403, "This action is outside the authorized scopes")
            allowed, limit_headers = rate_limit(request, token.pk if token is not None else None)
            if not allowed:
                response: HttpResponse = error_response(429, "Too many requests")
            else:
                try:
                    # Ids in the path (`<id:status_id>`): ASCII digits below 2^63, parsed
                    # once here; anything else names no record.
                    for name, value in kwargs.items():
                        if name.endswith("_id"):
                            kwargs[name] = id_or_none(value)
                            if kwargs[name] is None:
                                raise not_found()
                    params = Params(request)
                    response = view(ApiRequest(request, params, account, token), *args, **kwargs)
                except DomainError as exc:
                    response = _domain_error(exc)
                except ApiError as exc:
                    response = error_response(exc.status, exc.message, **exc.extra)
            for name, value in limit_headers.items():
                response[name] = value
            return response

        wrapper.mastodon_endpoint = True  # type: ignore[attr-defined]
        wrapper.methods = methods  # type: ignore[attr-defined]
        return wrapper

    return decorate


_JSON_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME


def _json_default(value: Any) -> Any:
    # What orjson leaves to us (lazy translations, Decimals, datetimes) as Django writes it.
    return _django_json.default(value)


_django_json = DjangoJSONEncoder()


def dumps(data: Any) -> bytes:
    """JSON as the API writes it (orjson; `orjson.Fragment`s are written as they are)."""
    return orjson.dumps(data, default=_json_default, option=_JSON_OPTIONS)


def ok(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> HttpResponse:
    """A JSON answer. orjson: encoding a timeline page with the standard library took longer
    than assembling it."""
    response = HttpResponse(
        dumps(data),
        status=status,
        content_type="application/json",
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def not_found() -> ApiError:
    return ApiError(404, "Record not found")
