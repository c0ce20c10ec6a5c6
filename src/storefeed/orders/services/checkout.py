"""Checkout: placing orders, one per seller, their stock reserved in one conditional UPDATE
per line, sent last in the transaction."""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from storefeed.accounts.models import User
from storefeed.catalog.errors import NotAvailable
from storefeed.catalog.models import PostProduct, Product, ProductStatus, Variant
from storefeed.catalog.search import product_state_statement
from storefeed.catalog.selectors import Purchasable
from storefeed.catalog.services import product_changed, stock_take_statement
from storefeed.core import sql
from storefeed.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from storefeed.core.ids import new_id
from storefeed.orders.errors import InsufficientStock
from storefeed.orders.models import (
    Address,
    CartItem,
    Order,
    OrderEvent,
    OrderItem,
)
from storefeed.orders.services.addresses import _own_address
from storefeed.orders.services.cart import _purchasable
from storefeed.orders.services.common import (
    MAX_LINES,
    S,
    _optional_pk,
    _pk,
    _quantity,
    payment_minutes,
)
from storefeed.orders.states import TRANSITIONS
from storefeed.posts.models import Status
from storefeed.sellers.models import Seller, SellerState
from storefeed.wallet.idempotency import Idempotency, fingerprint_of


@dataclass(frozen=True)
class Line:
    product_id: int
    variant_id: int | None
    quantity: int
    source_status_id: int | None = None

    @property
    def sort_key(self) -> tuple[int, int]:
        return (self.product_id, self.variant_id or 0)


def _line(raw: object) -> Line:
    """(product_id, variant_id, quantity[, source_status_id]) or a mapping with those keys."""
    if isinstance(raw, Mapping):
        product, variant = raw.get("product_id"), raw.get("variant_id")
        quantity, source = raw.get("quantity", 1), raw.get("source_status_id")
    elif isinstance(raw, Sequence) and not isinstance(raw, str) and len(raw) in (3, 4):
        product, variant, quantity = raw[0], raw[1], raw[2]
        source = raw[3] if len(raw) == 4 else None
    else:
        raise ValidationFailed(_("Each item needs a product and a quantity."), field="items")
    product_pk = _pk(product)
    if product_pk <= 0:
        raise NotFound(_("This product does not exist."), field="product_id")
    return Line(
        product_id=product_pk,
        variant_id=_optional_pk(variant, field="variant_id", what=_("variant")),
        quantity=_quantity(quantity),
        source_status_id=_optional_pk(source, field="source_status_id", what=_("post")),
    )


def _merged(lines: Iterable[Line]) -> list[Line]:
    """The same product and variant twice becomes one line (still at most 99 units)."""
    merged: dict[tuple[int, int], Line] = {}
    for line in lines:
        earlier = merged.get(line.sort_key)
        if earlier is not None:
            line = Line(
                product_id=line.product_id,
                variant_id=line.variant_id,
                quantity=_quantity(earlier.quantity + line.quantity),
                source_status_id=earlier.source_status_id or line.source_status_id,
            )
        merged[line.sort_key] = line
    return sorted(merged.values(), key=lambda ln: ln.sort_key)


@dataclass(frozen=True)
class Source:
    """Where a line was found: the post that carries the product (the original when bought
    from a repost) and, from a repost, who reposted it."""

    status_id: int | None
    reposter_id: int | None = None


NO_SOURCE = Source(status_id=None)


def _source_posts(lines: Sequence[Line]) -> dict[tuple[int, int], Source]:
    """For per-post sales: the post each line came from, when it is a post (or a repost of
    one) that carries the product. Anything else is dropped: attribution never blocks a sale."""
    wanted = {ln.source_status_id for ln in lines if ln.source_status_id}
    if not wanted:
        return {}
    found = {
        pk: (reblog, account)
        for pk, reblog, account in Status.objects.filter(pk__in=wanted).values_list(
            "pk", "reblog_of_id", "account_id"
        )
    }
    resolved = {
        pk: Source(reblog, account) if reblog else Source(pk)
        for pk, (reblog, account) in found.items()
    }
    carried = set(
        PostProduct.objects.filter(
            status_id__in={s.status_id for s in resolved.values()},
            product_id__in={ln.product_id for ln in lines},
        ).values_list("status_id", "product_id")
    )
    sources = {}
    for line in lines:
        source = resolved.get(line.source_status_id or 0)
        if source is not None and (source.status_id, line.product_id) in carried:
            sources[line.sort_key] = source
    return sources


