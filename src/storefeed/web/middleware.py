"""Middleware of the web pages: times shown in the reader's time zone."""

from collections.abc import Callable
from urllib.parse import unquote

from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from storefeed.accounts.timezones import zone_for

# The cookie the pages' script sets to the browser's zone (Intl.DateTimeFormat).
BROWSER_ZONE_COOKIE = "tz"


class LocalTimeMiddleware:
    """Activates the reader's time zone for the web pages (and the messages services word
    for them, such as when a PIN lock ends). The APIs keep UTC: they send ISO 8601 times."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(("/api/", "/oauth/", "/static/", "/media/")):
            return self.get_response(request)
        user = request.user
        chosen = getattr(user, "time_zone", "") if user.is_authenticated else ""
        timezone.activate(
            zone_for(
                chosen=chosen,
                browser=unquote(request.COOKIES.get(BROWSER_ZONE_COOKIE, ""))[:64],
                language=translation.get_language() or "",
            )
        )
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
