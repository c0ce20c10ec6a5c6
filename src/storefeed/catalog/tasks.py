"""Background tasks of the catalog: thin, idempotent wrappers around the services."""

from django.tasks import task

from storefeed.catalog import search, services


@task()
def refresh_external_items() -> None:
    """The periodic sweep re-reading third-party prices (run it every hour or so)."""
    services.external_items_refresh()


@task()
def refresh_sold_counts() -> None:
    """Units sold into the search index, for best-selling (run it every minute or so)."""
    search.sold_refresh()
