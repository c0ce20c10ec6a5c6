"""The home timeline store: one interface, with the database as its first implementation.

A store keeps, per owner, the ids of the statuses delivered to their home timeline, newest
first, each with its author (and for a repost the reposted post's author). It knows nothing
of visibility, blocks, mutes or lists: fan-out decides what goes in, and the selector tells
`page` which accounts' entries to leave out (`Skip`), so that a page stays full. A Redis
implementation (redis_store.py) replaces the database one when STOREFEED_TIMELINE_STORE=redis;
tests/timelines/test_store_contract.py is the contract both must pass.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from django.conf import settings
from django.db.models import Q

from storefeed.core import sql
from storefeed.timelines.models import HomeEntry

BATCH = 1000


@dataclass(frozen=True)
class Entry:
    status_id: int
    author_id: int
    origin_author_id: int | None = None  # for a repost: whose post was reposted


@dataclass(frozen=True)
class Skip:
    """Entries a page leaves out, named by account."""

    authors: frozenset[int] = frozenset()  # entries whose author is one of these
    origin_authors: frozenset[int] = frozenset()  # reposts of these accounts' posts
    reposts_by: frozenset[int] = frozenset()  # reposts made by these accounts


class StoreUnavailable(Exception):
    """The store could not be read (Redis down or unreachable); the database still can."""


class TimelineStore(Protocol):
    def push(self, owner_ids: Iterable[int], entry: Entry) -> None:
        """Deliver one status to several homes (again is harmless)."""

    def push_many(self, owner_id: int, entries: Iterable[Entry]) -> None:
        """Deliver several statuses to one home (backfill after a follow)."""

    def page(
        self,
        owner_id: int,
        *,
        max_id: int | None = None,
        since_id: int | None = None,
        min_id: int | None = None,
        limit: int = 20,
        skip: Skip | None = None,
        authors: frozenset[int] | None = None,
    ) -> list[int]:
        """Status ids, newest first; `min_id` gives the page just newer than it. Entries
        matched by `skip`, and with `authors` those by anyone else (a list's page), are
        passed over, and the page is still `limit` long if the home holds enough others."""

    def holding(self, status_id: int, owner_ids: Iterable[int]) -> set[int]:
        """Those of `owner_ids` whose home holds the status."""

    def remove_statuses(
        self, status_ids: Sequence[int], owner_ids: Iterable[int] | None = None
    ) -> None:
        """Take statuses out of the homes they were delivered to (`owner_ids` when known)."""

    def remove_author(
        self, owner_id: int, author_id: int, *, with_reposts_of: bool = False
    ) -> None:
        """Take an account's posts out of one home; with `with_reposts_of`, also others'
        reposts of that account's posts (after a block or a mute)."""

    def trim(self, owner_id: int, keep: int) -> None:
        """Keep only the newest `keep` entries of one home."""


class DatabaseTimelineStore:
    def push(self, owner_ids: Iterable[int], entry: Entry) -> None:
        owners = list(dict.fromkeys(owner_ids))
        for start in range(0, len(owners), BATCH):
            HomeEntry.objects.bulk_create(
                [
                    HomeEntry(
                        owner_id=owner,
                        status_id=entry.status_id,
                        author_id=entry.author_id,
                        origin_author_id=entry.origin_author_id,
                    )
                    for owner in owners[start : start + BATCH]
                ],
                ignore_conflicts=True,
            )

    def push_many(self, owner_id: int, entries: Iterable[Entry]) -> None:
        HomeEntry.objects.bulk_create(
            [
                HomeEntry(
                    owner_id=owner_id,
                    status_id=e.status_id,
                    author_id=e.author_id,
                    origin_author_id=e.origin_author_id,
                )
                for e in entries
            ],
            batch_size=BATCH,
            ignore_conflicts=True,
        )

    def page(
        self,
        owner_id: int,
        *,
        max_id: int | None = None,
        since_id: int | None = None,
        min_id: int | None = None,
        limit: int = 20,
        skip: Skip | None = None,
        authors: frozenset[int] | None = None,
    ) -> list[int]:
        # Every home and list page runs this: plain SQL (core/sql.py), since the ORM took
        # longer to build the statement than the database took to answer it.
        if authors is not None and not authors:
            return []
        where, params = ["owner_id = %s"], [owner_id]

        def among(column: str, ids: frozenset[int]) -> str:
            params.extend(sorted(ids))
            return f"{column} IN ({sql.placeholders(params[-len(ids) :])})"

        if authors is not None:
            where.append(among("author_id", authors))
        if skip is not None:
            if skip.authors:
                where.append(f"NOT {among('author_id', skip.authors)}")
            if skip.origin_authors:
                where.append(
                    f"(origin_author_id IS NULL OR NOT {among('origin_author_id', skip.origin_authors)})"
                )
            if skip.reposts_by:
                where.append(
                    f"(origin_author_id IS NULL OR NOT {among('author_id', skip.reposts_by)})"
                )
        for bound, op in ((max_id, "<"), (since_id, ">"), (min_id, ">")):
            if bound is not None:
                where.append(f"status_id {op} %s")
                params.append(bound)
        order = "ASC" if min_id is not None else "DESC"
        query = (
            f"SELECT status_id FROM {sql.table(HomeEntry)} WHERE {' AND '.join(where)} "  # noqa: S608
            f"ORDER BY status_id {order} LIMIT %s"
        )
        ids = [row[0] for row in sql.rows(query, [*params, limit])]
        return ids[::-1] if min_id is not None else ids

    def holding(self, status_id: int, owner_ids: Iterable[int]) -> set[int]:
        # One query by status rather than an IN list as long as a celebrity's followers.
        held = HomeEntry.objects.filter(status_id=status_id).values_list("owner_id", flat=True)
        return set(held) & set(owner_ids)

    def remove_statuses(
        self, status_ids: Sequence[int], owner_ids: Iterable[int] | None = None
    ) -> None:
        qs = HomeEntry.objects.filter(status_id__in=list(status_ids))
        if owner_ids is not None:
            qs = qs.filter(owner_id__in=list(owner_ids))
        qs.delete()

    def remove_author(
        self, owner_id: int, author_id: int, *, with_reposts_of: bool = False
    ) -> None:
        match = Q(author_id=author_id)
        if with_reposts_of:
            match |= Q(origin_author_id=author_id)
        HomeEntry.objects.filter(match, owner_id=owner_id).delete()

    def trim(self, owner_id: int, keep: int) -> None:
        cutoff = (
            HomeEntry.objects.filter(owner_id=owner_id)
            .order_by("-status_id")
            .values_list("status_id", flat=True)[keep : keep + 1]
        )
        boundary = list(cutoff)
        if boundary:
            HomeEntry.objects.filter(owner_id=owner_id, status_id__lte=boundary[0]).delete()


_database_store = DatabaseTimelineStore()


@cache
def _redis_store(url: str, keep: int) -> TimelineStore:
    from storefeed.timelines.redis_store import RedisTimelineStore  # here: it imports this module

    return RedisTimelineStore.from_url(url, keep=keep)


def home_store() -> TimelineStore:
    """The configured store: STOREFEED_TIMELINE_STORE, the database unless it says redis."""
    if settings.TIMELINE_STORE == "redis":
        return _redis_store(settings.REDIS_URL, settings.HOME_KEEP)
    return _database_store
