"""Writes of Storefeed Pay: the payment PIN, top-ups and withdrawals through a payment
provider, provider callbacks, and the escrow movements that orders use.

Two kinds of functions live here:
- requests from people (`pin_set`, `topup_create`, `withdrawal_create`, `provider_callback`,
  ...) open their own durable transactions and never hold one across a provider call;
- ledger helpers for orders (`escrow_hold`, `escrow_release`, `escrow_refund`,
  `wallet_refund_from_seller`) run inside the caller's transaction, so the order's state
  and the money move together or not at all.

`pin_verify` commits its counter on its own: call it *before* opening the paying
transaction (it is durable, so Django refuses to run it inside one), so that a wrong PIN
is counted even though the request is refused. `pin_check` is its form for a service that
pays in one transaction: it returns the refusal, to be raised once the count has committed.
"""

import datetime as dt
import json
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from storefeed.accounts import throttle
from storefeed.accounts.models import User
from storefeed.core import sql
from storefeed.core.errors import Conflict, NotFound, ValidationFailed
from storefeed.core.money import DEFAULT_CURRENCY, MAX_AMOUNT_MINOR, display, parse_amount
from storefeed.core.parse import id_or_none
from storefeed.wallet.errors import (
    CallbackRejected,
    PinLocked,
    PinNotSet,
    PinResetNeeded,
    PinWrong,
    WalletError,
)
from storefeed.wallet.idempotency import bind_outcome
from storefeed.wallet.ledger import (
    SUPPORTED_CURRENCIES,
    Ref,
    system_account,
    transfer,
    wallet_account,
    wallet_and_system_account,
)
from storefeed.wallet.models import (
    AccountKind,
    LedgerTransaction,
    PaymentPin,
    ProviderNonce,
    TopUp,
    TransactionKind,
    Withdrawal,
)
from storefeed.wallet.pins import PinMatch, pin_encode, pin_match
from storefeed.wallet.providers import ProviderOutcome, get_provider
from storefeed.wallet.providers.signing import MAX_AGE_SECONDS, signature_valid
from storefeed.wallet.selectors import escrow_held
from storefeed.wallet.states import TOPUP_TRANSITIONS, WITHDRAWAL_TRANSITIONS, transition

log = logging.getLogger(__name__)

PIN_PATTERN = re.compile(r"[0-9]{6}")
PIN_MAX_TRIES = 5
PIN_LOCK = dt.timedelta(minutes=15)
# ¥50,000.00 per top-up unless settings.WALLET_TOPUP_MAX (fen) says otherwise.
TOPUP_MAX_DEFAULT = 5_000_000


def topup_max() -> int:
    return int(getattr(settings, "WALLET_TOPUP_MAX", TOPUP_MAX_DEFAULT))


def withdrawal_max() -> int:
    return int(getattr(settings, "WALLET_WITHDRAWAL_MAX", MAX_AMOUNT_MINOR))


def _check_currency(currency: str) -> None:
    if currency not in SUPPORTED_CURRENCIES:
        raise WalletError(
            _("Storefeed Pay holds %(currencies)s only.")
            % {"currencies": ", ".join(sorted(SUPPORTED_CURRENCIES))},
            field="currency",
        )


# --- The payment PIN -------------------------------------------------------------------


def _clean_pin(pin: object, *, field: str = "pin") -> str:
    if not isinstance(pin, str) or not PIN_PATTERN.fullmatch(pin):
        raise ValidationFailed(_("The payment PIN is exactly 6 digits."), field=field)
    return pin


def _password_right(account: User, password: object) -> bool:
    """Counted against the account's sign-in throttle (accounts/throttle.py)."""
    return isinstance(password, str) and throttle.password_check(
        account_id=account.pk, check=lambda: account.check_password(password)
    )


def _check_sign_in_password(account: User, password: object) -> None:
    if not _password_right(account, password):
        raise ValidationFailed(_("That is not your sign-in password."), field="password")


