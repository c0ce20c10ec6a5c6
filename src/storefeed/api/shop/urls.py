"""Mounted at / by config/urls.py only when commerce is on: the shop API at /api/shop/v1/
and its OpenAPI document, also at /api/docs."""

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, URLResolver, path
from django.utils.translation import gettext as _

from storefeed.api.ratelimit import rate_limit
from storefeed.api.shop.api import api, error_body
from storefeed.api.tokens import bearer_of

PREFIX = "api/shop/v1/"


def openapi_document(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        api.get_openapi_schema(path_prefix=f"/{PREFIX}"), json_dumps_params={"ensure_ascii": False}
    )


def _limited(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The shop API's operations count against the same rate limit as the Mastodon API's
    (per token, per address without one), with the same X-RateLimit-* headers."""

    @functools.wraps(view)
    def limited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        token = bearer_of(request)
        allowed, headers = rate_limit(request, token.pk if token is not None else None)
        if allowed:
            response = view(request, *args, **kwargs)
        else:
            response = JsonResponse(
                error_body(
                    _("Too many requests: wait for the rate limit to reset."), "rate_limited"
                ),
                status=429,
            )
        for name, value in headers.items():
            response[name] = value
        return response

    return limited


def _with_rate_limit(urls: Any) -> Any:
    patterns, app_name, namespace = urls
    for pattern in patterns:
        pattern.callback = _limited(pattern.callback)
    return patterns, app_name, namespace


urlpatterns: list[URLPattern | URLResolver] = [
    path("api/docs", openapi_document, name="shop_api_docs"),
    path(PREFIX, _with_rate_limit(api.urls)),
]
