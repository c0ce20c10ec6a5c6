"""STOREFEED_EMAIL_CONFIRMATION through the Mastodon API: a sign-up's token is refused with
Mastodon's 403 until the emailed link is opened; resending (to a corrected address) and
checking; bad and expired links change nothing; approval and confirmation together."""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from storefeed.accounts.models import User
from storefeed.accounts.services import account_approve
from storefeed.posts.models import Status

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-passphrase-7"
UNCONFIRMED = "Your login is missing a confirmed e-mail address"
LINK = re.compile(r"http://testserver(/auth/confirm/[^/\s]+)")


@pytest.fixture
def confirmation_on(settings):
    settings.EMAIL_CONFIRMATION = True


@pytest.fixture
def app(anon):
    """A client app registered through the API, and a client holding its app token (client
    credentials): what signing up needs."""
    registered = anon.post(
        "/api/v1/apps",
        {
            "client_name": "Signup",
            "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
            "scopes": "read write",
        },
    ).json()
    token = anon.post(
        "/oauth/token",
        {
            "grant_type": "client_credentials",
            "client_id": registered["client_id"],
            "client_secret": registered["client_secret"],
            "scope": "read write",
        },
    ).json()["access_token"]
    client = Client(headers={"Authorization": f"Bearer {token}"})
    client.registered = registered  # type: ignore[attr-defined]
    return client


def sign_up(app, username="dora", *, headers=None, **extra) -> Client:
    """POST /api/v1/accounts; returns a client holding the new account's token."""
    response = app.post(
        "/api/v1/accounts",
        {
            "username": username,
            "email": f"{username}@example.com",
            "password": PASSWORD,
            "agreement": "true",
            **extra,
        },
        headers=headers,
    )
    assert response.status_code == 200, response.content
    return Client(headers={"Authorization": f"Bearer {response.json()['access_token']}"})


def link_in(message) -> str:
    found = LINK.search(message.body)
    assert found, message.body
    return found.group(1)


def test_off_by_default_the_token_works_at_once_and_nothing_is_sent(app):
    me = sign_up(app)
    assert me.get("/api/v1/accounts/verify_credentials").json()["username"] == "dora"
    assert me.get("/api/v1/emails/check_confirmation").json() is True
    assert User.objects.get(username="dora").email_confirmed_at is not None
    assert mail.outbox == []


def test_the_token_is_refused_until_the_emailed_link_is_opened(app, confirmation_on):
    me = sign_up(app)
    dora = User.objects.get(username="dora")
    assert dora.is_active and dora.email_confirmed_at is None

    refused = me.get("/api/v1/accounts/verify_credentials")
    assert refused.status_code == 403
    assert refused.json() == {"error": UNCONFIRMED}
    posted = me.post("/api/v1/statuses", {"status": "hello"})
    assert posted.status_code == 403 and posted.json()["error"] == UNCONFIRMED
    assert not Status.objects.exists()
    assert me.get("/api/v1/timelines/home").status_code == 403
    # What Mastodon answers without a confirmed address: the emails endpoints and the app.
    assert me.get("/api/v1/emails/check_confirmation").json() is False
    assert me.get("/api/v1/apps/verify_credentials").json()["name"] == "Signup"

    [message] = mail.outbox
    assert message.to == ["dora@example.com"]
    assert message.subject == "Confirm your email address for Storefeed"
    assert "@dora" in message.body
    page = Client().get(link_in(message))
    assert page.status_code == 302 and page.url == "/login"

    dora.refresh_from_db()
    assert dora.email_confirmed_at is not None
    assert me.get("/api/v1/accounts/verify_credentials").json()["username"] == "dora"
    assert me.get("/api/v1/emails/check_confirmation").json() is True
    assert me.post("/api/v1/statuses", {"status": "hello"}).status_code == 200


def test_a_used_link_changes_nothing(app, confirmation_on):
    sign_up(app)
    link = link_in(mail.outbox[0])
    Client().get(link)
    confirmed_at = User.objects.get(username="dora").email_confirmed_at
    again = Client().get(link, follow=True)
    assert again.status_code == 200
    assert "confirmed already" in again.content.decode()
    assert User.objects.get(username="dora").email_confirmed_at == confirmed_at


def test_the_email_is_in_the_language_of_the_sign_up(app, confirmation_on):
    sign_up(app, "dora", locale="zh-CN")
    sign_up(app, "erin", headers={"Accept-Language": "zh-Hans,zh;q=0.9"})
    sign_up(app, "fay")
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects["dora@example.com"] == "确认你在 Storefeed 的邮箱地址"
    assert subjects["erin@example.com"] == "确认你在 Storefeed 的邮箱地址"
    assert subjects["fay@example.com"] == "Confirm your email address for Storefeed"
    assert User.objects.get(username="dora").locale == "zh-hans"
    assert "链接" in mail.outbox[0].body


