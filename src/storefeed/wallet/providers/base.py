"""The payment-provider interface: how money enters (top-up) and leaves (withdrawal).

A provider is called outside every database transaction (it may be a network call). It
answers at once (`confirmed` / `failed`) or later (`pending`), through a signed callback that
`provider_callback` verifies (see wallet.providers.signing)."""

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from storefeed.wallet.models import TopUp, Withdrawal


@dataclass(frozen=True)
class ProviderOutcome:
    state: Literal["confirmed", "pending", "failed"]
    reference: str = ""  # the provider's own id for the payment
    next_url: str = ""  # where a real provider sends the payer to approve a pending top-up
    reason: str = ""  # why it failed, for people


class PaymentProvider(ABC):
    name: str  # stable, stored with each top-up and withdrawal
    label: str  # shown to people
    simulated: bool = False  # True: no real money moves; the UI must say so

    @abstractmethod
    def start_topup(self, topup: "TopUp") -> ProviderOutcome: ...

    @abstractmethod
    def start_withdrawal(self, withdrawal: "Withdrawal") -> ProviderOutcome: ...
