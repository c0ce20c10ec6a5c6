"""The composer: posts with text and images, replies, quotes, and every bad input refused
with a message and nothing changed."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from storefeed.posts.models import MediaAttachment, Status
from tests.web.conftest import image_upload

pytestmark = pytest.mark.django_db


def compose(client, **data):
    data.setdefault("visibility", "public")
    return client.post("/compose", data)


def errors_of(response) -> str:
    form = response.context["form"]
    return " ".join(str(e) for errs in form.errors.values() for e in errs)


def test_post_with_two_images_lands_on_its_page_and_home(alice, alice_client):
    response = compose(
        alice_client,
        text="Two photos #美妆",
        images=[image_upload("a.jpg"), image_upload("b.png", fmt="PNG")],
    )
    assert response.status_code == 302
    status = Status.objects.get(account=alice)
    assert response["Location"] == f"/@alice/{status.pk}"
    assert status.media.count() == 2
    home = alice_client.get("/").content.decode()
    assert 'data-count="2"' in home
    assert "nine-grid grid-2" in home
    assert "Two photos" in home


def test_compact_composer_returns_to_next(alice, alice_client):
    response = compose(alice_client, text="from home", next="/")
    assert response["Location"] == "/"
    assert Status.objects.filter(account=alice, text="from home").exists()


def test_content_warning_and_visibility_are_kept(alice, alice_client):
    compose(alice_client, text="spoilers", spoiler_text="Film plot", visibility="private")
    status = Status.objects.get(account=alice)
    assert (status.spoiler_text, status.visibility) == ("Film plot", "private")
    assert '<details class="cw"' in alice_client.get("/").content.decode()


def test_nine_images_make_a_three_column_grid(alice, alice_client):
    compose(alice_client, text="nine", images=[image_upload(f"{i}.jpg") for i in range(9)])
    status = Status.objects.get(account=alice)
    assert status.media.count() == 9
    assert "nine-grid grid-3" in alice_client.get(f"/@alice/{status.pk}").content.decode()


def test_reply_from_the_status_page(alice, bob, alice_client, post):
    parent = post(bob, "question")
    page = f"/@bob/{parent.pk}"
    response = compose(alice_client, text="answer", in_reply_to_id=parent.pk, next=page)
    assert response["Location"] == page
    reply = Status.objects.get(account=alice)
    assert reply.in_reply_to_id == parent.pk
    assert "answer" in alice_client.get(page).content.decode()


def test_repost_with_comment_opens_the_composer_and_embeds_the_quote(
    alice, bob, alice_client, post
):
    original = post(bob, "great deal")
    page = alice_client.get(f"/compose?quote={original.pk}")
    assert page.status_code == 200
    assert f'name="quote_of_id" value="{original.pk}"' in page.content.decode()
    compose(alice_client, text="look at this", quote_of_id=original.pk)
    quote = Status.objects.get(account=alice)
    assert quote.quote_of_id == original.pk
    home = alice_client.get("/").content.decode()
    assert 'data-testid="quoted-status"' in home
    assert "great deal" in home


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": "x" * 2001}, "2000"),
        ({"text": "长" * 2001}, "2000"),
        ({"text": ""}, "Write something"),
        ({"text": "   "}, "Write something"),
        ({"text": "hi @nobody_here"}, "nobody_here"),
        ({"text": "hi", "visibility": "everyone"}, "everyone"),
        ({"text": "hi", "spoiler_text": "x" * 201}, "200"),
    ],
)
def test_bad_text_is_refused_with_a_message(alice, alice_client, data, message):
    response = compose(alice_client, **data)
    assert response.status_code == 400
    assert message in errors_of(response)
    assert not Status.objects.exists()


def test_a_tenth_image_is_refused(alice_client):
    response = compose(
        alice_client, text="ten", images=[image_upload(f"{i}.jpg") for i in range(10)]
    )
    assert response.status_code == 400
    assert "at most 9 images" in errors_of(response)
    assert not Status.objects.exists()
    assert not MediaAttachment.objects.exists()


def test_a_non_image_is_refused(alice_client):
    fake = SimpleUploadedFile("notes.jpg", b"just some text", content_type="image/jpeg")
    response = compose(alice_client, text="look", images=[fake])
    assert response.status_code == 400
    assert errors_of(response)
    assert b'data-testid="images-error"' in response.content
    assert not Status.objects.exists()
    assert not MediaAttachment.objects.exists()


def test_a_30_mb_file_is_refused(alice_client):
    huge = SimpleUploadedFile("huge.jpg", b"\xff" * (30 * 1024 * 1024), content_type="image/jpeg")
    response = compose(alice_client, text="big", images=[huge])
    assert response.status_code == 400
    assert "too large" in errors_of(response)
    assert not Status.objects.exists()
    assert not MediaAttachment.objects.exists()


def test_replying_to_a_deleted_post_is_refused(alice, bob, alice_client, post):
    from storefeed.posts.services import status_delete

    parent = post(bob, "soon gone")
    status_delete(account=bob, status_id=parent.pk)
    response = compose(alice_client, text="too late", in_reply_to_id=parent.pk)
    assert response.status_code == 400
    assert "deleted" in errors_of(response)
    assert b"form-errors" in response.content  # shown, though the field is hidden
    assert not Status.objects.filter(account=alice).exists()


def test_script_in_text_is_shown_as_text(alice, alice_client):
    compose(alice_client, text="<script>alert(1)</script>", spoiler_text="<b>cw</b>")
    body = alice_client.get("/").content.decode()
    assert "<script>alert(1)" not in body
    assert "&lt;script&gt;" in body
    assert "<b>cw</b>" not in body


def test_a_garbled_reply_target_is_a_message_not_an_error_page(alice, alice_client):
    assert alice_client.get("/compose?in_reply_to=abc&quote=-1").status_code == 200
    response = compose(alice_client, text="hi", in_reply_to_id="abc")
    assert response.status_code == 400
    assert b'data-testid="form-errors"' in response.content
    assert not Status.objects.exists()


def test_images_get_their_descriptions_in_order(alice, alice_client):
    compose(
        alice_client,
        text="Described",
        images=[image_upload("a.jpg"), image_upload("b.jpg")],
        descriptions=["A red lipstick", "A box of tea"],
    )
    status = Status.objects.get(account=alice)
    assert [m.description for m in status.media.order_by("position")] == [
        "A red lipstick",
        "A box of tea",
    ]
    page = alice_client.get(f"/@alice/{status.pk}").content.decode()
    assert 'alt="A red lipstick"' in page and 'alt="A box of tea"' in page


def test_without_javascript_descriptions_come_one_line_per_image(alice, alice_client):
    compose(
        alice_client,
        text="Described",
        images=[image_upload("a.jpg"), image_upload("b.jpg")],
        descriptions_text="Only the first\n",
    )
    status = Status.objects.get(account=alice)
    media = list(status.media.order_by("position"))
    assert [m.description for m in media] == ["Only the first", ""]
    # An image without a description still has a name for screen readers.
    page = alice_client.get(f"/@alice/{status.pk}").content.decode()
    assert 'aria-label="Image 2 of 2"' in page


def test_a_too_long_description_is_refused_before_any_image_is_stored(alice, alice_client):
    response = compose(
        alice_client, text="x", images=[image_upload("a.jpg")], descriptions=["d" * 1501]
    )
    assert response.status_code == 400
    assert "1,500 characters" in response.content.decode()
    assert not MediaAttachment.objects.exists() and not Status.objects.exists()


def test_ones_new_post_is_on_top_of_home_even_before_delivery(alice, alice_client, monkeypatch):
    from storefeed.timelines import services as timeline_services

    monkeypatch.setattr(timeline_services, "status_fan_out", lambda **kwargs: 0)
    compose(alice_client, text="Fresh off the press", next="/")
    home = alice_client.get("/").content.decode()
    assert "Fresh off the press" in home and "Posted." in home
    # Only once: the next read is the home as it is.
    assert "Fresh off the press" not in alice_client.get("/").content.decode()
