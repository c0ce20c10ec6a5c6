"""posts.services.status_update: the rules of editing a post, and the "update" notification."""

import pytest

from storefeed.core.errors import NotFound, ValidationFailed
from storefeed.notifications.models import Notification
from storefeed.posts import services
from storefeed.posts.models import Mention, Status, StatusEdit

pytestmark = pytest.mark.django_db


def test_first_edit_records_the_original_then_each_version(alice):
    status = services.status_create(account=alice, text="one")
    services.status_update(account=alice, status_id=status.pk, text="two")
    services.status_update(account=alice, status_id=status.pk, text="three")
    edits = list(StatusEdit.objects.filter(status=status).order_by("created_at", "id"))
    assert [e.text for e in edits] == ["one", "two", "three"]
    assert edits[0].created_at == status.created_at
    assert Status.objects.get(pk=status.pk).edited_at == edits[-1].created_at


def test_keep_leaves_images_and_poll_and_mentions_follow_the_text(alice, bob, carol):
    status = services.status_create(
        account=alice, text="@bob hi", poll=services.PollSpec(options=["a", "b"])
    )
    services.status_update(account=alice, status_id=status.pk, text="@carol hi")
    assert set(Mention.objects.filter(status=status).values_list("account_id", flat=True)) == {
        carol.pk
    }
    assert Status.objects.get(pk=status.pk).poll.options == ["a", "b"]
    assert Notification.objects.filter(recipient=carol, type="mention").count() == 1


def test_only_the_author_edits_and_not_a_repost(alice, bob):
    status = services.status_create(account=alice, text="mine")
    with pytest.raises(NotFound):
        services.status_update(account=bob, status_id=status.pk, text="x")
    reblog = services.status_reblog(account=bob, status_id=status.pk)
    with pytest.raises(ValidationFailed):
        services.status_update(account=bob, status_id=reblog.pk, text="x")
    with pytest.raises(NotFound):
        services.status_update(account=alice, status_id=10**15, text="x")
    assert Status.objects.get(pk=status.pk).text == "mine" and not StatusEdit.objects.exists()


def test_update_notification_is_idempotent_per_edit_and_respects_blocks(alice, bob, carol):
    from storefeed.social.services import block_create

    status = services.status_create(account=alice, text="hello")
    services.status_reblog(account=bob, status_id=status.pk)
    services.status_reblog(account=carol, status_id=status.pk)
    block_create(account=carol, target=alice)
    services.status_update(account=alice, status_id=status.pk, text="hello!")
    first = Notification.objects.get(recipient=bob, type="update")
    assert services.status_update_notify(status_id=status.pk) == 1
    assert Notification.objects.get(recipient=bob, type="update").pk == first.pk
    assert not Notification.objects.filter(recipient=carol, type="update").exists()
