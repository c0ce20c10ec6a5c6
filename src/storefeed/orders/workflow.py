"""The order workflow declared once: every action a person takes on an order, who may take
it, from which states, to which state, what it asks for, and how it is refused. The services
enforce it (`check`), the shop API lists `available` actions, and the web pages offer the same
buttons with the same words, so the three cannot disagree.

    pay             buyer   pending_payment                 -> paid
    ship            seller  paid                            -> shipped
    confirm         buyer   shipped                         -> delivered
    refund_request  buyer   shipped (in transit), delivered (within the refund window)
                                                            -> refund_requested
    refund_accept   seller  refund_requested                -> refunded
    refund_decline  seller  refund_requested, return_shipped -> refund_declined
    return_request  seller  refund_requested (goods delivered) -> return_requested
    return_ship     buyer   return_requested (within the return window) -> return_shipped
    return_receive  seller  return_shipped                  -> refunded (units back on sale
                                                               if the seller says so)
    dispute         buyer   refund_declined (within the dispute window) -> disputed
    cancel          either  pending_payment, paid           -> cancelled
    resolve         staff   disputed                        -> refunded | completed

The sweeps move orders too (expiry, automatic confirmation, completion); they are not actions
a person takes, so they live with the services.
"""

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from storefeed.orders.errors import OrderStateConflict, RefundWindowClosed
from storefeed.orders.models import Order, OrderState
from storefeed.orders.states import state_label

S = OrderState
BUYER, SELLER, STAFF = "buyer", "seller", "staff"

# A delivered order may be refunded for this long; a declined refund disputed for this long;
# goods the seller asked back sent back within this long (else the order completes).
REFUND_WINDOW = dt.timedelta(days=7)
DISPUTE_WINDOW = dt.timedelta(days=7)
RETURN_WINDOW = dt.timedelta(days=7)


def _refund_window(order: Order, now: dt.datetime) -> OrderStateConflict | None:
    delivered = order.delivered_at
    if order.state == S.DELIVERED and delivered is not None and now > delivered + REFUND_WINDOW:
        return RefundWindowClosed(
            _("Refunds can be asked for within %(days)s days of delivery; that time has passed.")
            % {"days": REFUND_WINDOW.days},
            state=order.state,
        )
    return None


def _dispute_window(order: Order, now: dt.datetime) -> OrderStateConflict | None:
    if order.declined_at is not None and now > order.declined_at + DISPUTE_WINDOW:
        return RefundWindowClosed(
            _("A declined refund can be taken to staff within %(days)s days; that time has passed.")
            % {"days": DISPUTE_WINDOW.days},
            state=order.state,
        )
    return None


def _delivered(order: Order, now: dt.datetime) -> OrderStateConflict | None:
    if order.delivered_at is None:
        return OrderStateConflict(
            str(_("This parcel never arrived, so there are no goods to send back.")),
            state=order.state,
        )
    return None


def _return_window(order: Order, now: dt.datetime) -> OrderStateConflict | None:
    asked = order.return_requested_at
    if asked is not None and now > asked + RETURN_WINDOW:
        return RefundWindowClosed(
            _("Goods asked back are to be sent within %(days)s days; that time has passed.")
            % {"days": RETURN_WINDOW.days},
            state=order.state,
        )
    return None


@dataclass(frozen=True)
class Action:
    name: str
    roles: frozenset[str]
    sources: frozenset[str]
    target: str  # the state it leads to ("resolve" leads to refunded or completed)
    label: Promise  # the button
    done: Promise  # what the page says after it
    refusal: Promise  # from any other state; %(state)s is the order's
    # Refusals worded for particular states (cancelling a shipped order).
    refusals: Mapping[str, Promise] = field(default_factory=dict)
    # What the form asks for: "reason" (required), "reason?" (optional), "shipment", "pin",
    # "restock" (whether returned units go back on sale).
    asks: tuple[str, ...] = ()
    # A condition of time on top of the state (a window that closes), or None.
    window: Callable[[Order, dt.datetime], OrderStateConflict | None] | None = None


