"""Times on the pages are in the reader's zone: their setting, else their browser's (the `tz`
cookie app.js sets), else Asia/Shanghai for Chinese, else UTC."""

import datetime as dt
import re

import pytest
import time_machine

from storefeed.accounts.models import User

pytestmark = pytest.mark.django_db

# 02:30 UTC: 10:30 in Shanghai, 21:30 the day before in New York.
POSTED = dt.datetime(2026, 3, 2, 2, 30, tzinfo=dt.UTC)


@pytest.fixture
def old_post(alice, post):
    with time_machine.travel(POSTED, tick=False):
        return post(alice, "Morning")


def shown_time(page: bytes) -> str:
    match = re.search(rb'<time datetime="[^"]+" title="([^"]+)"', page)
    assert match, "the post's time is on the page"
    return match.group(1).decode()


def test_a_visitor_without_a_zone_sees_utc(client, old_post):
    assert shown_time(client.get(f"/@alice/{old_post.pk}").content) == "2026-03-02 02:30"


def test_the_browser_zone_cookie_is_used(client, old_post):
    client.cookies["tz"] = "America%2FNew_York"
    assert shown_time(client.get(f"/@alice/{old_post.pk}").content) == "2026-03-01 21:30"


def test_a_nonsense_cookie_is_ignored(client, old_post):
    client.cookies["tz"] = "Mars%2FOlympus_Mons"
    assert shown_time(client.get(f"/@alice/{old_post.pk}").content) == "2026-03-02 02:30"


def test_chinese_readers_default_to_shanghai(client, old_post):
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert shown_time(client.get(f"/@alice/{old_post.pk}").content) == "2026-03-02 10:30"


def test_the_account_setting_beats_the_browser(alice, alice_client, old_post):
    alice_client.cookies["tz"] = "America%2FNew_York"
    res = alice_client.post(
        "/settings",
        {"display_name": "Alice", "note": "", "time_zone": "Asia/Shanghai"},
    )
    assert res.status_code == 302
    alice.refresh_from_db()
    assert alice.time_zone == "Asia/Shanghai"
    assert shown_time(alice_client.get(f"/@alice/{old_post.pk}").content) == "2026-03-02 10:30"
    # The same cached fragment is not served to a reader in another zone.
    other = alice_client.__class__()
    other.cookies["tz"] = "America%2FNew_York"
    assert shown_time(other.get(f"/@alice/{old_post.pk}").content) == "2026-03-01 21:30"


def test_an_unknown_zone_is_refused_and_nothing_changes(alice, alice_client):
    User.objects.filter(pk=alice.pk).update(time_zone="Europe/Paris")
    res = alice_client.post(
        "/settings", {"display_name": "Alice", "note": "", "time_zone": "Nowhere/City"}
    )
    assert res.status_code == 400
    assert "Nowhere/City" in res.content.decode()
    alice.refresh_from_db()
    assert alice.time_zone == "Europe/Paris"


def test_the_settings_page_offers_the_zones(alice_client):
    page = alice_client.get("/settings").content.decode()
    assert '<option value="Asia/Shanghai">Asia/Shanghai</option>' in page
    assert 'name="time_zone"' in page
