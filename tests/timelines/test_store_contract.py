"""The contract every home timeline store implementation must pass.

Add an implementation to STORES (a factory returning a fresh, empty store) and the whole
contract runs against it. The Redis store runs on the test Redis database, flushed first
(marked `redis`: it skips without Redis, and fails then under STOREFEED_REQUIRE_SERVICES=1).
"""

from collections.abc import Callable

import pytest
import redis

from storefeed.timelines.redis_store import RedisTimelineStore
from storefeed.timelines.store import DatabaseTimelineStore, Entry, Skip, TimelineStore
from tests.conftest import redis_test_url

pytestmark = pytest.mark.django_db


def fresh_redis_store(keep: int = 800) -> RedisTimelineStore:
    redis.Redis.from_url(redis_test_url()).flushdb()
    return RedisTimelineStore.from_url(redis_test_url(), keep=keep)


STORES: dict[str, Callable[[], TimelineStore]] = {
    "database": DatabaseTimelineStore,
    "redis": fresh_redis_store,
}
MARKS = {"redis": [pytest.mark.redis]}


@pytest.fixture(params=[pytest.param(name, marks=MARKS.get(name, [])) for name in sorted(STORES)])
def store(request, alice, bob, carol) -> TimelineStore:
    return STORES[request.param]()


def test_page_is_newest_first_and_cursors_work(store, alice):
    for status_id in [10, 30, 20, 50, 40]:
        store.push([alice.pk], Entry(status_id=status_id, author_id=1))
    assert store.page(alice.pk) == [50, 40, 30, 20, 10]
    assert store.page(alice.pk, limit=2) == [50, 40]
    assert store.page(alice.pk, max_id=40, limit=2) == [30, 20]
    assert store.page(alice.pk, since_id=30) == [50, 40]
    # min_id gives the page just newer than the cursor, still newest first.
    assert store.page(alice.pk, min_id=10, limit=2) == [30, 20]
    assert store.page(alice.pk, max_id=10) == []


def test_push_is_idempotent_and_per_owner(store, alice, bob):
    entry = Entry(status_id=7, author_id=3)
    store.push([alice.pk, bob.pk], entry)
    store.push([alice.pk, alice.pk], entry)
    assert store.page(alice.pk) == [7]
    assert store.page(bob.pk) == [7]


def test_push_many_backfills_one_home(store, alice, bob):
    store.push_many(alice.pk, [Entry(status_id=i, author_id=5) for i in (1, 2, 3)])
    store.push_many(alice.pk, [Entry(status_id=3, author_id=5)])
    assert store.page(alice.pk) == [3, 2, 1]
    assert store.page(bob.pk) == []


def test_page_skips_by_account_and_stays_full(store, alice):
    store.push([alice.pk], Entry(status_id=1, author_id=100))
    store.push([alice.pk], Entry(status_id=2, author_id=200, origin_author_id=100))
    store.push([alice.pk], Entry(status_id=3, author_id=300, origin_author_id=400))
    store.push([alice.pk], Entry(status_id=4, author_id=300))
    store.push([alice.pk], Entry(status_id=5, author_id=500))
    assert store.page(alice.pk, skip=Skip()) == [5, 4, 3, 2, 1]
    assert store.page(alice.pk, skip=Skip(authors=frozenset({500}))) == [4, 3, 2, 1]
    assert store.page(alice.pk, skip=Skip(origin_authors=frozenset({100}))) == [5, 4, 3, 1]
    # reposts_by leaves the account's own posts in.
    assert store.page(alice.pk, skip=Skip(reposts_by=frozenset({300}))) == [5, 4, 2, 1]
    both = Skip(authors=frozenset({500}), reposts_by=frozenset({300}))
    assert store.page(alice.pk, limit=2, skip=both) == [4, 2]
    assert store.page(alice.pk, limit=2, max_id=4, skip=both) == [2, 1]
    assert store.page(alice.pk, limit=2, min_id=1, skip=both) == [4, 2]


def test_remove_statuses(store, alice, bob):
    store.push([alice.pk, bob.pk], Entry(status_id=1, author_id=9))
    store.push([alice.pk, bob.pk], Entry(status_id=2, author_id=9))
    store.remove_statuses([1])
    assert store.page(alice.pk) == [2]
    assert store.page(bob.pk) == [2]
    store.remove_statuses([2], owner_ids=[alice.pk])
    assert store.page(alice.pk) == []
    assert store.page(bob.pk) == [2]


