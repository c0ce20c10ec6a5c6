"""Cancelling, shipping and delivery."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from storefeed.accounts.models import User
from storefeed.core.errors import ValidationFailed
from storefeed.core.text import clean_plain
from storefeed.notifications.shop import money, shop_text
from storefeed.orders import carriers, workflow
from storefeed.orders.models import Order
from storefeed.orders.services.common import (
    TRACKING_RE,
    S,
    _locked,
    _notify,
    _reason,
    _refund,
    _return_stock,
    _text,
)
from storefeed.orders.states import transition


def order_cancel(*, account: User, order_id: object, reason: str = "") -> Order:
    """Cancel before shipping: by the buyer (reason optional) or the seller (reason needed).
    A paid order's total goes back to the buyer's wallet; the units go back to stock."""
    with transaction.atomic(durable=True):
        order = _locked(order_id, account=account, role="party")
        by_seller = order.seller_id == account.pk
        text = _reason(
            reason,
            required=by_seller,
            missing=_("Tell the buyer why you are cancelling."),
        )
        workflow.check(order, "cancel")
        was_paid = order.state == S.PAID
        transition(order, S.CANCELLED, by=account, note=text, cancel_reason=text)
        _return_stock(order)
        if was_paid:
            _refund(order, memo=_("Order %(id)s cancelled") % {"id": order.pk})
        if by_seller:
            back = shop_text(
                gettext_noop("%(total)s is back in your wallet."),
                total=money(order.total_fen, order.currency),
            )
            _notify(
                order,
                to=order.buyer_id,
                actor=account.pk,
                event="order_cancelled",
                message=shop_text(
                    gettext_noop("The seller cancelled order %(id)s: %(reason)s"),
                    id=order.pk,
                    reason=text,
                ),
                more=[back] if was_paid else [],
            )
        else:
            _notify(
                order,
                to=order.seller_id,
                actor=account.pk,
                event="order_cancelled",
                message=shop_text(gettext_noop("The buyer cancelled order %(id)s."), id=order.pk),
                more=[text] if text else [],
            )
        return order


def order_ship(*, seller: User, order_id: object, carrier: str, tracking_number: str) -> Order:
    """The seller ships a paid order with the carrier and tracking number."""
    carrier_text = _text(
        carrier, field="carrier", max_length=60, required=True, missing=_("Enter the carrier.")
    )
    if carrier_text == carriers.OTHER:
        raise ValidationFailed(_("Enter the name of the carrier."), field="carrier")
    known = carriers.carrier_for(carrier_text)
    carrier_text = known.code if known else carrier_text
    carrier_param: object = shop_text(known.name) if known else carrier_text
    tracking = clean_plain(str(tracking_number or "")).replace(" ", "")
    if not TRACKING_RE.fullmatch(tracking):
        raise ValidationFailed(
            _("Enter the tracking number: 4 to 40 letters, digits or dashes."),
            field="tracking_number",
        )
    with transaction.atomic(durable=True):
        order = _locked(order_id, account=seller, role="seller")
        workflow.check(order, "ship")
        transition(
            order,
            S.SHIPPED,
            by=seller,
            note=f"{carriers.label(carrier_text)} {tracking}",
            carrier=carrier_text,
            tracking_number=tracking,
            shipped_at=timezone.now(),
        )
        _notify(
            order,
            to=order.buyer_id,
            actor=seller.pk,
            event="order_shipped",
            message=shop_text(
                gettext_noop("Order %(id)s is on its way: %(carrier)s %(tracking)s."),
                id=order.pk,
                carrier=carrier_param,
                tracking=tracking,
            ),
            carrier=carrier_text,
            tracking_number=tracking,
        )
        return order


def _deliver(order: Order, *, by: User | None) -> None:
    transition(order, S.DELIVERED, by=by, delivered_at=timezone.now())
    message = shop_text(
        gettext_noop("The buyer confirmed receiving order %(id)s.")
        if by is not None
        else gettext_noop("Order %(id)s was confirmed as received automatically."),
        id=order.pk,
    )
    _notify(
        order, to=order.seller_id, actor=order.buyer_id, event="order_delivered", message=message
    )


def order_confirm(*, buyer: User, order_id: object) -> Order:
    """The buyer confirms receipt of a shipped order; the refund window opens."""
    with transaction.atomic(durable=True):
        order = _locked(order_id, account=buyer, role="buyer")
        workflow.check(order, "confirm")
        _deliver(order, by=buyer)
        return order
