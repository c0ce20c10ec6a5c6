"""The home timeline store in Redis: one sorted set per home, as Mastodon keeps its feeds.

Layout (see docs/architecture.md, "The home timeline store"):

- `storefeed:home:<owner id>`: a sorted set whose members all have score 0 and read
  `<status id, zero-padded to 20 digits>:<author id>:<origin author id or empty>`. Members of
  equal score sort byte by byte, and zero-padded decimals sort like the numbers, so the set is
  in status id order, and cursors are `ZRANGEBYLEX` bounds. Scores are not used because a
  score is a double: 64-bit ids above 2**53 would round, and neighbouring posts (ids that
  differ in the low bits) would collide or swap. The author ids ride in the member, so
  `Skip`, lists and `remove_author` need no second key, and pushing the same status twice
  writes the same member (idempotent).
- `storefeed:held:<padded status id>`: a set of the owners whose home holds the status, so a
  deletion knows which homes to visit without scanning them all. Trimming and removals take
  the owner out again; a stale owner would only cost a no-op removal.

Each home keeps the newest `keep` entries (settings.HOME_KEEP), trimmed as it is pushed to.
"""

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any, cast

import redis

from storefeed.timelines.store import Entry, Skip

PREFIX = "storefeed:"
WIDTH = 20  # digits of the largest unsigned 64-bit integer
BATCH = 1000  # owners per pipeline round trip
CHUNK = 100  # entries read per round trip when a page skips some

# Trim one home to its newest ARGV[1] entries, taking the owner out of the trimmed statuses'
# `held` sets (keys built here from the members: a single Redis, not a cluster).
_TRIM = """
local surplus = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[1])
if surplus <= 0 then return 0 end
local gone = redis.call('ZRANGE', KEYS[1], 0, surplus - 1)
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, surplus - 1)
for _, member in ipairs(gone) do
  redis.call('SREM', ARGV[3] .. string.sub(member, 1, tonumber(ARGV[4])), ARGV[2])
end
return surplus
"""


def _pad(status_id: int) -> str:
    return f"{status_id:0{WIDTH}d}"


def _member(entry: Entry) -> str:
    origin = "" if entry.origin_author_id is None else str(entry.origin_author_id)
    return f"{_pad(entry.status_id)}:{entry.author_id}:{origin}"


def _entry(member: str) -> Entry:
    status, author, origin = member.split(":")
    return Entry(int(status), int(author), int(origin) if origin else None)


def _strs(members: Any) -> list[str]:
    """Members as read (the client decodes responses; redis-py's types do not say so)."""
    return cast(list[str], members)


