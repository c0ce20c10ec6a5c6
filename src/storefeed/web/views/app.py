"""What makes the site an installable web app: the manifest a phone reads to add Storefeed to
its home screen, and /favicon.ico for browsers that ask for it by that name."""

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

# The brand orange (base.html's theme-color meta says the same).
THEME_COLOR = "#ff8200"


@require_safe
@cache_control(public=True, max_age=86400)
def manifest(request: HttpRequest) -> HttpResponse:
    icons = [
        {"src": static("web/img/icon-192.png"), "sizes": "192x192", "type": "image/png"},
        {"src": static("web/img/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        {
            "src": static("web/img/icon-maskable-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        },
    ]
    body = {
        "name": "Storefeed",
        "short_name": "Storefeed",
        "description": _("Posts from people you follow, and the shop windows in them."),
        "start_url": reverse("web:home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOR,
        "icons": icons,
    }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@require_safe
@cache_control(public=True, max_age=86400)
def favicon(request: HttpRequest) -> HttpResponse:
    return HttpResponsePermanentRedirect(static("web/img/favicon.ico"))