def _title(bought: Purchasable) -> str:
    if bought.variant is not None:
        return f"{bought.product.title} ({bought.variant.name})"
    return bought.product.title


def _shortfall_error(short: list[tuple[Line, Purchasable, int]]) -> InsufficientStock:
    """One error listing every line short of stock, with what is left of each."""
    details = []
    parts = []
    for line, bought, left in short:
        available = max(0, left)
        title = _title(bought)
        details.append(
            {
                "product_id": line.product_id,
                "variant_id": line.variant_id,
                "title": title,
                "requested": line.quantity,
                "available": available,
            }
        )
        if available == 0:
            parts.append(_("“%(title)s” is sold out") % {"title": title})
        else:
            parts.append(
                ngettext(
                    "“%(title)s” has only %(count)s left (you asked for %(asked)s)",
                    "“%(title)s” has only %(count)s left (you asked for %(asked)s)",
                    available,
                )
                % {"title": title, "count": available, "asked": line.quantity}
            )
    return InsufficientStock(
        _("Not enough stock: %(items)s. Nothing was reserved.") % {"items": "; ".join(parts)},
        field="items",
        shortfalls=details,
    )


def _short_already(lines: Sequence[Line], bought: Mapping[tuple[int, int], Purchasable]) -> None:
    """Refuse before any transaction when the stock just read is already short (a sold-out
    flash sale then costs its latecomers no write at all). Only a refusal is decided here:
    taking the stock is still the one conditional UPDATE."""
    short = []
    for line in lines:
        item = bought[line.sort_key]
        left = item.variant.stock if item.variant is not None else item.product.stock
        if left < line.quantity:
            short.append((line, item, left))
    if short:
        raise _shortfall_error(short)


def _stock_refusal(failed: list[tuple[Line, Purchasable]]) -> Exception:
    """Why the conditional UPDATEs of `failed` lines took nothing: stock short (listing every
    shortfall), a product withdrawn or a shop suspended since it was read."""
    products = {
        pk: (title, status, seller_id, stock)
        for pk, title, status, seller_id, stock in Product.objects.filter(
            pk__in={ln.product_id for ln, _b in failed}
        ).values_list("pk", "title", "status", "seller_id", "stock")
    }
    variants = dict(
        Variant.objects.filter(
            pk__in={ln.variant_id for ln, _b in failed if ln.variant_id}, is_active=True
        ).values_list("pk", "stock")
    )
    short = []
    for line, bought in failed:
        stock = products.get(line.product_id, ("", "", 0, 0))[3]
        left = variants.get(line.variant_id, 0) if line.variant_id is not None else stock
        if left < line.quantity:
            short.append((line, bought, left))
    if short:
        return _shortfall_error(short)
    active = set(
        Seller.objects.filter(
            account_id__in={p[2] for p in products.values()}, state=SellerState.ACTIVE
        ).values_list("account_id", flat=True)
    )
    for title, status, seller_id, _stock in products.values():
        if status != ProductStatus.ON_SALE:
            return NotAvailable(
                _("“%(title)s” is withdrawn and cannot be bought.") % {"title": title},
                field="product_id",
            )
        if seller_id not in active:
            return NotAvailable(
                _("This seller's shop is suspended; “%(title)s” cannot be bought now.")
                % {"title": title},
                field="product_id",
            )
    return Conflict(_("The stock changed meanwhile; nothing was reserved. Try again."))


def _stock_statements(
    lines: Sequence[Line], bought: Mapping[tuple[int, int], Purchasable]
) -> list[sql.Statement]:
    """The checkout's hot statements, to be sent as late in its transaction as they can be:
    one conditional UPDATE per line, in (product, variant) order, that takes the units only
    from a product still on sale by an active seller. Every line is tried so that the
    refusal (`_check_stock`) can list every shortfall."""
    statements = []
    for line in lines:
        variant = bought[line.sort_key].variant
        statements.append(
            stock_take_statement(
                product_id=line.product_id,
                variant_id=variant.pk if variant is not None else None,
                quantity=line.quantity,
                on_sale=True,
            )
        )
    return statements


