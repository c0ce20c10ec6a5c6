"""Mastodon API: apps and OAuth 2 (https://docs.joinmastodon.org/methods/apps/ and
/methods/oauth/), on django-oauth-toolkit's views and oauthlib, adapted where Mastodon differs:
every app may use the code, password, client-credentials and refresh grants; tokens carry
only scopes the app registered; the token answer has `created_at`; JSON bodies are read too;
the out-of-band redirect shows the code on a page."""

import hashlib
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.urls import URLPattern
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider.http import OAuth2ResponseRedirect
from oauth2_provider.models import AccessToken, Application
from oauth2_provider.oauth2_backends import OAuthLibCore
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.views import AuthorizationView, RevokeTokenView, TokenView
from oauthlib.oauth2 import Server
from oauthlib.oauth2.rfc6749.grant_types.authorization_code import code_challenge_method_s256

from storefeed.accounts.throttle import SignInThrottled
from storefeed.api import push, services
from storefeed.api.mastodon.base import ALL_SCOPES, ApiRequest, endpoint, ok, scope_allows
from storefeed.api.mastodon.routing import route
from storefeed.api.models import ClientApp
from storefeed.core.errors import ValidationFailed
from storefeed.core.parse import check_payload

OOB = services.OOB
GRANT_TYPES = ("authorization_code", "password", "client_credentials", "refresh_token")


class MastodonValidator(OAuth2Validator):
    """DOT's validator with Mastodon's rules for grants and scopes."""

    def validate_grant_type(
        self, client_id: str, grant_type: str, client: Any, request: Any, *args: Any, **kw: Any
    ) -> bool:
        # DOT ties an application to one grant type; a Mastodon app may use all of these.
        return grant_type in GRANT_TYPES

    def validate_response_type(
        self, client_id: str, response_type: str, client: Any, request: Any, *args: Any, **kw: Any
    ) -> bool:
        return response_type == "code"

    def validate_scopes(
        self, client_id: str, scopes: list[str], client: Any, request: Any, *args: Any, **kw: Any
    ) -> bool:
        """Known scopes, each within what the app registered ("read" covers "read:statuses",
        "follow" the follow, block and mute ones)."""
        registered = services.app_scopes(client)
        return all(s in ALL_SCOPES and scope_allows(registered, s) for s in scopes)

    def get_default_scopes(self, client_id: str, request: Any, *args: Any, **kw: Any) -> list[str]:
        return ["read"]  # Mastodon's default when a client asks for none


class MastodonOAuthLibCore(OAuthLibCore):
    """Reads the parameters of a JSON body as well as a form (Mastodon accepts both)."""

    def extract_body(self, request: HttpRequest) -> Any:
        if (request.content_type or "").lower() == "application/json":
            data = _json_body(request)
            return [(k, _flat(v)) for k, v in (data or {}).items() if v is not None]
        return super().extract_body(request)


