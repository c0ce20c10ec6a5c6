"""Mastodon.py against `storefeed serve`: filters v2 (create with keywords, update, keywords
and posts, applied to the home timeline and notifications), muting a thread, reports,
direct-message conversations and domain blocks."""

import pytest
from mastodon import MastodonAPIError, MastodonNotFoundError

from storefeed.moderation.models import Report
from tests.clients.conftest import settle


@pytest.fixture
def alice_api(masto_for, alice):
    return masto_for(alice)


@pytest.fixture
def bob_api(masto_for, bob):
    return masto_for(bob)


def test_filters_v2(alice_api, bob_api):
    bob_me = bob_api.me()
    alice_api.account_follow(bob_me.id)
    tea = bob_api.status_post("Matcha lattes all day")
    plain = bob_api.status_post("Nothing to see")
    settle()
    made = alice_api.create_filter_v2(
        title="Tea", context=["home", "notifications"], filter_action="warn",
        keywords_attributes=[{"keyword": "matcha", "whole_word": True}],
    )  # fmt: skip
    assert made.title == "Tea" and [k.keyword for k in made.keywords] == ["matcha"]
    assert [f.id for f in alice_api.filters_v2()] == [made.id]
    assert alice_api.filter_v2(made.id).filter_action == "warn"

    home = {s.id: s for s in alice_api.timeline_home()}
    assert home[plain.id].filtered == []
    [result] = home[tea.id].filtered
    assert result.filter.id == made.id and result.keyword_matches == ["matcha"]

    kw = alice_api.add_filter_keyword_v2(made.id, "nothing", whole_word=False)
    assert {k.keyword for k in alice_api.filter_keywords_v2(made.id)} == {"matcha", "nothing"}
    alice_api.delete_filter_keyword_v2(kw.id)
    fs = alice_api.add_filter_status_v2(made.id, plain.id)
    assert alice_api.filter_status_v2(fs.id).status_id == plain.id
    assert [s.id for s in alice_api.filter_statuses_v2(made.id)] == [fs.id]

    changed = alice_api.update_filter_v2(
        made.id, filter_action="hide",
        keywords_attributes=[{"id": made.keywords[0].id, "_destroy": True}],
    )  # fmt: skip
    assert changed.filter_action == "hide" and changed.keywords == []
    ids = [s.id for s in alice_api.timeline_home()]
    assert plain.id not in ids and tea.id in ids  # the post filter hides; the keyword is gone
    alice_api.delete_filter_status_v2(fs.id)
    alice_api.delete_filter_v2(made.id)
    assert alice_api.filters_v2() == []
    with pytest.raises(MastodonAPIError) as refused:
        alice_api.create_filter_v2(title="", context=["home"], filter_action="warn")
    assert refused.value.args[1] == 422


def test_mute_a_thread_report_and_domain_blocks(alice_api, bob_api):
    root = alice_api.status_post("My thread")
    bob_api.status_post("@alice first reply", in_reply_to_id=root.id)
    settle()
    assert len(alice_api.notifications(types=["mention"])) == 1
    muted = alice_api.status_mute(root.id)
    assert muted.muted is True
    bob_api.status_post("@alice second reply", in_reply_to_id=root.id)
    bob_api.status_favourite(root.id)
    settle()
    assert len(alice_api.notifications()) == 1
    assert alice_api.status_unmute(root.id).muted is False

    bad = bob_api.status_post("Fake designer bags")
    report = alice_api.report(bob_api.me().id, status_ids=[bad.id], comment="counterfeit",
                              category="spam")  # fmt: skip
    assert report.category == "spam" and report.status_ids == [bad.id]
    assert report.target_account.acct == "bob" and report.action_taken is False
    assert Report.objects.get().comment == "counterfeit"
    with pytest.raises(MastodonNotFoundError):
        alice_api.report("123")

    alice_api.domain_block("spam.example")
    assert alice_api.domain_blocks() == ["spam.example"]
    alice_api.domain_unblock("spam.example")
    assert alice_api.domain_blocks() == []


def test_conversations(alice_api, bob_api):
    first = alice_api.status_post("@bob a secret", visibility="direct")
    settle()
    [theirs] = bob_api.conversations()
    assert theirs.unread is True and theirs.last_status.id == first.id
    assert [a.acct for a in theirs.accounts] == ["alice"]
    read = bob_api.conversations_read(theirs.id)
    assert read.unread is False
    reply = bob_api.status_post("@alice got it", visibility="direct", in_reply_to_id=first.id)
    settle()
    [mine] = alice_api.conversations()
    assert mine.last_status.id == reply.id and mine.unread is True
