"""Endpoint modules of the Mastodon API; each has its own `urlpatterns`."""

from storefeed.api.mastodon.views import (
    accounts,
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
    statuses,
    media,
    timelines,
    lists,
    notifications,
    search,
]
