"""The URL map: admin, media, i18n, the Mastodon API and OAuth, and the web pages."""

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, JsonResponse
from django.urls import include, path, re_path
from django.views.static import serve


def constant(request: HttpRequest) -> JsonResponse:
    """The benchmarks' yardstick: the cheapest answer these processes can give."""
    return JsonResponse({"ok": True, "name": "storefeed", "items": list(range(10))})


urlpatterns = [
    *([path("bench/constant", constant)] if settings.BENCH_YARDSTICK else []),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # Uploaded media from the embedded store; a deployment may serve MEDIA_ROOT elsewhere.
    re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    # Commerce mounts its API and pages only when switched on (STOREFEED_COMMERCE). The shop
    # API (its own prefix, api/shop/v1/) comes before the Mastodon API's long flat map, so a
    # checkout is not matched against every Mastodon pattern first.
    *([path("", include("storefeed.api.shop.urls"))] if settings.COMMERCE else []),
    path("", include("storefeed.api.mastodon.urls")),
    *([path("", include("storefeed.web.shop.urls"))] if settings.COMMERCE else []),
    path("", include("storefeed.web.urls")),
]

# A body too large to read gets 413 and a page saying so (Django would answer 400).
handler400 = "storefeed.web.views.errors.bad_request_or_too_large"
