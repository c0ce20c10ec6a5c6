"""The built-in simulated bank: confirms every top-up and withdrawal at once. No real money
moves; it is for the embedded default, the demo and the tests, and is labelled so."""

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from storefeed.wallet.providers.base import PaymentProvider, ProviderOutcome

if TYPE_CHECKING:
    from storefeed.wallet.models import TopUp, Withdrawal


class SimulatedBank(PaymentProvider):
    name = "simulated"
    simulated = True

    @property
    def label(self) -> str:  # type: ignore[override]
        return _("Simulated bank (no real money)")

    def start_topup(self, topup: "TopUp") -> ProviderOutcome:
        return ProviderOutcome(state="confirmed", reference=f"SIM-T{topup.pk}")

    def start_withdrawal(self, withdrawal: "Withdrawal") -> ProviderOutcome:
        return ProviderOutcome(state="confirmed", reference=f"SIM-W{withdrawal.pk}")