def _check_password_counted(account: User, password: object) -> None:
    """The sign-in password as a way to change the PIN: a wrong one counts as a wrong PIN try
    (five lock paying for 15 minutes, and while locked this way is closed too), so a stolen
    token cannot guess passwords without limit and then take over payments."""
    now = timezone.now()
    refusal: Exception | None = None
    with transaction.atomic(durable=True):
        record = PaymentPin.objects.select_for_update().filter(account=account).first()
        if record is not None and record.locked_until is not None and record.locked_until > now:
            refusal = _locked(record.locked_until, field="password")
        elif not _password_right(account, password):
            refusal = ValidationFailed(_("That is not your sign-in password."), field="password")
            if record is not None:
                refusal = _count_wrong_try(record, field="password") or refusal
    if refusal is not None:
        raise refusal


def _locked(until: dt.datetime, *, field: str) -> PinLocked:
    return PinLocked(
        _("Too many wrong PINs. Paying is blocked until %(time)s.")
        % {"time": timezone.localtime(until).strftime("%H:%M")},
        field=field,
        locked_until=until.isoformat(),
    )


def _count_wrong_try(record: PaymentPin, *, field: str) -> PinLocked | None:
    """Count a wrong try on the locked `record` (saved); the fifth locks paying for PIN_LOCK
    and returns the refusal that says so."""
    record.failed_attempts += 1
    lock = None
    if record.failed_attempts >= PIN_MAX_TRIES:
        record.failed_attempts = 0
        record.locked_until = timezone.now() + PIN_LOCK
        lock = _locked(record.locked_until, field=field)
    record.save(update_fields=["failed_attempts", "locked_until"])
    return lock


def pin_set(*, account: User, pin: str, password: str) -> None:
    """Set the payment PIN once, confirming with the sign-in password. Refused: a PIN that
    is not 6 digits, a wrong password, a PIN already set (Conflict: change it instead)."""
    _clean_pin(pin)
    _check_sign_in_password(account, password)
    with transaction.atomic(durable=True):
        try:
            with transaction.atomic():
                PaymentPin.objects.create(account=account, pin_hash=pin_encode(pin))
        except IntegrityError:
            raise Conflict(
                _("Your payment PIN is already set; change it instead."), field="pin"
            ) from None


def pin_change(
    *,
    account: User,
    new_pin: str,
    old_pin: str | None = None,
    password: str | None = None,
) -> None:
    """Change the PIN with the current PIN, or with the sign-in password (the way back for
    a forgotten PIN; it also lifts a lockout). A wrong current PIN counts as a wrong try."""
    _clean_pin(new_pin, field="new_pin")
    if not password and not old_pin:
        raise ValidationFailed(
            _("Enter your current PIN or your sign-in password."), field="old_pin"
        )
    if not PaymentPin.objects.filter(account=account).exists():
        raise PinNotSet(_("Set a payment PIN first."), field="pin")
    if password:
        _check_password_counted(account, password)
    else:
        _clean_pin(old_pin, field="old_pin")
        pin_verify(account=account, pin=old_pin or "")
    with transaction.atomic(durable=True):
        PaymentPin.objects.filter(account=account).update(
            pin_hash=pin_encode(new_pin),
            failed_attempts=0,
            locked_until=None,
            changed_at=timezone.now(),
        )


def _pin_check_locked(record: PaymentPin | None, pin: str) -> tuple[Exception | None, bool]:
    """Check `pin` against the locked `record`: (the refusal or None, whether the record was
    written). A right PIN resets the count and upgrades a hash of an older kind; a wrong one
    is counted, and the fifth locks paying for PIN_LOCK."""
    now = timezone.now()
    if record is None:
        return PinNotSet(_("Set a payment PIN first."), field="pin"), False
    if record.locked_until is not None and record.locked_until > now:
        return _locked(record.locked_until, field="pin"), False
    match = pin_match(pin, record.pin_hash)
    if match is PinMatch.UNREADABLE:
        # Not counted: every PIN gets this answer, so it tells a guesser nothing.
        return PinResetNeeded(
            _("Your payment PIN has to be set again: change it with your sign-in password."),
            field="pin",
        ), False
    if match is not PinMatch.WRONG:
        fields = []
        if record.failed_attempts or record.locked_until:
            record.failed_attempts, record.locked_until = 0, None
            fields += ["failed_attempts", "locked_until"]
        if match is PinMatch.RIGHT_UPGRADE:
            record.pin_hash = pin_encode(pin)
            fields.append("pin_hash")
        if fields:
            record.save(update_fields=fields)
        return None, bool(fields)
    lock = _count_wrong_try(record, field="pin")
    if lock is not None:
        return lock, True
    tries_left = PIN_MAX_TRIES - record.failed_attempts
    return PinWrong(
        _("Wrong PIN; %(count)d tries left.") % {"count": tries_left}
        if tries_left > 1
        else _("Wrong PIN; 1 try left before paying is blocked for 15 minutes."),
        field="pin",
        tries_left=tries_left,
    ), True