ACTIONS: tuple[Action, ...] = (
    Action(
        "pay",
        frozenset({BUYER}),
        frozenset({S.PENDING_PAYMENT}),
        S.PAID,
        label=_("Pay"),
        done=_("Paid. The seller has been told to ship."),
        refusal=_("This order is “%(state)s”; it cannot be paid."),
        asks=("pin",),
    ),
    Action(
        "ship",
        frozenset({SELLER}),
        frozenset({S.PAID}),
        S.SHIPPED,
        label=_("Ship"),
        done=_("Marked as shipped; the buyer has the tracking number."),
        refusal=_("This order is “%(state)s”; only a paid order can be shipped."),
        refusals={S.PENDING_PAYMENT: _("This order is not paid yet; ship it once it is paid.")},
        asks=("shipment",),
    ),
    Action(
        "confirm",
        frozenset({BUYER}),
        frozenset({S.SHIPPED}),
        S.DELIVERED,
        label=_("I received it"),
        done=_("Thank you: the order is marked received."),
        refusal=_("Only a shipped order can be confirmed as received; this one is “%(state)s”."),
    ),
    Action(
        "refund_request",
        frozenset({BUYER}),
        frozenset({S.SHIPPED, S.DELIVERED}),
        S.REFUND_REQUESTED,
        label=_("Ask for a refund"),
        done=_("Refund requested; the seller will answer."),
        refusal=_(
            "A refund can be asked for a shipped or delivered order; this one is “%(state)s”."
        ),
        asks=("reason",),
        window=_refund_window,
    ),
    Action(
        "refund_accept",
        frozenset({SELLER}),
        frozenset({S.REFUND_REQUESTED}),
        S.REFUNDED,
        label=_("Accept the refund"),
        done=_("Refund accepted: the money is back with the buyer."),
        refusal=_("There is no refund request to accept; this order is “%(state)s”."),
    ),
    Action(
        "refund_decline",
        frozenset({SELLER}),
        frozenset({S.REFUND_REQUESTED, S.RETURN_SHIPPED}),
        S.REFUND_DECLINED,
        label=_("Decline the refund"),
        done=_("Refund declined; the buyer may ask staff to decide."),
        refusal=_("There is no refund request to decline; this order is “%(state)s”."),
        asks=("reason",),
    ),
    Action(
        "return_request",
        frozenset({SELLER}),
        frozenset({S.REFUND_REQUESTED}),
        S.RETURN_REQUESTED,
        label=_("Ask for the goods back first"),
        done=_("The buyer has been asked to send the goods back; refund them once they arrive."),
        refusal=_("There is no refund request to answer; this order is “%(state)s”."),
        window=_delivered,
    ),
    Action(
        "return_ship",
        frozenset({BUYER}),
        frozenset({S.RETURN_REQUESTED}),
        S.RETURN_SHIPPED,
        label=_("I sent the goods back"),
        done=_("Return recorded; the seller refunds you once the parcel arrives."),
        refusal=_("Only goods the seller asked back can be sent back; this order is “%(state)s”."),
        asks=("shipment",),
        window=_return_window,
    ),
    Action(
        "return_receive",
        frozenset({SELLER}),
        frozenset({S.RETURN_SHIPPED}),
        S.REFUNDED,
        label=_("Goods received: refund"),
        done=_("Refund paid: the money is back with the buyer."),
        refusal=_("No returned parcel is on its way; this order is “%(state)s”."),
        asks=("restock",),
    ),
    Action(
        "dispute",
        frozenset({BUYER}),
        frozenset({S.REFUND_DECLINED}),
        S.DISPUTED,
        label=_("Ask staff to decide"),
        done=_("Staff will decide on this refund."),
        refusal=_("Only a declined refund can be disputed; this order is “%(state)s”."),
        asks=("reason?",),
        window=_dispute_window,
    ),
    Action(
        "cancel",
        frozenset({BUYER, SELLER}),
        frozenset({S.PENDING_PAYMENT, S.PAID}),
        S.CANCELLED,
        label=_("Cancel the order"),
        done=_("The order is cancelled."),
        refusal=_("This order is “%(state)s”; it cannot be cancelled."),
        refusals={
            S.SHIPPED: _("This order has shipped and can no longer be cancelled."),
            S.DELIVERED: _("This order has shipped and can no longer be cancelled."),
        },
        asks=("reason?",),  # the seller must give one (the service says so)
    ),
    Action(
        "resolve",
        frozenset({STAFF}),
        frozenset({S.DISPUTED}),
        S.COMPLETED,
        label=_("Decide"),
        done=_("Decided."),
        refusal=_("This order is “%(state)s”, not disputed."),
    ),
)
BY_NAME: dict[str, Action] = {action.name: action for action in ACTIONS}


def refusal(order: Order, name: str, *, now: dt.datetime | None = None) -> Exception | None:
    """Why the action `name` cannot be taken on `order` now (an error to raise), or None.
    Who is asking is the caller's check (the services lock the order as its buyer, seller or
    staff)."""
    action = BY_NAME[name]
    if order.state not in action.sources:
        message = action.refusals.get(order.state, action.refusal)
        return OrderStateConflict(
            str(message) % {"state": state_label(order.state)}, state=order.state
        )
    if action.window is not None:
        return action.window(order, now or timezone.now())
    return None


def check(order: Order, name: str, *, now: dt.datetime | None = None) -> None:
    """Refuse (raise) unless the action `name` can be taken on `order` now."""
    error = refusal(order, name, now=now)
    if error is not None:
        raise error


def available(order: Order, role: str, *, now: dt.datetime | None = None) -> list[str]:
    """The actions `role` may take on `order` now, in the declared order."""
    now = now or timezone.now()
    return [
        action.name
        for action in ACTIONS
        if role in action.roles and refusal(order, action.name, now=now) is None
    ]
