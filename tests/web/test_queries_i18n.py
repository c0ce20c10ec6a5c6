"""The home page costs the same number of queries for 5 posts as for 20, and the pages speak
English and Simplified Chinese (the browser's choice by default, the footer switch after)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from storefeed.posts.services import media_create, status_favourite, status_reblog
from tests.web.conftest import image_upload

pytestmark = pytest.mark.django_db


def fill(bob, carol, alice, post, count):
    """`count` posts on alice's home, of every kind the page draws."""
    made = 0
    while made < count:
        kind = made % 4
        if kind == 0:
            media = media_create(account=bob, file=image_upload())
            status = post(bob, f"photo {made} #美妆", media_ids=[media.pk])
        elif kind == 1:
            status = post(carol, f"reply {made}", in_reply_to_id=post(bob, "root").pk)
        elif kind == 2:
            status = status_reblog(account=carol, status_id=post(bob, f"shared {made}").pk)
        else:
            status = post(carol, f"quote {made}", quote_of_id=post(bob, "quoted").pk)
        status_favourite(account=alice, status_id=status.reblog_of_id or status.pk)
        made += 1


def home_queries(client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/")
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_home_query_count_does_not_grow_with_the_posts_on_it(
    alice, bob, carol, alice_client, post, follow
):
    follow(alice, bob)
    follow(alice, carol)
    fill(bob, carol, alice, post, 5)
    few_cold, body = home_queries(alice_client)  # renders the new posts' cached fragments
    assert body.count('data-testid="status"') >= 5
    few, _ = home_queries(alice_client)
    fill(bob, carol, alice, post, 20)
    many_cold, body = home_queries(alice_client)
    assert body.count('data-testid="status"') == 20
    many, _ = home_queries(alice_client)
    assert many_cold == few_cold, f"{few_cold} queries for 5 new posts, {many_cold} for 20"
    assert many == few, f"{few} queries for 5 posts, {many} for 20"
    # With every fragment cached, a page reads only what is live or the reader's own (the
    # home page made 18 queries when it hydrated and rendered every post).
    assert many <= 10


def test_the_browser_language_picks_chinese(client):
    response = client.get("/login", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9,en;q=0.5")
    body = response.content.decode()
    assert '<html lang="zh-hans">' in body
    assert "登录" in body


def test_the_footer_switch_changes_the_language(alice, alice_client):
    page = alice_client.get("/").content.decode()
    assert 'data-testid="lang-zh-hans"' in page
    response = alice_client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert response.status_code == 302
    body = alice_client.get("/").content.decode()
    assert "首页" in body
    assert "发布" in body
    alice_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Home" in alice_client.get("/").content.decode()


def test_errors_from_the_services_arrive_in_chinese(alice, bob, client_for, post):
    client = client_for(alice)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    response = client.post("/compose", {"text": "x" * 2001, "visibility": "public"})
    assert response.status_code == 400
    assert "2000" in response.content.decode()
    assert "字" in response.content.decode()