def pin_verify(*, account: User, pin: str) -> None:
    """Check the PIN before paying. Refused: not 6 digits (not counted), no PIN set, locked,
    wrong (PinWrong with the tries left; the fifth wrong try locks paying for 15 minutes).
    The count is committed before the refusal is raised, so it survives it."""
    _clean_pin(pin)
    with transaction.atomic(durable=True):
        record = PaymentPin.objects.select_for_update().filter(account=account).first()
        refusal, _written = _pin_check_locked(record, pin)
    if refusal is not None:
        raise refusal


@dataclass(frozen=True)
class PinCheck:
    refusal: Exception | None  # raise it once the caller's transaction has committed
    written: bool  # the PIN's row changed (count reset, hash upgraded, try counted)


def pin_check(*, account: User, pin: str) -> PinCheck:
    """`pin_verify` inside the caller's transaction, for paying in one commit: the PIN's row
    is locked and checked, and a refusal is *returned*. The caller must then write nothing
    else, let its transaction commit (so that a wrong try stays counted) and raise the
    refusal after it. A malformed PIN is raised at once (not counted). Lock order: the PIN's
    row comes before stock and ledger rows."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("pin_check() runs inside the caller's transaction")
    _clean_pin(pin)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    rows = sql.rows(
        f"SELECT {sql.columns(PaymentPin, 'p')} FROM {sql.table(PaymentPin)} p "  # noqa: S608
        f"WHERE p.account_id = %s{lock}",
        [account.pk],
    )
    record = sql.instance(PaymentPin, rows[0]) if rows else None
    refusal, written = _pin_check_locked(record, pin)
    return PinCheck(refusal=refusal, written=written)


# --- Top-ups ---------------------------------------------------------------------------


def topup_create(
    *,
    account: User,
    amount: object,
    provider: str | None = None,
    currency: str = DEFAULT_CURRENCY,
) -> TopUp:
    """Top up the wallet through a provider. The TopUp row is committed first (pending),
    the provider is asked outside any transaction, and an immediate answer settles it (the
    simulated bank confirms at once); a `pending` answer waits for the provider's callback.
    The returned top-up carries `next_url` (where to approve it, for real providers)."""
    _check_currency(currency)
    fen = parse_amount(amount, currency=currency, maximum=topup_max())
    bank = get_provider(provider)
    with transaction.atomic(durable=True):
        topup = TopUp.objects.create(
            account=account, amount=fen, currency=currency, provider=bank.name
        )
        bind_outcome(f"topup:{topup.pk}")
    try:
        outcome = bank.start_topup(topup)
    except Exception:
        log.exception("payment provider %s failed to start top-up %s", bank.name, topup.pk)
        outcome = ProviderOutcome(state="failed", reason="provider unavailable")
        topup = _topup_settle(topup_id=topup.pk, outcome=outcome)
        raise WalletError(
            _("The bank could not be reached; nothing was charged. Try again later."),
            topup_id=str(topup.pk),
        ) from None
    if outcome.state != "pending":
        topup = _topup_settle(topup_id=topup.pk, outcome=outcome)
    elif outcome.reference:
        TopUp.objects.filter(pk=topup.pk).update(provider_reference=outcome.reference[:120])
        topup.provider_reference = outcome.reference[:120]
    topup.next_url = outcome.next_url  # type: ignore[attr-defined]
    return topup


def _topup_settle_locked(topup: TopUp, outcome: ProviderOutcome) -> TopUp:
    """Settle a locked pending top-up: confirmed moves external -> wallet, exactly once."""
    target = "confirmed" if outcome.state == "confirmed" else "failed"
    if topup.state == target:
        return topup  # a repeated confirmation: already done, nothing moves again
    now = timezone.now()
    if target == "failed":
        transition(
            topup,
            TOPUP_TRANSITIONS,
            "failed",
            failure_reason=outcome.reason[:200],
            provider_reference=outcome.reference[:120] or topup.provider_reference,
            finished_at=now,
        )
        return topup
    if topup.state != "pending":
        transition(topup, TOPUP_TRANSITIONS, "confirmed")  # refused with a clear error
    record = transfer(
        legs=[
            (system_account(AccountKind.EXTERNAL, topup.currency), -topup.amount),
            (wallet_account(owner_id=topup.account_id, currency=topup.currency), topup.amount),
        ],
        kind=TransactionKind.TOPUP,
        ref=("topup", topup.pk),
        memo=f"{topup.provider} {outcome.reference}".strip(),
        currency=topup.currency,
    )
    transition(
        topup,
        TOPUP_TRANSITIONS,
        "confirmed",
        transaction=record,
        provider_reference=outcome.reference[:120] or topup.provider_reference,
        finished_at=now,
    )
    return topup


def _topup_settle(*, topup_id: int, outcome: ProviderOutcome) -> TopUp:
    with transaction.atomic(durable=True):
        topup = TopUp.objects.select_for_update().get(pk=topup_id)
        return _topup_settle_locked(topup, outcome)


# --- Withdrawals -----------------------------------------------------------------------


def withdrawal_create(
    *,
    account: User,
    amount: object,
    pin: str,
    provider: str | None = None,
    currency: str = DEFAULT_CURRENCY,
) -> Withdrawal:
    """Withdraw to the bank: the PIN is checked (and counted), the wallet is debited to the
    external account in one transaction (InsufficientFunds and nothing moves if too little),
    then the provider is asked outside it; a failed payout returns the money."""
    _check_currency(currency)
    fen = parse_amount(amount, currency=currency, maximum=withdrawal_max())
    bank = get_provider(provider)
    pin_verify(account=account, pin=pin)
    with transaction.atomic(durable=True):
        withdrawal = Withdrawal.objects.create(
            account=account, amount=fen, currency=currency, provider=bank.name
        )
        bind_outcome(f"withdrawal:{withdrawal.pk}")
        transfer(
            legs=[
                (wallet_account(owner_id=account.pk, currency=currency), -fen),
                (system_account(AccountKind.EXTERNAL, currency), fen),
            ],
            kind=TransactionKind.WITHDRAWAL,
            ref=("withdrawal", withdrawal.pk),
            memo=bank.name,
            currency=currency,
        )
    try:
        outcome = bank.start_withdrawal(withdrawal)
    except Exception:
        # The payout may or may not have happened: the money stays out, the withdrawal stays
        # processing, and the provider's callback (or staff) settles it.
        log.exception("payment provider %s failed on withdrawal %s", bank.name, withdrawal.pk)
        return withdrawal
    if outcome.state == "pending":
        return withdrawal
    return _withdrawal_settle(withdrawal_id=withdrawal.pk, outcome=outcome)


def _withdrawal_settle_locked(withdrawal: Withdrawal, outcome: ProviderOutcome) -> Withdrawal:
    target = "completed" if outcome.state == "confirmed" else "failed"
    if withdrawal.state == target:
        return withdrawal
    now = timezone.now()
    if target == "failed" and withdrawal.state == "processing":
        transfer(
            legs=[
                (system_account(AccountKind.EXTERNAL, withdrawal.currency), -withdrawal.amount),
                (
                    wallet_account(owner_id=withdrawal.account_id, currency=withdrawal.currency),
                    withdrawal.amount,
                ),
            ],
            kind=TransactionKind.WITHDRAWAL_REVERSAL,
            ref=("withdrawal", withdrawal.pk),
            memo=outcome.reason[:200],
            currency=withdrawal.currency,
        )
    transition(
        withdrawal,
        WITHDRAWAL_TRANSITIONS,
        target,
        provider_reference=outcome.reference[:120] or withdrawal.provider_reference,
        failure_reason=outcome.reason[:200],
        finished_at=now,
    )
    return withdrawal


def _withdrawal_settle(*, withdrawal_id: int, outcome: ProviderOutcome) -> Withdrawal:
    with transaction.atomic(durable=True):
        withdrawal = Withdrawal.objects.select_for_update().get(pk=withdrawal_id)
        return _withdrawal_settle_locked(withdrawal, outcome)


# --- Provider callbacks ----------------------------------------------------------------


def _callback_payload(body: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise CallbackRejected(_("The callback body is not JSON.")) from None
    if not isinstance(payload, dict):
        raise CallbackRejected(_("The callback body is not a JSON object."))
    if payload.get("object") not in {"topup", "withdrawal"}:
        raise CallbackRejected(_("The callback names no top-up or withdrawal."))
    if payload.get("status") not in {"succeeded", "failed"}:
        raise CallbackRejected(_("The callback status must be succeeded or failed."))
    payload["id"] = id_or_none(payload.get("id"))  # core.parse: ASCII digits below 2^63
    if payload["id"] is None:
        raise CallbackRejected(_("The callback names no top-up or withdrawal."))
    return payload


def provider_callback(
    *, provider: str, body: bytes, timestamp: str, nonce: str, signature: str
) -> TopUp | Withdrawal:
    """A payment provider tells us how a top-up or withdrawal ended. The body is JSON:
    {"object": "topup" | "withdrawal", "id", "status": "succeeded" | "failed", "amount",
    "currency", "reference", "reason"}. Refused (CallbackRejected): an unknown provider, a
    bad signature, a timestamp more than 5 minutes off, a nonce seen before, an amount or
    currency that differs from ours. A repeated confirmation moves nothing again."""
    try:
        bank = get_provider(provider)
    except WalletError:
        raise CallbackRejected(_("Unknown payment provider.")) from None
    secret = settings.PAYMENT_CALLBACK_SECRET
    if not nonce or len(nonce) > 100:
        raise CallbackRejected(_("The callback has no usable nonce."))
    if not signature_valid(
        secret=secret, timestamp=timestamp, nonce=nonce, body=body, signature=signature
    ):
        raise CallbackRejected(_("The callback signature is wrong."))
    try:
        sent_at = int(timestamp)
    except (TypeError, ValueError):
        raise CallbackRejected(_("The callback timestamp is not a number.")) from None
    if abs(timezone.now().timestamp() - sent_at) > MAX_AGE_SECONDS:
        raise CallbackRejected(_("The callback is too old (or from the future)."))
    payload = _callback_payload(body)
    outcome = ProviderOutcome(
        state="confirmed" if payload["status"] == "succeeded" else "failed",
        reference=str(payload.get("reference") or "")[:120],
        reason=str(payload.get("reason") or "")[:200],
    )
    model: type[TopUp] | type[Withdrawal] = TopUp if payload["object"] == "topup" else Withdrawal
    with transaction.atomic(durable=True):
        try:
            with transaction.atomic():
                ProviderNonce.objects.create(provider=bank.name, nonce=nonce)
        except IntegrityError:
            raise CallbackRejected(_("This callback was already received (replayed).")) from None
        row = model.objects.select_for_update().filter(pk=payload["id"], provider=bank.name).first()
        if row is None:
            raise NotFound(_("No such top-up or withdrawal for this provider."))
        try:
            amount = parse_amount(payload.get("amount"), currency=row.currency)
        except ValidationFailed:
            raise CallbackRejected(_("The callback amount is not an amount.")) from None
        if amount != row.amount or payload.get("currency", row.currency) != row.currency:
            raise CallbackRejected(
                _("The callback says %(theirs)s; we expected %(ours)s.")
                % {
                    "theirs": f"{payload.get('amount')} {payload.get('currency', '')}".strip(),
                    "ours": display(row.amount, row.currency),
                }
            )
        if isinstance(row, TopUp):
            return _topup_settle_locked(row, outcome)
        return _withdrawal_settle_locked(row, outcome)


def provider_nonces_purge(*, older_than: dt.timedelta = dt.timedelta(hours=1)) -> int:
    """Forget old nonces: a callback older than 5 minutes is refused on its timestamp."""
    with transaction.atomic(durable=True):
        deleted, _rows = ProviderNonce.objects.filter(
            created_at__lt=timezone.now() - max(older_than, dt.timedelta(seconds=MAX_AGE_SECONDS))
        ).delete()
        return deleted


# --- Escrow, for orders (inside the caller's transaction) -----------------------------------


def _positive_fen(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{name} is a positive integer of fen, not {value!r}")
    return value


def _check_escrow_covers(ref: Ref, currency: str, amount: int) -> None:
    # Runs after the escrow row was updated (and so locked) by this transaction: a second
    # release for the same ref waits for ours and then sees it.
    held_after = escrow_held(ref=ref, currency=currency)
    if held_after < 0:
        raise WalletError(
            _("Escrow holds only %(held)s for this; %(amount)s cannot leave it.")
            % {
                "held": display(held_after + amount, currency),
                "amount": display(amount, currency),
            },
            held=held_after + amount,
        )


def escrow_hold(
    *,
    buyer: User,
    amount: int,
    ref: Ref,
    currency: str = DEFAULT_CURRENCY,
    memo: str = "",
    first: Sequence[sql.Statement] = (),
    check_first: Callable[[list[int]], None] | None = None,
    savepoint: bool = True,
    commit: bool = False,
) -> LedgerTransaction:
    """Pay into escrow: buyer's wallet -> escrow, a conditional debit. InsufficientFunds
    (with balance and shortfall) if the wallet holds too little; then nothing moved.
    `first`, `check_first`, `savepoint` and `commit` as for `ledger.transfer`."""
    _positive_fen(amount, "amount")
    with transaction.atomic(savepoint=savepoint):
        wallet, escrow = wallet_and_system_account(
            owner_id=buyer.pk, kind=AccountKind.ESCROW, currency=currency
        )
        return transfer(
            legs=[(wallet, -amount), (escrow, amount)],
            kind=TransactionKind.PAYMENT,
            ref=ref,
            memo=memo,
            currency=currency,
            first=first,
            check_first=check_first,
            savepoint=savepoint,
            commit=commit,
        )


def escrow_release(
    *,
    seller: User,
    amount: int,
    fee: int = 0,
    ref: Ref,
    currency: str = DEFAULT_CURRENCY,
    memo: str = "",
) -> LedgerTransaction:
    """Pay the seller: `amount` leaves escrow, `fee` of it to platform fees and the rest to
    the seller's wallet. Refused (WalletError) if escrow holds less than `amount` for `ref`."""
    _positive_fen(amount, "amount")
    if isinstance(fee, bool) or not isinstance(fee, int) or not 0 <= fee <= amount:
        raise ValueError(f"fee is an integer of fen between 0 and the amount, not {fee!r}")
    with transaction.atomic():
        legs = [(system_account(AccountKind.ESCROW, currency), -amount)]
        if amount - fee:
            legs.append((wallet_account(owner_id=seller.pk, currency=currency), amount - fee))
        if fee:
            legs.append((system_account(AccountKind.PLATFORM_FEES, currency), fee))
        record = transfer(
            legs=legs, kind=TransactionKind.RELEASE, ref=ref, memo=memo, currency=currency
        )
        _check_escrow_covers(ref, currency, amount)
        return record


