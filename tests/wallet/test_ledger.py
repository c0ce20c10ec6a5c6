"""The ledger: one transfer() for every movement, double entry, conditional debits,
append-only rows, and the escrow movements orders rely on."""

import pytest
from django.db import IntegrityError, transaction

from storefeed.wallet.errors import InsufficientFunds, WalletError
from storefeed.wallet.invariants import ledger_problems
from storefeed.wallet.ledger import system_account, transfer, wallet_account
from storefeed.wallet.models import AccountKind, Entry, LedgerAccount, LedgerTransaction
from storefeed.wallet.selectors import escrow_held, wallet_balance
from storefeed.wallet.services import (
    escrow_hold,
    escrow_refund,
    escrow_release,
    wallet_refund_from_seller,
)
from tests.wallet.conftest import fund, ledger_snapshot

ORDER = ("order", 101)


def test_a_transfer_writes_entries_that_sum_to_zero(alice):
    with transaction.atomic():
        record = transfer(
            legs=[
                (system_account(AccountKind.EXTERNAL), -500),
                (wallet_account(owner_id=alice.pk), 500),
            ],
            kind="topup",
            ref=("topup", 7),
            memo="test",
        )
    entries = list(record.entries.order_by("amount").values_list("amount", "currency"))
    assert entries == [(-500, "CNY"), (500, "CNY")]
    assert (record.ref_type, record.ref_id) == ("topup", "7")
    assert wallet_balance(account=alice) == 500
    assert system_account(AccountKind.EXTERNAL).balance == -500  # the outside world owes


@pytest.mark.parametrize(
    ("amounts", "problem"),
    [
        ([-500, 400], "sum to zero"),
        ([500], "at least two legs"),
        ([0, 0], "non-zero"),
        ([-1.5, 1.5], "non-zero integers"),
        ([True, -1], "non-zero integers"),
    ],
)
def test_a_transfer_that_does_not_balance_is_refused_and_moves_nothing(alice, amounts, problem):
    accounts = [system_account(AccountKind.EXTERNAL), wallet_account(owner_id=alice.pk)]
    before = ledger_snapshot()
    with pytest.raises(ValueError, match=problem), transaction.atomic():
        transfer(legs=list(zip(accounts, amounts, strict=False)), kind="topup")
    assert ledger_snapshot() == before
    assert LedgerTransaction.objects.count() == 0


def test_a_transfer_refuses_the_same_account_twice_and_foreign_currency(alice):
    wallet = wallet_account(owner_id=alice.pk)
    with pytest.raises(ValueError, match="own saved account"), transaction.atomic():
        transfer(legs=[(wallet, -1), (wallet, 1)], kind="topup")
    usd = LedgerAccount.objects.create(kind=AccountKind.EXTERNAL, currency="USD")
    with pytest.raises(ValueError, match="holds USD"), transaction.atomic():
        transfer(legs=[(usd, -1), (wallet, 1)], kind="topup")
    assert Entry.objects.count() == 0


def test_a_transfer_only_runs_inside_a_transaction(alice):
    legs = [(system_account(AccountKind.EXTERNAL), -1), (wallet_account(owner_id=alice.pk), 1)]
    connection = transaction.get_connection()
    # pytest-django wraps the test in a transaction; step outside it for this one check.
    connection.in_atomic_block, saved = False, connection.in_atomic_block
    try:
        with pytest.raises(RuntimeError, match="inside the caller's transaction"):
            transfer(legs=legs, kind="topup")
    finally:
        connection.in_atomic_block = saved


def test_ledger_rows_are_append_only(alice):
    fund(alice, "10.00")
    entry = Entry.objects.first()
    record = LedgerTransaction.objects.first()
    with pytest.raises(TypeError, match="append-only"):
        Entry.objects.update(amount=1)
    with pytest.raises(TypeError, match="append-only"):
        Entry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(TypeError, match="append-only"):
        LedgerTransaction.objects.all().delete()
    entry.amount = 999_999
    with pytest.raises(TypeError, match="append-only"):
        entry.save()
    with pytest.raises(TypeError, match="append-only"):
        record.delete()
    assert Entry.objects.filter(amount=999_999).count() == 0


