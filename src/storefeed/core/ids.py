"""Time-sortable 64-bit ids: milliseconds since the Unix epoch in the high 48 bits, 16 low bits
that keep ids made in the same millisecond distinct and increasing within a process."""

import datetime as dt
import os
import random
import secrets
import threading
import time

_lock = threading.Lock()
_last_ms = 0
_seq = 0
# A per-process random start for the low bits, so that two processes creating rows in the
# same millisecond are unlikely to produce the same id (a collision is a unique-key error,
# never a silent overwrite).
_seq_base = random.SystemRandom(os.getpid() ^ time.time_ns()).randrange(1 << 16)


def new_id() -> int:
    global _last_ms, _seq
    with _lock:
        ms = time.time_ns() // 1_000_000
        if ms <= _last_ms:
            ms = _last_ms
            _seq += 1
            if _seq >= 1 << 16:
                ms += 1
                _seq = 0
        else:
            _seq = 0
        _last_ms = ms
        return (ms << 16) | ((_seq_base + _seq) & 0xFFFF)


def id_for_datetime(when: dt.datetime) -> int:
    """The smallest id that could have been made at `when` (for time-based cursors)."""
    return int(when.timestamp() * 1000) << 16


def datetime_for_id(value: int) -> dt.datetime:
    return dt.datetime.fromtimestamp((value >> 16) / 1000, tz=dt.UTC)


def new_version() -> int:
    """A fresh version stamp for cached renderings. Random rather than a counter, so two
    concurrent writers never leave one version number on two different contents."""
    return secrets.randbits(31)
