"""The cart: lines put aside before checkout (nothing is reserved until an order is placed)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from storefeed.accounts.models import User
from storefeed.catalog.models import ExternalItem
from storefeed.catalog.selectors import Purchasable, product_for_purchase
from storefeed.core.errors import Forbidden, NotFound, ValidationFailed
from storefeed.orders.models import (
    MAX_CART_ITEMS,
    Cart,
    CartItem,
)
from storefeed.orders.services.common import _optional_pk, _pk, _quantity
from storefeed.orders.signals import cart_item_added


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