def escrow_refund(
    *, buyer: User, amount: int, ref: Ref, currency: str = DEFAULT_CURRENCY, memo: str = ""
) -> LedgerTransaction:
    """Give escrowed money back: escrow -> buyer's wallet. Refused (WalletError) if escrow
    holds less than `amount` for `ref`."""
    _positive_fen(amount, "amount")
    with transaction.atomic():
        record = transfer(
            legs=[
                (system_account(AccountKind.ESCROW, currency), -amount),
                (wallet_account(owner_id=buyer.pk, currency=currency), amount),
            ],
            kind=TransactionKind.REFUND,
            ref=ref,
            memo=memo,
            currency=currency,
        )
        _check_escrow_covers(ref, currency, amount)
        return record


def wallet_refund_from_seller(
    *,
    seller: User,
    buyer: User,
    amount: int,
    ref: Ref,
    currency: str = DEFAULT_CURRENCY,
    memo: str = "",
) -> LedgerTransaction:
    """A refund after the money was released: seller's wallet -> buyer's wallet, a
    conditional debit (InsufficientFunds if the seller no longer has it)."""
    _positive_fen(amount, "amount")
    if seller.pk == buyer.pk:
        raise ValueError("a seller cannot refund themselves")
    with transaction.atomic():
        return transfer(
            legs=[
                (wallet_account(owner_id=seller.pk, currency=currency), -amount),
                (wallet_account(owner_id=buyer.pk, currency=currency), amount),
            ],
            kind=TransactionKind.SELLER_REFUND,
            ref=ref,
            memo=memo,
            currency=currency,
        )
