"""Reads of Storefeed Pay: balance, overview, statement, top-ups and withdrawals."""

from dataclasses import dataclass

from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from storefeed.accounts.models import User
from storefeed.core.errors import NotFound
from storefeed.core.money import DEFAULT_CURRENCY
from storefeed.core.parse import lookup_id
from storefeed.wallet.ledger import Ref
from storefeed.wallet.models import AccountKind, Entry, LedgerAccount, PaymentPin, TopUp, Withdrawal

__all__ = [
    "WalletOverview",
    "escrow_held",
    "topup_for_account",
    "topups_for",
    "wallet_balance",
    "wallet_overview",
    "wallet_statement",
    "withdrawal_for_account",
    "withdrawals_for",
]

STATEMENT_MAX_LIMIT = 100


@dataclass(frozen=True)
class WalletOverview:
    balance: int  # fen
    currency: str
    pin_set: bool
    pin_locked_until: object  # datetime | None: when paying opens again after a lockout


def wallet_balance(*, account: User, currency: str = DEFAULT_CURRENCY) -> int:
    """The wallet's balance in fen (0 for a wallet never used)."""
    balance = (
        LedgerAccount.objects.filter(kind=AccountKind.USER_WALLET, owner=account, currency=currency)
        .values_list("balance", flat=True)
        .first()
    )
    return int(balance or 0)


def wallet_overview(*, account: User, currency: str = DEFAULT_CURRENCY) -> WalletOverview:
    pin = PaymentPin.objects.filter(account=account).only("locked_until").first()
    locked_until = pin.locked_until if pin else None
    if locked_until is not None and locked_until <= timezone.now():
        locked_until = None
    return WalletOverview(
        balance=wallet_balance(account=account, currency=currency),
        currency=currency,
        pin_set=pin is not None,
        pin_locked_until=locked_until,
    )


def wallet_statement(
    *,
    account: User,
    currency: str = DEFAULT_CURRENCY,
    max_id: int | str | None = None,
    limit: int = 20,
) -> list[Entry]:
    """The wallet's entries, newest first, each with its transaction (kind, ref_type,
    ref_id, memo) loaded; page with `max_id` (the last id of the previous page)."""
    limit = max(1, min(int(limit), STATEMENT_MAX_LIMIT))
    entries = Entry.objects.filter(
        account__kind=AccountKind.USER_WALLET, account__owner=account, currency=currency
    )
    if max_id is not None:
        try:
            entries = entries.filter(pk__lt=int(max_id))
        except (TypeError, ValueError):
            return []
    return list(entries.select_related("transaction").order_by("-pk")[:limit])


def topups_for(*, account: User, limit: int = 20) -> QuerySet[TopUp]:
    return TopUp.objects.filter(account=account).order_by("-pk")[: max(1, min(limit, 100))]


def withdrawals_for(*, account: User, limit: int = 20) -> QuerySet[Withdrawal]:
    return Withdrawal.objects.filter(account=account).order_by("-pk")[: max(1, min(limit, 100))]


def topup_for_account(*, account: User, topup_id: int | str) -> TopUp:
    """One of the account's own top-ups; NotFound for anyone else's."""
    try:
        return TopUp.objects.get(pk=lookup_id(topup_id), account=account)
    except (TypeError, ValueError, TopUp.DoesNotExist):
        raise NotFound(_("This top-up does not exist.")) from None


def withdrawal_for_account(*, account: User, withdrawal_id: int | str) -> Withdrawal:
    try:
        return Withdrawal.objects.get(pk=lookup_id(withdrawal_id), account=account)
    except (TypeError, ValueError, Withdrawal.DoesNotExist):
        raise NotFound(_("This withdrawal does not exist.")) from None


def escrow_held(*, ref: Ref, currency: str = DEFAULT_CURRENCY) -> int:
    """What escrow still holds for `ref` (paid in minus released and refunded)."""
    total = Entry.objects.filter(
        account__kind=AccountKind.ESCROW,
        currency=currency,
        transaction__ref_type=ref[0],
        transaction__ref_id=str(ref[1]),
    ).aggregate(total=Sum("amount"))["total"]
    return int(total or 0)
