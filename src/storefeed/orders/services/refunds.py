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
    S,
    _locked,
    _notify,
    _pk,
    _reason,
    _refund,
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
