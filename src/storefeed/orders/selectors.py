"""Reading orders: the buyer's and the seller's lists, one order for a party to it (NotFound
for anyone else), the address book, the cart, the staff dispute queue, per-post sales."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, F, Prefetch, QuerySet, Sum
from django.utils.translation import gettext as _

from storefeed.accounts.models import User
from storefeed.core.errors import NotFound, ValidationFailed
from storefeed.core.parse import lookup_id
from storefeed.orders.models import Address, CartItem, Order, OrderEvent, OrderItem, OrderState
from storefeed.orders.states import SALE_STATES

MAX_PAGE = 100
# State groups a client may ask for by one name (the seller's "to ship" tab, ...).
STATE_GROUPS: dict[str, frozenset[str]] = {
    "open": frozenset(
        {
            OrderState.PENDING_PAYMENT,
            OrderState.PAID,
            OrderState.SHIPPED,
            OrderState.DELIVERED,
            OrderState.REFUND_REQUESTED,
            OrderState.REFUND_DECLINED,
            OrderState.DISPUTED,
        }
    ),
    "closed": frozenset(
        {OrderState.COMPLETED, OrderState.EXPIRED, OrderState.CANCELLED, OrderState.REFUNDED}
    ),
}


def _pk(value: object) -> int:
    if isinstance(value, bool):
        return 0
    try:
        return lookup_id(value)
    except (TypeError, ValueError):
        return 0


def _states(state: str | Iterable[str] | None) -> set[str] | None:
    """None, one state, a comma-separated list or an iterable of states or group names."""
    if state is None or state == "":
        return None
    names = state.split(",") if isinstance(state, str) else list(state)
    wanted: set[str] = set()
    for raw in names:
        name = str(raw).strip()
        if not name:
            continue
        if name in STATE_GROUPS:
            wanted |= STATE_GROUPS[name]
        elif name in OrderState.values:
            wanted.add(name)
        else:
            raise ValidationFailed(
                _("Unknown order state “%(state)s”; use one of %(states)s.")
                % {"state": name, "states": ", ".join([*OrderState.values, *STATE_GROUPS])},
                field="state",
            )
    return wanted or None


def _orders_qs() -> QuerySet[Order]:
    return (
        Order.objects.select_related("buyer", "seller")
        .prefetch_related(
            Prefetch("items", queryset=OrderItem.objects.order_by("id")),
        )
        .order_by("-id")
    )


def _page(
    qs: QuerySet[Order], *, state: str | Iterable[str] | None, max_id: object, limit: int
) -> list[Order]:
    wanted = _states(state)
    if wanted is not None:
        qs = qs.filter(state__in=wanted)
    if max_id not in (None, ""):
        qs = qs.filter(id__lt=_pk(max_id))
    return list(qs[: max(1, min(int(limit), MAX_PAGE))])


def orders_for_buyer(
    *,
    buyer: User,
    state: str | Iterable[str] | None = None,
    max_id: object = None,
    limit: int = 20,
) -> list[Order]:
    """The buyer's orders, newest first, with items and the seller (a fixed number of
    queries per page), optionally in some states ("paid", "paid,shipped", "open")."""
    return _page(_orders_qs().filter(buyer_id=buyer.pk), state=state, max_id=max_id, limit=limit)


def orders_for_seller(
    *,
    seller: User,
    state: str | Iterable[str] | None = None,
    max_id: object = None,
    limit: int = 20,
) -> list[Order]:
    """Orders of the seller's shop, newest first ("paid" is the to-ship list)."""
    return _page(_orders_qs().filter(seller_id=seller.pk), state=state, max_id=max_id, limit=limit)


def _one(qs: QuerySet[Order], order_id: object) -> Order:
    order = (
        qs.prefetch_related(
            Prefetch("events", queryset=OrderEvent.objects.select_related("actor").order_by("id"))
        )
        .filter(pk=_pk(order_id))
        .first()
    )
    if order is None:
        raise NotFound(_("This order does not exist."), field="order_id")
    return order


def order_for_buyer(*, buyer: User, order_id: object) -> Order:
    return _one(_orders_qs().filter(buyer_id=buyer.pk), order_id)


def order_for_seller(*, seller: User, order_id: object) -> Order:
    return _one(_orders_qs().filter(seller_id=seller.pk), order_id)


def order_for_party(*, account: User, order_id: object) -> Order:
    """The order if `account` bought it or sells it; NotFound (as if absent) for anyone else."""
    order = _one(_orders_qs(), order_id)
    if account.pk not in (order.buyer_id, order.seller_id):
        raise NotFound(_("This order does not exist."), field="order_id")
    return order


