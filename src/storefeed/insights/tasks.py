"""Background tasks of the insight."""

from django.tasks import task

from storefeed.insights import rollup


@task()
def rollup_insights() -> None:
    """Buffers and order changes into the daily rows (periodic, every 30 s; idempotent)."""
    rollup.insights_rollup()
