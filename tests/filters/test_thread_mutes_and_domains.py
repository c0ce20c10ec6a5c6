"""Muting a post's thread (no more notifications from it, `muted` on its posts) and user
domain blocks, through the Mastodon API."""

import pytest

from storefeed.filters.models import DomainBlock, ThreadMute
from storefeed.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _post(api, text, **extra):
    res = api.post("/api/v1/statuses", {"status": text, **extra})
    assert res.status_code == 200, res.content
    return res.json()


def test_muting_a_thread_stops_its_notifications(api_for, alice, bob, carol):
    me, bobs, carols = api_for(alice), api_for(bob), api_for(carol)
    root = _post(me, "my thread")
    first = _post(bobs, "@alice a reply", in_reply_to_id=root["id"])
    assert Notification.objects.filter(recipient=alice, status_id=first["id"]).exists()

    res = me.post(f"/api/v1/statuses/{first['id']}/mute")
    assert res.status_code == 200, res.content
    assert res.json()["muted"] is True and res.json()["id"] == first["id"]
    assert ThreadMute.objects.get(account=alice).status_id == int(root["id"])  # the first post
    assert me.get(f"/api/v1/statuses/{root['id']}").json()["muted"] is True

    before = Notification.objects.filter(recipient=alice).count()
    deeper = _post(carols, "@alice deeper", in_reply_to_id=first["id"])
    carols.post(f"/api/v1/statuses/{root['id']}/favourite")
    bobs.post(f"/api/v1/statuses/{root['id']}/reblog")
    assert Notification.objects.filter(recipient=alice).count() == before
    # Others still hear of it; and the reader's timelines say muted.
    assert Notification.objects.filter(recipient=bob, status_id=deeper["id"]).exists()
    context = me.get(f"/api/v1/statuses/{root['id']}/context").json()
    assert all(s["muted"] for s in context["descendants"])
    # Outside the thread nothing changed.
    other = _post(bobs, "@alice elsewhere")
    assert Notification.objects.filter(recipient=alice, status_id=other["id"]).exists()
    assert me.get(f"/api/v1/statuses/{other['id']}").json()["muted"] is False

    res = me.post(f"/api/v1/statuses/{deeper['id']}/unmute")
    assert res.status_code == 200 and res.json()["muted"] is False
    assert not ThreadMute.objects.exists()
    again = _post(carols, "@alice back", in_reply_to_id=deeper["id"])
    assert Notification.objects.filter(recipient=alice, status_id=again["id"]).exists()


def test_mute_refusals(api_for, alice, bob):
    me = api_for(alice)
    secret = _post(api_for(bob), "followers only", visibility="private")
    assert me.post(f"/api/v1/statuses/{secret['id']}/mute").status_code == 404
    assert me.post("/api/v1/statuses/99999/mute").status_code == 404
    assert me.post("/api/v1/statuses/x/mute").status_code == 404
    public = _post(api_for(bob), "public")
    assert (
        api_for(alice, scope="read").post(f"/api/v1/statuses/{public['id']}/mute").status_code
        == 403
    )
    assert not ThreadMute.objects.exists()
    # Repeating is harmless.
    for _ in range(2):
        assert me.post(f"/api/v1/statuses/{public['id']}/mute").json()["muted"] is True
    assert ThreadMute.objects.count() == 1


def test_domain_blocks(api_for, alice):
    me = api_for(alice)
    assert me.get("/api/v1/domain_blocks").json() == []
    for domain in ["example.org", "Spam.Example.COM.", "例え.jp"]:
        res = me.post("/api/v1/domain_blocks", {"domain": domain})
        assert res.status_code == 200 and res.json() == {}, res.content
    me.form("/api/v1/domain_blocks", {"domain": "example.org"})  # again: harmless
    assert me.get("/api/v1/domain_blocks").json() == [
        "xn--r8jz45g.jp",
        "spam.example.com",
        "example.org",
    ]
    page = me.get("/api/v1/domain_blocks", {"limit": 1})
    assert page.json() == ["xn--r8jz45g.jp"] and "max_id" in page["Link"]
    assert me.delete("/api/v1/domain_blocks?domain=spam.example.com").json() == {}
    assert DomainBlock.objects.filter(account=alice).count() == 2


@pytest.mark.parametrize(
    "domain",
    [
        "",
        "   ",
        "nodot",
        "-bad-.com",
        "a..b",
        "http://x.com/",
        "x" * 64 + ".com",
        "1.2.3.4",
        "testserver",
    ],
)
def test_bad_domains_are_refused(api_for, alice, domain):
    res = api_for(alice).post("/api/v1/domain_blocks", {"domain": domain})
    assert res.status_code == 422, (domain, res.content)
    assert "Domain" in res.json()["error"]
    assert not DomainBlock.objects.exists()


def test_own_domain_is_refused(api_for, alice, settings):
    settings.ALLOWED_HOSTS = ["storefeed.test"]
    res = api_for(alice).post(
        "/api/v1/domain_blocks", {"domain": "storefeed.test"}, HTTP_HOST="storefeed.test"
    )
    assert res.status_code == 422 and "own domain" in res.json()["error"]
