"""Each page renders for the right people and refuses or redirects the others."""

import pytest
from django.urls import reverse

from storefeed.posts.models import Visibility

pytestmark = pytest.mark.django_db

SIGNED_IN_ONLY = [
    "/compose",
    "/notifications",
    "/bookmarks",
    "/settings",
    "/settings/password",
    "/follow_requests",
]


def test_visitors_get_the_landing_page_with_public_posts(client, bob, post):
    post(bob, "A public hello")
    post(bob, "Only for fans", visibility=Visibility.PRIVATE)
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="landing-signup"' in body
    assert "A public hello" in body
    assert "Only for fans" not in body


def test_home_shows_own_and_followed_posts_and_the_compact_composer(
    alice, bob, carol, alice_client, post, follow
):
    follow(alice, bob)
    post(alice, "mine")
    post(bob, "from bob")
    post(carol, "from a stranger")
    response = alice_client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "mine" in body
    assert "from bob" in body
    assert "from a stranger" not in body
    assert 'name="text"' in body
    assert 'name="images"' in body


@pytest.mark.parametrize("url", SIGNED_IN_ONLY)
def test_signed_in_pages_send_visitors_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


@pytest.mark.parametrize("url", SIGNED_IN_ONLY)
def test_signed_in_pages_render(alice_client, url):
    assert alice_client.get(url).status_code == 200


def test_profile_shows_counts_badge_bio_and_pinned_first(alice, bob, alice_client, post, follow):
    from storefeed.accounts.models import ExpertField
    from storefeed.accounts.services import expert_verify, profile_update
    from storefeed.posts.services import status_pin

    staff = type(bob).objects.create_user(username="staff", password="x" * 12, is_staff=True)
    field, _ = ExpertField.objects.get_or_create(
        slug="beauty", defaults={"name_en": "Beauty", "name_zh": "美妆"}
    )
    expert_verify(account=bob, field=field, by=staff)
    profile_update(account=bob, note="I review lipsticks")
    follow(alice, bob)
    old = post(bob, "old but pinned")
    post(bob, "newer post")
    status_pin(account=bob, status_id=old.pk)
    body = alice_client.get("/@bob").content.decode()
    assert 'data-testid="expert-badge"' in body
    assert "Beauty" in body
    assert "I review lipsticks" in body
    assert 'data-testid="followers-count">1<' in body
    assert body.index("old but pinned") < body.index("newer post")
    assert 'data-state="following"' in body


def test_profile_tabs_filter_replies_and_media(alice, bob, client, post):
    from storefeed.posts.services import media_create
    from tests.web.conftest import image_upload

    top = post(bob, "top level")
    post(alice, "a reply by alice", in_reply_to_id=top.pk)
    post(bob, "bob answers alice @alice", in_reply_to_id=top.pk)
    media = media_create(account=bob, file=image_upload())
    post(bob, "with a photo", media_ids=[media.pk])
    posts_tab = client.get("/@bob").content.decode()
    assert "top level" in posts_tab
    assert "with a photo" in posts_tab
    media_tab = client.get("/@bob?tab=media").content.decode()
    assert "with a photo" in media_tab
    assert "top level" not in media_tab
    assert client.get("/@bob?tab=nonsense").status_code == 200


def test_unknown_people_and_posts_are_404(alice_client, bob, post):
    status = post(bob, "hello")
    assert alice_client.get("/@nobody").status_code == 404
    assert alice_client.get("/@nobody/followers").status_code == 404
    assert alice_client.get("/@bob/1234").status_code == 404
    assert alice_client.get("/@bob/99999999999999999999").status_code == 404
    assert alice_client.get(f"/@alice/{status.pk}").status_code == 404  # wrong author
    assert alice_client.get("/statuses/1234").status_code == 404


def test_followers_only_post_is_404_for_others_and_visible_to_followers(
    alice, bob, carol, client_for, post, follow
):
    status = post(bob, "fans only", visibility=Visibility.PRIVATE)
    follow(alice, bob)
    assert client_for(carol).get(f"/@bob/{status.pk}").status_code == 404
    response = client_for(alice).get(f"/@bob/{status.pk}")
    assert response.status_code == 200
    assert "fans only" in response.content.decode()


