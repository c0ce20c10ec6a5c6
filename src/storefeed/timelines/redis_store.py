"""The home timeline store in Redis: one list of packed records per home, newest first.

Layout (see docs/architecture.md, "The home timeline store"):

- `storefeed:feed:<owner id>`: a list of 24-byte records, newest first, one per entry: the
  status id, the author id and the reposted post's author id (0 for none), each an unsigned
  64-bit big-endian integer. Big-endian ids compare byte by byte as the numbers do, and the
  list is kept in status id order, so a cursor is a binary search (`LINDEX`) and a page one
  `LRANGE`. Every operation is one small Lua script (one round trip, atomic per home). A new
  post goes to the head with `LPUSH` (anything older is inserted in place), and the home is
  trimmed to the newest `keep` (settings.HOME_KEEP) with `LTRIM`; pushing a status the home
  holds changes nothing. Redis keeps such a list as a few listpacks of 8 KB: about 27 bytes
  per entry, 22 KB for 800 (a sorted set of that size is a skiplist at ~100 bytes per entry
  overhead, and a double score cannot hold a 64-bit id exactly).

There is no deletion index: the homes that may hold a deleted status are found in the
database by the caller (`timelines.services.home_remove_statuses`). Redis errors while
reading a page are raised as `StoreUnavailable`, so the reader can fall back (and for
RESTING seconds after one, pages do not try Redis).
"""

import struct
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from typing import Any, cast

import redis
from redis.backoff import ExponentialWithJitterBackoff
from redis.retry import Retry

from storefeed.timelines.store import Entry, Skip, StoreUnavailable

PREFIX = "storefeed:"
RECORD = struct.Struct(">QQQ")  # status id, author id, origin author id or 0
ID = struct.Struct(">Q")
BATCH = 1000  # owners per pipeline round trip
CHUNK = 100  # entries read per round trip when a page skips some
RESTING = 5.0  # seconds pages do not ask a Redis that just failed (they read elsewhere)
# Keys of the earlier layout (sorted sets, per-status sets): `drop_old_layout` removes them.
OLD_PATTERNS = (f"{PREFIX}home:*", f"{PREFIX}held:*")

# Shared by the scripts. Ids are compared as two exact 32-bit halves (Lua numbers are
# doubles), not as strings: Lua's `<` on strings follows the locale Redis sets.
_LUA = """
local function id_of(s)
  local a, b, c, d, e, f, g, h = string.byte(s, 1, 8)
  return ((a * 256 + b) * 256 + c) * 256 + d, ((e * 256 + f) * 256 + g) * 256 + h
end
-- The first index from `first` (0-based, of the n newest-first records of `key`) whose id is
-- at most hi:lo (below it, if `strictly`); n if none. The record at `first` is tried before
-- bisecting: a new post is newer than the whole home.
local function seek(key, first, n, hi, lo, strictly)
  local function past(i)
    local h, l = id_of(redis.call('LINDEX', key, i))
    return h < hi or (h == hi and (l < lo or (l == lo and not strictly)))
  end
  if first >= n or past(first) then return first end
  local a, b = first + 1, n
  while a < b do
    local m = math.floor((a + b) / 2)
    if past(m) then b = m else a = m + 1 end
  end
  return a
end
"""

# Records ARGV[2..] (newest first, each id once) into the home, which keeps the newest ARGV[1].
_PUSH = (
    _LUA
    + """
local key, keep = KEYS[1], tonumber(ARGV[1])
local n = redis.call('LLEN', key)
local at = 0
for j = 2, #ARGV do
  local r = ARGV[j]
  local hi, lo = id_of(r)
  at = seek(key, at, n, hi, lo, false)
  if at == n then
    if n >= keep then break end  -- older than a full home: trimmed anyway, as are the rest
    redis.call('RPUSH', key, r)
    n = n + 1
  else
    local there = redis.call('LINDEX', key, at)
    if string.sub(there, 1, 8) ~= string.sub(r, 1, 8) then  -- (not there already)
      if at == 0 then
        redis.call('LPUSH', key, r)
      else
        redis.call('LINSERT', key, 'BEFORE', there, r)
      end
      n = n + 1
    end
  end
  at = at + 1
end
if n > keep then redis.call('LTRIM', key, 0, keep - 1) end
return n
"""
)

