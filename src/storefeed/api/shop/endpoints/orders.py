"""Cart, address book and order endpoints: checkout, paying with the PIN, the order's life
(cancel, ship, confirm, refunds, disputes) and the lists a buyer and a seller see."""

from collections.abc import Sequence
from typing import Any, Literal

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from storefeed.accounts.models import User
from storefeed.api.shop.auth import READ, WRITE, account_of
from storefeed.api.shop.common import (
    ERRORS,
    Id,
    Units,
    amount,
    idempotency_for,
    idempotent_answer,
    iso,
    money_moving,
    sid,
    to_id,
)
from storefeed.core.errors import NotFound, ValidationFailed
from storefeed.orders import carriers, selectors, services, workflow
from storefeed.orders.models import Address, Order, OrderItem
from storefeed.orders.selectors import CartLine
from storefeed.orders.states import state_label
from storefeed.social.selectors import is_following

router = Router(tags=["orders"])

# --- Schemas ---------------------------------------------------------------------------------


class AddressIn(Schema):
    recipient: str = ""
    phone: str = ""
    region: str = ""
    city: str = ""
    street: str = ""
    postcode: str = ""
    is_default: bool = False


class AddressPatch(Schema):
    recipient: str | None = None
    phone: str | None = None
    region: str | None = None
    city: str | None = None
    street: str | None = None
    postcode: str | None = None
    is_default: bool | None = None


class AddressOut(Schema):
    id: str
    recipient: str
    phone: str
    region: str
    city: str
    street: str
    postcode: str
    is_default: bool


class CartItemIn(Schema):
    product_id: Id
    variant_id: Id | None = None
    quantity: Units = "1"
    source_status_id: Id | None = None  # the post it was found in (per-post sales)


class CartQuantityIn(Schema):
    quantity: Units


class CartLineOut(Schema):
    id: str
    product_id: str
    variant_id: str | None
    title: str
    variant_name: str
    unit_price: str  # the price now; the order copies it when placed
    currency: str
    quantity: int
    line_total: str
    stock: int
    available: bool  # on sale, shop open, enough stock for the quantity right now
    seller_id: str


class CartOut(Schema):
    items: list[CartLineOut]
    total: str
    currency: str


class OrderLineIn(Schema):
    product_id: Id
    variant_id: Id | None = None
    quantity: Units = "1"
    source_status_id: Id | None = None


class OrderIn(Schema):
    items: list[OrderLineIn] = []
    from_cart: bool = False
    address_id: Id | None = None


class PayIn(Schema):
    pin: str = ""


class BuyIn(Schema):
    product_id: Id
    variant_id: Id | None = None
    quantity: Units = "1"
    address_id: Id | None = None
    pin: str = ""
    source_status_id: Id | None = None  # the post it was bought from (per-post sales)


class ReasonIn(Schema):
    reason: str = ""


class ShipIn(Schema):
    carrier: str = ""
    tracking_number: str = ""


class RestockIn(Schema):
    restock: bool = False  # put the returned units back on sale


class ResolveIn(Schema):
    outcome: Literal["refund", "complete"]
    note: str = ""


class PartyOut(Schema):
    id: str
    username: str


class OrderItemOut(Schema):
    product_id: str
    variant_id: str | None
    title: str
    variant_name: str
    unit_price: str
    quantity: int
    line_total: str
    source_status_id: str | None
    reposter_id: str | None  # bought from this account's repost of the post


class ShippingOut(Schema):
    recipient: str
    phone: str
    address: str
    carrier: str
    carrier_name: str
    tracking_number: str
    tracking_url: str | None


class ReturnOut(Schema):
    """A return of goods: how the buyer sent them back (empty until then)."""

    carrier: str
    carrier_name: str
    tracking_number: str
    tracking_url: str | None
    requested_at: str | None  # when the seller asked for the goods back
    shipped_at: str | None
    restocked: bool  # the seller put the returned units back on sale


class ReasonsOut(Schema):
    cancel: str
    refund: str
    decline: str
    dispute: str