def test_status_page_shows_the_thread_and_a_reply_form(alice, bob, alice_client, post):
    root = post(bob, "the question")
    middle = post(alice, "my answer", in_reply_to_id=root.pk)
    post(bob, "thanks!", in_reply_to_id=middle.pk)
    body = alice_client.get(f"/@alice/{middle.pk}").content.decode().split('id="main"')[1]
    assert body.index("the question") < body.index("my answer") < body.index("thanks!")
    assert f'name="in_reply_to_id" value="{middle.pk}"' in body


def test_a_repost_address_leads_to_the_original(alice, bob, alice_client, post):
    from storefeed.posts.services import status_reblog

    original = post(bob, "worth sharing")
    repost = status_reblog(account=alice, status_id=original.pk)
    response = alice_client.get(f"/@alice/{repost.pk}")
    assert response.status_code == 302
    assert response["Location"] == f"/@bob/{original.pk}"
    assert alice_client.get(f"/statuses/{original.pk}")["Location"] == f"/@bob/{original.pk}"


def test_followers_and_following_lists(alice, bob, carol, client, follow):
    follow(alice, bob)
    follow(carol, bob)
    followers = client.get("/@bob/followers").content.decode()
    assert "@alice" in followers
    assert "@carol" in followers
    following = client.get("/@alice/following").content.decode()
    assert "@bob" in following


def test_public_and_tag_timelines(client, bob, post):
    post(bob, "new lipstick #美妆")
    post(bob, "new phone #tech")
    assert "new lipstick" in client.get("/public").content.decode()
    tag_page = client.get("/tags/美妆").content.decode()
    assert "new lipstick" in tag_page
    assert "new phone" not in tag_page


def test_a_tag_made_of_punctuation_gets_a_clear_message(client):
    response = client.get("/tags/___")
    assert response.status_code == 404
    assert 'data-testid="tag-error"' in response.content.decode()


def test_search_finds_people_and_tags(client, bob):
    body = client.get("/search", {"q": "bo", "tab": "people"}).content.decode()
    assert 'data-username="bob"' in body
    assert 'data-username="bob"' in client.get("/search", {"q": "@bo"}).content.decode()
    body = client.get("/search", {"q": "#美妆"}).content.decode()
    assert 'data-testid="tag-result"' in body
    assert "/tags/%E7%BE%8E%E5%A6%86" in body


def test_search_for_a_punctuation_tag_explains_why(client):
    response = client.get("/search", {"q": "#!!!"})
    assert response.status_code == 200
    assert 'data-testid="tag-error"' in response.content.decode()


def test_search_with_an_overlong_query_is_a_form_error(client):
    response = client.get("/search", {"q": "x" * 500})
    assert response.status_code == 400
    assert "field-error" in response.content.decode()


def test_load_more_pages_with_max_id(alice, bob, alice_client, post, follow):
    follow(alice, bob)
    made = [post(bob, f"post number {i}") for i in range(25)]
    first = alice_client.get("/").content.decode()
    assert "post number 24" in first
    assert "post number 4" not in first
    assert 'data-testid="load-more"' in first
    # 20 on the first page: the 21st newest (index 4) is on the next one.
    cursor = made[5].pk
    assert f"max_id={cursor}" in first
    second = alice_client.get(f"/?max_id={cursor}", HTTP_HX_REQUEST="true")
    assert "post number 4" in second.content.decode()
    assert "<html" not in second.content.decode()  # htmx gets only the feed partial
    assert alice_client.get("/?max_id=garbage").status_code == 200


def test_html_and_script_in_user_fields_are_escaped(alice, bob, client, post):
    from storefeed.accounts.services import profile_update

    profile_update(account=bob, display_name="<b>Bob</b>", note="<script>alert(1)</script>")
    post(bob, "<script>alert(2)</script> <img src=x onerror=alert(3)>")
    for url in ("/@bob", "/public"):
        body = client.get(url).content.decode()
        assert "<script>alert" not in body
        assert "<img src=x" not in body
        assert "<b>Bob</b>" not in body
