"""The rate limit of both APIs (the Mastodon API and the shop API): STOREFEED_API_RATE_LIMIT
calls per token (per client address without one) in each 5-minute window, counted in
`core.limits` (Redis when configured, else the database), so every process and machine
shares one count. One round trip per call; a store that is down lets calls through."""

import time

from django.conf import settings
from django.http import HttpRequest

from storefeed.core import limits

RATE_WINDOW = 300  # seconds; the limit per window is settings.API_RATE_LIMIT (default 300)


def rate_limit(request: HttpRequest, token_id: int | None) -> tuple[bool, dict[str, str]]:
    """Count this call; whether it may go on, and the X-RateLimit-* headers to answer with
    (with Retry-After when it may not)."""
    key = f"api:t{token_id}" if token_id is not None else f"api:ip{request.META.get('REMOTE_ADDR')}"
    counted = limits.window_hit(key, window=RATE_WINDOW)
    limit = settings.API_RATE_LIMIT
    headers = {
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": str(max(0, limit - counted.used)),
        "X-RateLimit-Reset": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(counted.reset)),
    }
    allowed = counted.used <= limit
    if not allowed:
        headers["Retry-After"] = str(max(1, counted.reset - int(time.time())))
    return allowed, headers