def _chunks(items: Iterable[int], size: int = BATCH) -> Iterator[list[int]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def _kept(entry: Entry, skip: Skip | None, authors: frozenset[int] | None) -> bool:
    if authors is not None and entry.author_id not in authors:
        return False
    if skip is None:
        return True
    if entry.author_id in skip.authors:
        return False
    is_repost = entry.origin_author_id is not None
    return not is_repost or (
        entry.origin_author_id not in skip.origin_authors and entry.author_id not in skip.reposts_by
    )


class RedisTimelineStore:
    def __init__(self, client: redis.Redis, *, keep: int) -> None:
        self.redis = client
        self.keep = keep
        self._trim = client.register_script(_TRIM)

    @classmethod
    def from_url(cls, url: str, *, keep: int) -> "RedisTimelineStore":
        return cls(redis.Redis.from_url(url, decode_responses=True), keep=keep)

    @staticmethod
    def _home(owner_id: int) -> str:
        return f"{PREFIX}home:{owner_id}"

    @staticmethod
    def _held(status_id: int) -> str:
        return f"{PREFIX}held:{_pad(status_id)}"

    def _trim_in(self, pipe: Any, owner_id: int, keep: int) -> None:
        self._trim(
            keys=[self._home(owner_id)],
            args=[keep, owner_id, f"{PREFIX}held:", WIDTH],
            client=pipe,
        )

    def push(self, owner_ids: Iterable[int], entry: Entry) -> None:
        member = _member(entry)
        for chunk in _chunks(dict.fromkeys(owner_ids)):
            pipe = self.redis.pipeline(transaction=False)
            pipe.sadd(self._held(entry.status_id), *chunk)
            for owner in chunk:
                pipe.zadd(self._home(owner), {member: 0})
                self._trim_in(pipe, owner, self.keep)
            pipe.execute()

    def push_many(self, owner_id: int, entries: Iterable[Entry]) -> None:
        entries = list(entries)
        for start in range(0, len(entries), BATCH):
            part = entries[start : start + BATCH]
            pipe = self.redis.pipeline(transaction=False)
            pipe.zadd(self._home(owner_id), {_member(e): 0 for e in part})
            for e in part:
                pipe.sadd(self._held(e.status_id), owner_id)
            self._trim_in(pipe, owner_id, self.keep)
            pipe.execute()

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
        if limit <= 0 or (authors is not None and not authors):
            return []
        key = self._home(owner_id)
        newest_first = min_id is None
        bounds = [i for i in (since_id, min_id) if i is not None]
        lowest = max(bounds) if bounds else None
        # Bounds on members: ";" sorts just after ":", so "(<pad>;" passes over every member of
        # that status id, and "(<pad>" stops before it.
        low = "-" if lowest is None else f"({_pad(lowest)};"
        high = "+" if max_id is None else f"({_pad(max_id)}"
        filtering = authors is not None or (
            skip is not None and bool(skip.authors or skip.origin_authors or skip.reposts_by)
        )
        chunk = max(limit, CHUNK) if filtering else limit
        found: list[int] = []
        while True:
            if newest_first:
                members = _strs(self.redis.zrevrangebylex(key, high, low, start=0, num=chunk))
            else:
                members = _strs(self.redis.zrangebylex(key, low, high, start=0, num=chunk))
            for member in members:
                entry = _entry(member)
                if _kept(entry, skip, authors):
                    found.append(entry.status_id)
                    if len(found) == limit:
                        break
            if len(found) == limit or len(members) < chunk:
                break
            # Carry on past the last member read (members are unique, so nothing repeats).
            if newest_first:
                high = f"({members[-1]}"
            else:
                low = f"({members[-1]}"
        return found if newest_first else found[::-1]

    def holding(self, status_id: int, owner_ids: Iterable[int]) -> set[int]:
        low, high = f"[{_pad(status_id)}:", f"({_pad(status_id)};"
        held: set[int] = set()
        for chunk in _chunks(dict.fromkeys(owner_ids)):
            pipe = self.redis.pipeline(transaction=False)
            for owner in chunk:
                pipe.zlexcount(self._home(owner), low, high)
            held |= {owner for owner, n in zip(chunk, pipe.execute(), strict=True) if n}
        return held

    def remove_statuses(
        self, status_ids: Sequence[int], owner_ids: Iterable[int] | None = None
    ) -> None:
        given = None if owner_ids is None else list(dict.fromkeys(owner_ids))
        for status_id in status_ids:
            held_key = self._held(status_id)
            owners: Iterable[int] = (
                given
                if given is not None
                else (int(o) for o in self.redis.sscan_iter(held_key, count=BATCH))
            )
            low, high = f"[{_pad(status_id)}:", f"({_pad(status_id)};"
            for chunk in _chunks(owners):
                pipe = self.redis.pipeline(transaction=False)
                for owner in chunk:
                    pipe.zremrangebylex(self._home(owner), low, high)
                if given is not None:
                    pipe.srem(held_key, *chunk)
                pipe.execute()
            if given is None:
                self.redis.delete(held_key)

    def remove_author(
        self, owner_id: int, author_id: int, *, with_reposts_of: bool = False
    ) -> None:
        key = self._home(owner_id)
        gone = [
            (member, entry)
            for member in _strs(self.redis.zrange(key, 0, -1))
            if (entry := _entry(member)).author_id == author_id
            or (with_reposts_of and entry.origin_author_id == author_id)
        ]
        if not gone:
            return
        pipe = self.redis.pipeline(transaction=False)
        pipe.zrem(key, *(member for member, _e in gone))
        for _m, entry in gone:
            pipe.srem(self._held(entry.status_id), owner_id)
        pipe.execute()

    def trim(self, owner_id: int, keep: int) -> None:
        self._trim(keys=[self._home(owner_id)], args=[keep, owner_id, f"{PREFIX}held:", WIDTH])
