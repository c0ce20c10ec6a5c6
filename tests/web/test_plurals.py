"""Counts read as people say them: "1 follower", "2 followers"; Chinese has one form."""

import pytest

from storefeed.accounts.models import User

pytestmark = pytest.mark.django_db


def counts(page: str) -> str:
    start = page.index('<ul class="counts">')
    return " ".join(page[start : page.index("</ul>", start)].split())


def test_one_of_each_is_singular(client, alice, bob, post):
    post(alice, "Only post")
    User.objects.filter(pk=alice.pk).update(followers_count=1, statuses_count=1)
    text = counts(client.get("/@alice").content.decode())
    assert "<b>1</b> post</li>" in text
    assert '<b data-testid="followers-count">1</b> follower</a>' in text


def test_many_are_plural_with_thousands_separated(client, alice):
    User.objects.filter(pk=alice.pk).update(followers_count=1234, statuses_count=0)
    text = counts(client.get("/@alice").content.decode())
    assert "<b>0</b> posts</li>" in text
    assert '<b data-testid="followers-count">1,234</b> followers</a>' in text


def test_chinese_has_one_form(client, alice):
    User.objects.filter(pk=alice.pk).update(followers_count=1)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    text = counts(client.get("/@alice").content.decode())
    assert '<b data-testid="followers-count">1</b> 粉丝' in text and "关注" in text
