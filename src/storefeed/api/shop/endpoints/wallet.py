"""Storefeed Pay endpoints: balance, PIN, top-ups, withdrawals, the statement, and the
payment provider's signed callback."""

from typing import Any, Literal

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from storefeed.api.shop.auth import READ, WRITE, account_of
from storefeed.api.shop.common import ERRORS, Amount, Id, amount, iso, money_moving, to_id
from storefeed.core.errors import ValidationFailed
from storefeed.wallet import selectors, services
from storefeed.wallet.models import Entry, TopUp, Withdrawal
from storefeed.wallet.providers import get_provider
from storefeed.wallet.providers.signing import NONCE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER

router = Router(tags=["wallet"])


class ProviderOut(Schema):
    name: str
    label: str
    simulated: bool  # True: no real money moves (the built-in simulated bank)


class WalletOut(Schema):
    balance: str
    currency: str
    pin_set: bool
    pin_locked_until: str | None  # paying is blocked until then after five wrong PINs
    provider: ProviderOut


class PinIn(Schema):
    """Set the PIN once: `pin` and the sign-in `password`. Change it: `new_pin` with the
    current `old_pin`, or with the sign-in `password` (which also lifts a lockout)."""

    pin: str | None = None
    new_pin: str | None = None
    old_pin: str | None = None
    password: str | None = None


class PinOut(Schema):
    pin_set: bool


class TopUpIn(Schema):
    amount: Amount | None = None
    currency: str = "CNY"


class TopUpOut(Schema):
    id: str
    amount: str
    currency: str
    state: Literal["pending", "confirmed", "failed"]
    provider: ProviderOut
    next_url: str  # where a real provider sends the payer to approve (empty when settled)
    failure_reason: str
    created_at: str
    finished_at: str | None


class WithdrawalIn(Schema):
    amount: Amount | None = None
    pin: str = ""
    currency: str = "CNY"


class WithdrawalOut(Schema):
    id: str
    amount: str
    currency: str
    state: Literal["processing", "completed", "failed"]
    provider: ProviderOut
    failure_reason: str
    created_at: str
    finished_at: str | None


class EntryOut(Schema):
    id: str
    amount: str  # signed: "-12.00" left the wallet, "12.00" came in
    currency: str
    kind: str  # topup, withdrawal, withdrawal_reversal, payment, release, refund, seller_refund
    ref_type: str  # what it belongs to: "order", "topup", "withdrawal"
    ref_id: str
    memo: str
    created_at: str


class EntriesQuery(Schema):
    max_id: Id | None = None
    limit: int = 20


class CallbackOut(Schema):
    object: Literal["topup", "withdrawal"]
    id: str
    state: str


def _provider(name: str | None = None) -> dict[str, Any]:
    bank = get_provider(name)
    return {"name": bank.name, "label": str(bank.label), "simulated": bank.simulated}


def render_topup(topup: TopUp) -> dict[str, Any]:
    return {
        "id": str(topup.pk),
        "amount": amount(topup.amount, topup.currency),
        "currency": topup.currency,
        "state": topup.state,
        "provider": _provider(topup.provider),
        "next_url": getattr(topup, "next_url", "") if topup.state == "pending" else "",
        "failure_reason": topup.failure_reason,
        "created_at": iso(topup.created_at),
        "finished_at": iso(topup.finished_at),
    }


def render_withdrawal(withdrawal: Withdrawal) -> dict[str, Any]:
    return {
        "id": str(withdrawal.pk),
        "amount": amount(withdrawal.amount, withdrawal.currency),
        "currency": withdrawal.currency,
        "state": withdrawal.state,
        "provider": _provider(withdrawal.provider),
        "failure_reason": withdrawal.failure_reason,
        "created_at": iso(withdrawal.created_at),
        "finished_at": iso(withdrawal.finished_at),
    }


def render_entry(entry: Entry) -> dict[str, Any]:
    record = entry.transaction
    return {
        "id": str(entry.pk),
        "amount": amount(entry.amount, entry.currency),
        "currency": entry.currency,
        "kind": record.kind,
        "ref_type": record.ref_type,
        "ref_id": record.ref_id,
        "memo": record.memo,
        "created_at": iso(entry.created_at),
    }


@router.get("/wallet", auth=READ, response={200: WalletOut, **ERRORS})
def wallet(request: HttpRequest) -> dict:
    """The balance, whether a PIN is set (and locked), and the payment provider."""
    overview = selectors.wallet_overview(account=account_of(request))
    return {
        "balance": amount(overview.balance, overview.currency),
        "currency": overview.currency,
        "pin_set": overview.pin_set,
        "pin_locked_until": iso(overview.pin_locked_until),  # type: ignore[arg-type]
        "provider": _provider(),
    }


