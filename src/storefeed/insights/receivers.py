"""The insight's wiring to orders: adds to cart are counted as they happen."""

from typing import Any

from django.dispatch import receiver

from storefeed.insights import services
from storefeed.orders.signals import cart_item_added


@receiver(cart_item_added)
def on_cart_item_added(*, product_id: int, source_status_id: object, **_: Any) -> None:
    services.cart_add_record(product_id=product_id, source_status_id=source_status_id)
