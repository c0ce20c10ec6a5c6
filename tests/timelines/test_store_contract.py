"""The contract every home timeline store implementation must pass.

Add an implementation to STORES (a factory returning a fresh, empty store) and the whole
contract runs against it. The Redis store runs on the test Redis database, flushed first
(marked `redis`: it skips without Redis, and fails then under STOREFEED_REQUIRE_SERVICES=1).
"""

import random
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
def test_redis_homes_are_one_list_of_records_trimmed_to_the_newest(alice):
    store = fresh_redis_store(keep=3)
    for status_id in range(1, 6):
        store.push([alice.pk], Entry(status_id=status_id, author_id=1))
    store.push_many(alice.pk, [Entry(status_id=0, author_id=1)])
    assert store.page(alice.pk) == [5, 4, 3]
    assert store.holding(1, [alice.pk]) == set()
    # One key per home, a record of 24 bytes per entry, and no per-status keys.
    client = store.redis
    assert client.keys("storefeed:*") == [f"storefeed:feed:{alice.pk}".encode()]
    assert [len(r) for r in client.lrange(f"storefeed:feed:{alice.pk}", 0, -1)] == [24] * 3
    store.remove_author(alice.pk, 1)
    assert client.keys("storefeed:*") == []


@pytest.mark.redis
def test_redis_records_compare_as_unsigned_numbers_not_as_strings(alice):
    # Ids whose bytes are above 0x7f (where a locale-aware string comparison could differ
    # from the numbers), neighbours in the low bytes and in the high bytes.
    store = fresh_redis_store(keep=5)
    made = [2**63 - 1, 2**62 + 255, 2**62 + 256, 0x80, 0xFF, 0x7F00, 0x8000, 2**32, 2**32 - 1]
    store.push_many(alice.pk, [Entry(status_id=i, author_id=2**63 - 2) for i in made[:4]])
    for status_id in made[4:]:
        store.push([alice.pk], Entry(status_id=status_id, author_id=2**63 - 2))
    newest = sorted(made, reverse=True)[:5]
    assert store.page(alice.pk) == newest
    assert store.holding(2**62 + 255, [alice.pk]) == {alice.pk}
    store.remove_statuses([2**62 + 256, 12345], owner_ids=[alice.pk])
    assert store.page(alice.pk) == [i for i in newest if i != 2**62 + 256]
    store.remove_author(alice.pk, 2**63 - 2)
    assert store.page(alice.pk) == []


@pytest.mark.redis
def test_redis_drops_the_earlier_layout_and_nothing_else(alice):
    store = fresh_redis_store()
    client = store.redis
    client.zadd("storefeed:home:1", {"00000000000000000001:2:": 0})
    client.sadd("storefeed:held:00000000000000000001", 1)
    client.set("storefeed:other", "kept")
    store.push([alice.pk], Entry(status_id=1, author_id=1))
    assert store.drop_old_layout() == 2
    assert sorted(client.keys("storefeed:*")) == [
        b"storefeed:feed:%d" % alice.pk,
        b"storefeed:other",
    ]


@pytest.mark.redis
def test_redis_home_matches_a_plain_model_under_random_writes(alice):
    # The Lua merge, removal and trim against a dict kept the obvious way.
    rng = random.Random(9)
    store, keep = fresh_redis_store(keep=50), 50
    model: dict[int, Entry] = {}
    for _round in range(200):
        made = [
            Entry(rng.randrange(2**64), rng.choice([1, 2, 3]), rng.choice([None, 2, 4]))
            for _ in range(rng.choice([1, 1, 3, 30]))
        ]
        made += rng.sample(list(model.values()), min(2, len(model)))  # pushed again
        store.push_many(alice.pk, made)
        model.update((e.status_id, e) for e in made)
        model = {i: model[i] for i in sorted(model)[-keep:]}
        if rng.random() < 0.3 and model:
            gone = [*rng.sample(sorted(model), min(3, len(model))), rng.randrange(2**64)]
            store.remove_statuses(gone, owner_ids=[alice.pk])
            model = {i: e for i, e in model.items() if i not in gone}
        if rng.random() < 0.05:
            store.remove_author(alice.pk, 2, with_reposts_of=True)
            model = {i: e for i, e in model.items() if 2 not in (e.author_id, e.origin_author_id)}
        assert store.page(alice.pk, limit=keep) == sorted(model, reverse=True)
