"""Top-ups and withdrawals through the payment-provider interface, and the signed,
replay-safe provider callback."""

import datetime as dt
import json
import time

import pytest
import time_machine
from django.conf import settings

from storefeed.core.errors import NotFound, ValidationFailed
from storefeed.wallet.errors import CallbackRejected, InsufficientFunds, PinWrong, WalletError
from storefeed.wallet.ledger import system_account
from storefeed.wallet.models import AccountKind, LedgerTransaction, TopUp, Withdrawal
from storefeed.wallet.providers import get_provider
from storefeed.wallet.providers.signing import sign
from storefeed.wallet.selectors import (
    topup_for_account,
    wallet_balance,
    wallet_overview,
    wallet_statement,
)
from storefeed.wallet.services import (
    pin_set,
    provider_callback,
    provider_nonces_purge,
    topup_create,
    withdrawal_create,
)
from tests.wallet.conftest import callback_args, fund, ledger_snapshot

PASSWORD = "correct-horse-9"


@pytest.fixture
def with_pin(alice):
    pin_set(account=alice, pin="258036", password=PASSWORD)
    return alice


def test_the_simulated_bank_is_the_labelled_default():
    bank = get_provider()
    assert bank.name == "simulated"
    assert bank.simulated is True
    assert "Simulated" in bank.label


def test_an_unknown_provider_is_refused(alice):
    with pytest.raises(WalletError, match="not available"):
        topup_create(account=alice, amount="10.00", provider="nosuchbank")
    assert not TopUp.objects.exists()


def test_a_simulated_top_up_is_confirmed_at_once(alice):
    topup = topup_create(account=alice, amount="199.50")
    assert topup.state == "confirmed"
    assert topup.amount == 19_950
    assert topup.provider_reference == f"SIM-T{topup.pk}"
    assert wallet_balance(account=alice) == 19_950
    assert system_account(AccountKind.EXTERNAL).balance == -19_950
    assert topup_for_account(account=alice, topup_id=str(topup.pk)) == topup


def test_the_statement_lists_entries_with_what_they_belong_to(alice):
    first = fund(alice, "10.00")
    second = fund(alice, "20.00")
    lines = wallet_statement(account=alice)
    assert [(e.amount, e.transaction.kind, e.transaction.ref_type) for e in lines] == [
        (2_000, "topup", "topup"),
        (1_000, "topup", "topup"),
    ]
    assert [e.transaction.ref_id for e in lines] == [str(second.pk), str(first.pk)]
    page_two = wallet_statement(account=alice, max_id=lines[0].pk, limit=1)
    assert [e.pk for e in page_two] == [lines[1].pk]
    assert wallet_statement(account=alice, max_id="garbage") == []


def test_a_statement_shows_only_ones_own_wallet(alice, bob):
    fund(alice, "10.00")
    assert wallet_statement(account=bob) == []
    assert wallet_overview(account=bob).balance == 0
    assert wallet_overview(account=bob).pin_set is False


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "more than zero"),
        ("0.00", "more than zero"),
        ("-5", "more than zero"),
        ("1.001", "at most 2 decimals"),
        ("50000.01", "at most 50000.00"),
        ("9999999999", "at most 50000.00"),
        ("abc", "Enter an amount"),
        (None, "Enter an amount"),
        ("NaN", "Enter an amount"),
    ],
)
def test_bad_top_up_amounts_are_refused_and_nothing_is_made(alice, amount, message):
    before = ledger_snapshot()
    with pytest.raises(ValidationFailed, match=message) as caught:
        topup_create(account=alice, amount=amount)
    assert caught.value.field == "amount"
    assert ledger_snapshot() == before
    assert not TopUp.objects.exists()


def test_the_largest_top_up_is_accepted(alice):
    fund(alice, "50000.00")
    assert wallet_balance(account=alice) == 5_000_000


def test_a_foreign_currency_is_refused(alice):
    with pytest.raises(WalletError, match="holds CNY only"):
        topup_create(account=alice, amount="1.00", currency="USD")


def test_a_provider_that_cannot_be_reached_charges_nothing(alice, later_bank):
    later_bank.fail_with = ConnectionError("down")
    with pytest.raises(WalletError, match="could not be reached; nothing was charged"):
        topup_create(account=alice, amount="10.00", provider="laterbank")
    assert TopUp.objects.get().state == "failed"
    assert wallet_balance(account=alice) == 0


def test_a_declined_top_up_moves_nothing(alice, later_bank):
    later_bank.topup_answer = "failed"
    topup = topup_create(account=alice, amount="10.00", provider="laterbank")
    assert (topup.state, topup.failure_reason) == ("failed", "declined")
    assert not LedgerTransaction.objects.exists()


# --- The provider callback -----------------------------------------------------------------


