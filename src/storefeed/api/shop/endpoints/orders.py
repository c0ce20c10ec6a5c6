"""Orders, cart and address endpoints (filled in when the orders domain lands)."""

from ninja import Router

router = Router(tags=["orders"])
