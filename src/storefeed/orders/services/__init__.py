"""Every write of orders: the address book, the cart, checkout, paying, fulfilment, refunds,
disputes, and the sweeps that expire, confirm and complete orders.

Locks are always taken in one order: the order row (`select_for_update`), then the buyer's
PIN row (paying), then stock rows (catalog's single conditional UPDATEs, in (product_id,
variant_id) order), then ledger accounts (the wallet's `transfer()`, in account-id order).
Checkout locks stock rows only and inserts new orders, so no path waits on another in
reverse. No network call is made here. Placing, paying and buying now are each one
transaction and one commit, their hot rows (stock, escrow) updated last (see `_place`,
`order_pay`, `order_buy`).

Completion: the seller is paid (escrow released, minus the platform fee) when the 7-day
refund window after delivery closes, not at delivery, so a refund inside the window always
comes out of escrow and never depends on the seller still holding the money. The sweep
`orders_complete_due` does it. If escrow no longer holds an order's money (paid out by some
other path), a refund is taken from the seller's wallet instead.

Split along its seams, every name re-exported here so callers import `orders.services`:
`common` (input checks, locking an order for a party, notifying, giving stock and money
back), `addresses`, `cart`, `checkout` (placing), `payment` (paying, buying now),
`fulfilment` (cancelling, shipping, delivery), `refunds` (refunds, disputes), `sweeps`
(completion, expiry, automatic confirmation).
"""

from storefeed.orders.services.addresses import address_create, address_delete, address_update
from storefeed.orders.services.cart import cart_add, cart_remove, cart_update
from storefeed.orders.services.checkout import NO_SOURCE, Line, Placed, Source, order_place
from storefeed.orders.services.common import (
    DISPUTE_WINDOW,
    MAX_LINES,
    PHONE_RE,
    POSTCODE_RE,
    REASON_MAX,
    REFUND_WINDOW,
    SWEEP_BATCH,
    TRACKING_RE,
    S,
    auto_confirm_days,
    payment_minutes,
    platform_fee,
    platform_fee_percent,
)
from storefeed.orders.services.fulfilment import order_cancel, order_confirm, order_ship
from storefeed.orders.services.payment import order_buy, order_pay
from storefeed.orders.services.refunds import (
    order_dispute,
    order_dispute_resolve,
    order_refund_accept,
    order_refund_decline,
    order_refund_request,
)
from storefeed.orders.services.sweeps import (
    order_expire,
    orders_auto_confirm_due,
    orders_complete_due,
    orders_expire_due,
    orders_sweep,
)

__all__ = [
    "DISPUTE_WINDOW",
    "MAX_LINES",
    "NO_SOURCE",
    "PHONE_RE",
    "POSTCODE_RE",
    "REASON_MAX",
    "REFUND_WINDOW",
    "SWEEP_BATCH",
    "TRACKING_RE",
    "Line",
    "Placed",
    "S",
    "Source",
    "address_create",
    "address_delete",
    "address_update",
    "auto_confirm_days",
    "cart_add",
    "cart_remove",
    "cart_update",
    "order_buy",
    "order_cancel",
    "order_confirm",
    "order_dispute",
    "order_dispute_resolve",
    "order_expire",
    "order_pay",
    "order_place",
    "order_refund_accept",
    "order_refund_decline",
    "order_refund_request",
    "order_ship",
    "orders_auto_confirm_due",
    "orders_complete_due",
    "orders_expire_due",
    "orders_sweep",
    "payment_minutes",
    "platform_fee",
    "platform_fee_percent",
]
