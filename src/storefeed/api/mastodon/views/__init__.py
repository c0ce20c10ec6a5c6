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
    search,
    statuses,
    timelines,
)

ROUTE_MODULES = [
    oauth,
    instance,
    accounts,
    emails,
    statuses,
    media,
    timelines,
    lists,
    notifications,
    search,
    discovery,
]