def test_remove_author_with_and_without_reposts(store, alice):
    store.push([alice.pk], Entry(status_id=1, author_id=100))
    store.push([alice.pk], Entry(status_id=2, author_id=200, origin_author_id=100))
    store.push([alice.pk], Entry(status_id=3, author_id=300))
    store.remove_author(alice.pk, 100)
    assert store.page(alice.pk) == [3, 2]
    store.remove_author(alice.pk, 100, with_reposts_of=True)
    assert store.page(alice.pk) == [3]


def test_trim_keeps_newest(store, alice):
    for i in range(1, 11):
        store.push([alice.pk], Entry(status_id=i, author_id=1))
    store.trim(alice.pk, keep=3)
    assert store.page(alice.pk) == [10, 9, 8]
    store.trim(alice.pk, keep=5)
    assert store.page(alice.pk) == [10, 9, 8]


def test_page_by_authors_keeps_only_theirs_and_stays_full(store, alice):
    for status_id in range(1, 301):
        store.push([alice.pk], Entry(status_id=status_id, author_id=7 if status_id % 50 else 8))
    only = frozenset({8})
    assert store.page(alice.pk, authors=only) == [300, 250, 200, 150, 100, 50]
    assert store.page(alice.pk, authors=only, limit=2, max_id=250) == [200, 150]
    assert store.page(alice.pk, authors=only, limit=2, min_id=50) == [150, 100]
    assert store.page(alice.pk, authors=only, since_id=200) == [300, 250]
    assert store.page(alice.pk, authors=frozenset()) == []
    # A page skipping most of a long home still fills up (the Redis store reads in chunks).
    assert store.page(alice.pk, limit=3, skip=Skip(authors=frozenset({7}))) == [300, 250, 200]


def test_holding_tells_whose_home_has_a_status(store, alice, bob, carol):
    store.push([alice.pk, bob.pk], Entry(status_id=12, author_id=1))
    store.push([carol.pk], Entry(status_id=13, author_id=1))
    assert store.holding(12, [alice.pk, bob.pk, carol.pk]) == {alice.pk, bob.pk}
    assert store.holding(12, [carol.pk]) == set()
    store.remove_statuses([12], owner_ids=[bob.pk])
    assert store.holding(12, [alice.pk, bob.pk, carol.pk]) == {alice.pk}


def test_large_ids_keep_their_order(store, alice):
    # Time-sortable ids are above 2**53: neighbours differ only in the low bits, which a
    # floating-point score would round away.
    base = 2**62 + 12345
    made = [base + i for i in (0, 1, 2, 3, 65536)] + [2**63 - 1]
    for status_id in made:
        store.push([alice.pk], Entry(status_id=status_id, author_id=1))
    assert store.page(alice.pk, limit=10) == made[::-1]
    assert store.page(alice.pk, max_id=base + 2) == [base + 1, base]
    assert store.page(alice.pk, since_id=base + 1, limit=2) == [2**63 - 1, base + 65536]
    assert store.page(alice.pk, min_id=base, limit=2) == [base + 2, base + 1]
    store.remove_statuses([base + 1])
    assert store.page(alice.pk, max_id=base + 3) == [base + 2, base]


def test_remove_statuses_without_owners_reaches_every_home(store, alice, bob, carol):
    store.push([alice.pk, bob.pk], Entry(status_id=5, author_id=1))
    store.push_many(carol.pk, [Entry(status_id=5, author_id=1), Entry(status_id=6, author_id=1)])
    store.remove_statuses([5, 99])
    assert (store.page(alice.pk), store.page(bob.pk), store.page(carol.pk)) == ([], [], [6])


@pytest.mark.redis
def test_redis_homes_keep_the_newest_and_forget_trimmed_owners(alice):
    store = fresh_redis_store(keep=3)
    for status_id in range(1, 6):
        store.push([alice.pk], Entry(status_id=status_id, author_id=1))
    store.push_many(alice.pk, [Entry(status_id=0, author_id=1)])
    assert store.page(alice.pk) == [5, 4, 3]
    assert store.holding(1, [alice.pk]) == set()
    # The trimmed statuses no longer list the home, the kept ones do.
    client = store.redis
    assert not client.exists("storefeed:held:" + "1".zfill(20))
    assert client.smembers("storefeed:held:" + "5".zfill(20)) == {str(alice.pk)}
    store.remove_author(alice.pk, 1)
    assert client.keys("storefeed:*") == []