def _flat(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _json_body(request: HttpRequest) -> dict[str, Any] | None:
    """The JSON object in the body; None if the body is not one."""
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


ERROR_DESCRIPTIONS = {
    "invalid_scope": _lazy(
        "The requested scope is invalid, unknown, or beyond the scopes the app registered."
    ),
    "invalid_client": _lazy("Client authentication failed: unknown client or wrong secret."),
    "invalid_grant": _lazy(
        "The grant is invalid, expired or revoked, or the sign-in details are wrong."
    ),
    "unsupported_grant_type": _lazy("That grant type is not supported."),
    "invalid_request": _lazy("The request is missing a parameter or is malformed."),
    "unauthorized_client": _lazy("This client may not use that grant type."),
}


def _oauth_error(status: int, error: str, description: str) -> JsonResponse:
    return JsonResponse({"error": error, "error_description": description}, status=status)


class MastodonServer(Server):
    """oauthlib's server with PKCE's S256 only, as the server metadata says: `plain` (also what
    a challenge without a method means) sends the verifier itself through the browser."""

    def __init__(self, request_validator: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(request_validator, *args, **kwargs)
        self.auth_grant._code_challenge_methods = {"S256": code_challenge_method_s256}


def _unusable_parameter(request: HttpRequest) -> str | None:
    """The name of a parameter holding text no database takes (a NUL, a lone surrogate), whose
    lookup of a client, user or token would fail in PostgreSQL; else None."""
    if (request.content_type or "").lower() == "application/json":
        data: Any = [request.GET, _json_body(request) or {}]
    else:
        try:
            data = [request.GET, request.POST]
        except MultiPartParserError:
            return "body"
    for source in data:
        items = source.lists() if hasattr(source, "lists") else source.items()
        problem = check_payload(dict(items))
        if problem is not None:
            return problem
    return None


class _MastodonOAuth:
    validator_class = MastodonValidator
    oauthlib_backend_class = MastodonOAuthLibCore
    server_class = MastodonServer

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        problem = _unusable_parameter(request)
        if problem is not None:
            return self.unusable(request, problem)
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    def unusable(self, request: HttpRequest, field: str) -> HttpResponse:
        """The answer to a parameter no database takes: OAuth's JSON error for an app."""
        return _oauth_error(
            400,
            "invalid_request",
            _("%(field)s contains characters that cannot be used.") % {"field": field},
        )


class AuthorizeView(_MastodonOAuth, AuthorizationView):
    """GET shows the consent page to the signed-in person (others go to the sign-in page and
    come back); POST approves or denies. The out-of-band redirect shows the code instead."""

    template_name = "api/oauth/authorize.html"

    def unusable(self, request: HttpRequest, field: str) -> HttpResponse:
        """A person's browser is on this page: the page that says the app's request is not
        valid (there is no redirect to trust before the app is known)."""
        return render(
            request,
            "api/oauth/code.html",
            {"code": "", "error": "invalid_request", "application": None},
            status=400,
        )

    def redirect(self, redirect_to: str, application: Application | None) -> HttpResponse:
        if redirect_to.startswith(OOB):
            query = parse_qs(urlsplit(redirect_to).query)
            return render(
                self.request,
                "api/oauth/code.html",
                {
                    "code": (query.get("code") or [""])[0],
                    "error": (query.get("error") or [""])[0],
                    "application": application,
                },
            )
        # Phone apps register their own URI schemes; allow those the app registered.
        schemes = {"http", "https"}
        if application is not None:
            schemes |= {urlsplit(u).scheme for u in application.redirect_uris.split()}
        return OAuth2ResponseRedirect(redirect_to, sorted(schemes))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        application = context.get("application")
        if application is not None:
            context["client_app"] = ClientApp.objects.filter(application=application).first()
        context["scope_labels"] = [
            {"scope": s, "label": scope_label(s)} for s in context.get("scopes") or []
        ]
        return context


def scope_label(scope: str) -> str:
    """What a scope lets an app do, for the consent page."""
    whole = {
        "read": _("Read all your account's data"),
        "write": _("Change all your account's data"),
        "follow": _("Follow, block and mute accounts"),
        "push": _("Receive your push notifications"),
        "profile": _("See your profile, and nothing else"),
    }
    if scope in whole:
        return str(whole[scope])
    top, _sep, part = scope.partition(":")
    part = part.replace("_", " ")
    if top == "read":
        return _("Read your %(what)s") % {"what": part}
    return _("Change your %(what)s") % {"what": part}


@method_decorator(csrf_exempt, name="dispatch")
class MastodonTokenView(_MastodonOAuth, TokenView):
    """POST /oauth/token: the Token entity {access_token, token_type, scope, created_at}."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return _oauth_error(405, "invalid_request", "Use POST.")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        json_body = (request.content_type or "").lower() == "application/json"
        if json_body and _json_body(request) is None:
            return _oauth_error(400, "invalid_request", "The body is not a JSON object.")
        try:
            response = self.authorization_flow_token_response(request)
        except SignInThrottled as throttled:
            # The password grant: too many failed sign-ins from this address or to this
            # account (accounts/throttle.py); the same answer whether the account exists.
            answer = _oauth_error(429, "Too many requests", str(throttled.message))
            answer["Retry-After"] = str(throttled.retry_after)
            return answer
        return _token_entity(response)


def _token_entity(response: HttpResponse) -> HttpResponse:
    try:
        data = json.loads(response.content or b"{}")
    except ValueError:
        return response
    if response.status_code != 200 or "access_token" not in data:
        if isinstance(data, dict) and data.get("error") and not data.get("error_description"):
            data["error_description"] = str(ERROR_DESCRIPTIONS.get(data["error"], data["error"]))
        return JsonResponse(data, status=response.status_code)
    checksum = hashlib.sha256(data["access_token"].encode()).hexdigest()
    token = AccessToken.objects.filter(token_checksum=checksum).only("created").first()
    data["token_type"] = "Bearer"
    data["created_at"] = int(token.created.timestamp()) if token is not None else None
    answer = JsonResponse(data)
    answer["Cache-Control"] = "no-store"
    answer["Pragma"] = "no-cache"
    return answer


@method_decorator(csrf_exempt, name="dispatch")
class MastodonRevokeView(_MastodonOAuth, RevokeTokenView):
    """POST /oauth/revoke: always `{}` once the client is authenticated (RFC 7009)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if (request.content_type or "").lower() == "application/json" and (
            _json_body(request) is None
        ):
            return _oauth_error(400, "invalid_request", "The body is not a JSON object.")
        response = super().post(request, *args, **kwargs)
        if response.status_code == 200:
            return JsonResponse({})
        try:
            return JsonResponse(json.loads(response.content), status=response.status_code)
        except ValueError:
            return response


def authorization_server_metadata(request: HttpRequest) -> JsonResponse:
    """GET /.well-known/oauth-authorization-server (RFC 8414), as Mastodon 4.3 serves it."""
    base = request.build_absolute_uri("/").rstrip("/")
    return JsonResponse(
        {
            "issuer": f"{base}/",
            "service_documentation": "https://docs.joinmastodon.org/",
            "authorization_endpoint": f"{base}/oauth/authorize",
            "token_endpoint": f"{base}/oauth/token",
            "revocation_endpoint": f"{base}/oauth/revoke",
            "app_registration_endpoint": f"{base}/api/v1/apps",
            "scopes_supported": ALL_SCOPES,
            "response_types_supported": ["code"],
            "response_modes_supported": ["query", "fragment", "form_post"],
            "code_challenge_methods_supported": ["S256"],
            "grant_types_supported": list(GRANT_TYPES),
            "token_endpoint_auth_methods_supported": [
                "client_secret_basic",
                "client_secret_post",
            ],
        }
    )


# Apps ---------------------------------------------------------------------------------


def _split(value: Any, *, field: str) -> list[str]:
    """Scopes and redirect URIs come space-, plus- or newline-separated, or as an array."""
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        if item is None:
            continue
        if not isinstance(item, str):
            raise ValidationFailed(
                _("%(field)s must be a string or an array of strings.") % {"field": field},
                field=field,
                reason="invalid",
            )
        out.extend(item.replace("+", " ").split())
    return out


def application_entity(
    application: Application, client_app: ClientApp | None, *, secret: str | None = None
) -> dict[str, Any]:
    uris = application.redirect_uris.split()
    data: dict[str, Any] = {
        "id": str(application.pk),
        "name": application.name,
        "website": (client_app.website or None) if client_app else None,
        "scopes": client_app.scope_list if client_app else ["read"],
        "redirect_uri": "\n".join(uris),
        "redirect_uris": uris,
        # The VAPID public key push subscriptions are signed with (api/push.py).
        "vapid_key": push.server_public_key(),
    }
    if secret is not None:
        data["client_id"] = application.client_id
        data["client_secret"] = secret
        data["client_secret_expires_at"] = 0
    return data


@endpoint("POST", auth="none")
def apps_create(api: ApiRequest) -> HttpResponse:
    p = api.params
    redirect_uris = _split(p.raw("redirect_uris"), field="redirect_uris")
    scopes = _split(p.raw("scopes", "read"), field="scopes")
    application, client_app, secret = services.client_app_create(
        name=p.str("client_name", "") or "",
        redirect_uris=redirect_uris,
        scopes=scopes,
        website=p.str("website", "") or "",
    )
    return ok(application_entity(application, client_app, secret=secret))


@endpoint("GET", auth="app", unconfirmed=True)
def apps_verify_credentials(api: ApiRequest) -> HttpResponse:
    application = api.token.application
    client_app = ClientApp.objects.filter(application=application).first()
    return ok(application_entity(application, client_app))


urlpatterns: list[URLPattern] = [
    route("api/v1/apps/verify_credentials", apps_verify_credentials),
    route("api/v1/apps", apps_create),
    route("oauth/authorize", AuthorizeView.as_view(), name="oauth-authorize"),
    route("oauth/token", MastodonTokenView.as_view(), name="oauth-token"),
    route("oauth/revoke", MastodonRevokeView.as_view(), name="oauth-revoke"),
    route(".well-known/oauth-authorization-server", authorization_server_metadata),
]
