"""Background tasks of discovery: thin wrappers the beat enqueues."""

from django.tasks import task

from storefeed.discovery import services, trends


@task()
def refresh_trends() -> None:
    trends.trends_refresh()


@task()
def refresh_expert_ranks() -> None:
    services.expert_ranks_refresh()