class EventOut(Schema):
    from_state: str
    to_state: str
    actor_id: str | None  # None: the system (expiry, automatic confirmation, completion)
    note: str
    created_at: str


class OrderOut(Schema):
    id: str
    checkout_id: str  # shared by the orders of one checkout (one order per seller)
    role: Literal["buyer", "seller", "staff"]  # the viewer's side of it
    state: str
    state_label: str
    actions: list[str]  # what the viewer may do next
    buyer: PartyOut
    seller: PartyOut
    items: list[OrderItemOut]
    total: str
    fee: str
    currency: str
    shipping: ShippingOut
    return_of_goods: ReturnOut
    reasons: ReasonsOut
    created_at: str
    expires_at: str  # pay before this, or the order expires and its stock returns
    paid_at: str | None
    shipped_at: str | None
    delivered_at: str | None
    closed_at: str | None
    events: list[EventOut] | None  # the single-order GET only


class CheckoutOut(Schema):
    orders: list[OrderOut]


class FollowOffer(Schema):
    account_id: str
    following: bool


class PaidOut(OrderOut):
    """After paying, Weibo Payment's offers: follow the seller, share the post bought from."""

    follow_seller: FollowOffer
    share_status_ids: list[str]


class OrdersQuery(Schema):
    role: Literal["buyer", "seller"] = "buyer"
    state: str | None = None  # a state, several comma-separated, or "open" / "closed"
    max_id: Id | None = None
    limit: int = 20


class DisputesQuery(Schema):
    max_id: Id | None = None
    limit: int = 50


# --- Rendering -------------------------------------------------------------------------------


def render_address(address: Address) -> dict[str, Any]:
    return {
        "id": str(address.pk),
        "recipient": address.recipient,
        "phone": address.phone,
        "region": address.region,
        "city": address.city,
        "street": address.street,
        "postcode": address.postcode,
        "is_default": address.is_default,
    }


def render_cart(lines: list[CartLine]) -> dict[str, Any]:
    currency = lines[0].currency if lines else "CNY"
    return {
        "items": [
            {
                "id": str(line.item.pk),
                "product_id": str(line.item.product_id),
                "variant_id": sid(line.item.variant_id),
                "title": line.title,
                "variant_name": line.variant_name,
                "unit_price": amount(line.unit_price_fen, line.currency),
                "currency": line.currency,
                "quantity": line.item.quantity,
                "line_total": amount(line.line_total_fen, line.currency),
                "stock": line.stock,
                "available": line.available,
                "seller_id": str(line.seller_id),
            }
            for line in lines
        ],
        "total": amount(sum(line.line_total_fen for line in lines), currency),
        "currency": currency,
    }


def _party(user: User) -> dict[str, str]:
    return {"id": str(user.pk), "username": user.username}


