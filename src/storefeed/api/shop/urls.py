"""Mounted at / by config/urls.py only when commerce is on: the shop API at /api/shop/v1/
and its OpenAPI document, also at /api/docs."""

from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, URLResolver, path

from storefeed.api.shop.api import api

PREFIX = "api/shop/v1/"


def openapi_document(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        api.get_openapi_schema(path_prefix=f"/{PREFIX}"), json_dumps_params={"ensure_ascii": False}
    )


urlpatterns: list[URLPattern | URLResolver] = [
    path("api/docs", openapi_document, name="shop_api_docs"),
    path(PREFIX, api.urls),
]
