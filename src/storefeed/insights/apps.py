"""Seller insight (commerce): registers its impression counter into posts' hydration hook."""

from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "storefeed.insights"
    label = "insights"

    def ready(self) -> None:
        # Pages of posts (web and API) report which product posts they showed through posts'
        # hook; posts knows nothing of insight and runs unchanged without it.
        from storefeed.insights import receivers  # noqa: F401 (connects them)
        from storefeed.insights.counting import record_shown
        from storefeed.posts import hydration

        hydration.register_shown(record_shown)