def _check_stock(
    lines: Sequence[Line], bought: Mapping[tuple[int, int], Purchasable], counts: Sequence[int]
) -> None:
    """Refuse (raising rolls the whole transaction back) unless every line's UPDATE took its
    units; `counts` are their row counts, in the order of `_stock_statements`."""
    failed = [
        (line, bought[line.sort_key]) for line, n in zip(lines, counts, strict=True) if n != 1
    ]
    if failed:
        raise _stock_refusal(failed)
    # Live shop windows: the cards of these products change when this commits (their search
    # rows were brought in step in the checkout's batch).
    product_changed(*(line.product_id for line in lines), indexed=True)


@dataclass(frozen=True)
class Placed:
    """An order just written, with its items (what a response renders, without a query)."""

    order: Order
    items: list[OrderItem]


def _new_orders(
    *,
    buyer: User,
    lines: list[Line],
    bought: Mapping[tuple[int, int], Purchasable],
    sources: Mapping[tuple[int, int], Source],
    address: Address,
    paid: bool,
) -> tuple[list[Placed], list[sql.Statement]]:
    """The orders of a checkout, one per seller, with their items and their first events,
    and the three INSERTs that write them whatever the number of sellers and lines (for the
    caller to send with its other statements). `paid`: buying now, the order is written
    paid, its two events (placed, paid) recorded at once."""
    now = timezone.now()
    by_seller: dict[int, list[Line]] = {}
    for line in lines:
        by_seller.setdefault(bought[line.sort_key].seller_id, []).append(line)
    checkout_id = new_id()
    placed = []
    for seller_id in sorted(by_seller):
        seller_lines = by_seller[seller_id]
        first = bought[seller_lines[0].sort_key]
        order = Order(
            checkout_id=checkout_id,
            buyer=buyer,
            seller=first.product.seller,
            currency=first.currency,
            total_fen=sum(bought[ln.sort_key].unit_price_fen * ln.quantity for ln in seller_lines),
            ship_recipient=address.recipient,
            ship_phone=address.phone,
            ship_address=address.one_line,
            expires_at=now if paid else now + dt.timedelta(minutes=payment_minutes()),
            state=S.PAID if paid else S.PENDING_PAYMENT,
            paid_at=now if paid else None,
        )
        items = [
            OrderItem(
                order=order,
                product_id=ln.product_id,
                variant=bought[ln.sort_key].variant,
                title=bought[ln.sort_key].product.title,
                variant_name=(v.name if (v := bought[ln.sort_key].variant) is not None else ""),
                unit_price_fen=bought[ln.sort_key].unit_price_fen,
                quantity=ln.quantity,
                source_status_id=sources.get(ln.sort_key, NO_SOURCE).status_id,
                reposter_id=sources.get(ln.sort_key, NO_SOURCE).reposter_id,
            )
            for ln in seller_lines
        ]
        placed.append(Placed(order=order, items=items))
    steps = [("", S.PENDING_PAYMENT)]
    if paid:
        assert S.PAID in TRANSITIONS[S.PENDING_PAYMENT]
        steps.append((S.PENDING_PAYMENT, S.PAID))
    events = [
        OrderEvent(order=p.order, actor=buyer, from_state=start, to_state=end)
        for p in placed
        for start, end in steps
    ]
    return placed, [
        sql.insert_statement([p.order for p in placed]),
        sql.insert_statement([item for p in placed for item in p.items]),
        sql.insert_statement(events),
    ]


def _place(
    *,
    buyer: User,
    lines: list[Line],
    address: Address,
    cart_item_ids: list[int],
    idempotency: Idempotency | None,
) -> list[Order]:
    bought = {ln.sort_key: _purchasable(buyer, ln.product_id, ln.variant_id) for ln in lines}
    _short_already(lines, bought)
    sources = _source_posts(lines)
    with transaction.atomic(durable=True):
        if idempotency is not None and idempotency.claim(account=buyer).replayed:
            return _replayed_orders(buyer, idempotency)
        placed, statements = _new_orders(
            buyer=buyer, lines=lines, bought=bought, sources=sources, address=address, paid=False
        )
        if cart_item_ids:
            CartItem.objects.filter(pk__in=cart_item_ids, cart__owner_id=buyer.pk).delete()
        if idempotency is not None:
            statements.append(idempotency.keep_statement(placed))
        # One round trip (sql.batch), the stock's hot rows last, the COMMIT with them.
        stock = _stock_statements(lines, bought)
        # The products' search rows follow (in stock or not) in the same round trip; it
        # writes nothing unless a line emptied the stock, and rolls back with a refusal.
        searched = product_state_statement([line.product_id for line in lines])
        counts = sql.batch([*statements, *stock, searched], commit=True)
        _check_stock(lines, bought, counts[len(statements) : len(statements) + len(stock)])
        orders = [p.order for p in placed]
        expires_at = orders[0].expires_at
        transaction.on_commit(lambda: _schedule_expiry([o.pk for o in orders], expires_at))
    return orders


