"""The instance's rules, about text, languages, weekly activity and contact; announcements
(read, dismissed, reacted to, streamed); featuring tags by name."""

import datetime as dt
import json

import pytest
import time_machine
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.utils import timezone

from storefeed.instance import services
from storefeed.instance.admin import AboutAdmin
from storefeed.instance.models import About, Announcement, AnnouncementReaction, Rule
from storefeed.posts import services as posts
from storefeed.posts.models import FeaturedTag
from storefeed.streaming.route import Reader, Stream, route
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_rules_in_both_entities_and_their_endpoint(anon):
    Rule.objects.create(text="Sell only what you have", text_zh="只卖你有的东西", position=2)
    Rule.objects.create(text="Be kind", hint="No insults", position=1)
    rules = anon.get("/api/v1/instance/rules").json()
    assert [r["text"] for r in rules] == ["Be kind", "Sell only what you have"]
    assert rules[0]["hint"] == "No insults" and rules[0]["translations"] == {}
    assert rules[1]["translations"] == {"zh-CN": {"text": "只卖你有的东西", "hint": ""}}
    assert anon.get("/api/v2/instance").json()["rules"] == rules
    assert anon.get("/api/v1/instance").json()["rules"] == rules


def test_extended_description_is_staffs_cleaned_html(anon, alice):
    default = anon.get("/api/v1/instance/extended_description").json()
    assert default["content"].startswith("<p>") and default["updated_at"] is None
    request = RequestFactory().post("/admin/")
    request.user = alice
    about = About(
        extended_description='<p>Hello <script>alert(1)</script><a href="https://x.org">fans</a></p>'
    )
    AboutAdmin(About, site).save_model(request, about, None, False)
    shown = anon.get("/api/v1/instance/extended_description").json()
    assert "<script>" not in shown["content"] and 'href="https://x.org"' in shown["content"]
    assert shown["updated_at"].endswith("Z")


def test_languages_and_translation_languages(anon):
    assert anon.get("/api/v1/instance/languages").json() == [
        {"code": "en", "name": "English"},
        {"code": "zh", "name": "Chinese"},
    ]
    assert anon.get("/api/v1/instance/translation_languages").json() == {}


def test_activity_counts_real_weeks(anon, api_client, alice):
    from storefeed.core.ids import id_for_datetime
    from storefeed.posts.models import Status

    two_weeks_ago = timezone.now() - dt.timedelta(weeks=2)
    with time_machine.travel(two_weeks_ago, tick=False):
        old = make_user("old")
        services.login_record(account_id=old.pk)
    # Ids never go back in time within a process, so the old post gets its id by hand.
    Status.objects.create(id=id_for_datetime(two_weeks_ago) + 1, account=old, text="old")
    posts.status_create(account=alice, text="this week")
    posts.status_create(account=alice, text="again")
    # Getting a token counts as signing in, once a week whatever the number.
    api_client(alice).get("/api/v1/accounts/verify_credentials")
    api_client(alice).get("/api/v1/accounts/verify_credentials")
    weeks = anon.get("/api/v1/instance/activity").json()
    assert len(weeks) == 12
    monday = services.week_of(timezone.now().date())
    assert weeks[0]["week"] == str(
        int(dt.datetime.combine(monday, dt.time(), tzinfo=dt.UTC).timestamp())
    )
    assert (weeks[0]["statuses"], weeks[0]["logins"], weeks[0]["registrations"]) == ("2", "1", "1")
    assert (weeks[2]["statuses"], weeks[2]["logins"], weeks[2]["registrations"]) == ("1", "1", "1")
    assert all(isinstance(w[k], str) for w in weeks for k in w)


def test_contact_from_settings(anon, alice, settings):
    settings.INSTANCE_CONTACT_EMAIL = "help@example.org"
    settings.INSTANCE_CONTACT_ACCOUNT = "alice"
    v2 = anon.get("/api/v2/instance").json()
    assert v2["contact"]["email"] == "help@example.org"
    assert v2["contact"]["account"]["username"] == "alice"
    v1 = anon.get("/api/v1/instance").json()
    assert v1["email"] == "help@example.org" and v1["contact_account"]["username"] == "alice"
    settings.INSTANCE_CONTACT_EMAIL = ""
    settings.DEFAULT_FROM_EMAIL = "Storefeed <shop@example.org>"
    assert anon.get("/api/v2/instance").json()["contact"]["email"] == "shop@example.org"


# Announcements ------------------------------------------------------------------------


def _announce(text="Sale starts at 8", **fields):
    return services.announcement_save(announcement=Announcement(text=text, **fields))


