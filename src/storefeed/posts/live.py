"""The live half of a page of posts, for readers that cache the rest (the API's and the web's
rendered parts): counters, versions, the reader's own marks and poll votes, each read for the
whole page in one query of plain values (no model instances), whatever the page size."""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

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


def rows(ids: Iterable[int]) -> dict[int, Row]:
    """The rows of `ids` and of the posts they carry (reposted, quoted, and the post quoted
    by a reposted one), in at most two queries. Deleted posts are simply absent."""
    found: dict[int, Row] = {}
    wanted = sorted(set(ids))
    statuses, users = sql.table(Status), sql.table(User)
    for _round in range(2):
        if not wanted:
            break
        carried: set[int] = set()
        for values in sql.rows(
            f"""SELECT s.id, s.account_id, s.reblog_of_id, s.quote_of_id, s.version,
                    s.reblogs_count, s.favourites_count, s.replies_count,
                    u.profile_version, u.followers_count, u.following_count, u.statuses_count,
                    u.last_status_at, p.profile_version, r.quote_of_id
                FROM {statuses} s
                JOIN {users} u ON u.id = s.account_id
                LEFT JOIN {users} p ON p.id = s.in_reply_to_account_id
                LEFT JOIN {statuses} r ON r.id = s.reblog_of_id
                WHERE s.id IN ({sql.placeholders(wanted)})""",  # noqa: S608
            wanted,
        ):
            *counted, last_status_at, reply_version, quoted_by_reposted = values
            row = Row(  # type: ignore[misc]
                *counted,
                last_status_at=sql.as_datetime(last_status_at),
                reply_profile_version=reply_version,
            )
            found[row.id] = row
            carried.update(i for i in (row.reblog_of_id, row.quote_of_id, quoted_by_reposted) if i)
        wanted = sorted(carried - found.keys())
    return found


@dataclass(frozen=True, slots=True)
class Marks:
    """The reader's own state of the posts of a page."""

    favourited: frozenset[int] = frozenset()
    bookmarked: frozenset[int] = frozenset()
    reblogged: frozenset[int] = frozenset()
    pinned: frozenset[int] = frozenset()
    poll_votes: dict[int, list[int]] = field(default_factory=dict)  # poll id -> choices


_FAVOURITE, _BOOKMARK, _REBLOG, _PIN, _VOTE = 1, 2, 3, 4, 5


def marks(viewer_id: int | None, ids: Sequence[int], poll_ids: Sequence[int] = ()) -> Marks:
    """What the reader liked, bookmarked, reposted and pinned among `ids`, and their votes in
    `poll_ids`: one query (none for an anonymous reader)."""
    if viewer_id is None or not ids:
        return Marks()
    ids = sorted(ids)
    among = sql.placeholders(ids)
    # (kind, table, column matched against the ids, the choice column or 0); only names and
    # placeholders are formatted into the SQL, every value is a parameter.
    sources = [
        (_FAVOURITE, sql.table(Favourite), "status_id", "0", among),
        (_BOOKMARK, sql.table(Bookmark), "status_id", "0", among),
        (_REBLOG, sql.table(Status), "reblog_of_id", "0", among),
        (_PIN, sql.table(Pin), "status_id", "0", among),
    ]
    params: list[int] = [viewer_id, *ids] * 4
    if poll_ids:
        sources.append(
            (_VOTE, sql.table(PollVote), "poll_id", "choice", sql.placeholders(poll_ids))
        )
        params += [viewer_id, *poll_ids]
    parts = [
        f"SELECT {column}, {kind}, {choice} FROM {name} WHERE account_id = %s AND {column} IN ({targets})"  # noqa: S608
        for kind, name, column, choice, targets in sources
    ]
    found: dict[int, set[int]] = {k: set() for k in (_FAVOURITE, _BOOKMARK, _REBLOG, _PIN)}
    votes: dict[int, list[int]] = {}
    for target, which, choice in sql.rows(" UNION ALL ".join(parts), params):
        if which == _VOTE:
            votes.setdefault(target, []).append(choice)
        else:
            found[which].add(target)
    return Marks(
        favourited=frozenset(found[_FAVOURITE]),
        bookmarked=frozenset(found[_BOOKMARK]),
        reblogged=frozenset(found[_REBLOG]),
        pinned=frozenset(found[_PIN]),
        poll_votes={poll: sorted(choices) for poll, choices in votes.items()},
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
