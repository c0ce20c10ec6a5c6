"""Background tasks of core: the purge of expired limit counters."""

from django.tasks import task

from storefeed.core import limits


@task()
def purge_limit_counters() -> None:
    limits.counters_purge()
