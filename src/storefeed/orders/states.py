"""The order's life cycle as a declared map of legal moves (the moves people make are declared
with their rules in orders/workflow.py; the sweeps make the rest), and the one `transition()` helper
that moves an order along it, records the move and refuses every other.

    pending_payment -> paid | expired | cancelled
    paid            -> shipped | cancelled          (buyer before shipping; seller with a reason)
    shipped         -> delivered | refund_requested (buyer confirms, or after AUTO_CONFIRM_DAYS;
                                                     or the parcel never arrives)
    delivered       -> completed | refund_requested (completed when the refund window closes)
    refund_requested-> refunded | refund_declined   (the seller decides)
                     | return_requested             (or asks for delivered goods back first)
    return_requested-> return_shipped | completed   (the buyer sends them back, or the window
                                                     to do so closes)
    return_shipped  -> refunded | refund_declined   (the seller receives them, or says not)
    refund_declined -> disputed | completed         (the buyer disputes, or the window closes)
    disputed        -> refunded | completed         (staff decide)
"""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from storefeed.accounts.models import User
from storefeed.core import sql
from storefeed.core.errors import Conflict
from storefeed.orders.errors import OrderStateConflict
from storefeed.orders.models import Order, OrderEvent, OrderState

S = OrderState
TRANSITIONS: dict[str, frozenset[str]] = {
    S.PENDING_PAYMENT: frozenset({S.PAID, S.EXPIRED, S.CANCELLED}),
    S.PAID: frozenset({S.SHIPPED, S.CANCELLED}),
    S.SHIPPED: frozenset({S.DELIVERED, S.REFUND_REQUESTED}),
    S.DELIVERED: frozenset({S.COMPLETED, S.REFUND_REQUESTED}),
    S.REFUND_REQUESTED: frozenset({S.REFUNDED, S.REFUND_DECLINED, S.RETURN_REQUESTED}),
    S.RETURN_REQUESTED: frozenset({S.RETURN_SHIPPED, S.COMPLETED}),
    S.RETURN_SHIPPED: frozenset({S.REFUNDED, S.REFUND_DECLINED}),
    S.REFUND_DECLINED: frozenset({S.DISPUTED, S.COMPLETED}),
    S.DISPUTED: frozenset({S.REFUNDED, S.COMPLETED}),
    S.COMPLETED: frozenset(),
    S.EXPIRED: frozenset(),
    S.CANCELLED: frozenset(),
    S.REFUNDED: frozenset(),
}
FINAL = frozenset(state for state, moves in TRANSITIONS.items() if not moves)
# Units of these orders are held for the buyer (reserved, not yet paid).
RESERVED_STATES = frozenset({S.PENDING_PAYMENT})
# Units of these orders have left the stock for good; a refunded delivery keeps its units
# (the goods are with the buyer), except an order whose returned goods the seller put back
# on sale (`Order.restocked`: its units are in the stock again).
SOLD_STATES = frozenset(set(S.values) - {S.PENDING_PAYMENT, S.EXPIRED, S.CANCELLED})
# ...and these count as sales (per-post analytics): sold, and not refunded.
SALE_STATES = SOLD_STATES - {S.REFUNDED}


def state_label(state: str) -> str:
    try:
        return str(OrderState(state).label)
    except ValueError:
        return state


def can_move(order: Order, to: str) -> bool:
    return to in TRANSITIONS.get(order.state, frozenset())


def transition(
    order: Order, to: str, *, by: User | None, note: str = "", **fields: Any
) -> OrderEvent:
    """Move `order` to `to` (writing `fields` with it) and record the event, or refuse with
    OrderStateConflict. The UPDATE is conditional on the state read, so two racing requests
    move an order once even if the caller forgot to lock it."""
    statements, event = transition_statements(order, to, by=by, note=note, **fields)
    transition_check(sql.batch(statements)[0], event)
    return event


def transition_statements(
    order: Order, to: str, *, by: User | None, note: str = "", **fields: Any
) -> tuple[list[sql.Statement], OrderEvent]:
    """`transition` as its two statements (the conditional UPDATE, the event's INSERT) for a
    caller that sends them with others (`sql.batch`) and then calls `transition_check` with
    the UPDATE's row count. Refuses an illegal move at once; `order` shows the move."""
    current = order.state
    if not can_move(order, to):
        raise OrderStateConflict(
            _("This order is “%(current)s”; it cannot become “%(to)s”.")
            % {"current": state_label(current), "to": state_label(to)},
            state=current,
            to=to,
        )
    if to in FINAL:
        fields.setdefault("closed_at", timezone.now())
    update = sql.update_statement(
        Order, {"state": to, **fields}, {"id": order.pk, "state": current}
    )
    order.state = to
    for name, value in fields.items():
        setattr(order, name, value)
    event = OrderEvent(order=order, actor=by, from_state=current, to_state=to, note=note[:500])
    return [update, sql.insert_statement([event])], event


def transition_check(updated: int, event: OrderEvent) -> None:
    """Refuse (rolling the caller's transaction back) when the conditional UPDATE moved no
    row: another request moved the order first."""
    if updated != 1:
        raise Conflict(
            _("This order changed meanwhile; reload it and try again."), state=event.from_state
        )
