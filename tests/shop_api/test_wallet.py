"""Wallet endpoints: balance, PIN, top-ups and withdrawals with Idempotency-Key, the
statement, and the provider callback."""

import json
import time

import pytest
from django.conf import settings
from django.test import Client

from storefeed.wallet import providers
from storefeed.wallet.models import IdempotencyKey, PaymentPin, TopUp, Withdrawal
from storefeed.wallet.providers.signing import sign
from storefeed.wallet.selectors import wallet_balance
from tests.shop_api.conftest import PASSWORD, PIN, fund, ledger_snapshot
from tests.wallet.conftest import LaterBank


def test_a_new_wallet(api, alice):
    body = api(alice).get("/wallet").json()
    assert body == {
        "balance": "0.00",
        "currency": "CNY",
        "pin_set": False,
        "pin_locked_until": None,
        "provider": {
            "name": "simulated",
            "label": "Simulated bank (no real money)",
            "simulated": True,
        },
    }


def test_set_then_change_the_pin(api, alice):
    client = api(alice)
    response = client.post("/wallet/pin", {"pin": "123456", "password": PASSWORD})
    assert response.status_code == 200
    assert client.get("/wallet").json()["pin_set"] is True
    again = client.post("/wallet/pin", {"pin": "654321", "password": PASSWORD})
    assert again.status_code == 409
    changed = client.post("/wallet/pin", {"new_pin": "654321", "old_pin": "123456"})
    assert changed.status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"pin": "12345", "password": PASSWORD}, "pin"),
        ({"pin": "abcdef", "password": PASSWORD}, "pin"),
        ({"pin": "1234567", "password": PASSWORD}, "pin"),
        ({"pin": "123456", "password": "wrong"}, "password"),
        ({}, "pin"),
    ],
)
def test_bad_pins_are_refused_and_none_is_set(api, alice, body, field):
    response = api(alice).post("/wallet/pin", body)
    assert response.status_code == 422
    assert response.json()["details"]["field"] == field
    assert not PaymentPin.objects.exists()


def test_top_up_then_the_balance_and_statement_show_it(api, alice):
    client = api(alice)
    response = client.post("/wallet/topups", {"amount": "100.00"}, key="t-1")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["amount"] == "100.00"
    assert body["state"] == "confirmed"
    assert body["provider"]["simulated"] is True
    assert client.get("/wallet").json()["balance"] == "100.00"
    assert client.get(f"/wallet/topups/{body['id']}").json()["state"] == "confirmed"
    [entry] = client.get("/wallet/entries").json()
    assert entry["amount"] == "100.00"
    assert entry["kind"] == "topup"
    assert entry["ref_type"] == "topup"
    assert entry["ref_id"] == body["id"]


def test_a_top_up_replayed_with_its_key_moves_money_once(api, alice):
    client = api(alice)
    first = client.post("/wallet/topups", {"amount": "50.00"}, key="same")
    snapshot = ledger_snapshot()
    again = client.post("/wallet/topups", {"amount": "50.00"}, key="same")
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert ledger_snapshot() == snapshot
    assert TopUp.objects.count() == 1
    assert wallet_balance(account=alice) == 5000


def test_the_same_key_with_another_body_is_422_and_moves_nothing(api, alice):
    client = api(alice)
    client.post("/wallet/topups", {"amount": "50.00"}, key="k")
    snapshot = ledger_snapshot()
    response = client.post("/wallet/topups", {"amount": "60.00"}, key="k")
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert ledger_snapshot() == snapshot


def test_the_same_request_while_the_first_runs_is_409(api, alice, monkeypatch):
    from storefeed.api.shop import common

    client = api(alice)
    seen: dict = {}
    real = common.idempotent
    monkeypatch.setattr(common, "idempotent", lambda **kw: (seen.update(kw), real(**kw))[1])
    assert client.post("/wallet/topups", {"amount": "5.00"}, key="probe").status_code == 201
    fingerprint = seen["fingerprint"]
    IdempotencyKey.objects.filter(key="probe").delete()
    IdempotencyKey.objects.create(
        account=alice, scope="shop_api", key="running", fingerprint=fingerprint
    )
    snapshot = ledger_snapshot()
    response = client.post("/wallet/topups", {"amount": "5.00"}, key="running")
    # The running row's fingerprint is of the "probe" request on the same path and body.
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_in_progress"
    assert ledger_snapshot() == snapshot


