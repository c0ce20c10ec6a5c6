"""STOREFEED_REGISTRATIONS: open (default), approval (staff let each sign-up in), closed."""

import json
import secrets
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application

from storefeed.accounts.models import User
from storefeed.accounts.services import account_approve
from storefeed.core.errors import Forbidden

pytestmark = pytest.mark.django_db


@pytest.fixture
def app_client(db) -> Client:
    """A client holding an app token (client credentials): what registration needs."""
    app = Application.objects.create(
        name="signup app",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        redirect_uris="urn:ietf:wg:oauth:2.0:oob",
    )
    token = AccessToken.objects.create(
        user=None,
        application=app,
        token=secrets.token_urlsafe(32),
        scope="read write",
        expires=timezone.now() + timedelta(days=1),
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {token.token}")


def register(api, username="dora"):
    return api.post(
        "/api/v1/accounts",
        json.dumps(
            {
                "username": username,
                "email": f"{username}@example.com",
                "password": "a-long-passphrase-7",
                "agreement": True,
            }
        ),
        content_type="application/json",
    )


def test_approval_sign_ups_wait_for_staff(app_client, settings):
    settings.REGISTRATIONS = "approval"
    info = Client().get("/api/v2/instance").json()["registrations"]
    assert info["enabled"] is True and info["approval_required"] is True
    res = register(app_client)
    assert res.status_code == 200, res.content
    token = res.json()["access_token"]
    dora = User.objects.get(username="dora")
    assert dora.is_active is False
    me = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    refused = me.get("/api/v1/accounts/verify_credentials")
    assert refused.status_code == 403
    assert refused.json()["error"] == "Your login is currently pending approval"
    staff = User.objects.create_user("boss", "boss@example.com", "x-long-pass-9", is_staff=True)
    with pytest.raises(Forbidden):
        account_approve(account=dora, by=dora)
    account_approve(account=dora, by=staff)
    assert me.get("/api/v1/accounts/verify_credentials").json()["username"] == "dora"


def test_closed_sign_ups_are_refused_and_nothing_is_created(app_client, settings):
    settings.REGISTRATIONS = "closed"
    assert Client().get("/api/v1/instance").json()["registrations"] is False
    res = register(app_client)
    assert res.status_code == 403 and "closed" in res.json()["error"]
    assert not User.objects.filter(username="dora").exists()


def test_web_sign_up_under_approval_does_not_sign_in(settings):
    settings.REGISTRATIONS = "approval"
    client = Client()
    res = client.post(
        "/signup",
        {
            "username": "erin",
            "display_name": "Erin",
            "email": "erin@example.com",
            "password": "a-long-passphrase-7",
        },
        follow=True,
    )
    assert "waits for a staff member" in res.content.decode()
    assert User.objects.get(username="erin").is_active is False
    assert "_auth_user_id" not in client.session


def sign_in(client: Client, login: str, password: str) -> str:
    page = client.post("/login", {"username": login, "password": password})
    assert page.status_code == 200  # the form again, with the reason
    assert "_auth_user_id" not in client.session
    return page.content.decode()


def test_web_sign_in_says_a_sign_up_waits_for_approval_but_only_with_the_right_password(
    settings,
):
    settings.REGISTRATIONS = "approval"
    client = Client()
    client.post(
        "/signup",
        {"username": "erin", "email": "erin@example.com", "password": "a-long-passphrase-7"},
    )
    page = sign_in(client, "erin", "a-long-passphrase-7")
    assert "waits for a staff member&#x27;s approval" in page
    wrong = sign_in(client, "erin@example.com", "not-the-passphrase")
    assert "do not match" in wrong
    assert "approval" not in wrong

    staff = User.objects.create_user("boss", "boss@example.com", "x-long-pass-9", is_staff=True)
    account_approve(account=User.objects.get(username="erin"), by=staff)
    signed_in = client.post("/login", {"username": "erin", "password": "a-long-passphrase-7"})
    assert signed_in.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get(username="erin").pk)


def test_web_sign_in_says_a_disabled_account_is_disabled(alice, settings):
    settings.REGISTRATIONS = "approval"
    alice.last_login = timezone.now()  # she has signed in before: disabled, not waiting
    alice.is_active = False
    alice.save(update_fields=["last_login", "is_active"])
    page = sign_in(Client(), "alice", "correct-horse-9")
    assert "This account is disabled." in page
    assert "approval" not in page
