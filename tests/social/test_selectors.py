"""Relationships, follower lists and the ids the timelines filter on."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from storefeed.social.models import Follow
from storefeed.social.selectors import (
    Relationship,
    follow_requests,
    follower_ids,
    followers,
    following,
    hidden_account_ids,
    is_following,
    relationship,
    relationships,
)
from storefeed.social.services import block_create, follow_create, mute_create
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_relationship_reports_every_flag(alice, bob):
    assert relationship(viewer=alice, target=bob) == Relationship(id=bob.pk)
    follow_create(follower=alice, target=bob, show_reblogs=False, notify=True)
    follow_create(follower=bob, target=alice)
    mute_create(account=alice, target=bob, hide_notifications=False)
    rel = relationship(viewer=alice, target=bob)
    assert rel.following
    assert rel.followed_by
    assert not rel.showing_reblogs
    assert rel.notifying
    assert rel.muting
    assert not rel.muting_notifications
    assert not rel.blocking
    back = relationship(viewer=bob, target=alice)
    assert back.following
    assert back.showing_reblogs
    assert not back.muting


def test_relationship_with_requests_and_blocks(alice, bob, carol):
    bob.locked = True
    bob.save()
    follow_create(follower=alice, target=bob)
    assert relationship(viewer=alice, target=bob).requested
    assert relationship(viewer=bob, target=alice).requested_by
    block_create(account=carol, target=alice)
    assert relationship(viewer=carol, target=alice).blocking
    assert relationship(viewer=alice, target=carol).blocked_by
    assert not relationship(viewer=alice, target=carol).blocking


def test_a_pending_request_shows_the_options_it_will_follow_with(alice, bob):
    bob.locked = True
    bob.save()
    follow_create(follower=alice, target=bob, show_reblogs=False, notify=True)
    rel = relationship(viewer=alice, target=bob)
    assert (rel.requested, rel.following) == (True, False)
    assert (rel.showing_reblogs, rel.notifying) == (False, True)
    follow_create(follower=alice, target=bob, show_reblogs=True, notify=False, update_existing=True)
    rel = relationship(viewer=alice, target=bob)
    assert (rel.showing_reblogs, rel.notifying) == (True, False)


def test_relationships_in_one_query(alice, bob, carol):
    follow_create(follower=alice, target=carol)
    with CaptureQueriesContext(connection) as ctx:
        rels = relationships(viewer=alice, target_ids=[bob.pk, carol.pk, carol.pk, 999])
    assert len(ctx.captured_queries) == 1
    assert set(rels) == {bob.pk, carol.pk}
    assert rels[carol.pk].following
    assert not rels[bob.pk].following
    assert relationships(viewer=alice, target_ids=[]) == {}


def test_followers_and_following_pages_newest_first(alice):
    fans = [make_user(f"fan{i}") for i in range(5)]
    for fan in fans:
        follow_create(follower=fan, target=alice)
    page = followers(account=alice, limit=2)
    assert [u.username for u in page] == ["fan4", "fan3"]
    assert page[0].edge_id == Follow.objects.get(follower=fans[4]).id
    page2 = followers(account=alice, max_id=page[-1].edge_id, limit=2)
    assert [u.username for u in page2] == ["fan2", "fan1"]
    page3 = followers(account=alice, max_id=page2[-1].edge_id, limit=10)
    assert [u.username for u in page3] == ["fan0"]

    for fan in fans[:3]:
        follow_create(follower=alice, target=fan)
    assert [u.username for u in following(account=alice)] == ["fan2", "fan1", "fan0"]
    assert following(account=fans[0]) == [alice]


def test_follower_page_costs_one_query_whatever_its_size(alice):
    for i in range(6):
        follow_create(follower=make_user(f"fan{i}"), target=alice)
    for limit in (2, 6):
        with CaptureQueriesContext(connection) as ctx:
            page = followers(account=alice, limit=limit)
            _ = [(u.name, u.expert_field) for u in page]
        assert len(ctx.captured_queries) == 1


def test_follow_requests_lists_pending_oldest_first(alice, bob, carol):
    alice.locked = True
    alice.save()
    follow_create(follower=bob, target=alice)
    follow_create(follower=carol, target=alice)
    assert [r.account.username for r in follow_requests(target=alice)] == ["bob", "carol"]
    assert follow_requests(target=bob) == []


def test_id_helpers(alice, bob, carol):
    follow_create(follower=bob, target=alice)
    follow_create(follower=carol, target=alice)
    assert sorted(follower_ids(alice.pk)) == sorted([bob.pk, carol.pk])
    assert is_following(bob.pk, alice.pk)
    assert not is_following(alice.pk, bob.pk)


def test_hidden_account_ids(alice, bob, carol):
    dan = make_user("dan")
    block_create(account=alice, target=bob)
    block_create(account=carol, target=alice)
    mute_create(account=alice, target=dan)
    assert hidden_account_ids(alice.pk) == {bob.pk, carol.pk, dan.pk}
    # Muting is one-way: dan still sees alice.
    assert hidden_account_ids(dan.pk) == set()
    assert hidden_account_ids(bob.pk) == {alice.pk}
