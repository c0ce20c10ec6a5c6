"""Mastodon.py against `storefeed serve`: grouped notifications, the notification policy and
requests, quotes (Mastodon 4.5), the instance's rules, about text, languages and activity,
announcements, and featuring a tag. Endpoints newer than the 4.3 the server names are called
with the version check off, as an app that knows the server would."""

import time

from storefeed.instance import services as instance_services
from storefeed.instance.models import Announcement, Rule
from storefeed.instance.selectors import RULES_LOCAL_SECONDS
from tests.clients.conftest import settle


def test_grouped_notifications_and_their_group(masto_for, alice, bob, carol):
    alice_api, bob_api, carol_api = masto_for(alice), masto_for(bob), masto_for(carol)
    post = alice_api.status_post("Matcha restocked")
    bob_api.status_favourite(post.id)
    carol_api.status_favourite(post.id)
    bob_api.account_follow(alice_api.me().id)
    settle()
    results = alice_api.grouped_notifications()
    groups = results.notification_groups
    assert [g.type for g in groups] == ["follow", "favourite"]
    likes = groups[1]
    assert likes.notifications_count == 2
    assert likes.status_id == post.id
    assert [s.id for s in results.statuses] == [post.id]
    # partial_avatars is Mastodon.py's default: the newest liker in full, the other partial.
    assert str(results.accounts[0].id) in {str(g.sample_account_ids[0]) for g in groups}
    assert [a.username for a in alice_api.grouped_notification_accounts(likes.group_key)] == [
        "carol",
        "bob",
    ]
    assert alice_api.unread_grouped_notifications_count() == 2
    alice_api.dismiss_grouped_notification(likes.group_key)
    assert [g.type for g in alice_api.grouped_notifications().notification_groups] == ["follow"]


def test_policy_and_requests(masto_for, alice, bob):
    alice_api, bob_api = masto_for(alice), masto_for(bob)
    policy = alice_api.update_notifications_policy(for_not_following="filter")
    assert policy.for_not_following == "filter"
    bob_api.status_post("@alice hello from a stranger")
    settle()
    assert alice_api.notifications() == []
    [request] = alice_api.notification_requests()
    assert request.account.username == "bob" and request.notifications_count == "1"
    assert alice_api.notifications_policy().summary.pending_requests_count == 1
    alice_api.accept_notification_request(request.id)
    assert [n.type for n in alice_api.notifications()] == ["mention"]
    assert alice_api.notification_requests() == []


def test_quotes(masto_for, alice, bob):
    alice_api, bob_api = masto_for(alice), masto_for(bob)
    for api in (alice_api, bob_api):
        api.version_check_mode = "none"
    original = alice_api.status_post("Our new tea", quote_approval_policy="public")
    assert original.quote_approval.automatic == ["public"]
    quote = bob_api.status_post("Look at this", quoted_status_id=original.id)
    assert quote.quote.state == "accepted"
    assert quote.quote.quoted_status.id == original.id
    assert [s.id for s in alice_api.status_quotes(original.id)] == [quote.id]
    revoked = alice_api.status_quote_revoke(original.id, quote.id)
    assert revoked.quote.state == "revoked"
    changed = alice_api.status_update_quote_approval_policy(original.id, "nobody")
    assert changed.quote_approval.automatic == []
    assert changed.quote_approval.current_user == "automatic"


def test_instance_rules_about_languages_activity(masto_for, alice):
    Rule.objects.create(text="Be kind", text_zh="友善", position=1)
    api = masto_for(alice)
    api.version_check_mode = "none"
    # The server's processes keep the rules in their own memory (no Redis here) and see a
    # change made elsewhere within RULES_LOCAL_SECONDS.
    deadline = time.monotonic() + RULES_LOCAL_SECONDS + 5
    while not (found := api.instance_rules()) and time.monotonic() < deadline:
        time.sleep(0.5)
    [rule] = found
    assert rule.text == "Be kind"
    assert api.instance_v2().rules[0].text == "Be kind"
    assert api.instance_extended_description().content.startswith("<p>")
    assert [lang.code for lang in api.instance_languages()] == ["en", "zh"]
    weeks = api.instance_activity()
    assert len(weeks) == 12
    assert int(weeks[0].statuses) >= 0


def test_announcements_and_featured_tags(masto_for, alice):
    shown = instance_services.announcement_save(announcement=Announcement(text="Sale at 8"))
    api = masto_for(alice)
    api.version_check_mode = "none"
    [announcement] = api.announcements()
    assert str(announcement.id) == str(shown.pk) and announcement.read is False
    api.announcement_reaction_create(announcement.id, "🍵")
    assert api.announcements()[0].reactions[0].name == "🍵"
    api.announcement_dismiss(announcement.id)
    assert api.announcements() == []
    tag = api.tag_feature("matcha")
    assert tag.featuring is True
    assert [t.name for t in api.featured_tags()] == ["matcha"]
    assert api.tag_unfeature("matcha").featuring is False
