"""The search page: tabs for posts, people and tags (products in tests/web_shop), matched words
marked, only what the reader may see, both languages, bad input as a form error."""

import re

import pytest
from django.conf import settings

from storefeed.posts import services as post_services
from storefeed.social import services as social

pytestmark = pytest.mark.django_db


def article_ids(body: str) -> list[int]:
    return [int(x) for x in re.findall(r'<article [^>]*id="status-(\d+)"', body)]


def test_visitor_finds_public_posts_with_words_marked(client, bob):
    public = post_services.status_create(account=bob, text="新到的哑光口红 Velvet LIPSTICK")
    post_services.status_create(account=bob, text="口红 for followers", visibility="private")
    post_services.status_create(account=bob, text="口红 unlisted", visibility="unlisted")
    response = client.get("/search", {"q": "口红 lipstick"})
    assert response.status_code == 200
    body = response.content.decode()
    assert article_ids(body) == [public.pk]
    assert "哑光<mark>口红</mark>" in body
    assert "Velvet <mark>LIPSTICK</mark>" in body
    assert 'data-testid="tab-posts"' in body and 'aria-current="page"' in body
    # The top bar's search is a row of its own for visitors on phones, with a real placeholder.
    assert 'class="topbar topbar-visitor"' in body
    assert 'placeholder="Search posts, products and people"' in body


def test_words_are_marked_in_text_only(client, bob):
    # A word that is also in the markup (class names, entities, the link) stays markup.
    post = post_services.status_create(
        account=bob, text="content &amp; class https://example.com/class"
    )
    body = client.get("/search", {"q": "class"}).content.decode()
    assert article_ids(body) == [post.pk]
    assert '<div class="content"' in body
    assert "<mark>class</mark>" in body
    assert 'href="https://example.com/class"' in body  # the attribute untouched
    assert "&amp;amp;" in body  # the entity untouched


def test_signed_in_reader_sees_what_they_may(alice, bob, carol, client_for):
    followers_only = post_services.status_create(
        account=bob, text="oolong secret", visibility="private"
    )
    by_carol = post_services.status_create(account=carol, text="oolong from carol")
    alice_client = client_for(alice)
    assert article_ids(alice_client.get("/search", {"q": "oolong"}).content.decode()) == [
        by_carol.pk
    ]
    social.follow_create(follower=alice, target=bob)
    social.block_create(account=carol, target=alice)
    found = article_ids(alice_client.get("/search", {"q": "oolong"}).content.decode())
    assert found == [followers_only.pk]


def test_load_more_keeps_the_query(client, bob):
    made = [post_services.status_create(account=bob, text=f"matcha {n}") for n in range(25)]
    body = client.get("/search", {"q": "matcha"}).content.decode()
    assert article_ids(body) == [p.pk for p in reversed(made)][:20]
    more = re.search(r'data-testid="load-more" href="([^"]+)"', body).group(1).replace("&amp;", "&")
    assert more.startswith("?q=matcha&tab=posts&max_id=")
    rest = client.get("/search" + more, headers={"HX-Request": "true"}).content.decode()
    assert article_ids(rest) == [p.pk for p in reversed(made[:5])]
    assert "<html" not in rest  # only the posts (htmx swaps them in)


def test_people_and_tags_tabs(client, bob):
    bob.display_name = "口红达人"
    bob.save()
    post_services.status_create(account=bob, text="#口红试色 #口红")
    people = client.get("/search", {"q": "口红", "tab": "people"}).content.decode()
    assert 'data-username="bob"' in people and "<b>口红达人</b>" in people
    tags = client.get("/search", {"q": "#口红"}).content.decode()
    assert re.findall(r'data-testid="tag-result">#(.*?)</a>', tags) == [
        "<mark>口红</mark>",
        "<mark>口红</mark>试色",
    ]
    assert 'aria-current="page">Tags' in tags


def test_empty_and_bad_queries(client):
    empty = client.get("/search", {"q": ""})
    assert empty.status_code == 200 and "search-hint" in empty.content.decode()
    assert client.get("/search").status_code == 200
    too_long = client.get("/search", {"q": "口" * 201})
    assert too_long.status_code == 400
    assert 'data-testid="search-error"' in too_long.content.decode()
    for q in ['"', "*", "NEAR(a b)", "a OR b", "%", "_"]:
        response = client.get("/search", {"q": q})
        assert response.status_code == 200, q
    nul = client.get("/search", {"q": "\x00"})  # Django's own refusal, as a form error
    assert nul.status_code == 400 and 'data-testid="search-error"' in nul.content.decode()
    assert client.get("/search", {"q": "tea", "tab": "nonsense"}).status_code == 400
    assert client.get("/search", {"q": "tea", "max_id": "not-a-cursor"}).status_code == 200


def test_in_chinese(client, bob):
    post_services.status_create(account=bob, text="口红")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    body = client.get("/search", {"q": "口红"}).content.decode()
    assert 'placeholder="搜索微博、商品和用户"' in body
    assert ">微博</a>" in body and ">用户</a>" in body and ">话题</a>" in body
    none = client.get("/search", {"q": "没有的词"}).content.decode()
    assert "没有找到微博，换个词试试。" in none