def render_order(
    order: Order,
    viewer: User,
    *,
    events: bool = False,
    items: Sequence[OrderItem] | None = None,
) -> dict[str, Any]:
    """The order as the viewer sees it; `items` when they are at hand (an order just
    written), else they are read."""
    role = (
        "seller"
        if order.seller_id == viewer.pk
        else "buyer"
        if order.buyer_id == viewer.pk
        else "staff"
    )
    currency = order.currency
    return {
        "id": str(order.pk),
        "checkout_id": str(order.checkout_id),
        "role": role,
        "state": order.state,
        "state_label": state_label(order.state),
        "actions": workflow.available(order, role),
        "buyer": _party(order.buyer),
        "seller": _party(order.seller),
        "items": [
            {
                "product_id": str(item.product_id),
                "variant_id": sid(item.variant_id),
                "title": item.title,
                "variant_name": item.variant_name,
                "unit_price": amount(item.unit_price_fen, currency),
                "quantity": item.quantity,
                "line_total": amount(item.line_total_fen, currency),
                "source_status_id": sid(item.source_status_id),
                "reposter_id": sid(item.reposter_id),
            }
            for item in (order.items.all() if items is None else items)
        ],
        "total": amount(order.total_fen, currency),
        "fee": amount(order.fee_fen, currency),
        "currency": currency,
        "shipping": {
            "recipient": order.ship_recipient,
            "phone": order.ship_phone,
            "address": order.ship_address,
            "carrier": order.carrier,
            "carrier_name": carriers.label(order.carrier),
            "tracking_number": order.tracking_number,
            "tracking_url": carriers.tracking_url(order.carrier, order.tracking_number),
        },
        "return_of_goods": {
            "carrier": order.return_carrier,
            "carrier_name": carriers.label(order.return_carrier),
            "tracking_number": order.return_tracking_number,
            "tracking_url": carriers.tracking_url(
                order.return_carrier, order.return_tracking_number
            ),
            "requested_at": iso(order.return_requested_at),
            "shipped_at": iso(order.return_shipped_at),
            "restocked": order.restocked,
        },
        "reasons": {
            "cancel": order.cancel_reason,
            "refund": order.refund_reason,
            "decline": order.decline_reason,
            "dispute": order.dispute_reason,
        },
        "created_at": iso(order.created_at),
        "expires_at": iso(order.expires_at),
        "paid_at": iso(order.paid_at),
        "shipped_at": iso(order.shipped_at),
        "delivered_at": iso(order.delivered_at),
        "closed_at": iso(order.closed_at),
        "events": [
            {
                "from_state": event.from_state,
                "to_state": event.to_state,
                "actor_id": sid(event.actor_id),
                "note": event.note,
                "created_at": iso(event.created_at),
            }
            for event in order.events.all()
        ]
        if events
        else None,
    }


def _order_now(viewer: User, order_id: object) -> dict[str, Any]:
    """The order as it is now, re-read through the party check."""
    return render_order(selectors.order_for_party(account=viewer, order_id=order_id), viewer)


# --- Addresses -------------------------------------------------------------------------------


@router.get("/addresses", auth=READ, response={200: list[AddressOut], **ERRORS})
def addresses(request: HttpRequest) -> list[dict]:
    """The address book, the default first."""
    return [render_address(a) for a in selectors.addresses_for(account=account_of(request))]


@router.post("/addresses", auth=WRITE, response={201: AddressOut, **ERRORS})
def address_create(request: HttpRequest, payload: AddressIn) -> Status:
    """Add a shipping address (at most 20; the first is the default)."""
    made = services.address_create(account=account_of(request), **payload.model_dump())
    return Status(201, render_address(made))


@router.get("/addresses/{address_id}", auth=READ, response={200: AddressOut, **ERRORS})
def address_get(request: HttpRequest, address_id: str) -> dict:
    return render_address(
        selectors.address_for(account=account_of(request), address_id=to_id(address_id))
    )


@router.patch("/addresses/{address_id}", auth=WRITE, response={200: AddressOut, **ERRORS})
def address_patch(request: HttpRequest, address_id: str, payload: AddressPatch) -> dict:
    """Change what is sent; orders already placed keep the address they were placed with."""
    changed = services.address_update(
        account=account_of(request),
        address_id=to_id(address_id),
        **payload.model_dump(exclude_unset=True),
    )
    return render_address(changed)


@router.delete("/addresses/{address_id}", auth=WRITE, response={204: None, **ERRORS})
def address_delete(request: HttpRequest, address_id: str) -> Status:
    """Delete an address; if it was the default, the newest remaining one becomes it."""
    services.address_delete(account=account_of(request), address_id=to_id(address_id))
    return Status(204, None)


# --- Cart ------------------------------------------------------------------------------------


def _cart_now(account: User) -> dict[str, Any]:
    return render_cart(selectors.cart_for(account=account))


@router.get("/cart", auth=READ, response={200: CartOut, **ERRORS})
def cart(request: HttpRequest) -> dict:
    """The cart with current prices and stock; nothing is reserved until an order is placed."""
    return _cart_now(account_of(request))


@router.post("/cart/items", auth=WRITE, response={201: CartOut, **ERRORS})
def cart_add(request: HttpRequest, payload: CartItemIn) -> Status:
    """Put units in the cart (the same product and variant again adds to its line)."""
    account = account_of(request)
    services.cart_add(
        account=account,
        product_id=to_id(payload.product_id, field="product_id"),
        variant_id=payload.variant_id,
        quantity=payload.quantity,
        source_status_id=payload.source_status_id,
    )
    return Status(201, _cart_now(account))


