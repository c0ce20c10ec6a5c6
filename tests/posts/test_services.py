"""The rules of posting, through the services, checked against the database."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from storefeed.core.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from storefeed.notifications.models import Notification
from storefeed.posts import services
from storefeed.posts.models import Favourite, MediaAttachment, Status, Tag
from storefeed.posts.selectors import status_for_viewer
from storefeed.social.services import follow_create

pytestmark = pytest.mark.django_db


def post(account, text="hello", **kw):
    return services.status_create(account=account, text=text, **kw)


def test_post_renders_mentions_tags_and_links(alice, bob):
    status = post(alice, "Hi @bob, see https://example.com/a?b=1 #美妆# and #OOTD")
    assert 'href="/@bob"' in status.content
    assert "#美妆#" in status.content
    assert "#OOTD" in status.content
    assert 'href="https://example.com/a?b=1"' in status.content.replace("&amp;", "&")
    assert sorted(Tag.objects.values_list("key", flat=True)) == ["ootd", "美妆"]
    assert list(status.mentions.all()) == [bob]
    assert Notification.objects.filter(recipient=bob, type="mention").count() == 1
    alice.refresh_from_db()
    assert alice.statuses_count == 1


def test_html_and_script_are_text_not_markup(alice):
    status = post(alice, "<script>alert(1)</script><img src=x onerror=alert(2)> <b>bold</b>")
    assert "<script" not in status.content
    assert "<img" not in status.content
    assert "&lt;script&gt;" in status.content
    assert status.text.startswith("<script>")  # the source is kept as typed


def test_over_long_text_is_refused_and_nothing_is_written(alice):
    with pytest.raises(ValidationFailed) as err:
        post(alice, "长" * 2001)
    assert "2,000" in err.value.message
    assert "2,001" in err.value.message
    post(alice, "长" * 2000)  # exactly at the limit is fine
    assert Status.objects.count() == 1


def test_empty_post_is_refused(alice):
    with pytest.raises(ValidationFailed):
        post(alice, "   ")
    assert not Status.objects.exists()


def test_unknown_mention_is_refused(alice):
    with pytest.raises(ValidationFailed) as err:
        post(alice, "hey @nobody_here")
    assert "@nobody_here" in err.value.message
    assert not Status.objects.exists()
    assert not Tag.objects.exists()


def test_email_addresses_are_not_mentions(alice):
    status = post(alice, "write to me at someone@example.com")
    assert status.mentions.count() == 0


def test_tag_of_punctuation_is_plain_text(alice):
    status = post(alice, "what #!!! and #___ is this")
    assert not Tag.objects.exists()
    assert "hashtag" not in status.content


def test_images_attach_in_order_and_ten_is_refused(alice, make_image):
    media = [services.media_create(account=alice, file=make_image(f"{i}.jpg")) for i in range(10)]
    with pytest.raises(ValidationFailed) as err:
        post(alice, "ten", media_ids=[m.pk for m in media])
    assert "9" in err.value.message
    assert not Status.objects.exists()
    assert MediaAttachment.objects.filter(status__isnull=False).count() == 0
    status = post(alice, "nine", media_ids=[m.pk for m in reversed(media[:9])])
    assert [m.pk for m in status.media.order_by("position")] == [m.pk for m in reversed(media[:9])]


def test_someone_elses_or_used_image_is_refused(alice, bob, make_image):
    theirs = services.media_create(account=bob, file=make_image())
    with pytest.raises(ValidationFailed):
        post(alice, "mine?", media_ids=[theirs.pk])
    mine = services.media_create(account=alice, file=make_image())
    post(alice, "first", media_ids=[mine.pk])
    with pytest.raises(ValidationFailed):
        post(alice, "again", media_ids=[mine.pk])
    assert Status.objects.count() == 1


def test_non_image_is_refused(alice):
    fake = SimpleUploadedFile("evil.jpg", b"<?php echo 1; ?>" * 10, content_type="image/jpeg")
    with pytest.raises(ValidationFailed) as err:
        services.media_create(account=alice, file=fake)
    assert "not an image" in err.value.message
    assert not MediaAttachment.objects.exists()


def test_oversized_file_is_refused_before_reading(alice, settings):
    big = SimpleUploadedFile("big.jpg", b"\0" * (30 * 1024 * 1024), content_type="image/jpeg")
    with pytest.raises(ValidationFailed) as err:
        services.media_create(account=alice, file=big)
    assert "30.0 MB" in err.value.message
    assert not MediaAttachment.objects.exists()


def test_exif_is_stripped_and_thumbnail_made(alice, make_image):
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0131] = "SecretSoftware"  # Software
    media = services.media_create(
        account=alice, file=make_image(size=(3000, 1000), exif=exif.tobytes())
    )
    with media.file.open("rb") as f:
        data = f.read()
    assert b"SecretCam" not in data
    assert b"SecretSoftware" not in data
    with Image.open(io.BytesIO(data)) as img:
        assert not img.getexif()
        assert max(img.size) <= 2048
    with Image.open(media.thumbnail.path) as small:
        assert max(small.size) <= 480
    assert (media.width, media.height) == (2048, 683)
    assert len(media.blurhash) == 28  # 4 x 3 components


def test_reply_threads_and_notifies(alice, bob):
    parent = post(alice, "question?")
    reply = post(bob, "answer", in_reply_to_id=parent.pk)
    parent.refresh_from_db()
    assert reply.in_reply_to_id == parent.pk
    assert reply.in_reply_to_account_id == alice.pk
    assert parent.replies_count == 1
    assert Notification.objects.filter(recipient=alice, type="reply", status=reply).exists()


def test_reply_to_deleted_post_is_refused(alice, bob):
    parent = post(alice, "soon gone")
    services.status_delete(account=alice, status_id=parent.pk)
    with pytest.raises(NotFound) as err:
        post(bob, "too late", in_reply_to_id=parent.pk)
    assert "deleted" in err.value.message
    assert not Status.objects.filter(account=bob).exists()


def test_like_twice_is_refused_and_counts_stay_exact(alice, bob):
    status = post(alice)
    services.status_favourite(account=bob, status_id=status.pk)
    with pytest.raises(Conflict):
        services.status_favourite(account=bob, status_id=status.pk)
    status.refresh_from_db()
    assert status.favourites_count == 1
    assert Favourite.objects.count() == 1
    assert Notification.objects.filter(recipient=alice, type="favourite").count() == 1
    services.status_unfavourite(account=bob, status_id=status.pk)
    with pytest.raises(Conflict):
        services.status_unfavourite(account=bob, status_id=status.pk)
    status.refresh_from_db()
    assert status.favourites_count == 0


def test_plain_repost_and_repost_with_comment(alice, bob):
    original = post(alice, "buy this")
    reblog = services.status_reblog(account=bob, status_id=original.pk)
    assert reblog.reblog_of_id == original.pk
    assert reblog.text == ""
    with pytest.raises(Conflict):
        services.status_reblog(account=bob, status_id=original.pk)
    # Reposting the repost reposts the original.
    carol_quote = post(bob, "so good!", quote_of_id=reblog.pk)
    assert carol_quote.quote_of_id == original.pk
    original.refresh_from_db()
    assert original.reblogs_count == 2
    services.status_unreblog(account=bob, status_id=original.pk)
    original.refresh_from_db()
    assert original.reblogs_count == 1
    assert not Status.objects.filter(reblog_of=original).exists()


def test_private_post_cannot_be_reposted_by_others(alice, bob):
    follow_create(follower=bob, target=alice)
    private = post(alice, "fans only", visibility="private")
    with pytest.raises(Forbidden):
        services.status_reblog(account=bob, status_id=private.pk)
    with pytest.raises(Forbidden):
        post(bob, "look", quote_of_id=private.pk)
    assert Status.objects.filter(account=bob).count() == 0


def test_visibility_rules(alice, bob, carol):
    follow_create(follower=bob, target=alice)
    private = post(alice, "followers", visibility="private")
    direct = post(alice, "psst @carol", visibility="direct")
    assert status_for_viewer(viewer=bob, status_id=private.pk) == private
    with pytest.raises(NotFound):
        status_for_viewer(viewer=carol, status_id=private.pk)
    with pytest.raises(NotFound):
        status_for_viewer(viewer=None, status_id=private.pk)
    assert status_for_viewer(viewer=carol, status_id=direct.pk) == direct
    with pytest.raises(NotFound):
        status_for_viewer(viewer=bob, status_id=direct.pk)
    with pytest.raises(NotFound):
        status_for_viewer(viewer=bob, status_id="not-a-number")


def test_delete_removes_reposts_and_fixes_counts(alice, bob):
    original = post(alice, "x")
    reply = post(bob, "re", in_reply_to_id=original.pk)
    services.status_reblog(account=bob, status_id=original.pk)
    bob.refresh_from_db()
    assert bob.statuses_count == 2
    with pytest.raises(Forbidden):
        services.status_delete(account=bob, status_id=original.pk)
    deleted = services.status_delete(account=alice, status_id=original.pk)
    assert deleted.text == "x"
    assert not Status.objects.filter(pk=original.pk).exists()
    assert not Status.objects.filter(reblog_of_id=original.pk).exists()
    reply.refresh_from_db()
    assert reply.in_reply_to_id is None
    alice.refresh_from_db()
    bob.refresh_from_db()
    assert (alice.statuses_count, bob.statuses_count) == (0, 1)


def test_pins_are_own_and_limited(alice, bob):
    posts = [post(alice, f"p{i}") for i in range(6)]
    with pytest.raises(Forbidden):
        services.status_pin(account=bob, status_id=posts[0].pk)
    for p in posts[:5]:
        services.status_pin(account=alice, status_id=p.pk)
    with pytest.raises(ValidationFailed):
        services.status_pin(account=alice, status_id=posts[5].pk)
    with pytest.raises(Conflict):
        services.status_pin(account=alice, status_id=posts[0].pk)
    services.status_unpin(account=alice, status_id=posts[0].pk)
    services.status_pin(account=alice, status_id=posts[5].pk)


def test_bookmark_twice(alice, bob):
    status = post(alice)
    services.status_bookmark(account=bob, status_id=status.pk)
    with pytest.raises(Conflict):
        services.status_bookmark(account=bob, status_id=status.pk)


def test_polls(alice, bob):
    status = post(alice, "which?", poll=services.PollSpec(options=["red", "blue"]))
    poll = status.poll
    with pytest.raises(ValidationFailed):
        services.poll_vote(account=bob, poll_id=poll.pk, choices=[0, 1])
    with pytest.raises(ValidationFailed):
        services.poll_vote(account=bob, poll_id=poll.pk, choices=[5])
    services.poll_vote(account=bob, poll_id=poll.pk, choices=[1])
    with pytest.raises(Conflict):
        services.poll_vote(account=bob, poll_id=poll.pk, choices=[0])
    poll.refresh_from_db()
    assert (poll.votes_count, poll.voters_count) == (1, 1)
    assert services.poll_results(poll) == [0, 1]
    with pytest.raises(ValidationFailed):
        post(alice, "bad poll", poll=services.PollSpec(options=["only one"]))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"visibility": "everyone"},
        {"spoiler_text": "x" * 201},
        {"media_ids": ["abc"]},
        {"in_reply_to_id": "999"},
        {"quote_of_id": "999"},
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(alice, kwargs):
    with pytest.raises(DomainError):
        post(alice, "text", **kwargs)
    assert not Status.objects.exists()
    alice.refresh_from_db()
    assert alice.statuses_count == 0


def test_unattached_media_is_swept_after_a_day(alice, make_image):
    import datetime as dt

    import time_machine
    from django.utils import timezone

    used = services.media_create(account=alice, file=make_image())
    post(alice, "kept", media_ids=[used.pk])
    orphan = services.media_create(account=alice, file=make_image())
    assert services.media_sweep_unattached() == 0
    with time_machine.travel(timezone.now() + dt.timedelta(days=2)):
        assert services.media_sweep_unattached() == 1
    assert list(MediaAttachment.objects.values_list("pk", flat=True)) == [used.pk]
    assert not orphan.file.storage.exists(orphan.file.name)


def test_image_descriptions_are_searched_with_the_post(alice, make_image):
    from storefeed.core import fulltext
    from storefeed.posts.search import status_search_ids

    def found(text: str) -> list[int]:
        return status_search_ids(viewer=None, query=fulltext.parse(text))

    image = services.media_create(
        account=alice, file=make_image("dress.jpg"), description="红色连衣裙 on a hanger"
    )
    status = post(alice, "new in today", media_ids=[image.pk])
    assert found("连衣裙") == [status.pk]
    assert found("hanger") == [status.pk]
    # A description changed afterwards is what the post is found by from then on.
    services.media_update(account=alice, media_id=image.pk, description="blue canvas shoes")
    assert found("连衣裙") == []
    assert found("canvas") == [status.pk]
