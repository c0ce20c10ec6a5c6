"""Checks of the stock promise, for tests, the benchmark and an operator's sanity check:
for every product (and every variant) the units left, the units reserved by unpaid orders
and the units sold equal the units ever put on sale (catalog's `stock_added`)."""

from collections import defaultdict

from django.db.models import Sum

from storefeed.catalog.models import Product, Variant
from storefeed.orders.models import OrderItem
from storefeed.orders.states import RESERVED_STATES, SOLD_STATES


def _units(states: frozenset[str]) -> dict[tuple[int, int | None], int]:
    rows = (
        # A restocked return's units are back in the stock: neither reserved nor sold.
        OrderItem.objects.filter(order__state__in=states, order__restocked=False)
        .values("product_id", "variant_id")
        .annotate(units=Sum("quantity"))
    )
    return {(row["product_id"], row["variant_id"]): row["units"] for row in rows}


def stock_problems() -> list[str]:
    """Every product or variant whose stock does not add up, described; empty when sound."""
    reserved = _units(RESERVED_STATES)
    sold = _units(SOLD_STATES)
    problems: list[str] = []
    rows: dict[tuple[int, int | None], tuple[int, int]] = {}
    for pk, stock, added in Product.objects.values_list("pk", "stock", "stock_added"):
        rows[(pk, None)] = (stock, added)
    for pk, product_id, stock, added in Variant.objects.values_list(
        "pk", "product_id", "stock", "stock_added"
    ):
        rows[(product_id, pk)] = (stock, added)
    counted: defaultdict[tuple[int, int | None], int] = defaultdict(int)
    for key in set(reserved) | set(sold):
        counted[key] += reserved.get(key, 0) + sold.get(key, 0)
        if key not in rows:
            problems.append(f"order items refer to a missing product/variant {key}")
    for key, (stock, added) in rows.items():
        if stock < 0:
            problems.append(f"{key} has negative stock {stock}")
        held = reserved.get(key, 0)
        gone = sold.get(key, 0)
        if stock + held + gone != added:
            problems.append(
                f"{key}: left {stock} + reserved {held} + sold {gone} = "
                f"{stock + held + gone}, but {added} were put on sale"
            )
    return problems
