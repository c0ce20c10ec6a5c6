"""Reading the home timeline: ids from the store, statuses hydrated by posts."""

from dataclasses import dataclass

from django.db.models import IntegerField, Value

from storefeed.accounts.models import User
from storefeed.posts.models import Status
from storefeed.posts.selectors import MAX_PAGE, statuses_hydrate
from storefeed.social.models import Follow
from storefeed.social.selectors import hidden_account_rows
from storefeed.timelines.models import ListMember
from storefeed.timelines.store import Skip, home_store

_HIDDEN, _EXCLUSIVE, _NO_REBLOGS = 1, 2, 3


@dataclass(frozen=True)
class ReaderFilters:
    """What one reader's home and lists leave out, by account."""

    hidden: frozenset[int]  # blocked, blocking or muted: their posts, and reposts of them
    exclusive: frozenset[int]  # members of the reader's exclusive lists: not in home
    no_reblogs: frozenset[int]  # followed with reblogs off: their reposts


def reader_filters(viewer_id: int) -> ReaderFilters:
    """The reader's filters, read in one query (a page costs the same with or without)."""

    def kind(value: int) -> Value:
        return Value(value, output_field=IntegerField())

    first, *rest = hidden_account_rows(viewer_id, kind(_HIDDEN))
    exclusive = ListMember.objects.filter(
        list__owner_id=viewer_id, list__exclusive=True
    ).values_list("account_id", kind(_EXCLUSIVE))
    no_reblogs = Follow.objects.filter(follower_id=viewer_id, show_reblogs=False).values_list(
        "target_id", kind(_NO_REBLOGS)
    )
    found: dict[int, set[int]] = {_HIDDEN: set(), _EXCLUSIVE: set(), _NO_REBLOGS: set()}
    for account_id, which in first.union(*rest, exclusive, no_reblogs, all=True):
        found[which].add(account_id)
    return ReaderFilters(
        hidden=frozenset(found[_HIDDEN]),
        exclusive=frozenset(found[_EXCLUSIVE]),
        no_reblogs=frozenset(found[_NO_REBLOGS]),
    )


def home_timeline(
    *,
    viewer: User,
    max_id: int | None = None,
    since_id: int | None = None,
    min_id: int | None = None,
    limit: int = 20,
) -> list[Status]:
    """One page of `viewer`'s home, newest first, without blocked or muted accounts (also
    as the author of a reposted post), without the posts of members of the viewer's
    exclusive lists (those are read in the list: Mastodon's `exclusive`), and without the
    reposts of accounts followed with reblogs off. Costs the same number of queries for any
    page size."""
    limit = max(1, min(limit, MAX_PAGE))
    filters = reader_filters(viewer.pk)
    skip = Skip(
        # A member of an exclusive list still shows when someone else reposts them, as in
        # Mastodon (only the entry's own author is checked).
        authors=filters.hidden | filters.exclusive,
        origin_authors=filters.hidden,
        reposts_by=filters.no_reblogs,
    )
    ids = home_store().page(
        viewer.pk, max_id=max_id, since_id=since_id, min_id=min_id, limit=limit, skip=skip
    )
    return statuses_hydrate(viewer=viewer, ids=ids)
