"""Signals of orders, for the packages above it (the insight counts adds to cart)."""

from django.dispatch import Signal

# Sent inside cart_add's transaction: product_id, source_status_id (as given, may be None).
cart_item_added = Signal()