def test_a_refused_top_up_frees_its_key(api, alice):
    client = api(alice)
    assert client.post("/wallet/topups", {"amount": "0"}, key="r").status_code == 422
    assert not IdempotencyKey.objects.exists()


def test_money_moving_posts_need_an_idempotency_key(api, alice):
    fund(alice)
    snapshot = ledger_snapshot()
    client = api(alice)
    for path, body in [
        ("/wallet/topups", {"amount": "10.00"}),
        ("/wallet/withdrawals", {"amount": "10.00", "pin": PIN}),
    ]:
        response = client.post(path, body)
        assert response.status_code == 422
        assert response.json()["details"]["field"] == "idempotency_key"
    assert ledger_snapshot() == snapshot


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("0", "more than zero"),
        ("-1.00", "more than zero"),
        ("1.001", "at most 2 decimals"),
        ("50000.01", "at most 50000.00"),
        ("ten", "199.00"),
    ],
)
def test_bad_top_up_amounts_are_refused_and_nothing_moves(api, alice, amount, words):
    snapshot = ledger_snapshot()
    response = api(alice).post("/wallet/topups", {"amount": amount}, key="k")
    assert response.status_code == 422
    assert words in response.json()["error"]
    assert ledger_snapshot() == snapshot
    assert TopUp.objects.count() == 0


def test_withdraw_with_the_pin(api, alice):
    fund(alice, "100.00")
    client = api(alice)
    response = client.post("/wallet/withdrawals", {"amount": "30.00", "pin": PIN}, key="w1")
    assert response.status_code == 201, response.content
    assert response.json()["state"] == "completed"
    assert client.get("/wallet").json()["balance"] == "70.00"
    again = client.post("/wallet/withdrawals", {"amount": "30.00", "pin": PIN}, key="w1")
    assert again.json() == response.json()
    assert client.get("/wallet").json()["balance"] == "70.00"
    got = client.get(f"/wallet/withdrawals/{response.json()['id']}")
    assert got.json()["id"] == response.json()["id"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"amount": "30.00", "pin": "000000"}, 422, "pin_wrong"),
        ({"amount": "30.00", "pin": "12345"}, 422, "validation_failed"),
        ({"amount": "30.00", "pin": "abcdef"}, 422, "validation_failed"),
        ({"amount": "300.00", "pin": PIN}, 422, "insufficient_funds"),
        ({"amount": "0", "pin": PIN}, 422, "validation_failed"),
    ],
)
def test_bad_withdrawals_are_refused_and_nothing_moves(api, alice, body, status, code):
    fund(alice, "100.00")
    snapshot = ledger_snapshot()
    response = api(alice).post("/wallet/withdrawals", body, key="w")
    assert response.status_code == status
    assert response.json()["code"] == code
    assert ledger_snapshot() == snapshot
    assert Withdrawal.objects.count() == 0


def test_five_wrong_pins_lock_paying(api, alice):
    fund(alice, "100.00")
    client = api(alice)
    for attempt in range(4):
        response = client.post(
            "/wallet/withdrawals", {"amount": "1.00", "pin": "000000"}, key=f"w{attempt}"
        )
        assert response.json()["details"]["tries_left"] == 4 - attempt
    locked = client.post("/wallet/withdrawals", {"amount": "1.00", "pin": "000000"}, key="w5")
    assert locked.status_code == 403
    assert locked.json()["code"] == "pin_locked"
    assert client.get("/wallet").json()["pin_locked_until"] is not None
    right = client.post("/wallet/withdrawals", {"amount": "1.00", "pin": PIN}, key="w6")
    assert right.status_code == 403
    assert wallet_balance(account=alice) == 10000