def _replayed_orders(buyer: User, idempotency: Idempotency) -> list[Order]:
    """The orders a replayed key answered with (kept as `order_ids`, or as rendered orders)."""
    body = (idempotency.slot.body if idempotency.slot else None) or {}
    ids = body.get("order_ids") or [o.get("id") for o in body.get("orders", [])]
    if body.get("order_id") or body.get("id"):
        ids = [body.get("order_id") or body.get("id")]
    pks = [_pk(pk) for pk in ids]
    return list(Order.objects.filter(pk__in=pks, buyer_id=buyer.pk).order_by("seller_id"))


def _schedule_expiry(order_ids: list[int], when: dt.datetime) -> None:
    """A deferred task per order when the task backend can defer; the periodic sweep
    (`orders_expire_due`) catches whatever this misses."""
    from storefeed.orders import tasks

    if not tasks.expire_order.get_backend().supports_defer:
        return
    for pk in order_ids:
        tasks.expire_order.using(run_after=when).enqueue(pk)


def _cart_lines(buyer: User) -> tuple[list[Line], list[int]]:
    items = list(CartItem.objects.filter(cart__owner_id=buyer.pk).order_by("id"))
    if not items:
        raise ValidationFailed(_("Your cart is empty."), field="from_cart")
    lines = [
        Line(
            product_id=item.product_id,
            variant_id=item.variant_id,
            quantity=item.quantity,
            source_status_id=item.source_status_id,
        )
        for item in items
    ]
    return lines, [item.pk for item in items]


def order_place(
    *,
    buyer: User,
    items: Sequence[object] | None = None,
    from_cart: bool = False,
    address_id: object,
    idempotency_key: str | None = None,
    idempotency: Idempotency | None = None,
) -> list[Order]:
    """Check out: one order per seller, stock reserved at once, to be paid before
    `expires_at` (now + ORDER_PAYMENT_MINUTES). `items` are (product_id, variant_id, quantity
    [, source_status_id]) or mappings with those keys; or `from_cart=True` for the whole cart
    (its lines are removed once placed). Refused: quantities outside 1..99, products that
    cannot be bought (withdrawn, suspended shop, one's own, third-party items), an unknown
    address, and stock short anywhere (InsufficientStock listing every shortfall; then nothing
    is reserved). With an idempotency key, a replay returns the same orders; `idempotency`
    (the shop API's) claims the key and keeps its response in the same transaction.

    One durable transaction and one commit: the key's claim, the orders, their items and
    events (one INSERT each), the kept response, and last the stock's conditional UPDATEs,
    so the hot stock row is locked only from its UPDATE to the commit."""
    if not buyer.is_active:
        raise Forbidden(_("This account cannot buy."), field="buyer")
    if from_cart and items:
        raise ValidationFailed(
            _("Buy either the listed items or the cart, not both."), field="items"
        )
    cart_item_ids: list[int] = []
    if from_cart:
        lines, cart_item_ids = _cart_lines(buyer)
    else:
        raw = list(items or [])
        if not raw:
            raise ValidationFailed(_("Choose something to buy."), field="items")
        if len(raw) > MAX_LINES:
            raise ValidationFailed(
                _("One checkout holds at most %(max)s items.") % {"max": MAX_LINES}, field="items"
            )
        lines = [_line(item) for item in raw]
    lines = _merged(lines)
    address = _own_address(buyer, address_id)
    if idempotency is None and idempotency_key:
        idempotency = Idempotency(
            key=idempotency_key,
            scope="orders.place",
            fingerprint=fingerprint_of(
                {
                    "lines": [[ln.product_id, ln.variant_id, ln.quantity] for ln in lines],
                    "address_id": address.pk,
                    "from_cart": bool(from_cart),
                }
            ),
            respond=lambda placed: (201, {"order_ids": [str(p.order.pk) for p in placed]}),
        )
    return _place(
        buyer=buyer,
        lines=lines,
        address=address,
        cart_item_ids=cart_item_ids,
        idempotency=idempotency,
    )
