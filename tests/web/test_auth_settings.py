"""Sign up, sign in, sign out, and the settings pages: promises and every bad input."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.web.conftest import image_upload

pytestmark = pytest.mark.django_db
User = get_user_model()

GOOD_SIGNUP = {
    "username": "dora",
    "email": "dora@example.com",
    "password": "lipstick-lover-88",
    "display_name": "Dora",
}


def test_sign_up_creates_the_account_and_signs_in(client):
    response = client.post("/signup", GOOD_SIGNUP)
    assert response.status_code == 302
    # Signed in, on to the step that asks which fields one cares about (skippable).
    assert response["Location"] == "/settings/interests?welcome=1"
    user = User.objects.get(username="dora")
    assert user.display_name == "Dora"
    assert client.get("/").context["user"] == user


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"username": "bad name!"}, "username"),
        ({"username": ""}, "username"),
        ({"email": "not-an-email"}, "email"),
        ({"password": "short"}, "password"),
        ({"password": "password123"}, "password"),
        ({"display_name": "x" * 61}, "display_name"),
    ],
)
def test_sign_up_refuses_bad_input_with_a_message(client, change, field):
    response = client.post("/signup", {**GOOD_SIGNUP, **change})
    assert response.status_code == 400
    assert response.context["form"].errors.get(field) or response.context["form"].errors
    assert b"field-error" in response.content or b"form-errors" in response.content
    assert not User.objects.filter(email="dora@example.com").exists()


def test_sign_up_refuses_a_taken_username_whatever_the_case(client, alice):
    response = client.post("/signup", {**GOOD_SIGNUP, "username": "ALICE"})
    assert response.status_code == 400
    assert "username" in response.context["form"].errors
    assert User.objects.filter(username__iexact="alice").count() == 1


def test_signed_in_people_skip_sign_up(alice_client):
    assert alice_client.get("/signup").status_code == 302


def test_sign_in_and_out(client, alice):
    response = client.post("/login", {"username": "alice", "password": "correct-horse-9"})
    assert response.status_code == 302
    assert client.get("/").context["user"] == alice
    assert client.get("/logout").status_code == 405  # signing out is a POST
    response = client.post("/logout")
    assert response.status_code == 302
    assert not client.get("/").context["user"].is_authenticated


def test_sign_in_with_a_wrong_password_says_so(client, alice):
    response = client.post("/login", {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert b"do not match" in response.content
    assert not response.context["user"].is_authenticated


def test_sign_in_returns_to_next(client, alice):
    response = client.post(
        "/login?next=/notifications",
        {"username": "alice", "password": "correct-horse-9", "next": "/notifications"},
    )
    assert response["Location"] == "/notifications"


def test_profile_settings_update_name_bio_images_and_lock(alice, alice_client):
    response = alice_client.post(
        "/settings",
        {
            "display_name": "Alice W.",
            "note": "Food and travel",
            "locked": "on",
            "avatar": image_upload("me.png", size=(300, 300), fmt="PNG"),
            "header": image_upload("header.jpg", size=(900, 300)),
        },
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert (alice.display_name, alice.note, alice.locked) == ("Alice W.", "Food and travel", True)
    assert alice.avatar
    assert alice.header
    body = alice_client.get("/@alice").content.decode()
    assert alice.avatar.url in body
    assert alice.header.url in body


def test_profile_settings_refuse_a_non_image_and_change_nothing(alice, alice_client):
    bogus = SimpleUploadedFile("fake.png", b"this is not an image at all", "image/png")
    response = alice_client.post(
        "/settings", {"display_name": "Changed", "note": "", "avatar": bogus}
    )
    assert response.status_code == 400
    assert b"field-error" in response.content or b"form-errors" in response.content
    alice.refresh_from_db()
    assert alice.display_name == "Alice"
    assert not alice.avatar


def test_profile_settings_refuse_an_overlong_bio(alice, alice_client):
    response = alice_client.post("/settings", {"display_name": "Alice", "note": "x" * 501})
    assert response.status_code == 400
    assert "note" in response.context["form"].errors
    alice.refresh_from_db()
    assert alice.note == ""


def test_password_change(alice, alice_client):
    response = alice_client.post(
        "/settings/password",
        {
            "old_password": "correct-horse-9",
            "new_password": "a-much-better-one-42",
            "new_password2": "a-much-better-one-42",
        },
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("a-much-better-one-42")
    # Still signed in after the change.
    assert alice_client.get("/settings").status_code == 200


@pytest.mark.parametrize(
    ("old", "new", "again"),
    [
        ("wrong-password", "a-much-better-one-42", "a-much-better-one-42"),
        ("correct-horse-9", "a-much-better-one-42", "something-else-42"),
        ("correct-horse-9", "short", "short"),
        ("", "", ""),
    ],
)
def test_password_change_refuses_bad_input(alice, alice_client, old, new, again):
    response = alice_client.post(
        "/settings/password", {"old_password": old, "new_password": new, "new_password2": again}
    )
    assert response.status_code == 400
    assert b"field-error" in response.content or b"form-errors" in response.content
    alice.refresh_from_db()
    assert alice.check_password("correct-horse-9")


def test_profile_settings_store_the_account_flags(alice, alice_client, client):
    page = alice_client.get("/settings").content.decode()
    assert 'name="discoverable"' in page
    assert 'name="hide_collections"' in page
    response = alice_client.post(
        "/settings", {"display_name": "Alice", "bot": "on", "hide_collections": "on"}
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert (alice.bot, alice.discoverable, alice.hide_collections) == (True, False, True)
    assert 'data-testid="bot-pill"' in client.get("/@alice").content.decode()
    # Her lists are hers alone now.
    assert "keeps this list to itself" in client.get("/@alice/followers").content.decode()
    assert "keeps this list to itself" not in alice_client.get("/@alice/following").content.decode()