@router.patch("/cart/items/{item_id}", auth=WRITE, response={200: CartOut, **ERRORS})
def cart_update(request: HttpRequest, item_id: str, payload: CartQuantityIn) -> dict:
    account = account_of(request)
    services.cart_update(account=account, item_id=to_id(item_id), quantity=payload.quantity)
    return _cart_now(account)


@router.delete("/cart/items/{item_id}", auth=WRITE, response={200: CartOut, **ERRORS})
def cart_remove(request: HttpRequest, item_id: str) -> dict:
    account = account_of(request)
    services.cart_remove(account=account, item_id=to_id(item_id))
    return _cart_now(account)


# --- Orders ----------------------------------------------------------------------------------


@router.post("/orders", auth=WRITE, response={201: CheckoutOut, **ERRORS})
def order_create(request: HttpRequest, payload: OrderIn) -> JsonResponse:
    """Check out `items` or the whole cart (`from_cart`): one order per seller, stock reserved
    at once, to be paid before `expires_at`. Short stock anywhere is 409
    `insufficient_stock` with `details.shortfalls` (and nothing reserved). Idempotency-Key
    required."""
    account = account_of(request)
    idempotency = idempotency_for(
        request,
        payload=payload,
        respond=lambda placed: (
            201,
            {"orders": [render_order(p.order, account, items=p.items) for p in placed]},
        ),
    )
    if payload.address_id in (None, ""):
        raise ValidationFailed(_("Choose a shipping address."), field="address_id")
    address_id = to_id(payload.address_id, field="address_id")
    services.order_place(
        buyer=account,
        items=[line.model_dump() for line in payload.items],
        from_cart=payload.from_cart,
        address_id=address_id,
        idempotency=idempotency,
    )
    return idempotent_answer(idempotency)


@router.get("/orders", auth=READ, response={200: list[OrderOut], **ERRORS})
def orders(request: HttpRequest, query: Query[OrdersQuery]) -> list[dict]:
    """The viewer's orders as buyer (default) or as seller, newest first; filter by `state`
    ("paid", "paid,shipped", "open", "closed"); page with `max_id`."""
    account = account_of(request)
    max_id = to_id(query.max_id, field="max_id") if query.max_id not in (None, "") else None
    if query.role == "seller":
        rows = selectors.orders_for_seller(
            seller=account, state=query.state, max_id=max_id, limit=query.limit
        )
    else:
        rows = selectors.orders_for_buyer(
            buyer=account, state=query.state, max_id=max_id, limit=query.limit
        )
    return [render_order(o, account) for o in rows]


@router.get("/orders/{order_id}", auth=READ, response={200: OrderOut, **ERRORS})
def order_get(request: HttpRequest, order_id: str) -> dict:
    """One order with its history, for its buyer or its seller (404 for anyone else)."""
    account = account_of(request)
    order = selectors.order_for_party(account=account, order_id=to_id(order_id))
    return render_order(order, account, events=True)


@router.post("/orders/{order_id}/pay", auth=WRITE, response={200: PaidOut, **ERRORS})
def order_pay(request: HttpRequest, order_id: str, payload: PayIn) -> JsonResponse:
    """Pay with the 6-digit PIN: the total moves from the wallet to escrow. Too little money
    is 422 `insufficient_funds` with the shortfall (top up and pay again before
    `expires_at`). Idempotency-Key required; a replay returns the first answer."""
    account = account_of(request)
    pk = to_id(order_id)
    idempotency = idempotency_for(
        request, payload=payload, respond=lambda order: (200, render_paid(order, account))
    )
    services.order_pay(buyer=account, order_id=pk, pin=payload.pin, idempotency=idempotency)
    return idempotent_answer(idempotency)