def test_the_database_refuses_a_negative_wallet_even_past_the_services(alice):
    wallet = wallet_account(owner_id=alice.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerAccount.objects.filter(pk=wallet.pk).update(balance=-1)


def test_the_invariant_check_notices_a_balance_that_drifted(alice):
    fund(alice, "10.00")
    wallet = wallet_account(owner_id=alice.pk)
    LedgerAccount.objects.filter(pk=wallet.pk).update(balance=999)
    assert ledger_problems() == [f"account {wallet.pk} has balance 999 but its entries sum to 1000"]
    LedgerAccount.objects.filter(pk=wallet.pk).update(balance=1000)


def test_escrow_hold_moves_the_buyer_money_to_escrow(alice):
    fund(alice, "100.00")
    escrow_hold(buyer=alice, amount=8_000, ref=ORDER)
    assert wallet_balance(account=alice) == 2_000
    assert escrow_held(ref=ORDER) == 8_000
    record = LedgerTransaction.objects.get(ref_type="order", ref_id="101")
    assert record.kind == "payment"


def test_paying_with_too_little_money_is_refused_clearly_and_moves_nothing(alice):
    fund(alice, "50.00")
    before = ledger_snapshot()
    with pytest.raises(InsufficientFunds) as caught:
        escrow_hold(buyer=alice, amount=8_000, ref=ORDER)
    error = caught.value
    assert error.message == (
        "Your Storefeed Pay balance is ¥50.00; this needs ¥80.00 (¥30.00 more). "
        "Top up and try again."
    )
    assert error.details["balance"] == 5_000
    assert error.details["shortfall"] == 3_000
    assert error.http_status == 422
    assert ledger_snapshot() == before
    assert not LedgerTransaction.objects.filter(ref_type="order").exists()


def test_a_buyer_with_no_wallet_yet_is_refused_with_a_zero_balance(bob):
    with pytest.raises(InsufficientFunds) as caught:
        escrow_hold(buyer=bob, amount=1, ref=ORDER)
    assert caught.value.details["balance"] == 0
    assert caught.value.details["shortfall"] == 1


def test_a_refused_debit_undoes_earlier_legs_even_when_the_caller_catches_it(alice, bob):
    """The seller's wallet (credited first, lower id) must not keep money the buyer never
    paid, even if the caller swallows the refusal and commits."""
    seller_wallet = wallet_account(owner_id=alice.pk)
    buyer_wallet = wallet_account(owner_id=bob.pk)
    assert seller_wallet.pk < buyer_wallet.pk
    with transaction.atomic(), pytest.raises(InsufficientFunds):
        transfer(legs=[(seller_wallet, 300), (buyer_wallet, -300)], kind="payment")
    assert wallet_balance(account=alice) == 0
    assert Entry.objects.count() == 0


def test_release_pays_the_seller_minus_the_platform_fee(alice, bob):
    fund(alice, "100.00")
    escrow_hold(buyer=alice, amount=10_000, ref=ORDER)
    record = escrow_release(seller=bob, amount=10_000, fee=500, ref=ORDER)
    assert record.kind == "release"
    assert wallet_balance(account=bob) == 9_500
    assert system_account(AccountKind.PLATFORM_FEES).balance == 500
    assert escrow_held(ref=ORDER) == 0
    assert system_account(AccountKind.ESCROW).balance == 0


def test_release_without_fee_has_no_fee_leg(alice, bob):
    fund(alice, "10.00")
    escrow_hold(buyer=alice, amount=1_000, ref=ORDER)
    record = escrow_release(seller=bob, amount=1_000, ref=ORDER)
    assert record.entries.count() == 2
    assert wallet_balance(account=bob) == 1_000


def test_releasing_more_than_escrow_holds_for_the_order_is_refused(alice, bob, carol):
    fund(alice, "100.00")
    fund(carol, "100.00")
    escrow_hold(buyer=alice, amount=1_000, ref=ORDER)
    # Escrow as a whole holds enough (another order's money), but not for this order.
    escrow_hold(buyer=carol, amount=5_000, ref=("order", 202))
    before = ledger_snapshot()
    with pytest.raises(WalletError, match=r"Escrow holds only ¥10\.00"):
        escrow_release(seller=bob, amount=2_000, ref=ORDER)
    assert ledger_snapshot() == before
    escrow_release(seller=bob, amount=1_000, ref=ORDER)
    with pytest.raises(WalletError, match=r"Escrow holds only ¥0\.00"):
        escrow_release(seller=bob, amount=1_000, ref=ORDER)  # released twice
    assert wallet_balance(account=bob) == 1_000


def test_refund_from_escrow_returns_the_money_to_the_buyer(alice):
    fund(alice, "100.00")
    escrow_hold(buyer=alice, amount=3_000, ref=ORDER)
    escrow_refund(buyer=alice, amount=3_000, ref=ORDER)
    assert wallet_balance(account=alice) == 10_000
    with pytest.raises(WalletError):
        escrow_refund(buyer=alice, amount=3_000, ref=ORDER)  # refunded twice
    assert wallet_balance(account=alice) == 10_000


def test_refund_after_release_comes_from_the_seller_wallet(alice, bob):
    fund(alice, "100.00")
    escrow_hold(buyer=alice, amount=4_000, ref=ORDER)
    escrow_release(seller=bob, amount=4_000, ref=ORDER)
    wallet_refund_from_seller(seller=bob, buyer=alice, amount=4_000, ref=ORDER)
    assert wallet_balance(account=alice) == 10_000
    assert wallet_balance(account=bob) == 0
    before = ledger_snapshot()
    with pytest.raises(InsufficientFunds):
        wallet_refund_from_seller(seller=bob, buyer=alice, amount=1, ref=ORDER)
    assert ledger_snapshot() == before


@pytest.mark.parametrize("amount", [0, -5, 1.0, True, None])
def test_escrow_helpers_refuse_amounts_that_are_not_positive_fen(alice, bob, amount):
    with pytest.raises(ValueError, match="positive integer of fen"):
        escrow_hold(buyer=alice, amount=amount, ref=ORDER)
    with pytest.raises(ValueError, match="positive integer of fen"):
        escrow_release(seller=bob, amount=amount, ref=ORDER)
    assert Entry.objects.count() == 0


def test_release_refuses_a_fee_above_the_amount(bob):
    with pytest.raises(ValueError, match="fee"):
        escrow_release(seller=bob, amount=100, fee=101, ref=ORDER)
