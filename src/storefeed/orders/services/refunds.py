"""Refunds and disputes."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from storefeed.accounts.models import User
from storefeed.core.errors import Forbidden, NotFound, ValidationFailed
from storefeed.notifications.shop import money, shop_text
from storefeed.orders import workflow
from storefeed.orders.models import Order
from storefeed.orders.services.common import (
    DISPUTE_WINDOW,
    REASON_MAX,
    RETURN_WINDOW,
    S,
    _locked,
    _notify,
    _parcel_sent,
    _pk,
    _reason,
    _refund,
    _return_stock,
    _shipment,
    _text,
)
from storefeed.orders.services.sweeps import _complete
from storefeed.orders.states import transition


def order_refund_request(*, buyer: User, order_id: object, reason: str) -> Order:
    """The buyer asks for a refund, with a reason: while the parcel is in transit (it never
    arrived), or within 7 days of delivery."""
    text = _reason(reason, required=True, missing=_("Tell the seller why you want a refund."))
    with transaction.atomic(durable=True):
        order = _locked(order_id, account=buyer, role="buyer")
        workflow.check(order, "refund_request")
        transition(order, S.REFUND_REQUESTED, by=buyer, note=text, refund_reason=text)
        _notify(
            order,
            to=order.seller_id,
            actor=buyer.pk,
            event="refund_requested",
            message=shop_text(
                gettext_noop("The buyer asks for a refund of order %(id)s: %(reason)s"),
                id=order.pk,
                reason=text,
            ),
        )
        return order


def _refunded(order: Order, *, by: User, note: str = "") -> None:
    transition(order, S.REFUNDED, by=by, note=note)
    # Delivered goods are with the buyer: their units do not go back on sale.
    _refund(order, memo=_("Refund of order %(id)s") % {"id": order.pk})


def order_refund_accept(*, seller: User, order_id: object) -> Order:
    """The seller accepts a refund: the total goes back to the buyer's wallet."""
    with transaction.atomic(durable=True):
        order = _locked(order_id, account=seller, role="seller")
        workflow.check(order, "refund_accept")
        _refunded(order, by=seller)
        _notify(
            order,
            to=order.buyer_id,
            actor=seller.pk,
            event="refund_accepted",
            message=shop_text(
                gettext_noop("The seller refunded order %(id)s: %(total)s is back in your wallet."),
                id=order.pk,
                total=money(order.total_fen, order.currency),
            ),
        )
        return order


def order_refund_decline(*, seller: User, order_id: object, reason: str) -> Order:
    """The seller declines a refund with a reason; the buyer may then dispute it."""
    text = _reason(reason, required=True, missing=_("Tell the buyer why you decline."))
    with transaction.atomic(durable=True):
        order = _locked(order_id, account=seller, role="seller")
        workflow.check(order, "refund_decline")
        transition(
            order,
            S.REFUND_DECLINED,
            by=seller,
            note=text,
            decline_reason=text,
            declined_at=timezone.now(),
        )
        _notify(
            order,
            to=order.buyer_id,
            actor=seller.pk,
            event="refund_declined",
            message=shop_text(
                gettext_noop(
                    "The seller declined your refund of order %(id)s: %(reason)s You may ask "
                    "Storefeed staff to decide within %(days)s days."
                ),
                id=order.pk,
                reason=text,
                days=DISPUTE_WINDOW.days,
            ),
        )
        return order


def order_dispute(*, buyer: User, order_id: object, reason: str = "") -> Order:
    """After a declined refund the buyer asks staff to decide."""
    text = _reason(reason, required=False)
    with transaction.atomic(durable=True):
        order = _locked(order_id, account=buyer, role="buyer")
        workflow.check(order, "dispute")
        transition(order, S.DISPUTED, by=buyer, note=text, dispute_reason=text)
        _notify(
            order,
            to=order.seller_id,
            actor=buyer.pk,
            event="refund_disputed",
            message=shop_text(
                gettext_noop(
                    "The buyer asked Storefeed staff to decide the refund of order %(id)s."
                ),
                id=order.pk,
            ),
        )
        return order


