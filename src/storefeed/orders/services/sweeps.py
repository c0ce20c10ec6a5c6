"""Completion (the seller paid when the refund window closes) and the sweeps that expire,
confirm and complete orders."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from storefeed.accounts.models import User
from storefeed.notifications.shop import money, shop_text
from storefeed.orders.models import Order
from storefeed.orders.services.common import (
    DISPUTE_WINDOW,
    REFUND_WINDOW,
    SWEEP_BATCH,
    S,
    _notify,
    _pk,
    _return_stock,
    auto_confirm_days,
    platform_fee,
)
from storefeed.orders.services.fulfilment import _deliver
from storefeed.orders.states import transition
from storefeed.wallet.services import escrow_release


def _complete(order: Order, *, by: User | None, note: str = "") -> None:
    fee = platform_fee(order.total_fen)
    transition(order, S.COMPLETED, by=by, note=note, fee_fen=fee)
    escrow_release(
        seller=order.seller,
        amount=order.total_fen,
        fee=fee,
        ref=order.ref,
        currency=order.currency,
        memo=_("Order %(id)s") % {"id": order.pk},
    )


def _sweep(ids: list[int], step: Any) -> int:
    """Run `step(order)` on each order in its own durable transaction (the row locked and its
    state re-checked by the step); returns how many moved. Safe to run twice or concurrently."""
    moved = 0
    for pk in ids:
        with transaction.atomic(durable=True):
            order = Order.objects.select_for_update().filter(pk=pk).first()
            if order is not None and step(order):
                moved += 1
    return moved


def _expire(order: Order) -> bool:
    if order.state != S.PENDING_PAYMENT or order.expires_at > timezone.now():
        return False
    transition(order, S.EXPIRED, by=None)
    _return_stock(order)
    _notify(
        order,
        to=order.buyer_id,
        actor=order.seller_id,
        event="order_expired",
        message=shop_text(
            gettext_noop("Order %(id)s was not paid in time; its items were released."), id=order.pk
        ),
    )
    return True


def order_expire(*, order_id: int) -> bool:
    """Expire one order if it is still unpaid past its deadline (the deferred task)."""
    return _sweep([_pk(order_id)], _expire) == 1


def orders_expire_due(*, limit: int = SWEEP_BATCH) -> int:
    """Unpaid orders past their deadline become expired and their units go back on sale.
    Idempotent: an order already expired, paid or cancelled is left alone."""
    ids = list(
        Order.objects.filter(state=S.PENDING_PAYMENT, expires_at__lte=timezone.now())
        .order_by("expires_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    return _sweep(ids, _expire)


def _auto_confirm(order: Order) -> bool:
    due = timezone.now() - dt.timedelta(days=auto_confirm_days())
    if order.state != S.SHIPPED or order.shipped_at is None or order.shipped_at > due:
        return False
    _deliver(order, by=None)
    _notify(
        order,
        to=order.buyer_id,
        actor=order.seller_id,
        event="order_delivered",
        message=shop_text(
            gettext_noop(
                "Order %(id)s was confirmed as received automatically; you may ask for a refund "
                "within %(days)s days."
            ),
            id=order.pk,
            days=REFUND_WINDOW.days,
        ),
    )
    return True


def orders_auto_confirm_due(*, limit: int = SWEEP_BATCH) -> int:
    """Shipped orders unconfirmed after AUTO_CONFIRM_DAYS count as delivered."""
    due = timezone.now() - dt.timedelta(days=auto_confirm_days())
    ids = list(
        Order.objects.filter(state=S.SHIPPED, shipped_at__lte=due)
        .order_by("shipped_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    return _sweep(ids, _auto_confirm)


def _complete_if_due(order: Order) -> bool:
    now = timezone.now()
    delivered_due = (
        order.state == S.DELIVERED
        and order.delivered_at is not None
        and order.delivered_at + REFUND_WINDOW <= now
    )
    declined_due = (
        order.state == S.REFUND_DECLINED
        and order.declined_at is not None
        and order.declined_at + DISPUTE_WINDOW <= now
    )
    if not (delivered_due or declined_due):
        return False
    _complete(order, by=None)
    _notify(
        order,
        to=order.seller_id,
        actor=order.buyer_id,
        event="order_completed",
        message=shop_text(
            gettext_noop("Order %(id)s is complete: %(amount)s is in your wallet."),
            id=order.pk,
            amount=money(order.total_fen - order.fee_fen, order.currency),
        ),
    )
    return True


def orders_complete_due(*, limit: int = SWEEP_BATCH) -> int:
    """Pay sellers for orders whose refund window closed (delivered 7 days ago) or whose
    declined refund was not disputed in time."""
    now = timezone.now()
    ids = list(
        Order.objects.filter(
            Q(state=S.DELIVERED, delivered_at__lte=now - REFUND_WINDOW)
            | Q(state=S.REFUND_DECLINED, declined_at__lte=now - DISPUTE_WINDOW)
        )
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )
    return _sweep(ids, _complete_if_due)


def orders_sweep() -> dict[str, int]:
    """Every sweep once (the periodic task and `storefeed orders_sweep`)."""
    return {
        "expired": orders_expire_due(),
        "confirmed": orders_auto_confirm_due(),
        "completed": orders_complete_due(),
    }