@router.post("/wallet/pin", auth=WRITE, response={200: PinOut, **ERRORS})
def pin(request: HttpRequest, payload: PinIn) -> dict:
    """Set the 6-digit payment PIN (with the sign-in password), or change it."""
    account = account_of(request)
    if payload.new_pin is not None:
        services.pin_change(
            account=account,
            new_pin=payload.new_pin,
            old_pin=payload.old_pin,
            password=payload.password,
        )
    elif payload.pin is not None:
        services.pin_set(account=account, pin=payload.pin, password=payload.password or "")
    else:
        raise ValidationFailed(_("Enter a 6-digit payment PIN."), field="pin")
    return {"pin_set": True}


@router.post("/wallet/topups", auth=WRITE, response={201: TopUpOut, **ERRORS})
def topup(request: HttpRequest, payload: TopUpIn) -> JsonResponse:
    """Top up through the payment provider (Idempotency-Key required). The simulated bank
    confirms at once; a real provider answers `pending` with a `next_url`, then calls back."""

    def work() -> tuple[int, dict]:
        made = services.topup_create(
            account=account_of(request), amount=payload.amount, currency=payload.currency
        )
        return 201, render_topup(made)

    def recover(outcome: str) -> tuple[int, dict]:
        # A request with this key that died after creating its top-up: that top-up, as now.
        made = selectors.topup_for_account(
            account=account_of(request), topup_id=outcome.removeprefix("topup:")
        )
        return 201, render_topup(made)

    return money_moving(request, payload=payload, work=work, recover=recover)


@router.get("/wallet/topups/{topup_id}", auth=READ, response={200: TopUpOut, **ERRORS})
def topup_get(request: HttpRequest, topup_id: str) -> dict:
    return render_topup(
        selectors.topup_for_account(account=account_of(request), topup_id=to_id(topup_id))
    )


@router.post("/wallet/withdrawals", auth=WRITE, response={201: WithdrawalOut, **ERRORS})
def withdrawal(request: HttpRequest, payload: WithdrawalIn) -> JsonResponse:
    """Withdraw to the bank with the PIN (Idempotency-Key required)."""

    def work() -> tuple[int, dict]:
        made = services.withdrawal_create(
            account=account_of(request),
            amount=payload.amount,
            pin=payload.pin,
            currency=payload.currency,
        )
        return 201, render_withdrawal(made)

    def recover(outcome: str) -> tuple[int, dict]:
        made = selectors.withdrawal_for_account(
            account=account_of(request), withdrawal_id=outcome.removeprefix("withdrawal:")
        )
        return 201, render_withdrawal(made)

    # The PIN is part of the body but never stored: the fingerprint is a keyed hash (HMAC with
    # the site secret), so it cannot be turned back into the PIN by trying every PIN.
    return money_moving(request, payload=payload, work=work, recover=recover)


@router.get(
    "/wallet/withdrawals/{withdrawal_id}", auth=READ, response={200: WithdrawalOut, **ERRORS}
)
def withdrawal_get(request: HttpRequest, withdrawal_id: str) -> dict:
    return render_withdrawal(
        selectors.withdrawal_for_account(
            account=account_of(request), withdrawal_id=to_id(withdrawal_id)
        )
    )


@router.get("/wallet/entries", auth=READ, response={200: list[EntryOut], **ERRORS})
def entries(request: HttpRequest, query: Query[EntriesQuery]) -> list[dict]:
    """The statement: every entry of the wallet, newest first; page with `max_id`."""
    max_id = to_id(query.max_id, field="max_id") if query.max_id not in (None, "") else None
    rows = selectors.wallet_statement(account=account_of(request), max_id=max_id, limit=query.limit)
    return [render_entry(e) for e in rows]


@router.post("/wallet/callbacks/{provider}", auth=None, response={200: CallbackOut, **ERRORS})
def provider_callback(request: HttpRequest, provider: str) -> dict:
    """A payment provider reports how a top-up or withdrawal ended. Signed: headers
    X-Storefeed-Timestamp, X-Storefeed-Nonce and X-Storefeed-Signature (HMAC-SHA256 of
    "<timestamp>.<nonce>." + body); replays, stale or forged calls are 403."""
    row = services.provider_callback(
        provider=provider,
        body=request.body,
        timestamp=request.headers.get(TIMESTAMP_HEADER, ""),
        nonce=request.headers.get(NONCE_HEADER, ""),
        signature=request.headers.get(SIGNATURE_HEADER, ""),
    )
    return {
        "object": "topup" if isinstance(row, TopUp) else "withdrawal",
        "id": str(row.pk),
        "state": row.state,
    }
