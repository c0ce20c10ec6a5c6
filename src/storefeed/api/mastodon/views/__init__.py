"""Endpoint modules of the Mastodon API; each has its own `urlpatterns`."""

from storefeed.api.mastodon.views import (
    accounts,
    conversations,
    discovery,
    emails,
    filters,
    instance,
    lists,
    media,
    moderation,
    notifications,
    oauth,
    profile,
    search,
    statuses,
    timelines,
)

ROUTE_MODULES = [
    oauth,
    instance,
    accounts,
    profile,
    conversations,
    emails,
    filters,
    statuses,
    media,
    timelines,
    lists,
    notifications,
    search,
    discovery,
    filters,
    conversations,
    moderation,
]
