"""Discovery: experts by field, who to follow, and the hot list (trends)."""

from django.apps import AppConfig


class DiscoveryConfig(AppConfig):
    name = "storefeed.discovery"
    label = "discovery"
