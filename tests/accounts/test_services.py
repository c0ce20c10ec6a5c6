"""Sign-up, profile, password and expert rules, straight against the services."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from storefeed.accounts.models import ExpertField, User
from storefeed.accounts.services import (
    account_create,
    expert_revoke,
    expert_verify,
    password_change,
    profile_update,
)
from storefeed.core.errors import Forbidden, NotFound, ValidationFailed

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "plum-orchard-47"


def test_account_create_makes_a_usable_account():
    user = account_create(
        username="Mei_Lin", email="mei@example.com", password=GOOD_PASSWORD, display_name=" 美琳 "
    )
    user.refresh_from_db()
    assert user.username == "Mei_Lin"
    assert user.display_name == "美琳"
    assert user.check_password(GOOD_PASSWORD)
    assert user.followers_count == user.following_count == 0
    assert user.id > 1 << 40  # a time-sortable id, not a serial


@pytest.mark.parametrize(
    ("username", "message_part"),
    [
        ("", "Choose a username"),
        ("has space", "letters, digits or underscores"),
        ("dash-name", "letters, digits or underscores"),
        ("<script>", "letters, digits or underscores"),
        ("a" * 31, "letters, digits or underscores"),
        ("美妆", "letters, digits or underscores"),
        ("Admin", "reserved"),
    ],
)
def test_account_create_refuses_bad_usernames(username, message_part):
    with pytest.raises(ValidationFailed) as exc:
        account_create(username=username, email="x@example.com", password=GOOD_PASSWORD)
    assert exc.value.field == "username"
    assert message_part in exc.value.message
    assert not User.objects.exists()


def test_usernames_are_unique_whatever_the_case(alice):
    with pytest.raises(ValidationFailed) as exc:
        account_create(username="ALICE", email="other@example.com", password=GOOD_PASSWORD)
    assert exc.value.field == "username"
    assert "taken" in exc.value.message
    assert User.objects.count() == 1


def test_a_leading_at_sign_is_dropped():
    assert (
        account_create(username="@dan", email="d@example.com", password=GOOD_PASSWORD).username
        == "dan"
    )


@pytest.mark.parametrize("email", ["", "not-an-email", "a@", "<b>@x.com"])
def test_account_create_refuses_bad_email(email):
    with pytest.raises(ValidationFailed) as exc:
        account_create(username="dan", email=email, password=GOOD_PASSWORD)
    assert exc.value.field == "email"
    assert not User.objects.exists()


def test_account_create_refuses_an_email_in_use(alice):
    with pytest.raises(ValidationFailed) as exc:
        account_create(username="dan", email="ALICE@example.com", password=GOOD_PASSWORD)
    assert exc.value.field == "email"
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    ("password", "message_part"),
    [
        ("", "Choose a password"),
        ("short1", "too short"),
        ("password123", "too common"),
        ("83749201736", "entirely numeric"),
        ("dan_the_man", "too similar"),
    ],
)
def test_account_create_runs_the_password_validators(password, message_part):
    with pytest.raises(ValidationFailed) as exc:
        account_create(username="dan_the_man", email="dan@example.com", password=password)
    assert exc.value.field == "password"
    assert message_part in exc.value.message
    assert not User.objects.exists()


def test_display_name_is_cleaned_and_limited():
    user = account_create(
        username="dan",
        email="d@example.com",
        password=GOOD_PASSWORD,
        display_name="Dan\x00 \n  the\tbaker",
    )
    assert user.display_name == "Dan the baker"
    with pytest.raises(ValidationFailed) as exc:
        account_create(
            username="eve", email="e@example.com", password=GOOD_PASSWORD, display_name="x" * 61
        )
    assert exc.value.field == "display_name"
    assert not User.objects.filter(username="eve").exists()


def test_html_in_a_display_name_is_kept_as_text_not_markup(alice):
    # Plain-text fields are stored as typed and escaped wherever they are shown.
    profile_update(account=alice, display_name="<script>alert(1)</script>")
    alice.refresh_from_db()
    assert alice.display_name == "<script>alert(1)</script>"
    from django.template import Context, Template

    rendered = Template("{{ u.name }}").render(Context({"u": alice}))
    assert "<script>" not in rendered


def test_profile_update_changes_only_what_is_given(alice):
    profile_update(account=alice, note="Baker in Shanghai.\n\n上海的面包师", locked=True)
    alice.refresh_from_db()
    assert alice.note == "Baker in Shanghai.\n\n上海的面包师"
    assert alice.locked is True
    assert alice.display_name == "Alice"


def test_profile_update_limits(alice):
    with pytest.raises(ValidationFailed) as exc:
        profile_update(account=alice, display_name="名" * 61)
    assert exc.value.field == "display_name"
    with pytest.raises(ValidationFailed) as exc:
        profile_update(account=alice, note="x" * 501, display_name="New")
    assert exc.value.field == "note"
    alice.refresh_from_db()
    assert alice.display_name == "Alice"
    assert alice.note == ""
    # The limits count characters, so 500 Chinese characters fit.
    profile_update(account=alice, note="字" * 500)


def test_avatar_is_cropped_square_resized_and_stripped_of_exif(alice, make_image):
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x8825] = {2: (31.0, 14.0, 0.0)}  # GPS
    profile_update(account=alice, avatar=make_image(size=(1200, 800), exif=exif))
    alice.refresh_from_db()
    with alice.avatar.open("rb") as fh, Image.open(fh) as img:
        assert img.size == (400, 400)
        assert img.format == "JPEG"
        assert not img.getexif()
    assert alice.avatar.name.startswith("avatars/")


def test_small_avatar_is_not_enlarged(alice, make_image):
    profile_update(account=alice, avatar=make_image("a.png", fmt="PNG", size=(120, 90)))
    with alice.avatar.open("rb") as fh, Image.open(fh) as img:
        assert img.size == (90, 90)
        assert img.format == "PNG"


def test_header_fits_in_1500_by_500(alice, make_image):
    profile_update(account=alice, header=make_image("h.webp", fmt="WEBP", size=(3000, 1500)))
    alice.refresh_from_db()
    with alice.header.open("rb") as fh, Image.open(fh) as img:
        assert img.size == (1000, 500)
        assert img.format == "WEBP"


def test_gif_avatar_with_transparency_becomes_png(alice):
    buf = io.BytesIO()
    Image.new("P", (50, 50), 0).save(buf, "GIF", transparency=0)
    profile_update(account=alice, avatar=SimpleUploadedFile("a.gif", buf.getvalue()))
    with alice.avatar.open("rb") as fh, Image.open(fh) as img:
        assert img.format == "PNG"


def test_replacing_an_avatar_removes_the_old_file(
    alice, make_image, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        profile_update(account=alice, avatar=make_image())
    old = alice.avatar.name
    storage = alice.avatar.storage
    assert storage.exists(old)
    with django_capture_on_commit_callbacks(execute=True):
        profile_update(account=alice, avatar=make_image("b.png", fmt="PNG"))
    assert not storage.exists(old)
    assert storage.exists(alice.avatar.name)


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"%PDF-1.4 not an image", "doc.pdf"),
        (b"", "empty.jpg"),
        (b"\xff\xd8\xff\xe0 truncated jpeg", "broken.jpg"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "x.svg"),
    ],
)
def test_non_images_are_refused(alice, content, name):
    with pytest.raises(ValidationFailed) as exc:
        profile_update(
            account=alice, display_name="Changed", avatar=SimpleUploadedFile(name, content)
        )
    assert exc.value.field == "avatar"
    assert "JPEG, PNG, GIF or WebP" in exc.value.message
    alice.refresh_from_db()
    assert not alice.avatar
    assert alice.display_name == "Alice"


def test_other_image_formats_are_refused(alice):
    buf = io.BytesIO()
    Image.new("RGB", (20, 20)).save(buf, "BMP")
    with pytest.raises(ValidationFailed) as exc:
        profile_update(account=alice, header=SimpleUploadedFile("x.bmp", buf.getvalue()))
    assert exc.value.field == "header"
    alice.refresh_from_db()
    assert not alice.header


def test_files_over_10_mb_are_refused(alice, make_image, settings):
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8" + b"0" * (30 * 1024 * 1024))
    with pytest.raises(ValidationFailed) as exc:
        profile_update(account=alice, avatar=big)
    assert "too large" in exc.value.message
    assert "10.0" in exc.value.message
    alice.refresh_from_db()
    assert not alice.avatar


def test_password_change(alice):
    password_change(account=alice, old_password="correct-horse-9", new_password=GOOD_PASSWORD)
    alice.refresh_from_db()
    assert alice.check_password(GOOD_PASSWORD)


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("wrong-password", GOOD_PASSWORD, "old_password"),
        ("correct-horse-9", "short", "new_password"),
        ("correct-horse-9", "correct-horse-9", "new_password"),
        ("correct-horse-9", "", "new_password"),
    ],
)
def test_password_change_refusals(alice, old, new, field):
    with pytest.raises(ValidationFailed) as exc:
        password_change(account=alice, old_password=old, new_password=new)
    assert exc.value.field == field
    alice.refresh_from_db()
    assert alice.check_password("correct-horse-9")


def test_the_expert_fields_are_installed_with_both_names():
    fields = {f.slug: f for f in ExpertField.objects.all()}
    assert {"beauty", "fashion", "tech", "food", "travel", "parenting", "fitness"} <= set(fields)
    assert fields["beauty"].name_zh == "美妆"
    assert fields["tech"].name_en == "Tech"
    assert list(ExpertField.objects.values_list("slug", flat=True))[:3] == [
        "beauty",
        "fashion",
        "tech",
    ]


def test_expert_field_name_follows_the_language():
    from django.utils import translation

    food = ExpertField.objects.get(slug="food")
    with translation.override("zh-hans"):
        assert food.name == "美食"
    with translation.override("en"):
        assert food.name == "Food"


def test_staff_verify_and_revoke_an_expert(alice, staff):
    expert_verify(account=alice, field="beauty", by=staff)
    alice.refresh_from_db()
    assert alice.is_expert
    assert alice.expert_field.slug == "beauty"
    tech = ExpertField.objects.get(slug="tech")
    expert_verify(account=alice, field=tech, by=staff)
    alice.refresh_from_db()
    assert alice.expert_field == tech
    expert_revoke(account=alice, by=staff)
    alice.refresh_from_db()
    assert not alice.is_expert
    assert alice.expert_field is None


def test_only_staff_verify_experts(alice, bob):
    with pytest.raises(Forbidden):
        expert_verify(account=alice, field="beauty", by=bob)
    with pytest.raises(Forbidden):
        expert_verify(account=alice, field="beauty", by=alice)
    alice.refresh_from_db()
    assert not alice.is_expert
    with pytest.raises(Forbidden):
        expert_revoke(account=alice, by=bob)


def test_verify_in_an_unknown_field(alice, staff):
    with pytest.raises(NotFound) as exc:
        expert_verify(account=alice, field="astrology", by=staff)
    assert "astrology" in exc.value.message
    alice.refresh_from_db()
    assert not alice.is_expert