def test_someone_elses_top_up_is_404(api, alice, bob):
    fund(bob, pin=None)
    topup = TopUp.objects.get(account=bob)
    assert api(alice).get(f"/wallet/topups/{topup.pk}").status_code == 404


def test_statement_pages_with_max_id(api, alice):
    for _ in range(3):
        fund(alice, "1.00", pin=None)
    client = api(alice)
    first = client.get("/wallet/entries", {"limit": 2}).json()
    assert len(first) == 2
    rest = client.get("/wallet/entries", {"max_id": first[-1]["id"]}).json()
    assert len(rest) == 1
    assert int(rest[0]["id"]) < int(first[-1]["id"])


@pytest.fixture
def later_bank():
    bank = LaterBank()
    providers.register(bank)
    yield bank
    providers.unregister(bank.name)


def _signed(payload: dict, *, nonce: str, secret: str | None = None, ts: int | None = None):
    body = json.dumps(payload).encode()
    stamp = str(ts if ts is not None else int(time.time()))
    signature = sign(
        secret=secret or settings.PAYMENT_CALLBACK_SECRET, timestamp=stamp, nonce=nonce, body=body
    )
    return body, {
        "HTTP_X_STOREFEED_TIMESTAMP": stamp,
        "HTTP_X_STOREFEED_NONCE": nonce,
        "HTTP_X_STOREFEED_SIGNATURE": signature,
    }


def test_a_pending_top_up_is_confirmed_by_the_signed_callback_once(
    api, alice, later_bank, settings
):
    settings.WALLET_PAYMENT_PROVIDER = "laterbank"
    created = api(alice).post("/wallet/topups", {"amount": "80.00"}, key="cb")
    assert created.json()["state"] == "pending"
    assert created.json()["next_url"] == "https://bank.invalid/approve"
    payload = {
        "object": "topup",
        "id": created.json()["id"],
        "status": "succeeded",
        "amount": "80.00",
        "currency": "CNY",
        "reference": "LB-1",
    }
    body, headers = _signed(payload, nonce="n-1")
    url = "/api/shop/v1/wallet/callbacks/laterbank"
    response = Client().post(url, body, content_type="application/json", **headers)
    assert response.status_code == 200, response.content
    assert response.json() == {"object": "topup", "id": created.json()["id"], "state": "confirmed"}
    assert wallet_balance(account=alice) == 8000
    snapshot = ledger_snapshot()
    replay = Client().post(url, body, content_type="application/json", **headers)
    assert replay.status_code == 403
    assert replay.json()["code"] == "callback_rejected"
    forged_body, forged = _signed(payload, nonce="n-2", secret="not-the-secret")
    assert (
        Client().post(url, forged_body, content_type="application/json", **forged).status_code
        == 403
    )
    stale_body, stale = _signed(payload, nonce="n-3", ts=int(time.time()) - 3600)
    assert (
        Client().post(url, stale_body, content_type="application/json", **stale).status_code == 403
    )
    assert ledger_snapshot() == snapshot


@pytest.mark.parametrize("bad", ["٣", "²", str(2**63), "9" * 30])
def test_a_signed_callback_naming_an_odd_id_is_refused(api, alice, later_bank, settings, bad):
    settings.WALLET_PAYMENT_PROVIDER = "laterbank"
    api(alice).post("/wallet/topups", {"amount": "80.00"}, key="cb")
    snapshot = ledger_snapshot()
    payload = {"object": "topup", "id": bad, "status": "succeeded", "amount": "80.00",
               "currency": "CNY", "reference": "LB-1"}  # fmt: skip
    body, headers = _signed(payload, nonce=f"n-{bad}")
    response = Client().post(
        "/api/shop/v1/wallet/callbacks/laterbank", body, content_type="application/json", **headers
    )
    assert response.status_code == 403
    assert response.json()["code"] == "callback_rejected"
    assert ledger_snapshot() == snapshot
