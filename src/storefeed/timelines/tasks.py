"""Background tasks of the timelines: thin, idempotent wrappers around the services."""

from django.tasks import task

from storefeed.timelines import services


@task()
def fan_out(status_id: int) -> None:
    services.status_fan_out(status_id=status_id)


@task()
def backfill(owner_id: int, author_id: int) -> None:
    services.home_backfill(owner_id=owner_id, author_id=author_id)


@task()
def remove_author(owner_id: int, author_id: int, with_reposts_of: bool = False) -> None:
    services.home_remove_author(
        owner_id=owner_id, author_id=author_id, with_reposts_of=with_reposts_of
    )


@task()
def remove_statuses(
    status_ids: list[int], authors: list[int] | None = None, mentioned: list[int] | None = None
) -> None:
    services.home_remove_statuses(status_ids=status_ids, authors=authors, mentioned=mentioned or [])


@task()
def pull_ended(author_id: int) -> None:
    services.pull_ended(author_id=author_id)
