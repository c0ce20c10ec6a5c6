"""STOREFEED_EMAIL_CONFIRMATION on the web pages: the sign-up waits on a "check your inbox"
page, sign-in is refused with a button that sends the link again, and the link confirms (and
signs in the browser that signed up)."""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from storefeed.accounts.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-passphrase-7"
LINK = re.compile(r"http://testserver(/auth/confirm/[^/\s]+)")


@pytest.fixture(autouse=True)
def confirmation_on(settings):
    settings.EMAIL_CONFIRMATION = True


def sign_up(client: Client, username="erin", **headers):
    return client.post(
        "/signup",
        {
            "username": username,
            "display_name": username.title(),
            "email": f"{username}@example.com",
            "password": PASSWORD,
        },
        follow=True,
        **headers,
    )


def link_in(message) -> str:
    found = LINK.search(message.body)
    assert found, message.body
    return found.group(1)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_sign_up_waits_for_the_link_which_signs_in_this_browser(client):
    page = sign_up(client)
    assert page.redirect_chain[-1][0] == "/auth/confirm"
    body = page.content.decode()
    assert "Check your inbox" in body and "erin@example.com" in body
    assert 'data-testid="resend-form"' in body
    assert not signed_in(client)
    erin = User.objects.get(username="erin")
    assert erin.is_active and erin.email_confirmed_at is None

    [message] = mail.outbox
    assert message.to == ["erin@example.com"]
    home = client.get(link_in(message), follow=True)
    assert home.redirect_chain[-1][0] == "/"
    assert "Welcome to Storefeed, Erin!" in home.content.decode()
    assert signed_in(client)
    erin.refresh_from_db()
    assert erin.email_confirmed_at is not None


def test_the_link_in_another_browser_confirms_and_asks_to_sign_in(client):
    sign_up(client)
    elsewhere = Client()
    page = elsewhere.get(link_in(mail.outbox[0]), follow=True)
    assert page.redirect_chain[-1][0] == "/login"
    assert "Your email address is confirmed. Sign in to start." in page.content.decode()
    assert not signed_in(elsewhere)
    assert User.objects.get(username="erin").email_confirmed_at is not None
    signed = elsewhere.post("/login", {"username": "erin", "password": PASSWORD})
    assert signed.status_code == 302 and signed_in(elsewhere)


def test_sign_in_is_refused_until_confirmed_with_a_button_to_send_the_link_again(client):
    sign_up(client)
    browser = Client()
    refused = browser.post("/login", {"username": "erin", "password": PASSWORD})
    assert refused.status_code == 200
    body = refused.content.decode()
    assert "Confirm your email address first: open the link we sent to erin@example.com." in body
    assert 'data-testid="resend-form"' in body
    assert not signed_in(browser)

    too_soon = browser.post("/auth/confirm/resend", {"email": "erin@example.com"})
    assert too_soon.status_code == 400
    assert "Try again in" in too_soon.content.decode()
    assert len(mail.outbox) == 1

    with time_machine.travel(timezone.now() + dt.timedelta(seconds=61)):
        sent = browser.post("/auth/confirm/resend", {"email": "erin@example.com"}, follow=True)
    assert "We sent a new link to erin@example.com." in sent.content.decode()
    assert len(mail.outbox) == 2 and mail.outbox[1].to == ["erin@example.com"]
    browser.get(link_in(mail.outbox[1]))
    assert signed_in(browser)


def test_a_wrong_password_shows_no_confirmation_hint(client):
    sign_up(client)
    browser = Client()
    refused = browser.post("/login", {"username": "erin", "password": "wrong-password-1"})
    body = refused.content.decode()
    assert "do not match" in body
    assert "erin@example.com" not in body and "resend-form" not in body
    sent = browser.post("/auth/confirm/resend", {"email": "x@example.com"}, follow=True)
    assert "Sign in to ask for a new confirmation link." in sent.content.decode()
    assert User.objects.get(username="erin").email == "erin@example.com"
    assert len(mail.outbox) == 1


def test_a_mistyped_address_is_corrected_from_the_waiting_page(client):
    sign_up(client)
    first_link = link_in(mail.outbox[0])
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=61)):
        bad = client.post("/auth/confirm/resend", {"email": "not-an-address"})
        assert bad.status_code == 400
        assert User.objects.get(username="erin").email == "erin@example.com"
        client.post("/auth/confirm/resend", {"email": "erin2@example.com"})
    assert User.objects.get(username="erin").email == "erin2@example.com"
    assert mail.outbox[-1].to == ["erin2@example.com"]
    assert client.get(first_link).status_code == 400
    client.get(link_in(mail.outbox[-1]))
    assert User.objects.get(username="erin").email_confirmed_at is not None


def test_bad_and_expired_links_get_a_clear_page_and_change_nothing(client):
    sign_up(client)
    link = link_in(mail.outbox[0])
    bad = client.get(link + "0")
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "This link does not work" in body and "This confirmation link is not valid." in body
    assert "/auth/confirm" in body  # this browser may ask for a new link straight away
    with time_machine.travel(timezone.now() + dt.timedelta(hours=48, seconds=1)):
        expired = Client().get(link)
    assert expired.status_code == 400
    assert "This confirmation link has expired" in expired.content.decode()
    assert User.objects.get(username="erin").email_confirmed_at is None
    assert not signed_in(client)


def test_the_waiting_page_needs_a_sign_up_in_this_browser(client):
    assert client.get("/auth/confirm")["Location"] == "/login"


def test_approval_and_confirmation_together(client, settings):
    settings.REGISTRATIONS = "approval"
    page = sign_up(client)
    assert "a staff member reviews your sign-up" in page.content.decode()
    after = client.get(link_in(mail.outbox[0]), follow=True)
    assert "Your account now waits for a staff member" in after.content.decode()
    assert not signed_in(client)
    erin = User.objects.get(username="erin")
    assert erin.email_confirmed_at is not None and not erin.is_active


def test_the_email_and_pages_speak_chinese(client):
    page = sign_up(client, HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert "请查看你的收件箱" in page.content.decode()
    [message] = mail.outbox
    assert message.subject == "确认你在 Storefeed 的邮箱地址"
    assert message.body.startswith("Erin，你好：")
    assert User.objects.get(username="erin").locale == "zh-hans"


def test_off_the_sign_up_signs_in_at_once(client, settings):
    settings.EMAIL_CONFIRMATION = False
    page = sign_up(client)
    assert page.redirect_chain[-1][0] == "/settings/interests?welcome=1"
    assert signed_in(client)
    assert mail.outbox == []
