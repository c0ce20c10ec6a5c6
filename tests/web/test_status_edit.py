"""Editing one's post on the web: the Edit action, the form, and "edited" on the post."""

import pytest

from storefeed.posts.models import Status, StatusEdit

pytestmark = pytest.mark.django_db


def test_edit_own_post_through_the_form(alice, alice_client, post):
    status = post(alice, "Hello #old")
    page = alice_client.get(f"/@alice/{status.pk}").content.decode()
    assert f'href="/statuses/{status.pk}/edit"' in page and 'data-testid="edited"' not in page
    form = alice_client.get(f"/statuses/{status.pk}/edit")
    assert form.status_code == 200 and "Hello #old" in form.content.decode()
    done = alice_client.post(
        f"/statuses/{status.pk}/edit", {"text": "Hello #new", "spoiler_text": ""}, follow=True
    )
    assert done.status_code == 200
    body = done.content.decode()
    assert "Your post was edited." in body and 'data-testid="edited"' in body
    status.refresh_from_db()
    assert status.text == "Hello #new" and status.edited_at is not None
    assert [t.name for t in status.tags.all()] == ["new"]
    assert StatusEdit.objects.filter(status=status).count() == 2


def test_edited_is_shown_in_chinese(alice, alice_client, post):
    status = post(alice, "你好")
    alice_client.post(f"/statuses/{status.pk}/edit", {"text": "你好呀"})
    alice_client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    page = alice_client.get(f"/@alice/{status.pk}").content.decode()
    assert "已编辑" in page and "编辑" in page
    form = alice_client.get(f"/statuses/{status.pk}/edit").content.decode()
    assert "编辑微博" in form


def test_bad_edit_is_refused_with_a_message_and_changes_nothing(alice, alice_client, post):
    status = post(alice, "Keep me")
    res = alice_client.post(f"/statuses/{status.pk}/edit", {"text": "x" * 2001})
    assert res.status_code == 400
    assert "2,000" in res.content.decode() or "2000" in res.content.decode()
    res = alice_client.post(f"/statuses/{status.pk}/edit", {"text": "  "})
    assert res.status_code == 400 and "Write something" in res.content.decode()
    status.refresh_from_db()
    assert status.text == "Keep me" and status.edited_at is None
    assert not StatusEdit.objects.exists()


def test_someone_elses_post_cannot_be_edited(alice, bob, bob_client, post, client):
    status = post(alice, "Alice's")
    assert bob_client.get(f"/statuses/{status.pk}/edit").status_code == 404
    assert bob_client.post(f"/statuses/{status.pk}/edit", {"text": "mine"}).status_code == 404
    assert client.get(f"/statuses/{status.pk}/edit").status_code == 302  # sign in first
    page = bob_client.get(f"/@alice/{status.pk}").content.decode()
    assert f"/statuses/{status.pk}/edit" not in page
    assert Status.objects.get(pk=status.pk).text == "Alice's"
