"""Every write of orders: the address book, the cart, checkout, paying, fulfilment, refunds,
disputes, and the sweeps that expire, confirm and complete orders.

Locks are always taken in one order: the order row (`select_for_update`), then the buyer's
PIN row (paying), then stock rows (catalog's single conditional UPDATEs, in (product_id,
variant_id) order), then ledger accounts (the wallet's `transfer()`, in account-id order).
Checkout locks stock rows only and inserts new orders, so no path waits on another in
reverse. No network call is made here. Placing, paying and buying now are each one
transaction and one commit, their hot rows (stock, escrow) updated last (see `_place`,
`order_pay`, `order_buy`).

Completion: the seller is paid (escrow released, minus the platform fee) when the 7-day
refund window after delivery closes, not at delivery, so a refund inside the window always
comes out of escrow and never depends on the seller still holding the money. The sweep
`orders_complete_due` does it. If escrow no longer holds an order's money (paid out by some
other path), a refund is taken from the seller's wallet instead.
"""

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from storefeed.accounts.models import User
from storefeed.catalog.errors import NotAvailable
from storefeed.catalog.models import ExternalItem, PostProduct, Product, ProductStatus, Variant
from storefeed.catalog.selectors import Purchasable, product_for_purchase
from storefeed.catalog.services import product_changed, stock_return, stock_take_statement
from storefeed.core import sql
from storefeed.core.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from storefeed.core.ids import new_id
from storefeed.core.parse import lookup_id, parse_count
from storefeed.core.text import clean_plain
from storefeed.notifications.services import notify_shop
from storefeed.notifications.shop import Part, money, shop_text
from storefeed.orders import carriers, links, workflow
from storefeed.orders.errors import (
    InsufficientStock,
    OrderStateConflict,
    PaymentExpired,
)
from storefeed.orders.models import (
    MAX_ADDRESSES,
    MAX_CART_ITEMS,
    MAX_QUANTITY,
    Address,
    Cart,
    CartItem,
    Order,
    OrderEvent,
    OrderItem,
    OrderState,
)
from storefeed.orders.signals import cart_item_added
from storefeed.orders.states import (
    TRANSITIONS,
    transition,
    transition_check,
    transition_statements,
)
from storefeed.posts.models import Status
from storefeed.sellers.models import Seller, SellerState
from storefeed.wallet.idempotency import Idempotency, fingerprint_of
from storefeed.wallet.selectors import escrow_held
from storefeed.wallet.services import (
    escrow_hold,
    escrow_refund,
    escrow_release,
    pin_check,
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


# ---------------------------------------------------------------------------------------------
# Address book


def _address_fields(
    *,
    recipient: object,
    phone: object,
    region: object,
    city: object,
    street: object,
    postcode: object,
) -> dict[str, str]:
    fields = {
        "recipient": _text(
            recipient,
            field="recipient",
            max_length=60,
            required=True,
            missing=_("Who receives the parcel? Enter a name."),
        ),
        "region": _text(
            region,
            field="region",
            max_length=60,
            required=True,
            missing=_("Enter the province or region."),
        ),
        "city": _text(
            city, field="city", max_length=60, required=True, missing=_("Enter the city.")
        ),
        "street": _text(
            street,
            field="street",
            max_length=200,
            required=True,
            missing=_("Enter the street address."),
        ),
    }
    phone_text = clean_plain(str(phone or ""))
    if not PHONE_RE.fullmatch(phone_text) or sum(ch.isdigit() for ch in phone_text) < 6:
        raise ValidationFailed(
            _("Enter a phone number of digits, like 138 0013 8000."), field="phone"
        )
    fields["phone"] = phone_text
    code = clean_plain(str(postcode or ""))
    if code and not POSTCODE_RE.fullmatch(code):
        raise ValidationFailed(
            _("Enter a postcode like 100020, or leave it empty."), field="postcode"
        )
    fields["postcode"] = code
    return fields


def _lock_account(account: User) -> None:
    # Serialises one account's address-book writes (the 20-address cap, the one default).
    User.objects.select_for_update().filter(pk=account.pk).values_list("pk", flat=True).first()


def _own_address(account: User, address_id: object) -> Address:
    # Plain SQL (core/sql.py): every checkout reads it.
    rows = sql.rows(
        f"SELECT {sql.columns(Address, 'a')} FROM {sql.table(Address)} a "  # noqa: S608
        "WHERE a.id = %s AND a.owner_id = %s",
        [_pk(address_id), account.pk],
    )
    if not rows:
        raise NotFound(_("This address does not exist."), field="address_id")
    return sql.instance(Address, rows[0])


def address_create(
    *,
    account: User,
    recipient: str,
    phone: str,
    region: str,
    city: str,
    street: str,
    postcode: str = "",
    is_default: bool = False,
) -> Address:
    """Add a shipping address (at most 20). The first one is the default."""
    fields = _address_fields(
        recipient=recipient, phone=phone, region=region, city=city, street=street, postcode=postcode
    )
    with transaction.atomic(durable=True):
        _lock_account(account)
        count = Address.objects.filter(owner_id=account.pk).count()
        if count >= MAX_ADDRESSES:
            raise ValidationFailed(
                _("You can keep at most %(max)s addresses; delete one first.")
                % {"max": MAX_ADDRESSES},
                field="address",
            )
        make_default = bool(is_default) or count == 0
        if make_default:
            Address.objects.filter(owner_id=account.pk, is_default=True).update(is_default=False)
        return Address.objects.create(owner=account, is_default=make_default, **fields)


def address_update(
    *,
    account: User,
    address_id: object,
    recipient: str | None = None,
    phone: str | None = None,
    region: str | None = None,
    city: str | None = None,
    street: str | None = None,
    postcode: str | None = None,
    is_default: bool | None = None,
) -> Address:
    """Change what is given. Orders already placed keep the address they were placed with."""
    with transaction.atomic(durable=True):
        _lock_account(account)
        address = _own_address(account, address_id)
        fields = _address_fields(
            recipient=address.recipient if recipient is None else recipient,
            phone=address.phone if phone is None else phone,
            region=address.region if region is None else region,
            city=address.city if city is None else city,
            street=address.street if street is None else street,
            postcode=address.postcode if postcode is None else postcode,
        )
        if is_default and not address.is_default:
            Address.objects.filter(owner_id=account.pk, is_default=True).update(is_default=False)
            fields["is_default"] = True  # type: ignore[assignment]
        for name, value in fields.items():
            setattr(address, name, value)
        address.save(update_fields=list(fields))
        return address


def address_delete(*, account: User, address_id: object) -> None:
    """Delete an address; if it was the default, the newest remaining one becomes it."""
    with transaction.atomic(durable=True):
        _lock_account(account)
        address = _own_address(account, address_id)
        was_default = address.is_default
        address.delete()
        if was_default:
            newest = Address.objects.filter(owner_id=account.pk).order_by("-id").first()
            if newest is not None:
                Address.objects.filter(pk=newest.pk).update(is_default=True)


# ---------------------------------------------------------------------------------------------
# Cart


def _purchasable(buyer: User, product_id: object, variant_id: object) -> Purchasable:
    """The product as it can be bought now, or why not (withdrawn, suspended seller, own
    product, a third-party item sold elsewhere, a missing variant)."""
    try:
        bought = product_for_purchase(product_id=product_id, variant_id=variant_id)
    except NotFound:
        item = ExternalItem.objects.filter(pk=_pk(product_id)).first()
        if item is not None:
            raise ValidationFailed(
                _("“%(title)s” is sold on %(source)s; buy it there from its card.")
                % {"title": item.title, "source": item.get_source_display()},
                field="product_id",
            ) from None
        raise
    if bought.seller_id == buyer.pk:
        raise Forbidden(
            _("“%(title)s” is your own product; you cannot buy it.")
            % {"title": bought.product.title},
            field="product_id",
        )
    return bought


def _cart(account: User, *, lock: bool) -> Cart:
    cart, _created = Cart.objects.get_or_create(owner=account)
    if lock:
        cart = Cart.objects.select_for_update().get(pk=cart.pk)
    return cart


def cart_add(
    *,
    account: User,
    product_id: object,
    variant_id: object = None,
    quantity: object = 1,
    source_status_id: object = None,
) -> CartItem:
    """Put units in the cart; the same product (and variant) again adds to its line, up to 99.
    Stock is not reserved here: only placing an order reserves it."""
    units = _quantity(quantity)
    source = _optional_pk(source_status_id, field="source_status_id", what=_("post"))
    bought = _purchasable(account, product_id, variant_id)
    variant_pk = bought.variant.pk if bought.variant is not None else None
    with transaction.atomic(durable=True):
        cart = _cart(account, lock=True)
        item = CartItem.objects.filter(
            cart=cart, product_id=bought.product.pk, variant=bought.variant
        ).first()
        if item is not None:
            total = _quantity(item.quantity + units)
            item.quantity = total
            fields = ["quantity"]
            if source is not None:
                item.source_status_id = source
                fields.append("source_status_id")
            item.save(update_fields=fields)
        else:
            if CartItem.objects.filter(cart=cart).count() >= MAX_CART_ITEMS:
                raise ValidationFailed(
                    _("Your cart holds at most %(max)s items.") % {"max": MAX_CART_ITEMS},
                    field="product_id",
                )
            item = CartItem.objects.create(
                cart=cart,
                product_id=bought.product.pk,
                variant_id=variant_pk,
                quantity=units,
                source_status_id=source,
            )
        Cart.objects.filter(pk=cart.pk).update(updated_at=timezone.now())
        cart_item_added.send(sender=CartItem, product_id=bought.product.pk, source_status_id=source)
        return item


def _own_cart_item(account: User, item_id: object) -> CartItem:
    item = CartItem.objects.filter(pk=_pk(item_id), cart__owner_id=account.pk).first()
    if item is None:
        raise NotFound(_("This item is not in your cart."), field="item_id")
    return item


def cart_update(*, account: User, item_id: object, quantity: object) -> CartItem:
    """Set a cart line's quantity (1..99; remove the line to drop it)."""
    units = _quantity(quantity)
    with transaction.atomic(durable=True):
        item = _own_cart_item(account, item_id)
        item.quantity = units
        item.save(update_fields=["quantity"])
        return item


def cart_remove(*, account: User, item_id: object) -> None:
    with transaction.atomic(durable=True):
        _own_cart_item(account, item_id).delete()


# ---------------------------------------------------------------------------------------------
# Checkout


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
    # Live shop windows: the cards of these products change when this commits.
    product_changed(*(line.product_id for line in lines))


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
        # One round trip (sql.batch), the stock's hot rows last.
        stock = _stock_statements(lines, bought)
        counts = sql.batch(statements + stock)
        _check_stock(lines, bought, counts[len(statements) :])
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


# ---------------------------------------------------------------------------------------------
# Paying


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
        _hold(
            placed.order,
            buyer,
            first=writes + stock,
            check_first=lambda counts: _check_stock([line], bought, counts[len(writes) :]),
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


# ---------------------------------------------------------------------------------------------
# Cancelling, shipping, delivery


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


# ---------------------------------------------------------------------------------------------
# Refunds and disputes


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


# ---------------------------------------------------------------------------------------------
# Completion and the sweeps


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
