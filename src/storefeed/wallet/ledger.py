"""The double-entry ledger: `transfer()` is the one function that moves money.

Every movement is one LedgerTransaction whose entries sum to zero. Balances live in the
account rows and move by UPDATEs issued in account-id order (the fixed lock order); a debit
of any account but the external one is conditional (`... WHERE balance >= x`) and its row
count decides whether the money was there. Nothing is ever read, compared and written back
in Python.
"""

from collections.abc import Callable, Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from storefeed.core import sql
from storefeed.core.money import DEFAULT_CURRENCY, display
from storefeed.wallet.errors import InsufficientFunds, WalletError
from storefeed.wallet.models import (
    AccountKind,
    Entry,
    LedgerAccount,
    LedgerTransaction,
)

Leg = tuple[LedgerAccount, int]
# What a transaction belongs to, as (ref_type, ref_id): ("order", 123), ("topup", 456).
Ref = tuple[str, int | str]

SUPPORTED_CURRENCIES = frozenset({DEFAULT_CURRENCY})


def wallet_account(*, owner_id: int, currency: str = DEFAULT_CURRENCY) -> LedgerAccount:
    """The user's wallet account, made on first use."""
    account, _created = LedgerAccount.objects.get_or_create(
        kind=AccountKind.USER_WALLET, owner_id=owner_id, currency=currency
    )
    return account


def system_account(kind: str, currency: str = DEFAULT_CURRENCY) -> LedgerAccount:
    """The single escrow, platform-fees or external account of a currency."""
    if kind == AccountKind.USER_WALLET:
        raise ValueError("user wallets have an owner: use wallet_account()")
    account, _created = LedgerAccount.objects.get_or_create(
        kind=kind, owner=None, currency=currency
    )
    return account


def wallet_and_system_account(
    *, owner_id: int, kind: str, currency: str = DEFAULT_CURRENCY
) -> tuple[LedgerAccount, LedgerAccount]:
    """The user's wallet and a system account in one query (each made on first use)."""
    rows = sql.rows(
        f"SELECT {sql.columns(LedgerAccount, 'a')} FROM {sql.table(LedgerAccount)} a "  # noqa: S608
        "WHERE a.currency = %s AND ((a.kind = %s AND a.owner_id = %s) "
        "OR (a.kind = %s AND a.owner_id IS NULL))",
        [currency, AccountKind.USER_WALLET, owner_id, kind],
    )
    found = {(a.kind, a.owner_id): a for a in (sql.instance(LedgerAccount, r) for r in rows)}
    wallet = found.get((AccountKind.USER_WALLET, owner_id)) or wallet_account(
        owner_id=owner_id, currency=currency
    )
    return wallet, found.get((kind, None)) or system_account(kind, currency)


def _check_legs(legs: Sequence[Leg], currency: str) -> None:
    if len(legs) < 2:
        raise ValueError("a transfer needs at least two legs")
    seen: set[int] = set()
    for account, amount in legs:
        if isinstance(amount, bool) or not isinstance(amount, int) or amount == 0:
            raise ValueError(f"leg amounts are non-zero integers of fen, not {amount!r}")
        if account.pk is None or account.pk in seen:
            raise ValueError("each leg needs its own saved account")
        if account.currency != currency:
            raise ValueError(f"account {account.pk} holds {account.currency}, not {currency}")
        seen.add(account.pk)
    if sum(amount for _account, amount in legs) != 0:
        raise ValueError("the legs of a transfer must sum to zero")


def _refusal(account: LedgerAccount, needed: int) -> WalletError:
    balance = (
        LedgerAccount.objects.filter(pk=account.pk).values_list("balance", flat=True).first() or 0
    )
    shortfall = max(needed - balance, 0)
    if account.kind == AccountKind.USER_WALLET:
        return InsufficientFunds(
            _(
                "Your Storefeed Pay balance is %(balance)s; this needs %(needed)s "
                "(%(shortfall)s more). Top up and try again."
            )
            % {
                "balance": display(balance, account.currency),
                "needed": display(needed, account.currency),
                "shortfall": display(shortfall, account.currency),
            },
            field="amount",
            balance=balance,
            needed=needed,
            shortfall=shortfall,
            currency=account.currency,
        )
    # A system account short of money means a caller asked for more than was put in.
    return WalletError(
        _("The %(account)s account holds too little for this movement.")
        % {"account": account.get_kind_display()},
        balance=balance,
        needed=needed,
    )


def transfer(
    *,
    legs: Sequence[Leg],
    kind: str,
    ref: Ref | None = None,
    memo: str = "",
    currency: str = DEFAULT_CURRENCY,
    first: Sequence[sql.Statement] = (),
    check_first: Callable[[list[int]], None] | None = None,
    savepoint: bool = True,
    commit: bool = False,
) -> LedgerTransaction:
    """Move money: one transaction, one entry per leg (credit > 0, debit < 0), summing to
    zero. Runs inside the caller's transaction (it refuses to run outside one) and in a
    savepoint of its own, so a refused debit (InsufficientFunds) undoes this transfer's
    earlier legs even if the caller catches the error. `savepoint=False` saves two
    statements for a caller that never catches: a refusal then marks the caller's whole
    transaction for rollback, so no leg of it can commit either.

    The rows are inserted first and the balances updated last, so the account rows (escrow
    is one row per currency, updated by every payment) stay locked only from their UPDATE to
    the caller's commit. `first` are statements of the caller's that run between the two: a
    caller that must lock rows of its own first (stock, in the one lock order) does it there,
    as late as it can, and `check_first` judges their row counts (raising to refuse) before
    the debits are judged. All of it is one `sql.batch`: one round trip on PostgreSQL.
    `commit=True` (with `savepoint=False`): these are the caller's last writes, and on
    PostgreSQL the COMMIT goes in the same round trip (`sql.batch`), so the balances' rows are
    unlocked as soon as they are written."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("transfer() runs inside the caller's transaction")
    _check_legs(legs, currency)
    ref_type, ref_id = (ref[0], str(ref[1])) if ref else ("", "")
    with transaction.atomic(savepoint=savepoint):
        record = LedgerTransaction(
            kind=kind, currency=currency, ref_type=ref_type, ref_id=ref_id, memo=memo[:200]
        )
        entries = [
            Entry(transaction=record, account=account, amount=amount, currency=currency)
            for account, amount in legs
        ]
        # Id order is the one lock order of the ledger: two transfers touching the same
        # accounts queue up instead of deadlocking.
        ordered = sorted(legs, key=lambda leg: leg[0].pk)
        counts = sql.batch(
            [
                sql.insert_statement([record]),
                sql.insert_statement(entries),
                *first,
                *(_balance_statement(account, amount) for account, amount in ordered),
            ],
            commit=commit,
        )
        if check_first is not None:
            check_first(counts[2 : 2 + len(first)])
        for (account, amount), updated in zip(ordered, counts[2 + len(first) :], strict=True):
            if updated != 1:
                raise _refusal(account, -amount)
    return record


def _balance_statement(account: LedgerAccount, amount: int) -> sql.Statement:
    """The balance moves by `amount`; a debit of any account but external only if the money
    is there (the row count says)."""
    text = f"UPDATE {sql.table(LedgerAccount)} SET balance = balance + %s WHERE id = %s"  # noqa: S608
    if amount < 0 and account.kind != AccountKind.EXTERNAL:
        return text + " AND balance >= %s", [amount, account.pk, -amount]
    return text, [amount, account.pk]
