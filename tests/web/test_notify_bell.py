"""The bell on a followed profile (notify me of new posts), with and without htmx, and the
"status" notifications it brings on the notifications page."""

import pytest
from django.utils import translation

from storefeed.social.models import Follow
from tests.web.conftest import HTMX

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _default_language_after():
    # A request in Chinese leaves Chinese active in this thread; the next tests expect English.
    yield
    translation.deactivate()


def test_the_bell_shows_only_on_a_profile_you_follow(alice, bob, alice_client, follow):
    assert 'data-testid="notify-button"' not in alice_client.get("/@bob").content.decode()
    follow(alice, bob)
    page = alice_client.get("/@bob").content.decode()
    assert 'data-testid="notify-button" data-action="notify" aria-pressed="false"' in page
    assert "Notify me when @bob posts" in page


def test_the_bell_without_javascript(alice, bob, alice_client, follow):
    follow(alice, bob)
    response = alice_client.post("/@bob/notify", {"next": "/@bob"})
    assert response.status_code == 302
    assert response["Location"] == "/@bob"
    assert Follow.objects.get(follower=alice, target=bob).notify is True
    page = alice_client.get("/@bob").content.decode()
    assert "You will be notified when @bob posts." in page
    assert 'data-action="unnotify" aria-pressed="true"' in page
    alice_client.post("/@bob/unnotify", {"next": "/@bob"})
    assert Follow.objects.get(follower=alice, target=bob).notify is False


def test_the_bell_with_htmx_answers_with_the_follow_box(alice, bob, alice_client, follow):
    follow(alice, bob)
    html = alice_client.post("/@bob/notify", {"next": "/@bob"}, **HTMX).content.decode()
    assert html.startswith('<div class="follow-box"')
    assert 'data-action="unnotify" aria-pressed="true"' in html
    assert 'data-state="following"' in html
    html = alice_client.post("/@bob/unnotify", {"next": "/@bob"}, **HTMX).content.decode()
    assert 'data-action="notify" aria-pressed="false"' in html


def test_the_bell_without_a_follow_is_refused_and_follows_nobody(alice, bob, alice_client):
    html = alice_client.post("/@bob/notify", **HTMX).content.decode()
    assert 'class="action-error"' in html
    assert "You don&#x27;t follow @bob." in html
    alice_client.post("/@bob/notify", {"next": "/@bob"})
    assert "flash-error" in alice_client.get("/@bob").content.decode()
    assert not Follow.objects.exists()


def test_a_new_post_shows_on_the_notifications_page(alice, bob, alice_client, follow, post):
    follow(alice, bob)
    alice_client.post("/@bob/notify")
    status = post(bob, "fresh tea in stock")
    page = alice_client.get("/notifications").content.decode()
    assert 'data-type="status"' in page
    assert "posted something new" in page
    assert "fresh tea in stock" in page
    assert f'href="/statuses/{status.pk}"' in page
    alice_client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    chinese = alice_client.get("/notifications").content.decode()
    assert "发布了新微博" in chinese
