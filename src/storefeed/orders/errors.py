"""Refusals of orders with stable codes (delivery layers map them once)."""

from storefeed.core.errors import Conflict


class InsufficientStock(Conflict):
    """Some items of a checkout are short (409, code "insufficient_stock"). Nothing was
    reserved; `details["shortfalls"]` lists every short item: product_id, variant_id, title,
    requested and available."""

    code = "insufficient_stock"


class OrderStateConflict(Conflict):
    """The order is not in a state that allows this (409, code "order_state");
    `details["state"]` is the state it is in."""

    code = "order_state"


class PaymentExpired(OrderStateConflict):
    """The time to pay ran out (409, code "payment_expired"); the reservation is released."""

    code = "payment_expired"


class RefundWindowClosed(OrderStateConflict):
    """A refund asked for after the refund window (409, code "refund_window_closed")."""

    code = "refund_window_closed"
