"""Endpoint modules of the Mastodon API; each has its own `urlpatterns`."""

from storefeed.api.mastodon.views import (
    accounts,
    discovery,
    emails,
    instance,
    lists,
    media,
    notifications,
    oauth,
    profile,
    push,
    search,
    statuses,
    timelines,
)

ROUTE_MODULES = [
    oauth,
    instance,
    accounts,
    profile,
    emails,
    statuses,
    media,
    timelines,
    lists,
    notifications,
    push,
    search,
    discovery,
]
