"""What every part of the order services shares: settings, input checks, locking an order
for one of its parties, notifying them, giving stock and money back."""

import re
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from storefeed.accounts.models import User
from storefeed.catalog.services import stock_return
from storefeed.core import sql
from storefeed.core.errors import NotFound, ValidationFailed
from storefeed.core.parse import lookup_id, parse_count
from storefeed.core.text import clean_plain
from storefeed.notifications.services import notify_shop
from storefeed.notifications.shop import Part
from storefeed.orders import links, workflow
from storefeed.orders.models import (
    MAX_QUANTITY,
    Order,
    OrderState,
)
from storefeed.wallet.selectors import escrow_held
from storefeed.wallet.services import (
    escrow_refund,
    wallet_refund_from_seller,
)

S = OrderState
# A delivered order may be refunded for this long; after a refund is declined, the buyer has
# DISPUTE_WINDOW to dispute before the order completes (declared with the workflow).
REFUND_WINDOW = workflow.REFUND_WINDOW
DISPUTE_WINDOW = workflow.DISPUTE_WINDOW
MAX_LINES = 50
REASON_MAX = 500
PHONE_RE = re.compile(r"^\+?[0-9][0-9 -]{4,18}[0-9]$")
POSTCODE_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z -]{1,8}[0-9A-Za-z]$")
TRACKING_RE = re.compile(r"^[A-Za-z0-9-]{4,40}$")
SWEEP_BATCH = 500


def payment_minutes() -> int:
    return int(getattr(settings, "ORDER_PAYMENT_MINUTES", 15))


def auto_confirm_days() -> int:
    return int(getattr(settings, "AUTO_CONFIRM_DAYS", 10))


def platform_fee_percent() -> int:
    return int(getattr(settings, "PLATFORM_FEE_PERCENT", 0))


def platform_fee(total_fen: int) -> int:
    """The platform's share of `total_fen`, rounded down to the fen (in the seller's favour)."""
    percent = min(max(platform_fee_percent(), 0), 100)
    return total_fen * percent // 100


# ---------------------------------------------------------------------------------------------
# Input checks


def _pk(value: object) -> int:
    if isinstance(value, bool):
        return 0
    try:
        return lookup_id(value)
    except (TypeError, ValueError):
        return 0


def _optional_pk(value: object, *, field: str, what: str) -> int | None:
    if value in (None, "", 0, "0"):
        return None
    pk = _pk(value)
    if pk <= 0:
        raise ValidationFailed(_("Unknown %(what)s.") % {"what": what}, field=field)
    return pk


def _quantity(value: object, *, field: str = "quantity") -> int:
    """A whole number of units between 1 and 99 (core.parse.parse_count: ASCII digits or a
    JSON integer)."""
    try:
        value = parse_count(value, field=field, maximum=10**12)
    except ValidationFailed:
        raise ValidationFailed(_("Enter a whole number of units, like 2."), field=field) from None
    if not 1 <= value <= MAX_QUANTITY:
        raise ValidationFailed(
            _("Choose between 1 and %(max)s units; %(count)s is not possible.")
            % {"max": MAX_QUANTITY, "count": value},
            field=field,
            min=1,
            max=MAX_QUANTITY,
        )
    return value


def _text(value: object, *, field: str, max_length: int, required: bool, missing: str = "") -> str:
    text = clean_plain(str(value or ""))
    if required and not text:
        raise ValidationFailed(missing or _("This is required."), field=field)
    if len(text) > max_length:
        raise ValidationFailed(
            _("At most %(max)s characters; this has %(count)s.")
            % {"max": max_length, "count": len(text)},
            field=field,
        )
    return text


def _reason(value: object, *, required: bool, missing: str = "") -> str:
    return _text(
        value,
        field="reason",
        max_length=REASON_MAX,
        required=required,
        missing=missing or _("Give a reason."),
    )


def _visible_to_buyer(buyer: User, order_id: object) -> Order:
    order = Order.objects.filter(pk=_pk(order_id), buyer_id=buyer.pk).first()
    if order is None:
        raise NotFound(_("This order does not exist."), field="order_id")
    return order


def _locked(order_id: object, *, account: User, role: str, related: bool = False) -> Order:
    """The order locked for this transaction, if `account` is its buyer ("buyer"), its seller
    ("seller") or either ("party"); NotFound for anyone else, as if it did not exist.
    `related`: with its buyer and seller read in the same query (not locked)."""
    if related:
        order = _locked_with_parties(_pk(order_id), account)
    else:
        order = Order.objects.filter(pk=_pk(order_id)).select_for_update().first()
    allowed = order is not None and (
        (role in ("buyer", "party") and order.buyer_id == account.pk)
        or (role in ("seller", "party") and order.seller_id == account.pk)
    )
    if not allowed:
        raise NotFound(_("This order does not exist."), field="order_id")
    assert order is not None
    return order


def _locked_with_parties(order_id: int, account: User) -> Order | None:
    """The order locked (not its parties' rows), with its buyer and seller: `account` when it
    is one of them, the other read in the same query. Plain SQL: every payment reads it."""
    lock = ""
    if connection.features.has_select_for_update_of:
        lock = " FOR UPDATE OF o"
    elif connection.features.has_select_for_update:
        lock = " FOR UPDATE"
    orders, users = sql.table(Order), sql.table(User)
    rows = sql.rows(
        f"SELECT {sql.columns(Order, 'o')}, {sql.columns(User, 'u')} FROM {orders} o "  # noqa: S608
        f"JOIN {users} u ON u.id = CASE WHEN o.buyer_id = %s THEN o.seller_id ELSE o.buyer_id END "
        f"WHERE o.id = %s{lock}",
        [account.pk, order_id],
    )
    if not rows:
        return None
    width = sql.width(Order)
    order = sql.instance(Order, rows[0][:width])
    other = sql.instance(User, rows[0][width:])
    order.buyer = account if order.buyer_id == account.pk else other
    order.seller = account if order.seller_id == account.pk else other
    return order


def _notify(
    order: Order,
    *,
    to: int,
    actor: int,
    event: str,
    message: dict[str, Any],
    more: Sequence[Part] = (),
    **data: Any,
) -> None:
    """Tell `to` about `order`; `message` and `more` are translated when read (see
    `notifications.shop`), in the recipient's language, not the actor's."""
    notify_shop(
        recipient_id=to,
        actor_id=actor,
        event=event,
        message=message,
        more=more,
        url=links.order_url(order.pk),
        order_id=str(order.pk),
        state=order.state,
        **data,
    )


def _return_stock(order: Order) -> None:
    for item in sorted(order.items.all(), key=lambda i: (i.product_id, i.variant_id or 0)):
        stock_return(product_id=item.product_id, variant_id=item.variant_id, quantity=item.quantity)


def _refund(order: Order, *, memo: str) -> None:
    """The order's whole total back to the buyer: from escrow while it holds it, else from
    the seller's wallet (InsufficientFunds if the seller no longer has it)."""
    if escrow_held(ref=order.ref, currency=order.currency) >= order.total_fen:
        escrow_refund(
            buyer=order.buyer,
            amount=order.total_fen,
            ref=order.ref,
            currency=order.currency,
            memo=memo,
        )
    else:
        wallet_refund_from_seller(
            seller=order.seller,
            buyer=order.buyer,
            amount=order.total_fen,
            ref=order.ref,
            currency=order.currency,
            memo=memo,
        )
