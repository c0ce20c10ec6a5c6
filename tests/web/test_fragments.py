"""Posts on the web pages come from cached fragments (web/fragments.py), and every change shows
on the very next read, on both cache levels (this process's memory, then the shared cache
alone) and both shared caches (process memory and Redis). A cache that fails costs speed,
never a wrong or failed page."""

import re

import pytest
from django.test import Client

from storefeed.accounts.services import profile_update
from storefeed.core import parts
from storefeed.posts.models import MediaAttachment
from storefeed.posts.services import (
    media_create,
    media_update,
    status_delete,
    status_favourite,
    status_reblog,
    status_update,
)
from storefeed.social.services import block_create
from storefeed.web.fragments import Post
from tests.conftest import make_user
from tests.web.conftest import article, image_upload, reads

pytestmark = pytest.mark.django_db


def _anonymous() -> Client:
    return Client()


@pytest.fixture
def home(alice, bob, carol, follow, alice_client):
    """alice follows bob and carol; home() reads her home page twice (see `reads`)."""
    follow(alice, bob)
    follow(alice, carol)
    return lambda **extra: reads(alice_client, "/", **extra)


def test_an_edit_shows_at_once(each_cache, bob, post, home):
    status = post(bob, "before the edit")
    assert all("before the edit" in body for body in home())
    status_update(account=bob, status_id=status.pk, text="after the edit")
    for body in home():
        shown = article(body, status.pk)
        assert "after the edit" in shown
        assert "before the edit" not in shown
        assert 'data-testid="edited"' in shown


def test_a_new_image_description_shows_at_once(each_cache, bob, post, home):
    media = media_create(account=bob, file=image_upload(), description="old words")
    status = post(bob, "a photo", media_ids=[media.pk])
    assert all('alt="old words"' in body for body in home())
    media_update(account=bob, media_id=media.pk, description="new words")
    for body in home():
        assert 'alt="new words"' in article(body, status.pk)
    assert MediaAttachment.objects.count() == 1


def test_a_deleted_post_and_its_reposts_are_gone_at_once(
    each_cache, bob, carol, post, home, alice_client
):
    status = post(bob, "soon gone")
    repost = status_reblog(account=carol, status_id=status.pk)
    assert all(f'id="status-{status.pk}"' in body for body in home())
    assert all(f'id="status-{repost.pk}"' in body for body in reads(alice_client, "/@carol"))
    status_delete(account=bob, status_id=status.pk)
    for body in [*home(), *reads(alice_client, "/@carol")]:
        assert "soon gone" not in body
        assert f'id="status-{repost.pk}"' not in body


def test_likes_and_reposts_show_their_counts_and_the_readers_marks(
    each_cache, alice, bob, carol, post, home
):
    status = post(bob, "count me")
    home()
    status_favourite(account=carol, status_id=status.pk)
    status_reblog(account=carol, status_id=status.pk)
    for body in home():
        shown = article(body, status.pk)
        assert 'data-testid="favourites-count">1<' in shown
        assert 'data-action="favourite" aria-pressed="false"' in shown
        assert 'data-action="reblog" aria-pressed="false"' in shown
    status_favourite(account=alice, status_id=status.pk)
    status_reblog(account=alice, status_id=status.pk)
    for body in home():
        shown = article(body, status.pk)
        assert 'data-testid="favourites-count">2<' in shown
        assert 'data-action="favourite" aria-pressed="true"' in shown
        assert 'data-action="reblog" aria-pressed="true"' in shown
        assert f"/statuses/{status.pk}/unfavourite" in shown


def test_the_same_post_shows_each_readers_own_marks(each_cache, alice, bob, post, client_for):
    status = post(bob, "mine to like")
    status_favourite(account=alice, status_id=status.pk)
    liked = article(reads(client_for(alice), f"/@bob/{status.pk}")[1], status.pk)
    assert 'data-action="favourite" aria-pressed="true"' in liked
    for body in reads(client_for(bob), f"/@bob/{status.pk}"):
        shown = article(body, status.pk)
        assert 'data-action="favourite" aria-pressed="false"' in shown
        assert 'data-testid="more-menu"' in shown  # bob's own post
    for body in reads(_anonymous(), f"/@bob/{status.pk}"):
        shown = article(body, status.pk)
        assert "aria-pressed" not in shown
        assert "/login?next=" in shown


def test_an_authors_new_name_and_avatar_show_at_once(each_cache, alice, bob, post, home):
    status = post(bob, "hello")
    home()
    profile_update(
        account=bob,
        display_name="Bobby Tables",
        note="I drop tables",
        avatar=image_upload("bob.png", size=(300, 300), fmt="PNG"),
    )
    bob.refresh_from_db()
    for body in home():
        shown = article(body, status.pk)
        assert "Bobby Tables" in shown
        assert bob.avatar.url in shown
    for body in reads(_anonymous(), "/@bob"):
        assert "I drop tables" in body