@pytest.fixture
def pending_topup(alice, later_bank):
    topup = topup_create(account=alice, amount="88.00", provider="laterbank")
    assert topup.state == "pending"
    assert topup.next_url == "https://bank.invalid/approve"
    assert wallet_balance(account=alice) == 0
    return topup


def succeeded(topup, **changes) -> dict:
    return {
        "object": "topup",
        "id": str(topup.pk),
        "status": "succeeded",
        "amount": "88.00",
        "currency": "CNY",
        "reference": "LB-REF-1",
        **changes,
    }


def test_a_signed_callback_confirms_a_pending_top_up_exactly_once(alice, pending_topup):
    topup = provider_callback(**callback_args(succeeded(pending_topup)))
    assert topup.state == "confirmed"
    assert topup.provider_reference == "LB-REF-1"
    assert wallet_balance(account=alice) == 8_800
    # The provider retries (a new nonce, freshly signed): answered, nothing moves again.
    again = provider_callback(**callback_args(succeeded(pending_topup)))
    assert again.state == "confirmed"
    assert wallet_balance(account=alice) == 8_800
    assert LedgerTransaction.objects.filter(kind="topup").count() == 1


def test_a_replayed_callback_is_refused(alice, pending_topup):
    args = callback_args(succeeded(pending_topup), nonce="once-only")
    provider_callback(**args)
    with pytest.raises(CallbackRejected, match="already received"):
        provider_callback(**args)
    assert wallet_balance(account=alice) == 8_800


def test_a_forged_callback_is_refused_and_moves_nothing(alice, pending_topup):
    with pytest.raises(CallbackRejected, match="signature is wrong"):
        provider_callback(**callback_args(succeeded(pending_topup), secret="guessed"))
    args = callback_args(succeeded(pending_topup))
    tampered = json.dumps(succeeded(pending_topup, amount="8800.00")).encode()
    with pytest.raises(CallbackRejected, match="signature is wrong"):
        provider_callback(**{**args, "body": tampered})
    with pytest.raises(CallbackRejected, match="signature is wrong"):
        provider_callback(**{**args, "signature": ""})
    assert TopUp.objects.get().state == "pending"
    assert wallet_balance(account=alice) == 0


def test_a_stale_or_future_callback_is_refused(alice, pending_topup):
    # The clock stands still, so "299 seconds ago" stays so however slow the machine is.
    with time_machine.travel(dt.datetime.now(tz=dt.UTC), tick=False):
        now = int(time.time())
        for sent_at in (now - 301, now + 301):
            with pytest.raises(CallbackRejected, match="too old"):
                provider_callback(**callback_args(succeeded(pending_topup), timestamp=sent_at))
        assert wallet_balance(account=alice) == 0
        provider_callback(**callback_args(succeeded(pending_topup), timestamp=now - 299))
    assert wallet_balance(account=alice) == 8_800


def test_a_callback_held_back_five_minutes_is_refused(alice, pending_topup):
    args = callback_args(succeeded(pending_topup))
    later = dt.datetime.now(tz=dt.UTC) + dt.timedelta(minutes=6)
    with time_machine.travel(later), pytest.raises(CallbackRejected, match="too old"):
        provider_callback(**args)
    assert wallet_balance(account=alice) == 0


def test_a_callback_with_another_amount_is_refused(alice, pending_topup):
    with pytest.raises(CallbackRejected, match=r"we expected ¥88\.00"):
        provider_callback(**callback_args(succeeded(pending_topup, amount="880.00")))
    with pytest.raises(CallbackRejected, match="we expected"):
        provider_callback(**callback_args(succeeded(pending_topup, currency="USD")))
    with pytest.raises(CallbackRejected, match="not an amount"):
        provider_callback(**callback_args(succeeded(pending_topup, amount="lots")))
    assert wallet_balance(account=alice) == 0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"not json", "not JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"object": "order", "id": "1", "status": "succeeded"}', "no top-up"),
        (b'{"object": "topup", "id": "x", "status": "succeeded"}', "no top-up"),
        (b'{"object": "topup", "id": "1", "status": "maybe"}', "succeeded or failed"),
    ],
)
def test_a_malformed_callback_body_is_refused(alice, pending_topup, body, message):
    args = callback_args({})

    args["body"] = body
    args["signature"] = sign(
        secret=settings.PAYMENT_CALLBACK_SECRET,
        timestamp=args["timestamp"],
        nonce=args["nonce"],
        body=body,
    )
    with pytest.raises(CallbackRejected, match=message):
        provider_callback(**args)
    assert TopUp.objects.get().state == "pending"


