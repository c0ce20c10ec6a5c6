"""Idempotency keys: the same key and body replays the first response and moves nothing;
another body is refused (422); a key still running is refused (409)."""

import datetime as dt
from typing import Any

import pytest
import time_machine

from storefeed.core.errors import ValidationFailed
from storefeed.core.money import format_amount
from storefeed.wallet.errors import (
    IdempotencyInProgress,
    IdempotencyKeyFailed,
    IdempotencyKeyReused,
    InsufficientFunds,
)
from storefeed.wallet.idempotency import fingerprint_of, idempotency_keys_purge, idempotent
from storefeed.wallet.models import IdempotencyKey, TopUp
from storefeed.wallet.selectors import wallet_balance
from storefeed.wallet.services import escrow_hold, topup_create
from tests.wallet.conftest import fund


def topup_view(user, body: dict[str, Any], key: str) -> tuple[int, Any]:
    """What the API layer's top-up endpoint does with the helper (status, JSON body)."""
    with idempotent(key=key, account=user, scope="topup", fingerprint=fingerprint_of(body)) as slot:
        if slot.replayed:
            return slot.status_code, slot.body
        topup = topup_create(account=user, amount=body["amount"])
        response = {
            "id": str(topup.pk),
            "amount": format_amount(topup.amount),
            "state": topup.state,
        }
        slot.store(201, response)
        return 201, response


def test_a_replayed_top_up_returns_the_first_response_and_moves_nothing(alice):
    first = topup_view(alice, {"amount": "50.00"}, key="k-1")
    again = topup_view(alice, {"amount": "50.00"}, key="k-1")
    assert again == first
    assert first[0] == 201
    assert TopUp.objects.count() == 1
    assert wallet_balance(account=alice) == 5_000
    record = IdempotencyKey.objects.get()
    assert (record.state, record.status_code, record.response) == ("done", 201, first[1])


def test_a_new_key_is_a_new_request(alice):
    topup_view(alice, {"amount": "50.00"}, key="k-1")
    topup_view(alice, {"amount": "50.00"}, key="k-2")
    assert wallet_balance(account=alice) == 10_000


def test_keys_belong_to_one_account(alice, bob):
    topup_view(alice, {"amount": "50.00"}, key="shared")
    status, _body = topup_view(bob, {"amount": "50.00"}, key="shared")
    assert status == 201
    assert wallet_balance(account=bob) == 5_000


def test_the_same_key_with_another_body_is_refused_with_422(alice):
    topup_view(alice, {"amount": "50.00"}, key="k-1")
    with pytest.raises(IdempotencyKeyReused, match="different request") as caught:
        topup_view(alice, {"amount": "60.00"}, key="k-1")
    assert caught.value.http_status == 422
    assert wallet_balance(account=alice) == 5_000


def test_a_second_request_while_the_first_runs_is_refused_with_409(alice):
    body = {"amount": "50.00"}
    with idempotent(key="k-1", account=alice, scope="topup", fingerprint=fingerprint_of(body)) as s:
        with pytest.raises(IdempotencyInProgress, match="still being processed") as caught:
            topup_view(alice, body, key="k-1")
        assert caught.value.http_status == 409
        s.store(201, {"ok": True})
    assert TopUp.objects.count() == 0


def test_a_refusal_releases_the_key_so_the_client_may_retry(alice):
    """Paying with too little money: nothing moved, so after a top-up the same key works."""

    def pay(key: str) -> tuple[int, Any]:
        body = {"order": 7, "pin": "x"}
        with idempotent(key=key, account=alice, scope="pay", fingerprint=fingerprint_of(body)) as s:
            if s.replayed:
                return s.status_code, s.body
            escrow_hold(buyer=alice, amount=3_000, ref=("order", 7))
            s.store(200, {"paid": True})
            return 200, {"paid": True}

    with pytest.raises(InsufficientFunds):
        pay("pay-1")
    assert not IdempotencyKey.objects.exists()
    fund(alice, "30.00")
    assert pay("pay-1") == (200, {"paid": True})
    assert pay("pay-1") == (200, {"paid": True})
    assert wallet_balance(account=alice) == 0


def test_a_stored_refusal_is_replayed(alice):
    body = {"amount": "1"}
    for _ in range(2):
        with idempotent(
            key="k-err", account=alice, scope="pay", fingerprint=fingerprint_of(body)
        ) as slot:
            if not slot.replayed:
                slot.store(422, {"error": "no"})
    assert (slot.status_code, slot.body) == (422, {"error": "no"})


def test_an_unexpected_failure_marks_the_key_failed(alice):
    body = {"amount": "1"}
    with (
        pytest.raises(ZeroDivisionError),
        idempotent(key="k-x", account=alice, scope="pay", fingerprint=fingerprint_of(body)),
    ):
        _ = 1 / 0
    with (
        pytest.raises(IdempotencyKeyFailed, match="failed unexpectedly"),
        idempotent(key="k-x", account=alice, scope="pay", fingerprint=fingerprint_of(body)),
    ):
        pass


def test_leaving_the_block_without_a_response_is_a_programming_error(alice):
    with (
        pytest.raises(RuntimeError, match="store"),
        idempotent(key="k-y", account=alice, scope="pay", fingerprint="f"),
    ):
        pass
    assert IdempotencyKey.objects.get().state == "failed"


def test_a_key_expires_after_a_day(alice):
    start = dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        topup_view(alice, {"amount": "50.00"}, key="k-1")
        clock.shift(dt.timedelta(hours=23))
        topup_view(alice, {"amount": "50.00"}, key="k-1")
        assert wallet_balance(account=alice) == 5_000
        clock.shift(dt.timedelta(hours=2))
        topup_view(alice, {"amount": "60.00"}, key="k-1")  # a fresh request, any body
        assert wallet_balance(account=alice) == 11_000
        assert idempotency_keys_purge() == 0
        clock.shift(dt.timedelta(hours=25))
        assert idempotency_keys_purge() == 1


@pytest.mark.parametrize("key", ["", "   ", "x" * 256, "tab\tkey", None])
def test_an_unusable_key_is_refused(alice, key):
    with pytest.raises(ValidationFailed, match="Idempotency-Key") as caught:
        topup_view(alice, {"amount": "1.00"}, key=key)
    assert caught.value.field == "idempotency_key"
    assert not TopUp.objects.exists()


def test_fingerprints_ignore_key_order_but_not_values():
    assert fingerprint_of({"a": 1, "b": [1, 2]}) == fingerprint_of({"b": [1, 2], "a": 1})
    assert fingerprint_of({"a": 1}) != fingerprint_of({"a": 2})
    assert fingerprint_of(b"raw body") == fingerprint_of(bytearray(b"raw body"))