def test_a_reposters_and_a_quoted_authors_new_names_show_at_once(
    each_cache, bob, carol, post, home, alice_client
):
    quoted = post(bob, "quote me")
    quoting = post(carol, "look at this", quote_of_id=quoted.pk)
    repost = status_reblog(account=carol, status_id=post(bob, "share me").pk)
    reads(alice_client, "/@carol")
    home()
    profile_update(account=carol, display_name="Caroline")
    profile_update(account=bob, display_name="Robert")
    status_update(account=bob, status_id=quoted.pk, text="quote me, edited")
    for body in reads(alice_client, "/@carol"):
        assert "Caroline reposted" in article(body, repost.pk)
    for body in home():
        quote = re.search(r'<a class="quote".*?</a>', article(body, quoting.pk), re.S)
        assert quote is not None
        assert "Robert" in quote.group(0)
        assert "quote me, edited" in quote.group(0)


def test_a_renamed_account_shows_in_replying_to(each_cache, alice, bob, carol, post, home):
    reply = post(carol, "@bob yes", in_reply_to_id=post(bob, "question").pk)
    assert all("@bob</a>" in article(body, reply.pk) for body in home())
    bob.username = "robert"  # only staff can (in the admin): it saves through User.save
    bob.save()
    for body in home():
        assert "@robert</a>" in article(body, reply.pk)


def test_a_block_hides_the_blocked_accounts_posts_at_once(
    each_cache, alice, bob, carol, post, home
):
    dave = make_user("dave")
    own = post(bob, "from bob")
    repost = status_reblog(account=carol, status_id=post(dave, "dave, reposted").pk)
    assert all(f'id="status-{repost.pk}"' in body for body in home())
    block_create(account=alice, target=bob)
    block_create(account=alice, target=dave)
    for body in home():
        assert f'id="status-{own.pk}"' not in body
        assert f'id="status-{repost.pk}"' not in body
        assert "from bob" not in body


def test_each_language_has_its_own_fragments(each_cache, bob, post, home):
    status = post(bob, "hello")
    status_update(account=bob, status_id=status.pk, text="hello again")
    for body in home(HTTP_ACCEPT_LANGUAGE="en"):
        assert "· edited" in article(body, status.pk)
        assert 'title="Reply"' in article(body, status.pk)
    for body in home(HTTP_ACCEPT_LANGUAGE="zh-hans"):
        assert "· 已编辑" in article(body, status.pk)
        assert 'title="评论"' in article(body, status.pk)


def test_no_cached_fragment_holds_the_readers_state_or_the_csrf_token(
    each_cache, alice, bob, post, home, alice_client
):
    liked = post(bob, "liked")
    status_favourite(account=alice, status_id=liked.pk)
    post(alice, "my own")
    body = home()[1]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    assert token is not None
    cached = [
        text
        for value in parts._local.items.values()
        for text in (
            (value.head, value.body, value.tail) if isinstance(value, Post) else (str(value),)
        )
    ]
    assert any("liked" in text for text in cached)
    for html in cached:
        assert "csrfmiddlewaretoken" not in html
        assert "aria-pressed" not in html
        assert "status-actions" not in html


def test_a_cache_that_fails_still_serves_correct_pages(settings, caplog, bob, post, home):
    # Nothing listens on the discard port: every read and write of the shared cache fails.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
        }
    }
    parts.clear_local()
    status = post(bob, "still here")
    assert all("still here" in article(body, status.pk) for body in home())
    status_update(account=bob, status_id=status.pk, text="still right")
    for body in home():
        assert "still right" in article(body, status.pk)
        assert "still here" not in body
    assert "the shared cache could not be read" in caplog.text


def test_the_menus_and_footer_follow_the_reader(alice, bob, alice_client, post):
    """The menus and the footer are rendered once per process for each combination of what
    they show ({% fragment %}): the reader's name, the unread badge, the current address."""
    from storefeed.posts.services import status_favourite as like

    page = alice_client.get("/").content.decode()
    assert 'data-testid="unread-badge"' not in page
    profile_update(account=alice, display_name="Alice Liddell")
    like(account=bob, status_id=post(alice, "like me").pk)
    page = alice_client.get("/").content.decode()
    assert re.search(r'class="side-me".*?<b>Alice Liddell</b>', page, re.S)
    assert 'data-testid="unread-badge">1<' in page
    page = alice_client.get("/public").content.decode()
    switch = re.search(r'data-testid="language-switch">.*?name="next" value="([^"]*)"', page, re.S)
    assert switch is not None
    assert switch.group(1) == "/public"
    assert 'class="tab active" data-testid="nav-public"' in page


def test_every_csrf_token_on_a_cached_page_is_the_readers_own(alice, bob, client_for):
    for user in (alice, bob):
        client = client_for(user)
        client.handler.enforce_csrf_checks = True
        page = client.get("/").content.decode()
        tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert len(tokens) > 3
        assert "sf-csrf-token-here" not in page
        answer = client.post("/logout", {"csrfmiddlewaretoken": tokens[-1]})
        assert answer.status_code == 302
        assert "_auth_user_id" not in client.session


def test_a_fragment_rendered_without_a_request_is_drawn_as_it_is():
    from django.template import engines

    page = engines["django"].from_string(
        "{% load storefeed_web %}{% fragment 1 %}<form>{% csrf_token %}</form>{% endfragment %}"
    )
    assert page.render({}) == "<form></form>"
    assert page.render({"csrf_token": "abc"}) == (
        '<form><input type="hidden" name="csrfmiddlewaretoken" value="abc"></form>'
    )
    assert "abc" not in page.render({})
    assert 'value="xyz"' in page.render({"csrf_token": "xyz"})