def order_for_staff(*, staff: User, order_id: object) -> Order:
    if not (staff.is_active and staff.is_staff):
        raise NotFound(_("This order does not exist."), field="order_id")
    return _one(_orders_qs(), order_id)


def disputes(*, max_id: object = None, limit: int = 50) -> list[Order]:
    """The staff queue of disputed refunds, oldest first (first come, first decided)."""
    qs = _orders_qs().filter(state=OrderState.DISPUTED).order_by("id")
    if max_id not in (None, ""):
        qs = qs.filter(id__gt=_pk(max_id))
    return list(qs[: max(1, min(int(limit), MAX_PAGE))])


def disputes_decided(*, limit: int = 50) -> list[Order]:
    """Disputes staff decided, the latest decision first, each with its whole history (events
    with who and why), so a decision can be looked at again."""
    ids = list(
        OrderEvent.objects.filter(from_state=OrderState.DISPUTED)
        .order_by("-id")
        .values_list("order_id", flat=True)[: max(1, min(int(limit), MAX_PAGE))]
    )
    rows = (
        _orders_qs()
        .filter(pk__in=ids)
        .prefetch_related(
            Prefetch("events", queryset=OrderEvent.objects.select_related("actor").order_by("id"))
        )
    )
    by_id = {order.pk: order for order in rows}
    return [by_id[pk] for pk in ids if pk in by_id]


def addresses_for(*, account: User) -> list[Address]:
    """The address book, the default first."""
    return list(Address.objects.filter(owner_id=account.pk).order_by("-is_default", "-id"))


def address_for(*, account: User, address_id: object) -> Address:
    address = Address.objects.filter(pk=_pk(address_id), owner_id=account.pk).first()
    if address is None:
        raise NotFound(_("This address does not exist."), field="address_id")
    return address


def default_address(*, account: User) -> Address | None:
    return Address.objects.filter(owner_id=account.pk, is_default=True).first()


@dataclass
class CartLine:
    item: CartItem
    title: str
    variant_name: str
    unit_price_fen: int
    currency: str
    stock: int
    available: bool  # on sale, shop open, enough stock for the quantity right now
    seller_id: int

    @property
    def line_total_fen(self) -> int:
        return self.unit_price_fen * self.item.quantity


def cart_for(*, account: User) -> list[CartLine]:
    """The cart's lines with current prices and stock (the checkout copies prices when the
    order is placed), in one query."""
    items = (
        CartItem.objects.filter(cart__owner_id=account.pk)
        .select_related("product__seller__seller_profile", "variant")
        .order_by("id")
    )
    lines = []
    for item in items:
        product, variant = item.product, item.variant
        stock = variant.stock if variant is not None else product.stock
        seller_profile = getattr(product.seller, "seller_profile", None)
        shop_open = seller_profile is not None and seller_profile.state == "active"
        usable = product.status == "on_sale" and (variant is None or variant.is_active)
        lines.append(
            CartLine(
                item=item,
                title=product.title,
                variant_name=variant.name if variant is not None else "",
                unit_price_fen=variant.price_fen if variant is not None else product.price_fen,
                currency=product.currency,
                stock=stock,
                available=usable and shop_open and stock >= item.quantity,
                seller_id=product.seller_id,
            )
        )
    return lines


@dataclass(frozen=True)
class PostSales:
    status_id: int
    orders: int
    units: int
    revenue_fen: int
    currency: str = "CNY"


def post_sales(*, seller: User, limit: int = 100) -> list[PostSales]:
    """Per post the buyers came from: orders, units and revenue of the seller's sales
    (paid and onward, refunded ones excluded), best-selling first."""
    rows = (
        OrderItem.objects.filter(
            order__seller_id=seller.pk,
            order__state__in=SALE_STATES,
            source_status_id__isnull=False,
        )
        .values("source_status_id", "order__currency")
        .annotate(
            orders=Count("order_id", distinct=True),
            units=Sum("quantity"),
            revenue=Sum(F("quantity") * F("unit_price_fen")),
        )
        .order_by("-revenue", "-source_status_id")[: max(1, min(limit, 500))]
    )
    return [
        PostSales(
            status_id=row["source_status_id"] or 0,
            orders=row["orders"],
            units=row["units"],
            revenue_fen=row["revenue"],
            currency=row["order__currency"],
        )
        for row in rows
    ]