def test_resend_waits_a_minute_then_goes_to_a_corrected_address(app, confirmation_on):
    me = sign_up(app)
    first_link = link_in(mail.outbox[0])

    too_soon = me.post("/api/v1/emails/confirmations")
    assert too_soon.status_code == 429
    assert "Try again in" in too_soon.json()["error"]
    assert len(mail.outbox) == 1

    with time_machine.travel(timezone.now() + dt.timedelta(seconds=61)):
        response = me.post("/api/v1/emails/confirmations", {"email": "dora.new@example.com"})
    assert response.status_code == 200 and response.json() == {}
    assert User.objects.get(username="dora").email == "dora.new@example.com"
    assert mail.outbox[1].to == ["dora.new@example.com"]

    # The first link named the old address: it no longer confirms anything.
    stale = Client().get(first_link)
    assert stale.status_code == 400
    assert User.objects.get(username="dora").email_confirmed_at is None
    Client().get(link_in(mail.outbox[1]))
    assert me.get("/api/v1/accounts/verify_credentials").status_code == 200

    done = me.post("/api/v1/emails/confirmations")
    assert done.status_code == 403
    assert done.json() == {
        "error": "This method is only available while the e-mail is awaiting confirmation"
    }
    assert len(mail.outbox) == 2


@pytest.mark.parametrize(
    ("email", "code"), [("not-an-address", "ERR_INVALID"), ("taken@example.com", "ERR_TAKEN")]
)
def test_resend_to_a_bad_address_is_refused_and_changes_nothing(app, confirmation_on, email, code):
    User.objects.create_user("taken", "taken@example.com", "x-long-pass-9")
    me = sign_up(app)
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=61)):
        response = me.post("/api/v1/emails/confirmations", {"email": email})
    assert response.status_code == 422
    assert response.json()["details"]["email"][0]["error"] == code
    assert User.objects.get(username="dora").email == "dora@example.com"
    assert len(mail.outbox) == 1


def test_only_the_app_that_signed_up_may_resend(app, confirmation_on, api_client):
    sign_up(app)
    dora = User.objects.get(username="dora")
    other_app = api_client(dora, scopes="read write")
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=61)):
        response = other_app.post("/api/v1/emails/confirmations", {"email": "x@example.com"})
    assert response.status_code == 403
    assert response.json() == {
        "error": "This method is only available to the application the user originally "
        "signed-up with"
    }
    assert User.objects.get(username="dora").email == "dora@example.com"
    assert len(mail.outbox) == 1


def test_resend_needs_write_scope_and_check_needs_a_user(app, confirmation_on, api_client):
    sign_up(app)
    read_only = api_client(User.objects.get(username="dora"), scopes="read")
    refused = read_only.post("/api/v1/emails/confirmations")
    assert refused.status_code == 403
    assert refused.json()["error"] == "This action is outside the authorized scopes"
    assert app.get("/api/v1/emails/check_confirmation").status_code == 401


def test_expired_and_altered_links_change_nothing(app, confirmation_on):
    me = sign_up(app)
    link = link_in(mail.outbox[0])
    for bad in (link[:-3] + "xyz", "/auth/confirm/nonsense", "/auth/confirm/%00%ff"):
        page = Client().get(bad)
        assert page.status_code == 400
        assert "This confirmation link is not valid." in page.content.decode()
    with time_machine.travel(timezone.now() + dt.timedelta(hours=49)):
        page = Client().get(link)
    assert page.status_code == 400
    assert "This confirmation link has expired" in page.content.decode()
    assert User.objects.get(username="dora").email_confirmed_at is None
    assert me.get("/api/v1/accounts/verify_credentials").status_code == 403


def test_the_password_grant_gives_a_token_that_waits_for_confirmation(app, confirmation_on):
    sign_up(app)
    registered = app.registered  # type: ignore[attr-defined]
    response = Client().post(
        "/oauth/token",
        {
            "grant_type": "password",
            "username": "dora",
            "password": PASSWORD,
            "client_id": registered["client_id"],
            "client_secret": registered["client_secret"],
            "scope": "read",
        },
    )
    assert response.status_code == 200, response.content
    me = Client(headers={"Authorization": f"Bearer {response.json()['access_token']}"})
    refused = me.get("/api/v1/accounts/verify_credentials")
    assert refused.status_code == 403 and refused.json()["error"] == UNCONFIRMED


def test_approval_and_confirmation_are_both_needed(app, settings, confirmation_on):
    settings.REGISTRATIONS = "approval"
    me = sign_up(app)
    dora = User.objects.get(username="dora")
    assert not dora.is_active and dora.email_confirmed_at is None
    # Mastodon's order: the address first, then the approval.
    assert me.get("/api/v1/accounts/verify_credentials").json()["error"] == UNCONFIRMED
    assert me.get("/api/v1/emails/check_confirmation").json() is False
    Client().get(link_in(mail.outbox[0]))
    waiting = me.get("/api/v1/accounts/verify_credentials")
    assert waiting.status_code == 403
    assert waiting.json()["error"] == "Your login is currently pending approval"
    assert me.get("/api/v1/emails/check_confirmation").json() is True

    staff = User.objects.create_user("boss", "boss@example.com", "x-long-pass-9", is_staff=True)
    account_approve(account=dora, by=staff)
    assert me.get("/api/v1/accounts/verify_credentials").status_code == 200


def test_approval_without_confirmation_is_unchanged(app, settings):
    settings.REGISTRATIONS = "approval"
    me = sign_up(app)
    refused = me.get("/api/v1/accounts/verify_credentials")
    assert refused.json()["error"] == "Your login is currently pending approval"
    assert mail.outbox == []


def test_turning_confirmation_off_lets_waiting_accounts_in(app, settings, confirmation_on):
    me = sign_up(app)
    assert me.get("/api/v1/accounts/verify_credentials").status_code == 403
    settings.EMAIL_CONFIRMATION = False
    assert me.get("/api/v1/accounts/verify_credentials").status_code == 200