@router.post("/buy", auth=WRITE, response={201: PaidOut, **ERRORS})
def buy_now(request: HttpRequest, payload: BuyIn) -> JsonResponse:
    """Buy now: place and pay one product in one request, all or nothing. Any refusal
    (bad input, unknown address, not for sale, short stock, a wrong PIN, too little money)
    leaves no order, no stock taken and no money moved; a wrong PIN is still counted.
    Answers 201 with the paid order, like paying. Idempotency-Key required."""
    account = account_of(request)
    idempotency = idempotency_for(
        request,
        payload=payload,
        respond=lambda placed: (201, render_paid(placed.order, account, items=placed.items)),
    )
    if payload.address_id in (None, ""):
        raise ValidationFailed(_("Choose a shipping address."), field="address_id")
    address_id = to_id(payload.address_id, field="address_id")
    services.order_buy(
        buyer=account,
        product_id=to_id(payload.product_id, field="product_id"),
        variant_id=payload.variant_id,
        quantity=payload.quantity,
        address_id=address_id,
        pin=payload.pin,
        source_status_id=payload.source_status_id,
        idempotency=idempotency,
    )
    return idempotent_answer(idempotency)


def render_paid(
    order: Order, viewer: User, *, items: Sequence[OrderItem] | None = None
) -> dict[str, Any]:
    """A paid order with Weibo Payment's offers: follow the seller, share the post."""
    lines = list(order.items.all()) if items is None else items
    body = render_order(order, viewer, items=lines)
    body["follow_seller"] = {
        "account_id": str(order.seller_id),
        "following": is_following(viewer.pk, order.seller_id),
    }
    body["share_status_ids"] = sorted(
        {str(i.source_status_id) for i in lines if i.source_status_id}
    )
    return body


def _party_action(request: HttpRequest, order_id: str, payload: Any, act: Any) -> JsonResponse:
    """A life-cycle step: an Idempotency-Key is honoured when sent (optional here: a repeat
    without one is refused by the state machine, and moves nothing)."""
    account = account_of(request)
    pk = to_id(order_id)

    def work() -> tuple[int, dict]:
        act(account, pk)
        return 200, _order_now(account, pk)

    return money_moving(request, payload=payload, work=work, required=False)


@router.post("/orders/{order_id}/cancel", auth=WRITE, response={200: OrderOut, **ERRORS})
def order_cancel(
    request: HttpRequest, order_id: str, payload: ReasonIn | None = None
) -> JsonResponse:
    """Cancel before shipping: the buyer (reason optional) or the seller (reason required).
    A paid order's total returns to the buyer's wallet; the units return to stock."""
    reason = payload.reason if payload else ""
    return _party_action(
        request,
        order_id,
        {"reason": reason},
        lambda who, pk: services.order_cancel(account=who, order_id=pk, reason=reason),
    )


@router.post("/orders/{order_id}/ship", auth=WRITE, response={200: OrderOut, **ERRORS})
def order_ship(request: HttpRequest, order_id: str, payload: ShipIn) -> JsonResponse:
    """The seller ships a paid order with the carrier and tracking number."""
    return _party_action(
        request,
        order_id,
        payload,
        lambda who, pk: services.order_ship(
            seller=who,
            order_id=pk,
            carrier=payload.carrier,
            tracking_number=payload.tracking_number,
        ),
    )


@router.post("/orders/{order_id}/confirm", auth=WRITE, response={200: OrderOut, **ERRORS})
def order_confirm(request: HttpRequest, order_id: str) -> JsonResponse:
    """The buyer confirms receipt; the 7-day refund window opens, then the seller is paid."""
    return _party_action(
        request, order_id, {}, lambda who, pk: services.order_confirm(buyer=who, order_id=pk)
    )


@router.post("/orders/{order_id}/refund_request", auth=WRITE, response={200: OrderOut, **ERRORS})
def order_refund_request(request: HttpRequest, order_id: str, payload: ReasonIn) -> JsonResponse:
    """Within 7 days of delivery the buyer asks for a refund, with a reason."""
    return _party_action(
        request,
        order_id,
        payload,
        lambda who, pk: services.order_refund_request(
            buyer=who, order_id=pk, reason=payload.reason
        ),
    )


