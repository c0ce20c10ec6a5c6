"""The wallet pages: balance and statement, top-up through the simulated bank (labelled so),
withdrawal with the PIN, PIN settings; bad amounts and PINs are refused and move nothing."""

import contextlib
import datetime as dt

import pytest
import time_machine

from storefeed.core.errors import DomainError
from storefeed.wallet.invariants import ledger_problems
from storefeed.wallet.models import PaymentPin, TopUp, Withdrawal
from storefeed.wallet.selectors import wallet_balance
from storefeed.wallet.services import pin_set, pin_verify
from tests.orders.conftest import PASSWORD, PIN, make_buyer
from tests.web_shop.conftest import page_errors

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def ledger_sound(db):
    yield
    assert ledger_problems() == []


def test_the_wallet_shows_balance_and_the_simulated_bank_label(alice, alice_client, client):
    body = alice_client.get("/wallet").content.decode()
    assert 'data-testid="balance">¥0.00' in body
    assert 'data-testid="simulated-label"' in body
    assert "No real money moves" in body
    assert client.get("/wallet").status_code == 302


def test_a_top_up_lands_in_the_balance_and_the_statement_once(alice, alice_client):
    data = {"amount": "200.50", "idempotency_key": "form-1"}
    assert alice_client.post("/wallet/topup", data).status_code == 302
    again = alice_client.post("/wallet/topup", data, follow=True)
    assert "Already done" in again.content.decode()
    assert wallet_balance(account=alice) == 20050
    assert TopUp.objects.count() == 1
    body = alice_client.get("/wallet").content.decode()
    assert "¥200.50" in body
    assert body.count('data-testid="entry"') == 1


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "more than zero"),
        ("-5", "more than zero"),
        ("1.001", "at most 2 decimals"),
        ("999999999", "can be at most"),
        ("lots", "like 199.00"),
    ],
)
def test_bad_top_ups_move_nothing(alice, alice_client, amount, message):
    response = alice_client.post("/wallet/topup", {"amount": amount, "idempotency_key": "k"})
    assert response.status_code == 400
    assert message in page_errors(response)
    assert wallet_balance(account=alice) == 0
    assert not TopUp.objects.exists()


def test_set_the_pin_once_then_withdraw_with_it(alice, alice_client):
    refused = alice_client.post(
        "/wallet/pin", {"pin": "12345a", "pin2": "12345a", "password": PASSWORD}
    )
    assert refused.status_code == 400
    assert "6 digits" in page_errors(refused)
    wrong_password = alice_client.post("/wallet/pin", {"pin": PIN, "pin2": PIN, "password": "nope"})
    assert "sign-in password" in page_errors(wrong_password)
    assert not PaymentPin.objects.exists()
    assert (
        alice_client.post(
            "/wallet/pin", {"pin": PIN, "pin2": PIN, "password": PASSWORD}
        ).status_code
        == 302
    )
    assert PaymentPin.objects.filter(account=alice).exists()
    alice_client.post("/wallet/topup", {"amount": "100", "idempotency_key": "t"})
    wrong = alice_client.post(
        "/wallet/withdraw", {"amount": "10", "pin": "000000", "idempotency_key": "w1"}
    )
    assert wrong.status_code == 400
    assert "wrong" in page_errors(wrong).lower()
    too_much = alice_client.post(
        "/wallet/withdraw", {"amount": "500", "pin": PIN, "idempotency_key": "w2"}
    )
    assert too_much.status_code == 400
    assert not Withdrawal.objects.exists()
    ok = alice_client.post(
        "/wallet/withdraw", {"amount": "40", "pin": PIN, "idempotency_key": "w3"}
    )
    assert ok.status_code == 302
    assert wallet_balance(account=alice) == 6000


def test_change_the_pin_with_the_old_one(alice, alice_client):
    make_buyer(alice, "")
    page = alice_client.get("/wallet/pin").content.decode()
    assert 'name="old_pin"' in page
    bad = alice_client.post("/wallet/pin", {"old_pin": "999999", "new_pin": "246802"})
    assert bad.status_code == 400
    ok = alice_client.post("/wallet/pin", {"old_pin": PIN, "new_pin": "246802"})
    assert ok.status_code == 302


def test_the_pin_page_returns_only_to_paths_on_this_site(alice, alice_client):
    response = alice_client.post(
        "/wallet/pin?next=https://evil.example/",
        {"pin": PIN, "pin2": PIN, "password": PASSWORD},
    )
    assert response["Location"] == "/wallet"


def test_the_pin_lock_ends_in_the_readers_time_zone(alice, alice_client):
    type(alice).objects.filter(pk=alice.pk).update(time_zone="Asia/Shanghai")
    pin_set(account=alice, pin="258036", password="correct-horse-9")
    with time_machine.travel(dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.UTC), tick=False):
        for _ in range(5):
            with contextlib.suppress(DomainError):
                pin_verify(account=alice, pin="000000")
        page = alice_client.get("/wallet").content.decode()
    # Locked for 15 minutes from 12:00 UTC: 20:15 in Shanghai.
    assert "paying is blocked until 20:15" in page
