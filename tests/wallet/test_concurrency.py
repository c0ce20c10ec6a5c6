"""Money under concurrency (PostgreSQL only: SQLite serialises every writer, so there is no
race to lose there). Many threads debiting one wallet never take it below zero, transfers in
opposite directions do not deadlock, a top-up is confirmed once, an idempotency key runs once,
and every wrong PIN is counted."""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connections, transaction

from storefeed.wallet.errors import (
    IdempotencyInProgress,
    InsufficientFunds,
    PinLocked,
    PinWrong,
)
from storefeed.wallet.ledger import system_account
from storefeed.wallet.models import AccountKind, LedgerTransaction, PaymentPin, TopUp
from storefeed.wallet.selectors import escrow_held, wallet_balance
from storefeed.wallet.services import (
    escrow_hold,
    pin_set,
    pin_verify,
    provider_callback,
    topup_create,
    wallet_refund_from_seller,
)
from tests.wallet.conftest import callback_args, fund
from tests.wallet.test_idempotency import topup_view

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(jobs: list[Callable[[], Any]]) -> tuple[list[Any], list[BaseException]]:
    """Run the jobs in threads released at the same instant; return results and errors."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def wrap(job: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            result = job()
            with lock:
                results.append(result)
        except BaseException as exc:
            with lock:
                errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=wrap, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def test_many_buyers_paying_from_one_wallet_never_take_it_below_zero(alice):
    fund(alice, "100.00")

    def pay(n: int) -> Callable[[], None]:
        def job() -> None:
            with transaction.atomic(durable=True):
                escrow_hold(buyer=alice, amount=1_000, ref=("order", n))

        return job

    results, errors = run_together([pay(n) for n in range(30)])
    assert len(results) == 10
    assert len(errors) == 20
    assert all(isinstance(error, InsufficientFunds) for error in errors)
    assert wallet_balance(account=alice) == 0
    assert system_account(AccountKind.ESCROW).balance == 10_000
    assert LedgerTransaction.objects.filter(kind="payment").count() == 10


def test_payments_in_opposite_directions_do_not_deadlock(alice, bob):
    fund(alice, "100.00")
    fund(bob, "100.00")

    def move(payer, payee, n: int) -> Callable[[], None]:
        def job() -> None:
            with transaction.atomic(durable=True):
                wallet_refund_from_seller(seller=payer, buyer=payee, amount=100, ref=("t", n))
                escrow_hold(buyer=payee, amount=50, ref=("order", n))

        return job

    jobs = [move(alice, bob, n) for n in range(10)] + [move(bob, alice, n) for n in range(10, 20)]
    results, errors = run_together(jobs)
    assert errors == []
    assert len(results) == 20
    assert wallet_balance(account=alice) + wallet_balance(account=bob) == 20_000 - 20 * 50
    assert escrow_held(ref=("order", 3)) == 50


def test_racing_callbacks_confirm_a_top_up_once(alice, later_bank):
    topup = topup_create(account=alice, amount="88.00", provider="laterbank")
    payload = {"object": "topup", "id": str(topup.pk), "status": "succeeded", "amount": "88.00"}
    calls = [callback_args(payload) for _ in range(8)]
    results, errors = run_together([lambda args=args: provider_callback(**args) for args in calls])
    assert errors == []
    assert {result.state for result in results} == {"confirmed"}
    assert wallet_balance(account=alice) == 8_800
    assert LedgerTransaction.objects.filter(kind="topup").count() == 1


def test_racing_requests_with_one_idempotency_key_move_money_once(alice):
    jobs = [lambda: topup_view(alice, {"amount": "20.00"}, key="same") for _ in range(10)]
    results, errors = run_together(jobs)
    assert all(isinstance(error, IdempotencyInProgress) for error in errors)
    # Every answer is the first one (as JSON: PostgreSQL's jsonb keeps no key order).
    assert all(result == results[0] for result in results)
    assert len(results) >= 1
    assert TopUp.objects.count() == 1
    assert wallet_balance(account=alice) == 2_000


def test_racing_wrong_pins_are_all_counted(alice):
    pin_set(account=alice, pin="258036", password="correct-horse-9")
    results, errors = run_together(
        [lambda: pin_verify(account=alice, pin="000000") for _ in range(10)]
    )
    assert results == []
    assert sum(isinstance(error, PinWrong) for error in errors) == 4
    assert sum(isinstance(error, PinLocked) for error in errors) == 6
    assert PaymentPin.objects.get(account=alice).locked_until is not None
