"""Paying an order with the PIN, and buying now (place and pay in one step)."""

from collections.abc import Callable, Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from storefeed.accounts.models import User
from storefeed.catalog.search import product_state_statement
from storefeed.core import sql
from storefeed.core.errors import DomainError, Forbidden, NotFound
from storefeed.notifications.services import notify_shop
from storefeed.notifications.shop import money, shop_text
from storefeed.orders import links, workflow
from storefeed.orders.errors import (
    OrderStateConflict,
    PaymentExpired,
)
from storefeed.orders.models import Order
from storefeed.orders.services.addresses import _own_address
from storefeed.orders.services.cart import _purchasable
from storefeed.orders.services.checkout import (
    _check_stock,
    _line,
    _new_orders,
    _replayed_orders,
    _short_already,
    _source_posts,
    _stock_statements,
)
from storefeed.orders.services.common import S, _locked, _pk, _visible_to_buyer
from storefeed.orders.states import (
    transition_check,
    transition_statements,
)
from storefeed.wallet.idempotency import Idempotency, fingerprint_of
from storefeed.wallet.services import (
    escrow_hold,
    pin_check,
)


def _in_one_commit[T](
    *,
    buyer: User,
    pin: str,
    idempotency: Idempotency,
    prepare: Callable[[], T],
    work: Callable[[T], Order],
) -> Order | None:
    """Pay in one durable transaction and one commit: claim the key (None when it was
    answered before: a replay), `prepare()` (lock and check; a refusal there rolls back
    everything), check the PIN (its row locked after the order's, before stock and ledger
    rows), then `work(prepared)`. A wrong PIN commits its counted try and nothing else (the
    key is given back) and is raised after the commit. So is a refusal of `work` when the
    PIN's row was written (a right PIN resetting the count, or its hash upgraded): the work
    then runs in a savepoint, so the reset is kept while the payment is not."""
    refusal: Exception | None = None
    done: Order | None = None
    with transaction.atomic(durable=True):
        if idempotency.claim(account=buyer).replayed:
            return None
        prepared = prepare()
        check = pin_check(account=buyer, pin=pin)
        if check.refusal is not None:
            idempotency.release()
            refusal = check.refusal
        elif not check.written:
            done = work(prepared)
        else:
            try:
                with transaction.atomic():
                    done = work(prepared)
            except DomainError as error:
                idempotency.release()
                refusal = error
    if refusal is not None:
        raise refusal
    return done


def _paid_notice(order: Order, buyer: User) -> sql.Statement:
    """The seller's "paid: ship it" notification, as its INSERT."""
    note = notify_shop(
        save=False,
        recipient_id=order.seller_id,
        actor_id=buyer.pk,
        event="order_paid",
        message=shop_text(
            gettext_noop("Order %(id)s is paid (%(total)s): ship it."),
            id=order.pk,
            total=money(order.total_fen, order.currency),
        ),
        url=links.order_url(order.pk),
        order_id=str(order.pk),
        state=order.state,
    )
    return sql.insert_statement([note])


def _hold(
    order: Order,
    buyer: User,
    *,
    first: Sequence[sql.Statement],
    check_first: Callable[[list[int]], None],
) -> None:
    """The payment's ledger rows and balances, sent in one round trip after `first` (the
    payment's other writes, hot stock last when buying now); see `ledger.transfer`."""
    escrow_hold(
        buyer=buyer,
        amount=order.total_fen,
        ref=order.ref,
        currency=order.currency,
        memo=_("Order %(id)s") % {"id": order.pk},
        first=first,
        check_first=check_first,
        savepoint=False,  # nothing here catches a refusal: it rolls the whole payment back
        commit=True,  # the payment's last writes: the COMMIT goes with them (PostgreSQL)
    )


