"""Refusals of accounts with stable codes: subclasses of the core errors, so every delivery
layer already knows how to show them."""

from storefeed.core.errors import Conflict, DomainError, ValidationFailed


class ConfirmationLinkInvalid(ValidationFailed):
    """A confirmation link that cannot confirm anything: `details["reason"]` is "invalid"
    (altered, or for an address the account no longer has) or "expired"."""

    code = "confirmation_link_invalid"


class EmailAlreadyConfirmed(Conflict):
    """The account's address is confirmed already: nothing to confirm or resend."""

    code = "email_already_confirmed"


class ConfirmationTooSoon(DomainError):
    """A new confirmation link asked for too soon after the last (429);
    `details["retry_after"]` is how many seconds to wait."""

    code = "too_soon"
    http_status = 429
