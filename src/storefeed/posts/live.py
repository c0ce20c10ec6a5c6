"""The live half of a page of posts, for readers that cache the rest (the API's and the web's
rendered parts): counters, versions, the reader's own marks and poll votes, each read for the
whole page in one query of plain values (no model instances), whatever the page size."""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Count

from storefeed.accounts.models import User
from storefeed.core import sql
from storefeed.posts.models import Bookmark, Favourite, Pin, Poll, PollVote, Status


@dataclass(frozen=True, slots=True)
class Row:
    """One post as it is now: what its cached rendering is keyed by, and its counters."""

    id: int
    account_id: int
    reblog_of_id: int | None
    quote_of_id: int | None
    version: int
    reblogs_count: int
    favourites_count: int
    replies_count: int
    profile_version: int
    followers_count: int
    following_count: int
    statuses_count: int
    last_status_at: dt.datetime | None
    # The profile version of the account it replies to (the web shows "Replying to @name").
    reply_profile_version: int | None = None
    # The reader's own marks (all False for an anonymous reader).
    favourited: bool = False
    bookmarked: bool = False
    reblogged: bool = False
    pinned: bool = False


def rows(ids: Iterable[int], *, viewer_id: int | None = None) -> dict[int, Row]:
    """The rows of `ids` and of the posts they carry (reposted, quoted, and the post quoted
    by a reposted one), with `viewer_id`'s marks on each, in one query. Deleted posts are
    simply absent."""
    ids = sorted(set(ids))
    if not ids:
        return {}
    st, users = sql.table(Status), sql.table(User)
    marks = (
        f"EXISTS (SELECT 1 FROM {sql.table(model)} m WHERE m.account_id = %s AND m.{column} = s.id)"  # noqa: S608
        for model, column in ((Favourite, "status_id"), (Bookmark, "status_id"),
                              (Status, "reblog_of_id"), (Pin, "status_id"))
    )  # fmt: skip
    # The ids are bound once (a CTE), not four times: psycopg parses a statement of more than
    # 50 parameters again on every call, which cost more than the query itself.
    listed = ", ".join(["(CAST(%s AS BIGINT))", *["(%s)"] * (len(ids) - 1)])
    query = f"""WITH page(id) AS (VALUES {listed})
        SELECT s.id, s.account_id, s.reblog_of_id, s.quote_of_id, s.version,
            s.reblogs_count, s.favourites_count, s.replies_count,
            u.profile_version, u.followers_count, u.following_count, u.statuses_count,
            u.last_status_at, p.profile_version, {", ".join(marks)}
        FROM {st} s JOIN {users} u ON u.id = s.account_id
        LEFT JOIN {users} p ON p.id = s.in_reply_to_account_id
        WHERE s.id IN (
            SELECT id FROM {st} WHERE id IN (SELECT id FROM page)
            UNION SELECT reblog_of_id FROM {st} WHERE id IN (SELECT id FROM page)
            UNION SELECT quote_of_id FROM {st} WHERE id IN (SELECT id FROM page)
            UNION SELECT r.quote_of_id FROM {st} x JOIN {st} r ON r.id = x.reblog_of_id
                WHERE x.id IN (SELECT id FROM page))"""  # noqa: S608
    found: dict[int, Row] = {}
    for values in sql.rows(query, [*ids, *[viewer_id] * 4]):
        *counted, last_status_at, reply_version, favourited, bookmarked, reblogged, pinned = values
        row = Row(  # type: ignore[misc]
            *counted,
            last_status_at=sql.as_datetime(last_status_at),
            reply_profile_version=reply_version,
            favourited=bool(favourited),  # SQLite gives 0 or 1
            bookmarked=bool(bookmarked),
            reblogged=bool(reblogged),
            pinned=bool(pinned),
        )
        found[row.id] = row
    return found


def poll_votes(viewer_id: int | None, poll_ids: Sequence[int]) -> dict[int, list[int]]:
    """The reader's choices in each of `poll_ids`: one query, none without polls or reader."""
    if viewer_id is None or not poll_ids:
        return {}
    votes: dict[int, list[int]] = {}
    for poll_id, choice in sql.rows(
        f"SELECT poll_id, choice FROM {sql.table(PollVote)} "  # noqa: S608
        f"WHERE account_id = %s AND poll_id IN ({sql.placeholders(poll_ids)})",
        [viewer_id, *poll_ids],
    ):
        votes.setdefault(poll_id, []).append(choice)
    return {poll: sorted(choices) for poll, choices in votes.items()}


@dataclass(frozen=True, slots=True)
class Marks:
    """The reader's own state of the posts of a page, as sets of post ids."""

    favourited: frozenset[int] = frozenset()
    bookmarked: frozenset[int] = frozenset()
    reblogged: frozenset[int] = frozenset()
    pinned: frozenset[int] = frozenset()


def marks_of(found: dict[int, Row]) -> Marks:
    """The marks `rows(..., viewer_id=...)` read, gathered by kind."""
    return Marks(
        favourited=frozenset(pk for pk, row in found.items() if row.favourited),
        bookmarked=frozenset(pk for pk, row in found.items() if row.bookmarked),
        reblogged=frozenset(pk for pk, row in found.items() if row.reblogged),
        pinned=frozenset(pk for pk, row in found.items() if row.pinned),
    )


def polls(poll_ids: Sequence[int]) -> dict[int, Poll]:
    """Polls by id with `option_votes` (votes per option) set: two queries, none without
    polls. The reader's own votes come from `marks`."""
    if not poll_ids:
        return {}
    found = {p.pk: p for p in Poll.objects.filter(pk__in=sorted(poll_ids))}
    counts = option_counts(found)
    for poll in found.values():
        poll.option_votes = counts.get(poll.pk, [0] * len(poll.options))  # type: ignore[attr-defined]
    return found


def option_counts(polls: dict[int, Poll]) -> dict[int, list[int]]:
    """Votes per option of each poll, in one query."""
    tally: dict[int, dict[int, int]] = {}
    for poll_id, choice, n in (
        PollVote.objects.filter(poll_id__in=sorted(polls))
        .values_list("poll_id", "choice")
        .annotate(n=Count("id"))
        .order_by()
    ):
        tally.setdefault(poll_id, {})[choice] = n
    return {
        pk: [tally.get(pk, {}).get(i, 0) for i in range(len(poll.options))]
        for pk, poll in polls.items()
    }