def order_pay(
    *,
    buyer: User,
    order_id: object,
    pin: str,
    idempotency_key: str = "",
    idempotency: Idempotency | None = None,
) -> Order:
    """Pay an order with the payment PIN: the total moves from the buyer's wallet to escrow
    and the order is paid. Refused: someone else's order (NotFound), an order not awaiting
    payment (paying twice), one past its deadline, a wrong PIN (counted, even though the
    request is refused), too little money (InsufficientFunds with the shortfall; the
    reservation stays until its deadline). The same idempotency key again returns the paid
    order and moves nothing; `idempotency` (the shop API's) keeps its own response.

    One durable transaction and one commit: the key's claim, the order locked and checked,
    the PIN, the order paid with its event and the seller's notification, the kept response,
    then the ledger's rows and last its two balances (escrow is one hot row per currency)."""
    pk = _pk(order_id)
    idem = idempotency or Idempotency(
        key=idempotency_key,
        scope="orders.pay",
        fingerprint=fingerprint_of({"order_id": pk}),
        respond=lambda paid: (200, {"order_id": str(paid.pk), "state": paid.state}),
    )

    def prepare() -> Order:
        order = _locked(pk, account=buyer, role="buyer", related=True)
        _check_payable(order)
        return order

    def work(order: Order) -> Order:
        moved, event = transition_statements(order, S.PAID, by=buyer, paid_at=timezone.now())
        writes = [*moved, _paid_notice(order, buyer), idem.keep_statement(order)]
        _hold(
            order,
            buyer,
            first=writes,
            check_first=lambda counts: transition_check(counts[0], event),
        )
        return order

    paid = _in_one_commit(buyer=buyer, pin=pin, idempotency=idem, prepare=prepare, work=work)
    return paid if paid is not None else _visible_to_buyer(buyer, pk)


def order_buy(
    *,
    buyer: User,
    product_id: object,
    variant_id: object = None,
    quantity: object = 1,
    address_id: object,
    pin: str,
    source_status_id: object = None,
    idempotency_key: str = "",
    idempotency: Idempotency | None = None,
) -> Order:
    """Buy now: place and pay one product in one step, all or nothing. Everything
    `order_place` and `order_pay` refuse is refused here, and a refusal leaves nothing: no
    order, no stock taken, no money moved (a wrong PIN is still counted). The order is
    written paid, with both events (placed, paid), and the seller is told to ship. The same
    idempotency key again returns the same order and moves nothing.

    One durable transaction and one commit: the key's claim, the PIN, the order, its item,
    events and the seller's notification, the kept response, the ledger's rows, then the hot
    rows last, in the one lock order: the stock's conditional UPDATE, then the two balances."""
    if not buyer.is_active:
        raise Forbidden(_("This account cannot buy."), field="buyer")
    line = _line(
        {
            "product_id": product_id,
            "variant_id": variant_id,
            "quantity": quantity,
            "source_status_id": source_status_id,
        }
    )
    address = _own_address(buyer, address_id)
    bought = {line.sort_key: _purchasable(buyer, line.product_id, line.variant_id)}
    _short_already([line], bought)
    sources = _source_posts([line])
    idem = idempotency or Idempotency(
        key=idempotency_key,
        scope="orders.buy",
        fingerprint=fingerprint_of(
            {
                "line": [line.product_id, line.variant_id, line.quantity, line.source_status_id],
                "address_id": address.pk,
            }
        ),
        respond=lambda placed: (201, {"order_id": str(placed.order.pk)}),
    )

    def work(_nothing: None) -> Order:
        (placed,), writes = _new_orders(
            buyer=buyer, lines=[line], bought=bought, sources=sources, address=address, paid=True
        )
        writes += [_paid_notice(placed.order, buyer), idem.keep_statement(placed)]
        # The stock's conditional UPDATE last of these, then the ledger's balances.
        stock = _stock_statements([line], bought)
        # The product's search row follows its stock (writes only if this emptied it).
        searched = product_state_statement([line.product_id])
        _hold(
            placed.order,
            buyer,
            first=[*writes, *stock, searched],
            check_first=lambda counts: _check_stock(
                [line], bought, counts[len(writes) : len(writes) + len(stock)]
            ),
        )
        return placed.order

    order = _in_one_commit(buyer=buyer, pin=pin, idempotency=idem, prepare=lambda: None, work=work)
    if order is not None:
        return order
    replayed = _replayed_orders(buyer, idem)
    if not replayed:
        raise NotFound(_("This order does not exist."), field="order_id")
    return replayed[0]


def _check_payable(order: Order) -> None:
    if order.paid_at is not None:
        raise OrderStateConflict(_("This order is already paid."), state=order.state)
    if order.state == S.EXPIRED or (
        order.state == S.PENDING_PAYMENT and order.expires_at <= timezone.now()
    ):
        raise PaymentExpired(
            _("The time to pay for this order ran out; its items were released. Order again."),
            state=order.state,
        )
    workflow.check(order, "pay")