# Take the statuses ARGV[1..] (8-byte ids) out of the home; returns how many were there.
_REMOVE = (
    _LUA
    + """
local key, gone = KEYS[1], 0
local n = redis.call('LLEN', key)
for j = 1, #ARGV do
  local hi, lo = id_of(ARGV[j])
  local at = seek(key, 0, n, hi, lo, false)
  if at < n then
    local there = redis.call('LINDEX', key, at)
    if string.sub(there, 1, 8) == ARGV[j] then
      gone = gone + redis.call('LREM', key, 1, there)
      n = n - 1
    end
  end
end
return gone
"""
)

# Take out the records by ARGV[1] (an 8-byte account id), and with ARGV[2] == '1' the
# reposts of their posts.
_REMOVE_AUTHOR = """
local gone = 0
for _, r in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
  if string.sub(r, 9, 16) == ARGV[1] or (ARGV[2] == '1' and string.sub(r, 17, 24) == ARGV[1]) then
    gone = gone + redis.call('LREM', KEYS[1], 1, r)
  end
end
return gone
"""

# 1 if the home holds the status ARGV[1] (8 bytes), else 0.
_HOLDS = (
    _LUA
    + """
local n = redis.call('LLEN', KEYS[1])
local hi, lo = id_of(ARGV[1])
local at = seek(KEYS[1], 0, n, hi, lo, false)
if at < n and string.sub(redis.call('LINDEX', KEYS[1], at), 1, 8) == ARGV[1] then return 1 end
return 0
"""
)

# Up to ARGV[4] records with ids below ARGV[1] and above ARGV[2] (8-byte ids, or '' for no
# bound): the newest of them, or with ARGV[3] == 'oldest' the oldest; newest first.
_RANGE = (
    _LUA
    + """
local key, count = KEYS[1], tonumber(ARGV[4])
local n = redis.call('LLEN', key)
local start, stop = 0, n
if ARGV[1] ~= '' then
  local hi, lo = id_of(ARGV[1])
  start = seek(key, 0, n, hi, lo, true)
end
if ARGV[2] ~= '' then
  local hi, lo = id_of(ARGV[2])
  stop = seek(key, start, n, hi, lo, false)
end
if ARGV[3] == 'oldest' then start = math.max(start, stop - count) else stop = math.min(stop, start + count) end
if stop <= start then return {} end
return redis.call('LRANGE', key, start, stop - 1)
"""
)


def _records(entries: Iterable[Entry]) -> list[bytes]:
    """Packed records, newest first, each status once (as the push script expects)."""
    unique = {e.status_id: e for e in entries}
    return [
        RECORD.pack(e.status_id, e.author_id, e.origin_author_id or 0)
        for _id, e in sorted(unique.items(), reverse=True)
    ]


