"""Rendered parts of pages (a post as every reader sees it, an account), cached by version.

A part's key carries the versions of everything it was rendered from (`Status.version`,
`User.profile_version`, ...), so a change never needs to find and delete old entries: the
next read asks for a key that does not exist yet and renders it. That is what makes two
levels safe: a bounded per-process memory (STOREFEED_PARTS_LOCAL_ENTRIES) in front of
Django's cache when that is Redis (shared by every process and machine; on the embedded
default the process memory is the only level), and an entry can never be stale, only unused
(both levels evict the unused ones).

A cache that is down or flushed costs speed, never correctness: errors are logged and the
part is rendered again.
"""

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache

log = logging.getLogger(__name__)

# Parts not read for this long leave the shared cache (they are re-rendered if needed).
SHARED_TIMEOUT = 24 * 3600


class _Local:
    """A bounded least-recently-used map, shared by the threads of one process."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[str, Any] = OrderedDict()
        self.lock = threading.Lock()

    def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        found = {}
        with self.lock:
            for key in keys:
                value = self.items.get(key)
                if value is not None:
                    self.items.move_to_end(key)
                    found[key] = value
        return found

    def set_many(self, values: dict[str, Any]) -> None:
        with self.lock:
            self.items.update(values)
            for key in values:
                self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


_local = _Local(settings.PARTS_LOCAL_ENTRIES)


def _shared() -> Any:
    """Django's cache, or None when it is this process's memory too (the embedded default):
    the local level already is that, without pickling."""
    cache = caches["default"]
    return None if isinstance(cache, LocMemCache) else cache


def get_or_render(keys: dict[Any, str], render: Callable[[list[Any]], dict[Any, Any]]) -> dict:
    """The part for each item of `keys` (item -> cache key): from this process's memory, then
    the shared cache, and `render(missing items)` (item -> part) for the rest, which are then
    stored in both. Parts are shared between requests and threads: never mutate one."""
    if not keys:
        return {}
    wanted = set(keys.values())
    found = _local.get_many(wanted)
    shared_cache = _shared()
    if len(found) < len(wanted) and shared_cache is not None:
        try:
            shared = shared_cache.get_many([k for k in wanted if k not in found])
        except Exception:  # a cache that is down costs speed, never correctness
            log.warning("parts: the shared cache could not be read", exc_info=True)
            shared = {}
        if shared:
            _local.set_many(shared)
            found.update(shared)
    missing = [item for item, key in keys.items() if key not in found]
    if missing:
        rendered = render(missing)
        fresh = {keys[item]: part for item, part in rendered.items()}
        _local.set_many(fresh)
        try:
            if shared_cache is not None:
                shared_cache.set_many(fresh, timeout=SHARED_TIMEOUT)
        except Exception:
            log.warning("parts: the shared cache could not be written", exc_info=True)
        found.update(fresh)
    return {item: found[key] for item, key in keys.items() if key in found}


_memos: list["Memo"] = []


class Memo(dict[Any, Any]):
    """Values by everything they were made from (so never stale), in this process: for what
    is cheap to make again but made on every read (encoded entities, product cards). Emptied
    when full rather than kept in order: cheaper per read than an LRU, and the next reads
    refill it."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size
        _memos.append(self)

    def remember(self, key: Any, value: Any) -> Any:
        if len(self) >= self.size:
            self.clear()
        self[key] = value
        return value


def clear_local() -> None:
    """Forget this process's parts and memos (tests use it to exercise the shared level
    alone)."""
    _local.clear()
    for memo in _memos:
        memo.clear()
