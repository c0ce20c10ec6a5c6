"""Reading the home timeline: ids from the store, merged with the posts pulled from the
celebrities the reader follows (hybrid delivery), statuses hydrated by posts."""

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import F, Q

from storefeed.accounts.models import User
from storefeed.core import sql
from storefeed.core.pagination import ids_page
from storefeed.posts.models import Status, Visibility
from storefeed.posts.selectors import MAX_PAGE, statuses_hydrate
from storefeed.social.models import Follow
from storefeed.social.selectors import hidden_accounts_sql
from storefeed.timelines.models import List, ListMember
from storefeed.timelines.store import Skip, StoreUnavailable, home_store

log = logging.getLogger(__name__)

_HIDDEN, _EXCLUSIVE, _NO_REBLOGS, _PULLED = 1, 2, 3, 4


@dataclass(frozen=True)
class ReaderFilters:
    """What one reader's home and lists leave out, by account."""

    hidden: frozenset[int]  # blocked, blocking or muted: their posts, and reposts of them
    exclusive: frozenset[int]  # members of the reader's exclusive lists: not in home
    no_reblogs: frozenset[int]  # followed with reblogs off: their reposts
    pulled: frozenset[int]  # followed celebrities: their posts are pulled when read


def reader_filters(viewer_id: int) -> ReaderFilters:
    """The reader's filters, read in one query (a page costs the same with or without).
    Plain SQL: every home and list page runs it (see core/sql.py)."""
    hidden, params = hidden_accounts_sql(viewer_id, _HIDDEN)
    members, lists = sql.table(ListMember), sql.table(List)
    follows, users = sql.table(Follow), sql.table(User)
    query = f"""{hidden}
        UNION ALL SELECT m.account_id, {_EXCLUSIVE} FROM {members} m
            JOIN {lists} l ON l.id = m.list_id WHERE l.owner_id = %s AND l.exclusive
        UNION ALL SELECT target_id, {_NO_REBLOGS} FROM {follows}
            WHERE follower_id = %s AND NOT show_reblogs
        UNION ALL SELECT f.target_id, {_PULLED} FROM {follows} f
            JOIN {users} u ON u.id = f.target_id
            WHERE f.follower_id = %s AND u.followers_count >= %s"""  # noqa: S608
    params += [viewer_id, viewer_id, viewer_id, settings.CELEBRITY_FOLLOWERS]
    found: dict[int, set[int]] = {k: set() for k in (_HIDDEN, _EXCLUSIVE, _NO_REBLOGS, _PULLED)}
    for account_id, which in sql.rows(query, params):
        found[which].add(account_id)
    return ReaderFilters(
        hidden=frozenset(found[_HIDDEN]),
        exclusive=frozenset(found[_EXCLUSIVE]),
        no_reblogs=frozenset(found[_NO_REBLOGS]),
        pulled=frozenset(found[_PULLED]),
    )


def pulled_ids(
    *,
    viewer_id: int,
    authors: frozenset[int],
    skip: Skip,
    max_id: int | None = None,
    since_id: int | None = None,
    min_id: int | None = None,
    limit: int = 20,
) -> list[int]:
    """The ids of the posts of `authors` (celebrities the viewer follows) that fan-out would
    have delivered to the viewer's home, within the cursor bounds, newest first, as
    `TimelineStore.page` gives them: not direct; a reply only to its author, to the viewer or
    to someone the viewer follows; without what `skip` leaves out. One query, on the
    statuses' (account, id) index."""
    authors = authors - skip.authors
    if not authors:
        return []
    follows = Follow.objects.filter(follower_id=viewer_id).values("target_id")
    qs = Status.objects.filter(
        Q(in_reply_to_account__isnull=True)
        | Q(in_reply_to_account_id=F("account_id"))
        | Q(in_reply_to_account_id=viewer_id)
        | Q(in_reply_to_account_id__in=follows),
        account_id__in=sorted(authors),
        visibility__in=[Visibility.PUBLIC, Visibility.UNLISTED, Visibility.PRIVATE],
    )
    if skip.origin_authors:
        qs = qs.exclude(reblog_of__account_id__in=sorted(skip.origin_authors))
    if reposts_by := authors & skip.reposts_by:
        qs = qs.exclude(account_id__in=sorted(reposts_by), reblog_of__isnull=False)
    return ids_page(qs, "pk", max_id=max_id, since_id=since_id, min_id=min_id, limit=limit)


def timeline_ids(
    *,
    viewer_id: int,
    skip: Skip,
    pulled: frozenset[int],
    authors: frozenset[int] | None = None,
    max_id: int | None = None,
    since_id: int | None = None,
    min_id: int | None = None,
    limit: int = 20,
) -> list[int]:
    """One page of the viewer's home (of `authors` in it, for a list): the store's page
    merged with the posts pulled from the followed celebrities `pulled`, newest first. Each
    side gives its `limit` nearest the cursor, so the merge's `limit` are the page's; a post
    both pushed (before its author crossed the threshold) and pulled counts once.
    If the store cannot be read (Redis down), everything is pulled: the viewer's and every
    followed account's posts, by the same rules (one more query; direct posts are left out)."""
    try:
        pushed = home_store().page(
            viewer_id,
            max_id=max_id,
            since_id=since_id,
            min_id=min_id,
            limit=limit,
            skip=skip,
            authors=authors,
        )
    except StoreUnavailable as error:
        log.warning("Home timeline store unavailable, reading from the database: %s", error)
        followed = Follow.objects.filter(follower_id=viewer_id).values_list("target_id", flat=True)
        pushed, pulled = [], frozenset({viewer_id, *followed})
    from_celebrities = pulled if authors is None else pulled & authors
    if not from_celebrities:
        return pushed
    extra = pulled_ids(
        viewer_id=viewer_id,
        authors=from_celebrities,
        skip=skip,
        max_id=max_id,
        since_id=since_id,
        min_id=min_id,
        limit=limit,
    )
    merged = sorted(set(pushed).union(extra), reverse=True)
    # Moving up from min_id, the page is the `limit` oldest above it.
    return merged[-limit:] if min_id is not None else merged[:limit]


def home_timeline(*, viewer: User, **page: Any) -> list[Status]:
    """`home_timeline_ids`, hydrated."""
    return statuses_hydrate(viewer=viewer, ids=home_timeline_ids(viewer=viewer, **page))


def home_timeline_ids(
    *,
    viewer: User,
    max_id: int | None = None,
    since_id: int | None = None,
    min_id: int | None = None,
    limit: int = 20,
) -> list[int]:
    """The ids of one page of `viewer`'s home, newest first, without blocked or muted accounts (also
    as the author of a reposted post), without the posts of members of the viewer's
    exclusive lists (those are read in the list: Mastodon's `exclusive`), and without the
    reposts of accounts followed with reblogs off. Costs the same number of queries for any
    page size, and one more query when the viewer follows celebrities (hybrid delivery)."""
    limit = max(1, min(limit, MAX_PAGE))
    filters = reader_filters(viewer.pk)
    skip = Skip(
        # A member of an exclusive list still shows when someone else reposts them, as in
        # Mastodon (only the entry's own author is checked).
        authors=filters.hidden | filters.exclusive,
        origin_authors=filters.hidden,
        reposts_by=filters.no_reblogs,
    )
    return timeline_ids(
        viewer_id=viewer.pk,
        skip=skip,
        pulled=filters.pulled,
        max_id=max_id,
        since_id=since_id,
        min_id=min_id,
        limit=limit,
    )
