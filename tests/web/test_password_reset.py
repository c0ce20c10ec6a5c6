"""Password reset by email and password change (issue 10): the link is emailed in the
account's language, works once, signs every session out, revokes the apps' tokens unless the
person keeps them, and lifts the sign-in throttle; asking says the same whether an account
uses the address; a person who forgot their PIN then sets a new one with the password."""

import hashlib
import re
from urllib.parse import urlsplit

import pytest
from django.test import Client
from oauth2_provider.models import AccessToken

from storefeed.accounts.models import User
from storefeed.api.services import access_token_issue, client_app_create

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-9"
NEW = "a-brand-new-secret-42"


def app_token(user) -> str:
    application, _c, _secret = client_app_create(
        name="Phone", redirect_uris=["urn:ietf:wg:oauth:2.0:oob"], scopes=["read"]
    )
    return access_token_issue(application=application, account=user, scopes=["read"])


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def ask_reset(email: str, language: str = "en", address: str = "10.0.0.1"):
    return Client(headers={"Accept-Language": language}).post(
        "/password/reset", {"email": email}, REMOTE_ADDR=address
    )


def link_in(message) -> str:
    found = re.search(r"https?://\S+/password/reset/\S+", message.body)
    assert found is not None, message.body
    return urlsplit(found[0]).path


def set_new_password(link: str, *, keep_apps: bool = False):
    browser = Client()
    page = browser.get(link, follow=True)  # Django moves the token into the session
    assert page.status_code == 200
    assert 'data-testid="password-reset-confirm-form"' in page.content.decode()
    data = {"new_password1": NEW, "new_password2": NEW}
    if keep_apps:
        data["keep_apps"] = "on"
    return browser.post(page.redirect_chain[-1][0], data)


def test_a_reset_link_sets_a_new_password_signs_out_and_revokes_tokens(alice, mailoutbox, client):
    other_browser = signed_in(alice)
    token = app_token(alice)
    assert "Forgot your password?" in client.get("/login").content.decode()

    sent = ask_reset("ALICE@example.com")
    assert sent.status_code == 200
    assert 'data-testid="password-reset-sent"' in sent.content.decode()
    (message,) = mailoutbox
    assert message.to == ["alice@example.com"]
    assert message.subject == "Reset your Storefeed password"

    done = set_new_password(link_in(message))
    assert done.status_code == 302 and done["Location"] == "/login"
    alice.refresh_from_db()
    assert alice.check_password(NEW)
    assert not AccessToken.objects.filter(
        token_checksum=hashlib.sha256(token.encode()).hexdigest()
    ).exists()
    # The browser that was signed in with the old password is signed out.
    assert other_browser.get("/settings/password").status_code == 302
    # The link works once.
    again = Client().get(link_in(message), follow=True)
    assert 'data-testid="password-reset-invalid"' in again.content.decode()


def test_keeping_the_apps_keeps_their_tokens(alice, mailoutbox):
    token = app_token(alice)
    ask_reset("alice@example.com")
    set_new_password(link_in(mailoutbox[0]), keep_apps=True)
    assert AccessToken.objects.filter(
        token_checksum=hashlib.sha256(token.encode()).hexdigest()
    ).exists()
    api = Client(headers={"Authorization": f"Bearer {token}"})
    assert api.get("/api/v1/accounts/verify_credentials").status_code == 200


def test_asking_says_the_same_whether_an_account_uses_the_address(alice, mailoutbox):
    known = ask_reset("alice@example.com").content.decode()
    unknown = ask_reset("nobody@example.com").content.decode()
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert strip.sub("", known) == strip.sub("", unknown)
    assert len(mailoutbox) == 1


def test_resets_asked_too_often_send_nothing_more(alice, mailoutbox):
    for _ in range(8):
        assert ask_reset("alice@example.com").status_code == 200
    assert len(mailoutbox) == 5


def test_the_email_and_pages_are_in_the_accounts_language(alice, mailoutbox):
    User.objects.filter(pk=alice.pk).update(locale="zh-hans")
    page = ask_reset("alice@example.com", language="zh-hans")
    assert "请查看你的收件箱" in page.content.decode()
    assert mailoutbox[0].subject == "重置你的 Storefeed 密码"


def test_a_bad_link_or_a_weak_password_changes_nothing(alice, mailoutbox):
    bad = Client().get("/password/reset/MQ/not-a-token", follow=True)
    assert 'data-testid="password-reset-invalid"' in bad.content.decode()
    ask_reset("alice@example.com")
    browser = Client()
    page = browser.get(link_in(mailoutbox[0]), follow=True)
    weak = browser.post(
        page.redirect_chain[-1][0], {"new_password1": "123", "new_password2": "123"}
    )
    assert weak.status_code == 200
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_a_reset_lifts_the_sign_in_throttle(alice, mailoutbox, settings):
    settings.REDIS_URL = ""
    for n in range(25):  # strangers guessing from many addresses: the account waits
        Client().post("/login", {"username": "alice", "password": "x"}, REMOTE_ADDR=f"10.9.0.{n}")
    refused = Client().post("/login", {"username": "alice", "password": PASSWORD})
    assert refused.status_code == 429
    ask_reset("alice@example.com")
    set_new_password(link_in(mailoutbox[0]))
    entered = Client().post("/login", {"username": "alice", "password": NEW})
    assert entered.status_code == 302


def test_changing_the_password_signs_other_browsers_out_and_revokes_tokens(alice):
    here, elsewhere = signed_in(alice), signed_in(alice)
    token, kept = app_token(alice), None
    changed = here.post(
        "/settings/password",
        {"old_password": PASSWORD, "new_password": NEW, "new_password2": NEW},
    )
    assert changed.status_code == 302
    assert here.get("/settings/password").status_code == 200  # this browser stays in
    assert elsewhere.get("/settings/password").status_code == 302
    assert not AccessToken.objects.filter(
        token_checksum=hashlib.sha256(token.encode()).hexdigest()
    ).exists()
    kept = app_token(alice)
    here.post(
        "/settings/password",
        {
            "old_password": NEW,
            "new_password": PASSWORD,
            "new_password2": PASSWORD,
            "keep_apps": "on",
        },
    )
    assert AccessToken.objects.filter(
        token_checksum=hashlib.sha256(kept.encode()).hexdigest()
    ).exists()
