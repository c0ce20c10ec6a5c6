"""Addresses, carts, orders and their items and events (commerce).

An Order belongs to one buyer and one seller; a checkout of several sellers' goods makes one
order per seller, sharing a `checkout_id`. Prices, titles and the shipping address are copied
in when the order is placed, so later edits never change an order. The state lives in
`Order.state` and moves only through `orders.states.transition()`, which records an
OrderEvent for every move.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from storefeed.core.ids import new_id

MAX_ADDRESSES = 20
MAX_QUANTITY = 99
MAX_CART_ITEMS = 100


class Address(models.Model):
    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="addresses"
    )
    recipient = models.CharField(_("recipient"), max_length=60)
    phone = models.CharField(_("phone"), max_length=20)
    region = models.CharField(_("province or region"), max_length=60)
    city = models.CharField(_("city"), max_length=60)
    street = models.CharField(_("street address"), max_length=200)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    is_default = models.BooleanField(_("default"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_default", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner"], condition=Q(is_default=True), name="orders_address_one_default"
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient}, {self.city}"

    @property
    def one_line(self) -> str:
        parts = [self.region, self.city, self.street, self.postcode]
        return ", ".join(p for p in parts if p)


class Cart(models.Model):
    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cart"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"cart of {self.owner_id}"


class CartItem(models.Model):
    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    variant = models.ForeignKey(
        "catalog.Variant", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    quantity = models.PositiveSmallIntegerField(default=1)
    # The post the buyer found it in (per-post sales), carried into the order.
    source_status_id = models.BigIntegerField(null=True, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1) & Q(quantity__lte=MAX_QUANTITY),
                name="orders_cartitem_quantity_range",
            ),
            models.UniqueConstraint(
                fields=["cart", "product"],
                condition=Q(variant__isnull=True),
                name="orders_cartitem_product_once",
            ),
            models.UniqueConstraint(
                fields=["cart", "product", "variant"],
                condition=Q(variant__isnull=False),
                name="orders_cartitem_variant_once",
            ),
        ]


class OrderState(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", _("Awaiting payment")
    PAID = "paid", _("Paid, to ship")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    COMPLETED = "completed", _("Completed")
    EXPIRED = "expired", _("Expired unpaid")
    CANCELLED = "cancelled", _("Cancelled")
    REFUND_REQUESTED = "refund_requested", _("Refund requested")
    REFUND_DECLINED = "refund_declined", _("Refund declined")
    DISPUTED = "disputed", _("Refund disputed")
    REFUNDED = "refunded", _("Refunded")
    # A return of goods: the seller asked for the delivered goods back before refunding.
    RETURN_REQUESTED = "return_requested", _("To send back")
    RETURN_SHIPPED = "return_shipped", _("Sent back")


class Order(models.Model):
    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    checkout_id = models.BigIntegerField(db_index=True)
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders"
    )
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sales"
    )
    state = models.CharField(
        max_length=20, choices=OrderState.choices, default=OrderState.PENDING_PAYMENT
    )
    currency = models.CharField(max_length=3, default="CNY")
    total_fen = models.BigIntegerField()
    # The platform's share, fixed when the escrow is released to the seller.
    fee_fen = models.BigIntegerField(default=0)
    # Where it goes: a copy of the address at checkout.
    ship_recipient = models.CharField(max_length=60)
    ship_phone = models.CharField(max_length=20)
    ship_address = models.CharField(max_length=400)
    carrier = models.CharField(max_length=60, blank=True)
    tracking_number = models.CharField(max_length=40, blank=True)
    # Reasons given along the way (cancelling, asking for a refund, declining it, disputing).
    cancel_reason = models.CharField(max_length=500, blank=True)
    refund_reason = models.CharField(max_length=500, blank=True)
    decline_reason = models.CharField(max_length=500, blank=True)
    dispute_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    # A return of goods: when the seller asked for them, how the buyer sent them back, and
    # whether the seller put the units back on sale when they arrived.
    return_requested_at = models.DateTimeField(null=True, blank=True)
    return_carrier = models.CharField(max_length=60, blank=True)
    return_tracking_number = models.CharField(max_length=40, blank=True)
    return_shipped_at = models.DateTimeField(null=True, blank=True)
    restocked = models.BooleanField(default=False)
    closed_at = models.DateTimeField(null=True, blank=True)  # completed/cancelled/expired/refunded

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(total_fen__gt=0), name="orders_order_total_gt_0"),
            models.CheckConstraint(
                condition=Q(fee_fen__gte=0) & Q(fee_fen__lte=models.F("total_fen")),
                name="orders_order_fee_in_range",
            ),
            models.CheckConstraint(
                condition=Q(state__in=OrderState.values), name="orders_order_state_known"
            ),
            models.CheckConstraint(
                condition=~Q(buyer=models.F("seller")), name="orders_order_not_own"
            ),
        ]
        indexes = [
            models.Index(fields=["buyer", "state", "-id"]),
            models.Index(fields=["seller", "state", "-id"]),
            models.Index(fields=["state", "expires_at"]),
        ]

    def __str__(self) -> str:
        return f"order {self.pk}"

    @property
    def ref(self) -> tuple[str, int]:
        """What the order's ledger transactions belong to."""
        return ("order", self.pk)


class OrderItem(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    variant = models.ForeignKey(
        "catalog.Variant", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(max_length=120)
    variant_name = models.CharField(max_length=60, blank=True)
    unit_price_fen = models.BigIntegerField()
    quantity = models.PositiveSmallIntegerField()
    # The post (status id; the original when bought from a repost) the buyer came from.
    source_status_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    # Bought from someone's repost of that post: who reposted it (for commissions later).
    reposter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1) & Q(quantity__lte=MAX_QUANTITY),
                name="orders_orderitem_quantity_range",
            ),
            models.CheckConstraint(
                condition=Q(unit_price_fen__gt=0), name="orders_orderitem_price_gt_0"
            ),
        ]
        indexes = [models.Index(fields=["product", "variant"])]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.title}"

    @property
    def line_total_fen(self) -> int:
        return self.unit_price_fen * self.quantity


class OrderEvent(models.Model):
    """One move of an order's state: who (None for the system's sweeps), when, from, to, why."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.from_state or '-'} -> {self.to_state}"
