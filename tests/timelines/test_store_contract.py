"""The contract every home timeline store implementation must pass.

Add an implementation to STORES (a factory returning a fresh, empty store) and the whole
contract runs against it.
"""

import pytest

from storefeed.timelines.store import DatabaseTimelineStore, Entry, Skip, TimelineStore

pytestmark = pytest.mark.django_db

STORES = {"database": DatabaseTimelineStore}


@pytest.fixture(params=sorted(STORES))
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
