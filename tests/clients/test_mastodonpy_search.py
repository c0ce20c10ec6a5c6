"""Mastodon.py's search_v2 against `storefeed serve`: full-text posts in Chinese and English,
account_id, offset and id cursors, refusals, as a real client sends them."""

import pytest
from mastodon import MastodonAPIError


def test_search_v2_full_text(masto_for, alice, bob, carol):
    alice_api, bob_api, carol_api = masto_for(alice), masto_for(bob), masto_for(carol)
    zh = bob_api.status_post("新到的哑光口红，颜色很正")
    en = bob_api.status_post("Matte lipsticks for spring")
    mixed = carol_api.status_post("口红 lipstick 试色")
    hidden = carol_api.status_post("口红 only for followers", visibility="private")

    def ids(result) -> list:
        return [s.id for s in result.statuses]

    assert ids(alice_api.search_v2("口红", result_type="statuses")) == [mixed.id, zh.id]
    assert ids(alice_api.search_v2("lipstick", result_type="statuses")) == [mixed.id, en.id]
    both = alice_api.search_v2("口红 lipstick", result_type="statuses")
    assert ids(both) == [mixed.id, en.id, zh.id]
    assert hidden.id not in ids(both)
    only_bob = alice_api.search_v2("口红 lipstick", result_type="statuses", account_id=bob.pk)
    assert ids(only_bob) == [en.id, zh.id]
    assert ids(alice_api.search_v2("口红 lipstick", result_type="statuses", offset=1, limit=1)) == [
        en.id
    ]
    assert ids(alice_api.search_v2("口红 lipstick", result_type="statuses", max_id=en.id)) == [
        zh.id
    ]
    assert ids(
        alice_api.search_v2("口红 lipstick", result_type="statuses", min_id=zh.id, limit=1)
    ) == [en.id]
    # Search syntax is text: 口红, or the words "or" and "near" (found nowhere).
    assert ids(alice_api.search_v2('"口红" OR * NEAR %_', result_type="statuses")) == [
        mixed.id,
        zh.id,
    ]
    with pytest.raises(MastodonAPIError):
        alice_api.search_v2("x" * 201)