def _chunks[T](items: Iterable[T], size: int = BATCH) -> Iterator[list[T]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def _kept(
    author_id: int, origin_id: int, skip: Skip | None, authors: frozenset[int] | None
) -> bool:
    if authors is not None and author_id not in authors:
        return False
    if skip is None:
        return True
    if author_id in skip.authors:
        return False
    return not origin_id or (
        origin_id not in skip.origin_authors and author_id not in skip.reposts_by
    )


class RedisTimelineStore:
    def __init__(self, client: redis.Redis, *, keep: int) -> None:
        self.redis = client
        self.keep = keep
        self._failed_at = -RESTING  # time.monotonic() of the last failed page read
        self._push = client.register_script(_PUSH)
        self._remove = client.register_script(_REMOVE)
        self._remove_author = client.register_script(_REMOVE_AUTHOR)
        self._holds = client.register_script(_HOLDS)
        self._range = client.register_script(_RANGE)

    @classmethod
    def from_url(cls, url: str, *, keep: int) -> "RedisTimelineStore":
        # A Redis that does not answer fails quickly (1 s per attempt, 3 attempts) rather
        # than after redis-py's default of 11 attempts with no connect timeout.
        client = redis.Redis.from_url(
            url,
            socket_connect_timeout=1,
            retry=Retry(ExponentialWithJitterBackoff(base=0.01, cap=0.1), retries=2),
        )
        return cls(client, keep=keep)

    @staticmethod
    def _home(owner_id: int) -> str:
        return f"{PREFIX}feed:{owner_id}"

    def _each_owner(self, owner_ids: Iterable[int], call: Callable[[Any, int], Any]) -> list[Any]:
        """`call(pipeline, owner)` for each owner once, in pipelines of BATCH owners."""
        results: list[Any] = []
        for chunk in _chunks(dict.fromkeys(owner_ids)):
            pipe = self.redis.pipeline(transaction=False)
            for owner in chunk:
                call(pipe, owner)
            results += pipe.execute()
        return results

    def push(self, owner_ids: Iterable[int], entry: Entry) -> None:
        args: list[int | bytes] = [self.keep, *_records([entry])]
        self._each_owner(
            owner_ids, lambda pipe, owner: self._push([self._home(owner)], args, client=pipe)
        )

    def push_many(self, owner_id: int, entries: Iterable[Entry]) -> None:
        # Only the newest `keep` can stay; the script stops at the first one a full home drops.
        for chunk in _chunks(_records(entries)[: self.keep]):
            self._push([self._home(owner_id)], [self.keep, *chunk])

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
        bounds = [i for i in (since_id, min_id) if i is not None]
        high = b"" if max_id is None else ID.pack(max_id)
        low = ID.pack(max(bounds)) if bounds else b""
        newest_first = min_id is None
        filtering = authors is not None or (
            skip is not None and bool(skip.authors or skip.origin_authors or skip.reposts_by)
        )
        chunk = max(limit, CHUNK) if filtering else limit
        if time.monotonic() - self._failed_at < RESTING:
            raise StoreUnavailable("Redis failed moments ago")
        found: list[int] = []
        while len(found) < limit:
            try:
                records = cast(
                    list[bytes],
                    self._range(
                        [self._home(owner_id)],
                        [high, low, "newest" if newest_first else "oldest", chunk],
                    ),
                )
            except redis.RedisError as error:
                # Every page of this process reads elsewhere for a few seconds, so that a
                # Redis that hangs costs one slow page, not every page.
                self._failed_at = time.monotonic()
                raise StoreUnavailable(str(error)) from error
            for record in records if newest_first else reversed(records):
                status_id, author_id, origin_id = RECORD.unpack(record)
                if _kept(author_id, origin_id, skip, authors):
                    found.append(status_id)
                    if len(found) == limit:
                        break
            if len(records) < chunk:
                break
            # Read on past the chunk: below its oldest, or above its newest.
            if newest_first:
                high = records[-1][:8]
            else:
                low = records[0][:8]
        return found if newest_first else found[::-1]

    def holding(self, status_id: int, owner_ids: Iterable[int]) -> set[int]:
        owners = list(dict.fromkeys(owner_ids))
        args = [ID.pack(status_id)]
        held = self._each_owner(
            owners, lambda pipe, owner: self._holds([self._home(owner)], args, client=pipe)
        )
        return {owner for owner, n in zip(owners, held, strict=True) if n}

    def remove_statuses(
        self, status_ids: Sequence[int], owner_ids: Iterable[int] | None = None
    ) -> None:
        if not status_ids:
            return
        args = [ID.pack(i) for i in dict.fromkeys(status_ids)]
        if owner_ids is None:
            # Not told which homes: every one (services.home_remove_statuses tells).
            keys = self.redis.scan_iter(match=f"{PREFIX}feed:*", count=BATCH)
            owner_ids = (int(key.rpartition(b":")[2]) for key in keys)
        self._each_owner(
            owner_ids, lambda pipe, owner: self._remove([self._home(owner)], args, client=pipe)
        )

    def remove_author(
        self, owner_id: int, author_id: int, *, with_reposts_of: bool = False
    ) -> None:
        self._remove_author(
            [self._home(owner_id)], [ID.pack(author_id), "1" if with_reposts_of else "0"]
        )

    def trim(self, owner_id: int, keep: int) -> None:
        if keep <= 0:
            self.redis.delete(self._home(owner_id))
        else:
            self.redis.ltrim(self._home(owner_id), 0, keep - 1)

    def drop_old_layout(self) -> int:
        """Remove the keys of the earlier layout (a sorted set per home and a set per
        status), which this version neither reads nor writes; returns how many."""
        dropped = 0
        for pattern in OLD_PATTERNS:
            for chunk in _chunks(self.redis.scan_iter(match=pattern, count=BATCH)):
                dropped += cast(int, self.redis.unlink(*chunk))
        return dropped
