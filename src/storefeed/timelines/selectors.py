"""Reading the home timeline: ids from the store, statuses hydrated by posts."""

from storefeed.accounts.models import User
from storefeed.posts.models import Status
from storefeed.posts.selectors import MAX_PAGE, statuses_hydrate
from storefeed.social.selectors import hidden_account_ids
from storefeed.timelines.store import home_store


def home_timeline(
    *,
    viewer: User,
    max_id: int | None = None,
    since_id: int | None = None,
    min_id: int | None = None,
    limit: int = 20,
) -> list[Status]:
    """One page of `viewer`'s home, newest first, without blocked or muted accounts (also
    as the author of a reposted post). Costs the same number of queries for any page size."""
    limit = max(1, min(limit, MAX_PAGE))
    hidden = hidden_account_ids(viewer.pk)
    # Read a little more than asked so that hidden entries rarely shorten a page.
    ids = home_store().page(
        viewer.pk,
        max_id=max_id,
        since_id=since_id,
        min_id=min_id,
        limit=limit + (10 if hidden else 0),
    )
    statuses = statuses_hydrate(viewer=viewer, ids=ids)
    if hidden:
        statuses = [
            s
            for s in statuses
            if s.account_id not in hidden
            and (s.reblog_of is None or s.reblog_of.account_id not in hidden)
        ]
    # Newest first; a min_id page keeps the entries nearest to min_id.
    return statuses[-limit:] if min_id is not None else statuses[:limit]