def test_a_callback_for_an_unknown_provider_or_top_up_is_refused(alice, pending_topup):
    with pytest.raises(CallbackRejected, match="Unknown payment provider"):
        provider_callback(**callback_args(succeeded(pending_topup), provider="nosuchbank"))
    # The simulated bank did not start this top-up: it cannot confirm it.
    with pytest.raises(NotFound):
        provider_callback(**callback_args(succeeded(pending_topup), provider="simulated"))
    with pytest.raises(NotFound):
        provider_callback(**callback_args(succeeded(pending_topup, id="12345")))
    assert wallet_balance(account=alice) == 0


def test_a_failed_callback_ends_the_top_up_and_a_late_success_is_refused(alice, pending_topup):
    failed = succeeded(pending_topup, status="failed", reason="card declined")
    topup = provider_callback(**callback_args(failed))
    assert (topup.state, topup.failure_reason) == ("failed", "card declined")
    with pytest.raises(WalletError, match="from failed to confirmed"):
        provider_callback(**callback_args(succeeded(pending_topup)))
    assert wallet_balance(account=alice) == 0


def test_old_nonces_are_purged(alice, pending_topup):
    provider_callback(**callback_args(succeeded(pending_topup)))
    assert provider_nonces_purge() == 0
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(hours=2)):
        assert provider_nonces_purge() == 1


# --- Withdrawals -------------------------------------------------------------------------


def test_a_withdrawal_needs_the_pin_and_moves_money_out(with_pin):
    fund(with_pin, "100.00")
    withdrawal = withdrawal_create(account=with_pin, amount="30.00", pin="258036")
    assert withdrawal.state == "completed"
    assert withdrawal.provider_reference == f"SIM-W{withdrawal.pk}"
    assert wallet_balance(account=with_pin) == 7_000
    kinds = [e.transaction.kind for e in wallet_statement(account=with_pin)]
    assert kinds == ["withdrawal", "topup"]


def test_a_withdrawal_with_a_wrong_pin_moves_nothing(with_pin):
    fund(with_pin, "100.00")
    before = ledger_snapshot()
    with pytest.raises(PinWrong):
        withdrawal_create(account=with_pin, amount="30.00", pin="000000")
    assert ledger_snapshot() == before
    assert not Withdrawal.objects.exists()


def test_withdrawing_more_than_the_balance_is_refused_and_moves_nothing(with_pin):
    fund(with_pin, "10.00")
    before = ledger_snapshot()
    with pytest.raises(InsufficientFunds, match=r"¥10\.00; this needs ¥30\.00 \(¥20\.00 more\)"):
        withdrawal_create(account=with_pin, amount="30.00", pin="258036")
    assert ledger_snapshot() == before
    assert not Withdrawal.objects.exists()


@pytest.mark.parametrize("amount", ["0", "-1", "0.001", "1000000.01"])
def test_bad_withdrawal_amounts_are_refused_before_the_pin_is_tried(with_pin, amount):
    with pytest.raises(ValidationFailed) as caught:
        withdrawal_create(account=with_pin, amount=amount, pin="000000")
    assert caught.value.field == "amount"
    assert with_pin.payment_pin.failed_attempts == 0
    assert not Withdrawal.objects.exists()


def test_a_failed_payout_returns_the_money(with_pin, later_bank):
    fund(with_pin, "100.00")
    later_bank.withdrawal_answer = "failed"
    withdrawal = withdrawal_create(
        account=with_pin, amount="40.00", pin="258036", provider="laterbank"
    )
    assert (withdrawal.state, withdrawal.failure_reason) == ("failed", "account closed")
    assert wallet_balance(account=with_pin) == 10_000
    kinds = [e.transaction.kind for e in wallet_statement(account=with_pin)]
    assert kinds == ["withdrawal_reversal", "withdrawal", "topup"]


def test_a_pending_payout_is_settled_by_the_callback(with_pin, later_bank):
    fund(with_pin, "100.00")
    withdrawal = withdrawal_create(
        account=with_pin, amount="40.00", pin="258036", provider="laterbank"
    )
    assert withdrawal.state == "processing"
    assert wallet_balance(account=with_pin) == 6_000
    payload = {
        "object": "withdrawal",
        "id": str(withdrawal.pk),
        "status": "succeeded",
        "amount": "40.00",
    }
    assert provider_callback(**callback_args(payload)).state == "completed"
    assert wallet_balance(account=with_pin) == 6_000


def test_a_payout_whose_provider_broke_stays_processing_with_the_money_out(with_pin, later_bank):
    fund(with_pin, "100.00")
    later_bank.fail_with = TimeoutError("no answer")
    withdrawal = withdrawal_create(
        account=with_pin, amount="40.00", pin="258036", provider="laterbank"
    )
    assert withdrawal.state == "processing"
    assert wallet_balance(account=with_pin) == 6_000
    payload = {"object": "withdrawal", "id": str(withdrawal.pk), "status": "failed", "amount": "40"}
    assert provider_callback(**callback_args(payload)).state == "failed"
    assert wallet_balance(account=with_pin) == 10_000
