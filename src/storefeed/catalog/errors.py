"""Refusals of the catalog with stable codes (delivery layers map them once)."""

from storefeed.core.errors import Conflict, ValidationFailed


class ItemUnreadable(ValidationFailed):
    """A third-party page could not be fetched or read; the seller may fill the item in by
    hand (422, code "item_unreadable")."""

    code = "item_unreadable"


class TooManyItems(ValidationFailed):
    """More than nine products and items in one post (422, code "too_many_items")."""

    code = "too_many_items"


class NotAvailable(Conflict):
    """A product that cannot be bought now: withdrawn, or its seller suspended (409, code
    "not_available")."""

    code = "not_available"
