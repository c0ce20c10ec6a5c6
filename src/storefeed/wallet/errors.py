"""Storefeed Pay's refusals: typed, with stable codes, subclasses of the core errors so every
delivery layer already knows how to show them."""

from storefeed.core.errors import Conflict, Forbidden, ValidationFailed


class WalletError(ValidationFailed):
    """A wallet request that cannot be done as asked (422)."""

    code = "wallet_error"


class InsufficientFunds(WalletError):
    """Too little money; `details` carry `balance` and `shortfall` in fen."""

    code = "insufficient_funds"


class PinNotSet(WalletError):
    code = "pin_not_set"


class PinResetNeeded(WalletError):
    """The stored PIN was hashed with a key no longer configured: set it again."""

    code = "pin_reset_needed"


class PinWrong(WalletError):
    """A wrong PIN; `details["tries_left"]` says how many remain before the lockout."""

    code = "pin_wrong"


class PinLocked(Forbidden):
    """Too many wrong PINs; `details["locked_until"]` is when paying opens again."""

    code = "pin_locked"


class CallbackRejected(Forbidden):
    """A payment-provider callback that is forged, stale or replayed."""

    code = "callback_rejected"


class IdempotencyKeyReused(Conflict):
    """The same Idempotency-Key with a different request body: refused as invalid (422)."""

    code = "idempotency_key_reused"
    http_status = 422


class IdempotencyInProgress(Conflict):
    """The first request with this Idempotency-Key is still running (409)."""

    code = "idempotency_in_progress"


class IdempotencyKeyFailed(Conflict):
    """The first request with this key broke unexpectedly; its outcome is unknown (409)."""

    code = "idempotency_key_failed"


class IdempotencyLeaseLost(Conflict):
    """A request that outlived its key's lease: a retry took the key over, so this one must
    not move money (409; its transaction is rolled back)."""

    code = "idempotency_lease_lost"
