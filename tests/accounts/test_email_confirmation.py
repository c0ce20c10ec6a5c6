"""The email-confirmation services: who starts unconfirmed, the sending task runs once per
request, tokens, staff confirmation, and the migration that confirms existing accounts."""

import importlib

import pytest
from django.apps import apps
from django.core import mail
from django.core.management import call_command

from storefeed.accounts import services
from storefeed.accounts.errors import (
    ConfirmationLinkInvalid,
    ConfirmationTooSoon,
    EmailAlreadyConfirmed,
)
from storefeed.accounts.models import User
from storefeed.core.errors import Forbidden
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-passphrase-7"


@pytest.fixture
def confirmation_on(settings):
    settings.EMAIL_CONFIRMATION = True


@pytest.fixture
def dora(confirmation_on):
    return services.account_signup(
        username="dora", email="dora@example.com", password=PASSWORD, site_url="http://sf.test"
    )


def test_only_a_sign_up_with_confirmation_on_starts_unconfirmed(confirmation_on, dora):
    assert dora.email_confirmed_at is None
    made_by_staff = services.account_create(
        username="made", email="made@example.com", password=PASSWORD
    )
    assert made_by_staff.email_confirmed_at is not None
    assert make_user("plain").email_confirmed_at is not None
    call_command("createsuperuser", "--noinput", username="root", email="root@example.com")
    assert User.objects.get(username="root").email_confirmed_at is not None
    assert [m.to for m in mail.outbox] == [["dora@example.com"]]


def test_links_point_at_the_site_url_setting_first(settings, dora):
    assert "http://sf.test/auth/confirm/" in mail.outbox[0].body
    settings.SITE_URL = "https://storefeed.example"
    User.objects.filter(pk=dora.pk).update(email_confirmation_requested_at=None)
    services.email_confirmation_resend(account=dora, site_url="http://sf.test")
    assert "https://storefeed.example/auth/confirm/" in mail.outbox[1].body


def test_the_sending_task_sends_once_per_request(dora):
    dora.refresh_from_db()
    stamp = dora.email_confirmation_requested_at.isoformat()
    assert len(mail.outbox) == 1  # the sign-up's task ran (tasks run inline in tests)
    assert services.email_confirmation_send(account_id=dora.pk, requested_at=stamp) is False
    assert len(mail.outbox) == 1


def test_a_superseded_request_sends_nothing(dora):
    dora.refresh_from_db()
    old = dora.email_confirmation_requested_at
    User.objects.filter(pk=dora.pk).update(
        email_confirmation_requested_at=None, email_confirmation_sent_at=None
    )
    services.email_confirmation_resend(account=dora)
    assert len(mail.outbox) == 2
    User.objects.filter(pk=dora.pk).update(email_confirmation_sent_at=None)
    assert (
        services.email_confirmation_send(account_id=dora.pk, requested_at=old.isoformat()) is False
    )
    assert len(mail.outbox) == 2


def test_a_failed_send_withdraws_its_claim_so_a_retry_sends(dora, monkeypatch):
    dora.refresh_from_db()
    stamp = dora.email_confirmation_requested_at.isoformat()
    User.objects.filter(pk=dora.pk).update(email_confirmation_sent_at=None)

    def broken(*args, **kwargs):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr(services, "send_mail", broken)
    with pytest.raises(ConnectionRefusedError):
        services.email_confirmation_send(account_id=dora.pk, requested_at=stamp)
    assert User.objects.get(pk=dora.pk).email_confirmation_sent_at is None
    monkeypatch.undo()
    assert services.email_confirmation_send(account_id=dora.pk, requested_at=stamp) is True
    assert len(mail.outbox) == 2


def test_nothing_is_sent_once_confirmed(dora):
    services.email_confirm(token=services.email_confirmation_token(dora))
    dora.refresh_from_db()
    with pytest.raises(EmailAlreadyConfirmed):
        services.email_confirmation_resend(account=dora)
    User.objects.filter(pk=dora.pk).update(email_confirmation_sent_at=None)
    stamp = dora.email_confirmation_requested_at.isoformat()
    assert services.email_confirmation_send(account_id=dora.pk, requested_at=stamp) is False
    assert len(mail.outbox) == 1


def test_resend_too_soon_says_how_long_to_wait(dora):
    before = User.objects.get(pk=dora.pk).email_confirmation_requested_at
    with pytest.raises(ConfirmationTooSoon) as refused:
        services.email_confirmation_resend(account=dora, email="other@example.com")
    assert 0 < refused.value.details["retry_after"] <= 60
    after = User.objects.get(pk=dora.pk)
    assert after.email_confirmation_requested_at == before
    assert after.email == "dora@example.com"


def test_tokens_name_the_account_and_its_address(dora, alice):
    with pytest.raises(ConfirmationLinkInvalid) as forged:
        services.email_confirm(token=services.email_confirmation_token(dora) + "x")
    assert forged.value.details["reason"] == "invalid"
    # Another account's token confirms that account only.
    with pytest.raises(EmailAlreadyConfirmed):
        services.email_confirm(token=services.email_confirmation_token(alice))
    token = services.email_confirmation_token(dora)
    User.objects.filter(pk=dora.pk).update(email="dora2@example.com")
    with pytest.raises(ConfirmationLinkInvalid):
        services.email_confirm(token=token)
    assert User.objects.get(pk=dora.pk).email_confirmed_at is None


def test_staff_confirm_by_hand(dora, alice):
    with pytest.raises(Forbidden):
        services.email_confirm_by_staff(account=dora, by=alice)
    assert User.objects.get(pk=dora.pk).email_confirmed_at is None
    staff = make_user("boss", is_staff=True)
    assert services.email_confirm_by_staff(account=dora, by=staff).email_confirmed_at is not None


@pytest.mark.urls("tests.accounts.admin_urls")
def test_admin_action_confirms_the_selected_addresses(dora, client_for):
    boss = make_user("boss", is_staff=True, is_superuser=True)
    response = client_for(boss).post(
        "/admin/accounts/user/",
        {"action": "confirm_email", "_selected_action": [dora.pk, boss.pk]},
        follow=True,
    )
    assert "1 email address confirmed." in response.content.decode()
    assert User.objects.get(pk=dora.pk).email_confirmed_at is not None


def test_the_migration_confirms_every_existing_account(alice):
    User.objects.filter(pk=alice.pk).update(email_confirmed_at=None)
    migration = importlib.import_module("storefeed.accounts.migrations.0005_email_confirmation")
    migration.confirm_existing(apps, None)
    alice.refresh_from_db()
    assert alice.email_confirmed_at == alice.date_joined