def test_announcements_listed_dismissed_and_reacted_to(api_client, alice, bob):
    shown = _announce("See https://example.org for the sale")
    _announce("draft", published=False)
    _announce("over", ends_at=timezone.now() - dt.timedelta(hours=1))
    api = api_client(alice)
    [entity] = api.get("/api/v1/announcements").json()
    assert entity["id"] == str(shown.pk)
    assert '<a href="https://example.org"' in entity["content"]
    assert entity["read"] is False and entity["reactions"] == []
    assert api.put(f"/api/v1/announcements/{shown.pk}/reactions/🔥").json() == {}
    api_client(bob).put(f"/api/v1/announcements/{shown.pk}/reactions/🔥")
    api.put(f"/api/v1/announcements/{shown.pk}/reactions/🔥")  # again: nothing new
    [entity] = api.get("/api/v1/announcements").json()
    assert entity["reactions"] == [
        {"name": "🔥", "count": 2, "me": True, "url": None, "static_url": None}
    ]
    api.delete(f"/api/v1/announcements/{shown.pk}/reactions/🔥")
    [entity] = api.get("/api/v1/announcements").json()
    assert entity["reactions"][0]["count"] == 1 and entity["reactions"][0]["me"] is False
    assert api.post(f"/api/v1/announcements/{shown.pk}/dismiss").json() == {}
    assert api.get("/api/v1/announcements").json() == []
    assert api.get("/api/v1/announcements", {"with_dismissed": "true"}).json()[0]["read"] is True
    assert api_client(bob).get("/api/v1/announcements").json()[0]["read"] is False


def test_announcement_refusals_change_nothing(api_client, alice):
    shown = _announce()
    draft = _announce("draft", published=False)
    api = api_client(alice)
    r = api.put(f"/api/v1/announcements/{shown.pk}/reactions/abc")
    assert r.status_code == 422
    assert r.json()["error"] == "Validation failed: Name is not a recognized emoji"
    assert api.put(f"/api/v1/announcements/{draft.pk}/reactions/🔥").status_code == 404
    assert api.post(f"/api/v1/announcements/{draft.pk}/dismiss").status_code == 404
    assert api.post("/api/v1/announcements/99/dismiss").status_code == 404
    assert not AnnouncementReaction.objects.exists()
    assert (
        api_client(alice, scopes="read")
        .post(f"/api/v1/announcements/{shown.pk}/dismiss")
        .status_code
        == 403
    )


def test_announcement_events_reach_user_streams(alice, bob):
    shown = _announce()
    AnnouncementReaction.objects.create(announcement=shown, account=bob, name="🎉")
    readers = [
        Reader(1, alice, "en", "http://testserver", frozenset([Stream("user")])),
        Reader(2, None, "en", "http://testserver", frozenset([Stream("public")])),
    ]
    out = route(
        [
            {"kind": "announcement", "id": shown.pk},
            {"kind": "announcement.reaction", "id": shown.pk, "name": "🎉"},
            {"kind": "announcement.delete", "id": 42},
        ],
        readers,
        {},
    )
    mine = {d.event: d.payload for d in out if d.key == 1}
    assert json.loads(mine["announcement"])["id"] == str(shown.pk)
    assert json.loads(mine["announcement.reaction"]) == {
        "name": "🎉",
        "count": 1,
        "announcement_id": str(shown.pk),
    }
    assert mine["announcement.delete"] == "42"
    assert not [d for d in out if d.key == 2]


# Featured tags by name ------------------------------------------------------------------


def test_feature_and_unfeature_a_tag(api_client, alice):
    api = api_client(alice)
    r = api.post("/api/v1/tags/matcha/feature")
    assert r.status_code == 200
    assert r.json()["name"] == "matcha" and r.json()["featuring"] is True
    assert api.post("/api/v1/tags/matcha/feature").status_code == 200  # again: harmless
    assert FeaturedTag.objects.filter(account=alice).count() == 1
    assert api.get("/api/v1/tags/matcha").json()["featuring"] is True
    r = api.post("/api/v1/tags/matcha/unfeature")
    assert r.json()["featuring"] is False
    assert not FeaturedTag.objects.exists()
    assert api.post("/api/v1/tags/matcha/unfeature").status_code == 200


def test_featuring_refusals(api_client, alice):
    api = api_client(alice)
    assert api.post("/api/v1/tags/not a tag!/feature").status_code == 422
    for n in range(10):
        api.post(f"/api/v1/tags/tag{n}/feature")
    r = api.post("/api/v1/tags/one_more/feature")
    assert r.status_code == 422
    assert FeaturedTag.objects.filter(account=alice).count() == 10


def test_rules_are_cached_until_staff_change_one(anon):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rule = Rule.objects.create(text="Be kind")
    assert [r["text"] for r in anon.get("/api/v1/instance/rules").json()] == ["Be kind"]
    with CaptureQueriesContext(connection) as captured:
        anon.get("/api/v1/instance/rules")
    assert not [q for q in captured.captured_queries if "instance_rule" in q["sql"]]
    rule.text = "Be very kind"
    rule.save()
    assert [r["text"] for r in anon.get("/api/v1/instance/rules").json()] == ["Be very kind"]
    rule.delete()
    assert anon.get("/api/v1/instance/rules").json() == []