def order_dispute_resolve(*, by: User, order_id: object, outcome: str, note: str = "") -> Order:
    """Staff decide a disputed refund: outcome "refund" (the buyer gets the total back) or
    "complete" (the seller is paid)."""
    if not (by.is_active and by.is_staff):
        raise Forbidden(_("Only Storefeed staff decide disputes."))
    if outcome not in ("refund", "complete"):
        raise ValidationFailed(_("Decide “refund” or “complete”."), field="outcome")
    text = _text(note, field="note", max_length=REASON_MAX, required=False)
    with transaction.atomic(durable=True):
        order = Order.objects.select_for_update().filter(pk=_pk(order_id)).first()
        if order is None:
            raise NotFound(_("This order does not exist."), field="order_id")
        workflow.check(order, "resolve")
        if outcome == "refund":
            _refunded(order, by=by, note=text)
            verdict = shop_text(
                gettext_noop("Staff decided: order %(id)s is refunded."), id=order.pk
            )
        else:
            _complete(order, by=by, note=text)
            verdict = shop_text(
                gettext_noop("Staff decided: order %(id)s stands; the seller is paid."), id=order.pk
            )
        for party in (order.buyer_id, order.seller_id):
            _notify(
                order,
                to=party,
                actor=by.pk,
                event="dispute_resolved",
                message=verdict,
                more=[text] if text else [],
            )
        return order


# A return of goods: a refund of a delivered order that the seller pays once the goods are
# back. The seller asks for them (instead of accepting or declining), the buyer sends them
# with a carrier and tracking number, and the seller, once they arrive, refunds and says
# whether the units go back on sale; or declines (they never came, or not as sent), and the
# buyer may then dispute. Goods not sent back within RETURN_WINDOW: the order completes.


def order_return_request(*, seller: User, order_id: object) -> Order:
    """The seller answers a refund request on a delivered order by asking for the goods back."""
    with transaction.atomic(durable=True):
        order = _locked(order_id, account=seller, role="seller")
        workflow.check(order, "return_request")
        transition(order, S.RETURN_REQUESTED, by=seller, return_requested_at=timezone.now())
        _notify(
            order,
            to=order.buyer_id,
            actor=seller.pk,
            event="return_requested",
            message=shop_text(
                gettext_noop(
                    "The seller asks for the goods of order %(id)s back before refunding: send "
                    "them within %(days)s days and enter the tracking number."
                ),
                id=order.pk,
                days=RETURN_WINDOW.days,
            ),
        )
        return order


def order_return_ship(
    *, buyer: User, order_id: object, carrier: str, tracking_number: str
) -> Order:
    """The buyer sends the goods back, with the carrier and tracking number."""
    parcel = _shipment(carrier, tracking_number)
    with transaction.atomic(durable=True):
        order = _locked(order_id, account=buyer, role="buyer")
        workflow.check(order, "return_ship")
        _parcel_sent(
            order,
            S.RETURN_SHIPPED,
            parcel,
            by=buyer,
            to=order.seller_id,
            event="return_shipped",
            message=gettext_noop(
                "The buyer sent the goods of order %(id)s back: %(carrier)s %(tracking)s. "
                "Refund once they arrive."
            ),
            return_carrier=parcel.carrier,
            return_tracking_number=parcel.tracking,
            return_shipped_at=timezone.now(),
        )
        return order


def order_return_receive(*, seller: User, order_id: object, restock: bool = False) -> Order:
    """The returned goods arrived: the total goes back to the buyer's wallet and, if the seller
    says so (`restock`), the units go back on sale."""
    with transaction.atomic(durable=True):
        order = _locked(order_id, account=seller, role="seller")
        workflow.check(order, "return_receive")
        transition(order, S.REFUNDED, by=seller, restocked=bool(restock))
        if restock:
            _return_stock(order)
        _refund(order, memo=_("Refund of order %(id)s") % {"id": order.pk})
        _notify(
            order,
            to=order.buyer_id,
            actor=seller.pk,
            event="refund_accepted",
            message=shop_text(
                gettext_noop(
                    "The seller received the goods of order %(id)s: %(total)s is back in your "
                    "wallet."
                ),
                id=order.pk,
                total=money(order.total_fen, order.currency),
            ),
        )
        return order
