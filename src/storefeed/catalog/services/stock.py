"""Stock, for orders: one conditional statement each, the row count says whether it worked;
and the live event that products' cards changed."""

from django.db.models import F
from django.utils.translation import gettext as _

from storefeed.catalog import search
from storefeed.catalog.models import (
    Product,
    ProductStatus,
    Variant,
)
from storefeed.core import events, sql
from storefeed.core.errors import ValidationFailed
from storefeed.sellers.models import Seller, SellerState


def product_changed(*product_ids: int, indexed: bool = False) -> None:
    """Tell live clients (core/events.py) that these products' cards changed: stock, price,
    availability, and bring their search rows in step. Called by every write that moves one,
    inside its transaction; the event goes out when it commits, and the streaming process
    reads the cards as they are then. `indexed`: the caller sent
    `search.product_state_statement` itself (checkout, in its batch)."""
    events.publish("product", ids=sorted(set(product_ids)))
    if not indexed:
        search.product_state(product_ids)


def stock_take(
    *, product_id: int, variant_id: int | None = None, quantity: int, on_sale: bool = False
) -> bool:
    """Take `quantity` units if that many are left; False (and nothing changed) otherwise.
    Runs in the caller's transaction. With `on_sale`, only from a product on sale by an
    active seller, checked in the same conditional statement (so checkout needs no second
    look after taking the stock); without it, that is not checked."""
    statement = stock_take_statement(
        product_id=product_id, variant_id=variant_id, quantity=quantity, on_sale=on_sale
    )
    taken = sql.execute(*statement) == 1
    if taken:
        product_changed(product_id)
    return taken


def stock_take_statement(
    *, product_id: int, variant_id: int | None = None, quantity: int, on_sale: bool = False
) -> sql.Statement:
    """`stock_take` as one conditional UPDATE for the caller to run (checkout sends it with
    its other statements, `sql.batch`); a row count of 1 means the units were taken. Plain
    SQL: every checkout sends it."""
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise ValidationFailed(_("Choose at least one unit."), field="quantity")
    products, sellers = sql.table(Product), sql.table(Seller)
    # The stock condition stays on the updated row itself (never inside a subquery), so a
    # blocked UPDATE re-checks it against the row the winner committed.
    if variant_id is None:
        text = (
            f"UPDATE {products} SET stock = stock - %s "  # noqa: S608
            "WHERE id = %s AND has_variants = %s AND stock >= %s"
        )
        params: list[object] = [quantity, product_id, False, quantity]
        if on_sale:
            text += (
                f" AND status = %s AND EXISTS (SELECT 1 FROM {sellers} s "  # noqa: S608
                f"WHERE s.account_id = {products}.seller_id AND s.state = %s)"
            )
            params += [ProductStatus.ON_SALE, SellerState.ACTIVE]
        return text, params
    variants = sql.table(Variant)
    text = (
        f"UPDATE {variants} SET stock = stock - %s "  # noqa: S608
        "WHERE id = %s AND product_id = %s AND is_active = %s AND stock >= %s"
    )
    params = [quantity, variant_id, product_id, True, quantity]
    if on_sale:
        text += (
            f" AND EXISTS (SELECT 1 FROM {products} p JOIN {sellers} s "  # noqa: S608
            f"ON s.account_id = p.seller_id WHERE p.id = {variants}.product_id "
            "AND p.status = %s AND s.state = %s)"
        )
        params += [ProductStatus.ON_SALE, SellerState.ACTIVE]
    return text, params


def stock_return(*, product_id: int, variant_id: int | None = None, quantity: int) -> bool:
    """Give back units taken by `stock_take` (an order cancelled or expired)."""
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise ValidationFailed(_("Choose at least one unit."), field="quantity")
    if variant_id is None:
        rows = Product.objects.filter(pk=product_id).update(stock=F("stock") + quantity)
    else:
        rows = Variant.objects.filter(pk=variant_id, product_id=product_id).update(
            stock=F("stock") + quantity
        )
    product_changed(product_id)
    return rows == 1
