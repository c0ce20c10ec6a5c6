"""Middleware of the web pages: times shown in the reader's time zone, and the streaming API's
address allowed by the Content-Security-Policy."""

from collections.abc import Callable
from urllib.parse import unquote

from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from storefeed.accounts.timezones import zone_for
from storefeed.core import events

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


class StreamingConnectSrcMiddleware:
    """Adds the streaming API's origin to the Content-Security-Policy's `connect-src`, so the
    pages' live updates (web/live.js) may reach it: it is another origin when it runs on its
    own port (`storefeed serve` without a proxy), and which host the reader reached is known
    only per request. Behind one address (a proxy) it is 'self' and nothing is added."""

    HEADERS = ("Content-Security-Policy", "Content-Security-Policy-Report-Only")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        headers = [h for h in self.HEADERS if "connect-src" in response.get(h, "")]
        if not headers:
            return response
        try:
            found = events.streaming_url(request.is_secure(), request.get_host())
        except Exception:  # DisallowedHost: the page itself says so
            return response
        if not found:
            return response
        origin = found.split("/", 3)
        socket = "/".join(origin[:3])  # ws(s)://host:port
        sources = f"{socket} {'http' + socket.removeprefix('ws')}"
        for header in headers:
            response[header] = response[header].replace("connect-src", f"connect-src {sources}", 1)
        return response
