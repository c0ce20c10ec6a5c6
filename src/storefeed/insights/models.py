"""The funnel's daily rows (counts only, never who) and the two buffers the worker rolls up.

`PostDay` and `ProductDay` hold one day of one post or product: what the insight page and API
read. `Seen` is the database buffer of impressions (used when Redis is not configured): one
row per page view of a product post, the viewer as a keyed hash that changes every day, kept
only until the day after (the distinct count of a day needs its whole day). `Event` buffers
taps and adds to cart until the worker adds them up and deletes them. `Mark` keeps how far the
worker has read the order events.
"""

from django.db import models
from django.db.models import Q

COUNTS = ("impressions", "taps", "carts", "orders", "paid_orders", "units")
MONEY = ("revenue_fen", "refunded_fen")


class DayCounts(models.Model):
    day = models.DateField()
    seller_id = models.BigIntegerField()
    impressions = models.PositiveIntegerField(default=0)
    taps = models.PositiveIntegerField(default=0)
    carts = models.PositiveIntegerField(default=0)
    orders = models.PositiveIntegerField(default=0)
    paid_orders = models.PositiveIntegerField(default=0)
    units = models.PositiveIntegerField(default=0)
    revenue_fen = models.BigIntegerField(default=0)
    refunded_fen = models.BigIntegerField(default=0)
    currency = models.CharField(max_length=3, default="CNY")

    class Meta:
        abstract = True


class PostDay(DayCounts):
    status_id = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["status_id", "day"], name="insights_postday_once")
        ]
        indexes = [models.Index(fields=["seller_id", "day"])]

    def __str__(self) -> str:
        return f"post {self.status_id} on {self.day}"


class ProductDay(DayCounts):
    product_id = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product_id", "day"], name="insights_productday_once")
        ]
        indexes = [models.Index(fields=["seller_id", "day"])]

    def __str__(self) -> str:
        return f"product {self.product_id} on {self.day}"


class Seen(models.Model):
    """A product post shown to a viewer (database buffer; Redis keeps HyperLogLogs instead)."""

    id = models.BigAutoField(primary_key=True)
    day = models.DateField()
    status_id = models.BigIntegerField()
    viewer = models.BigIntegerField()  # a keyed hash of the viewer and the day, not an id

    class Meta:
        indexes = [models.Index(fields=["day", "status_id", "viewer"])]


class EventKind(models.TextChoices):
    TAP = "tap"
    CART = "cart"


class Event(models.Model):
    """A card opened (tap) or a product added to a cart, until the worker counts it."""

    id = models.BigAutoField(primary_key=True)
    day = models.DateField()
    kind = models.CharField(max_length=4, choices=EventKind.choices)
    status_id = models.BigIntegerField(null=True)
    product_id = models.BigIntegerField(null=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status_id__isnull=False) | Q(product_id__isnull=False),
                name="insights_event_counts_something",
            )
        ]


class Mark(models.Model):
    """How far the worker has read an append-only table (the order events)."""

    name = models.CharField(max_length=40, primary_key=True)
    value = models.BigIntegerField(default=0)
