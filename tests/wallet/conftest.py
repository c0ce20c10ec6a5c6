"""Fixtures for the wallet tests: the ledger's invariants checked after every test, money
in a wallet, a payment provider that answers later, and signed provider callbacks."""

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from django.conf import settings

from storefeed.wallet import providers
from storefeed.wallet.invariants import ledger_problems
from storefeed.wallet.models import Entry, LedgerAccount, TopUp, Withdrawal
from storefeed.wallet.providers.base import PaymentProvider, ProviderOutcome
from storefeed.wallet.providers.signing import sign
from storefeed.wallet.services import topup_create


@pytest.fixture(autouse=True)
def ledger_sound(db) -> Iterator[None]:
    """Every wallet test ends with a sound ledger: entries sum to zero overall and per
    transaction, balances equal their entries, no account but external below zero."""
    yield
    assert ledger_problems() == []


def fund(user, amount: str = "100.00") -> TopUp:
    """Put money in `user`'s wallet through the simulated bank."""
    topup = topup_create(account=user, amount=amount)
    assert topup.state == "confirmed"
    return topup


def ledger_snapshot() -> tuple[list[tuple[int, int]], int]:
    """Every account's balance and the number of entries: equal snapshots, nothing moved."""
    balances = list(LedgerAccount.objects.order_by("pk").values_list("pk", "balance"))
    return balances, Entry.objects.count()


@dataclass
class LaterBank(PaymentProvider):
    """A provider that answers later, through a callback (like a real one would)."""

    name: str = "laterbank"
    label: str = "Later Bank"
    topup_answer: str = "pending"
    withdrawal_answer: str = "pending"
    fail_with: Exception | None = None
    started: list[int] = field(default_factory=list)

    def start_topup(self, topup) -> ProviderOutcome:
        self.started.append(topup.pk)
        if self.fail_with:
            raise self.fail_with
        return ProviderOutcome(
            state=self.topup_answer,  # type: ignore[arg-type]
            reference=f"LB-{topup.pk}",
            next_url="https://bank.invalid/approve",
            reason="declined" if self.topup_answer == "failed" else "",
        )

    def start_withdrawal(self, withdrawal: Withdrawal) -> ProviderOutcome:
        self.started.append(withdrawal.pk)
        if self.fail_with:
            raise self.fail_with
        return ProviderOutcome(
            state=self.withdrawal_answer,  # type: ignore[arg-type]
            reference=f"LB-W{withdrawal.pk}",
            reason="account closed" if self.withdrawal_answer == "failed" else "",
        )


@pytest.fixture
def later_bank() -> Iterator[LaterBank]:
    bank = LaterBank()
    providers.register(bank)
    yield bank
    providers.unregister(bank.name)


_nonce_counter = iter(range(10**9))


def callback_args(
    payload: dict,
    *,
    provider: str = "laterbank",
    secret: str | None = None,
    timestamp: int | None = None,
    nonce: str | None = None,
) -> dict:
    """Keyword arguments for provider_callback: the body signed as a provider would."""
    body = json.dumps(payload).encode()
    ts = str(int(time.time()) if timestamp is None else timestamp)
    nonce = nonce or f"nonce-{next(_nonce_counter)}"
    signature = sign(
        secret=secret or settings.PAYMENT_CALLBACK_SECRET, timestamp=ts, nonce=nonce, body=body
    )
    return {
        "provider": provider,
        "body": body,
        "timestamp": ts,
        "nonce": nonce,
        "signature": signature,
    }
