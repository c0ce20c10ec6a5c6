"""Endpoint modules of the Mastodon API; each has its own `urlpatterns`."""

from storefeed.api.mastodon.views import (
    accounts,
    announcements,
    discovery,
    emails,
    grouped,
    instance,
    lists,
    media,
    notifications,
    oauth,
    profile,
    quotes,
    search,
    statuses,
    timelines,
)

ROUTE_MODULES = [
    oauth,
    instance,
    announcements,
    accounts,
    profile,
    emails,
    statuses,
    quotes,
    media,
    timelines,
    lists,
    # Before notifications: its `requests` paths would read as notification ids there.
    grouped,
    notifications,
    search,
    discovery,
]
