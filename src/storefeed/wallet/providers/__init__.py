"""Payment providers by name. The simulated bank is always there; a real provider registers
itself (`register(MyBank())`, e.g. in its AppConfig.ready) and is chosen with the
`WALLET_PAYMENT_PROVIDER` setting (default "simulated")."""

from django.conf import settings
from django.utils.translation import gettext as _

from storefeed.wallet.errors import WalletError
from storefeed.wallet.providers.base import PaymentProvider, ProviderOutcome
from storefeed.wallet.providers.simulated import SimulatedBank

__all__ = ["PaymentProvider", "ProviderOutcome", "get_provider", "register", "unregister"]

_registry: dict[str, PaymentProvider] = {}


def register(provider: PaymentProvider) -> None:
    _registry[provider.name] = provider


def unregister(name: str) -> None:
    if name != SimulatedBank.name:
        _registry.pop(name, None)


def get_provider(name: str | None = None) -> PaymentProvider:
    """The provider called `name`, or the configured default."""
    chosen = str(name or getattr(settings, "WALLET_PAYMENT_PROVIDER", SimulatedBank.name))
    try:
        return _registry[chosen]
    except KeyError:
        raise WalletError(
            _("The payment provider %(name)s is not available.") % {"name": chosen},
            field="provider",
        ) from None


register(SimulatedBank())