@router.post("/orders/{order_id}/refund_accept", auth=WRITE, response={200: OrderOut, **ERRORS})
def order_refund_accept(request: HttpRequest, order_id: str) -> JsonResponse:
    """The seller accepts the refund: the total returns to the buyer's wallet."""
    return _party_action(
        request,
        order_id,
        {},
        lambda who, pk: services.order_refund_accept(seller=who, order_id=pk),
    )


@router.post("/orders/{order_id}/refund_decline", auth=WRITE, response={200: OrderOut, **ERRORS})
def order_refund_decline(request: HttpRequest, order_id: str, payload: ReasonIn) -> JsonResponse:
    """The seller declines the refund with a reason; the buyer may then dispute it."""
    return _party_action(
        request,
        order_id,
        payload,
        lambda who, pk: services.order_refund_decline(
            seller=who, order_id=pk, reason=payload.reason
        ),
    )


@router.post("/orders/{order_id}/return_request", auth=WRITE, response={200: OrderOut, **ERRORS})
def order_return_request(request: HttpRequest, order_id: str) -> JsonResponse:
    """The seller answers a refund request on a delivered order by asking for the goods back
    first; the buyer then has 7 days to send them."""
    return _party_action(
        request,
        order_id,
        {},
        lambda who, pk: services.order_return_request(seller=who, order_id=pk),
    )


@router.post("/orders/{order_id}/return_ship", auth=WRITE, response={200: OrderOut, **ERRORS})
def order_return_ship(request: HttpRequest, order_id: str, payload: ShipIn) -> JsonResponse:
    """The buyer sends the goods asked back, with the carrier and tracking number."""
    return _party_action(
        request,
        order_id,
        payload,
        lambda who, pk: services.order_return_ship(
            buyer=who,
            order_id=pk,
            carrier=payload.carrier,
            tracking_number=payload.tracking_number,
        ),
    )


@router.post("/orders/{order_id}/return_receive", auth=WRITE, response={200: OrderOut, **ERRORS})
def order_return_receive(
    request: HttpRequest, order_id: str, payload: RestockIn | None = None
) -> JsonResponse:
    """The returned goods arrived: the buyer is refunded, and the units go back on sale if
    `restock`."""
    restock = bool(payload and payload.restock)
    return _party_action(
        request,
        order_id,
        {"restock": restock},
        lambda who, pk: services.order_return_receive(seller=who, order_id=pk, restock=restock),
    )


@router.post("/orders/{order_id}/dispute", auth=WRITE, response={200: OrderOut, **ERRORS})
def order_dispute(
    request: HttpRequest, order_id: str, payload: ReasonIn | None = None
) -> JsonResponse:
    """After a declined refund the buyer asks staff to decide."""
    reason = payload.reason if payload else ""
    return _party_action(
        request,
        order_id,
        {"reason": reason},
        lambda who, pk: services.order_dispute(buyer=who, order_id=pk, reason=reason),
    )


@router.get("/admin/disputes", auth=READ, response={200: list[OrderOut], **ERRORS})
def disputes(request: HttpRequest, query: Query[DisputesQuery]) -> list[dict]:
    """Staff: disputed refunds, oldest first."""
    account = account_of(request)
    if not account.is_staff:
        raise NotFound(_("Record not found."))
    max_id = to_id(query.max_id, field="max_id") if query.max_id not in (None, "") else None
    return [render_order(o, account) for o in selectors.disputes(max_id=max_id, limit=query.limit)]


@router.post("/admin/orders/{order_id}/resolve", auth=WRITE, response={200: OrderOut, **ERRORS})
def dispute_resolve(request: HttpRequest, order_id: str, payload: ResolveIn) -> JsonResponse:
    """Staff decide a disputed refund: "refund" (the buyer is paid back) or "complete"."""
    account = account_of(request)
    pk = to_id(order_id)

    def work() -> tuple[int, dict]:
        services.order_dispute_resolve(
            by=account, order_id=pk, outcome=payload.outcome, note=payload.note
        )
        return 200, render_order(selectors.order_for_staff(staff=account, order_id=pk), account)

    return money_moving(request, payload=payload, work=work, required=False)
